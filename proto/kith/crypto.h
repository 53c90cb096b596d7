// The only interface to libsodium in Kith. Every signature and hash takes a
// label, so no two protocol contexts can ever sign or hash the same bytes
// (domain separation); docs/protocol.md lists the labels.
//
// Byte strings are std::string (protobuf's `bytes` type). Key material that
// must not outlive its use is held in Secret, which wipes itself.
#ifndef KITH_CRYPTO_H_
#define KITH_CRYPTO_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace kith::crypto {

inline constexpr size_t kSignPublicKeyBytes = 32;
inline constexpr size_t kSignSecretKeyBytes = 64;
inline constexpr size_t kSignatureBytes = 64;
inline constexpr size_t kBoxPublicKeyBytes = 32;
inline constexpr size_t kBoxSecretKeyBytes = 32;
inline constexpr size_t kSealOverheadBytes = 48;
inline constexpr size_t kHashBytes = 32;
inline constexpr size_t kKeyBytes = 32;
inline constexpr size_t kAeadNonceBytes = 24;
inline constexpr size_t kAeadTagBytes = 16;
inline constexpr size_t kPwhashSaltBytes = 16;

// Must be called once before any other function; safe to call repeatedly.
absl::Status Init();

// Fixed-size key material, wiped with sodium_memzero on destruction.
// Comparisons are constant time.
class Secret {
 public:
  Secret() = default;
  explicit Secret(size_t size);
  Secret(const void* data, size_t size);
  static Secret FromString(std::string_view s) { return Secret(s.data(), s.size()); }
  static Secret Random(size_t size);
  // `size` zero bytes, or a copy of `bytes`, in locked and guarded memory
  // (sodium_malloc: never swapped out, fenced by pages a stray access faults
  // on), for keys that live as long as the process: identity, keystore and
  // server keys. Copies stay locked. Each costs a few system calls, so
  // per-message keys use the plain heap.
  static Secret Locked(size_t size);
  static Secret LockedCopy(std::string_view bytes);
  bool locked() const { return data_.get_deleter().locked; }
  ~Secret();
  Secret(const Secret& other);
  Secret& operator=(const Secret& other);
  Secret(Secret&& other) noexcept;
  Secret& operator=(Secret&& other) noexcept;

  unsigned char* data() { return data_.get(); }
  const unsigned char* data() const { return data_.get(); }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::string_view view() const {
    return {reinterpret_cast<const char*>(data_.get()), size_};
  }
  bool operator==(const Secret& other) const;

 private:
  void Wipe();
  struct Release {
    Release() noexcept : locked(false) {}
    explicit Release(bool locked) noexcept : locked(locked) {}
    void operator()(unsigned char* p) const;
    bool locked;
  };
  std::unique_ptr<unsigned char[], Release> data_;
  size_t size_ = 0;
};

std::string RandomBytes(size_t n);

// Overwrites `s` with zeros (sodium_memzero, which the compiler keeps).
void Wipe(std::string& s);
void Wipe(void* data, size_t size);

bool ConstantTimeEqual(std::string_view a, std::string_view b);

std::string ToHex(std::string_view bytes);
// Fails on odd length or a non-hex character.
absl::StatusOr<std::string> FromHex(std::string_view hex);

// SHA-256 (for certificate fingerprints, which the world writes in SHA-256).
std::string Sha256(std::string_view data);
// Standard base64 with padding; fails on anything else. Whitespace is skipped.
absl::StatusOr<std::string> FromBase64(std::string_view text);

// --- Ed25519 ------------------------------------------------------------

struct SigningKeyPair {
  std::string public_key;  // 32 bytes
  Secret secret_key;       // 64 bytes
};
SigningKeyPair GenerateSigningKeyPair();
// The key pair a 32-byte seed determines (crypto_sign_seed_keypair).
SigningKeyPair SigningKeyPairFromSeed(const Secret& seed);

// Signs label || 0x00 || message.
std::string Sign(const Secret& secret_key, std::string_view label, std::string_view message);
bool Verify(std::string_view public_key, std::string_view label, std::string_view message,
            std::string_view signature);

// --- X25519 sealed boxes --------------------------------------------------

struct BoxKeyPair {
  std::string public_key;  // 32 bytes
  Secret secret_key;       // 32 bytes
};
BoxKeyPair GenerateBoxKeyPair();
// The key pair a 32-byte seed determines (crypto_box_seed_keypair).
BoxKeyPair BoxKeyPairFromSeed(const Secret& seed);

// Anonymous sealed box (crypto_box_seal) to `public_key`.
std::string Seal(std::string_view public_key, std::string_view plaintext);
// Empty if the box does not open with this key pair.
std::optional<Secret> SealOpen(std::string_view public_key, const Secret& secret_key,
                               std::string_view sealed);

// --- Hashing and key derivation (BLAKE2b) ---------------------------------

// BLAKE2b-256 over label || 0x00 || data.
std::string Hash(std::string_view label, std::string_view data);
// BLAKE2b-256 keyed with `key` over label || 0x00 || data.
std::string KeyedHash(const Secret& key, std::string_view label, std::string_view data);
// crypto_kdf_derive_from_key: a 32-byte subkey of `key` (32 bytes) for
// (subkey_id, context). `context` is exactly 8 characters.
Secret DeriveKey(const Secret& key, uint64_t subkey_id, std::string_view context);

// --- AEAD: XChaCha20-Poly1305 (IETF) ---------------------------------------

std::string AeadEncrypt(const Secret& key, std::string_view nonce, std::string_view ad,
                        std::string_view plaintext);
// Empty if authentication fails.
std::optional<std::string> AeadDecrypt(const Secret& key, std::string_view nonce,
                                       std::string_view ad, std::string_view ciphertext);

// --- Padding (ISO/IEC 7816-4, sodium_pad) ---------------------------------

std::string Pad(std::string_view data, size_t block_size);
absl::StatusOr<std::string> Unpad(std::string_view padded, size_t block_size);

// --- Passphrase key derivation (Argon2id) ---------------------------------

struct PwhashParams {
  uint64_t opslimit;
  uint64_t memlimit;
};
// libsodium's "interactive" limits: about 0.1 s and 64 MiB on this class of machine.
PwhashParams InteractivePwhashParams();
// libsodium's "moderate" limits: 3 passes over 256 MiB, about 0.8 s on this
// class of machine. What a passphrase guarding a person's keys costs.
PwhashParams ModeratePwhashParams();
absl::StatusOr<Secret> DeriveKeyFromPassphrase(std::string_view passphrase, std::string_view salt,
                                               PwhashParams params);

}  // namespace kith::crypto

#endif  // KITH_CRYPTO_H_
