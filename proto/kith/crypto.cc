#include "kith/crypto.h"

#include <sodium.h>

#include <cstring>

namespace kith::crypto {

static_assert(kSignPublicKeyBytes == crypto_sign_PUBLICKEYBYTES);
static_assert(kSignSecretKeyBytes == crypto_sign_SECRETKEYBYTES);
static_assert(kSignatureBytes == crypto_sign_BYTES);
static_assert(kBoxPublicKeyBytes == crypto_box_PUBLICKEYBYTES);
static_assert(kBoxSecretKeyBytes == crypto_box_SECRETKEYBYTES);
static_assert(kSealOverheadBytes == crypto_box_SEALBYTES);
static_assert(kKeyBytes == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
static_assert(kKeyBytes == crypto_kdf_KEYBYTES);
static_assert(kAeadNonceBytes == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
static_assert(kAeadTagBytes == crypto_aead_xchacha20poly1305_ietf_ABYTES);
static_assert(kPwhashSaltBytes == crypto_pwhash_SALTBYTES);

namespace {

const unsigned char* U(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}
unsigned char* U(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

// label || 0x00 || data, the domain-separated input of every signature and hash.
std::string Labelled(std::string_view label, std::string_view data) {
  std::string out;
  out.reserve(label.size() + 1 + data.size());
  out.append(label);
  out.push_back('\0');
  out.append(data);
  return out;
}

}  // namespace

absl::Status Init() {
  if (sodium_init() < 0) return absl::InternalError("libsodium failed to initialise");
  return absl::OkStatus();
}

// --- Secret ----------------------------------------------------------------

Secret::Secret(size_t size) : data_(new unsigned char[size](), Release(false)), size_(size) {}

Secret Secret::Locked(size_t size) {
  if (size == 0) return Secret();
  // sodium_malloc needs the library set up; callers may come before Init().
  if (sodium_init() < 0) return Secret(size);
  auto* p = static_cast<unsigned char*>(sodium_malloc(size));
  if (p == nullptr) return Secret(size);  // out of guarded memory: plain, still wiped
  sodium_memzero(p, size);
  Secret s;
  s.data_ = std::unique_ptr<unsigned char[], Release>(p, Release(true));
  s.size_ = size;
  return s;
}

Secret Secret::LockedCopy(std::string_view bytes) {
  Secret s = Locked(bytes.size());
  if (!bytes.empty()) std::memcpy(s.data(), bytes.data(), bytes.size());
  return s;
}

void Secret::Release::operator()(unsigned char* p) const {
  if (locked) {
    sodium_free(p);  // wipes and unlocks
  } else {
    delete[] p;
  }
}
Secret::Secret(const void* data, size_t size) : Secret(size) {
  if (size) std::memcpy(data_.get(), data, size);
}
Secret Secret::Random(size_t size) {
  Secret s(size);
  randombytes_buf(s.data(), size);
  return s;
}
Secret::~Secret() { Wipe(); }
Secret::Secret(const Secret& other)
    : Secret(other.locked() ? LockedCopy(other.view()) : Secret(other.data(), other.size())) {}
Secret& Secret::operator=(const Secret& other) {
  if (this != &other) {
    Secret copy(other);
    *this = std::move(copy);
  }
  return *this;
}
Secret::Secret(Secret&& other) noexcept : data_(std::move(other.data_)), size_(other.size_) {
  other.size_ = 0;
}
Secret& Secret::operator=(Secret&& other) noexcept {
  if (this != &other) {
    Wipe();
    data_ = std::move(other.data_);
    size_ = other.size_;
    other.size_ = 0;
  }
  return *this;
}
void Secret::Wipe() {
  if (data_) sodium_memzero(data_.get(), size_);
  data_.reset();
  size_ = 0;
}
bool Secret::operator==(const Secret& other) const {
  return size_ == other.size_ && (size_ == 0 || sodium_memcmp(data(), other.data(), size_) == 0);
}

// --- Bytes ------------------------------------------------------------------

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  randombytes_buf(out.data(), n);
  return out;
}

void Wipe(std::string& s) {
  if (!s.empty()) sodium_memzero(s.data(), s.size());
}

void Wipe(void* data, size_t size) { sodium_memzero(data, size); }

bool ConstantTimeEqual(std::string_view a, std::string_view b) {
  return a.size() == b.size() && (a.empty() || sodium_memcmp(a.data(), b.data(), a.size()) == 0);
}

std::string ToHex(std::string_view bytes) {
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), U(bytes), bytes.size());
  out.pop_back();
  return out;
}

absl::StatusOr<std::string> FromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) return absl::InvalidArgumentError("hex string has odd length");
  std::string out(hex.size() / 2, '\0');
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_hex2bin(U(out), out.size(), hex.data(), hex.size(), nullptr, &len, &end) != 0 ||
      end != hex.data() + hex.size()) {
    return absl::InvalidArgumentError("not a hex string");
  }
  out.resize(len);
  return out;
}

std::string Sha256(std::string_view data) {
  std::string out(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256(U(out), U(data), data.size());
  return out;
}

absl::StatusOr<std::string> FromBase64(std::string_view text) {
  std::string out(text.size() / 4 * 3 + 3, '\0');
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(U(out), out.size(), text.data(), text.size(), " \t\r\n", &len, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size()) {
    return absl::InvalidArgumentError("not base64");
  }
  out.resize(len);
  return out;
}

// --- Ed25519 ------------------------------------------------------------------

SigningKeyPair GenerateSigningKeyPair() {
  SigningKeyPair kp{std::string(kSignPublicKeyBytes, '\0'), Secret::Locked(kSignSecretKeyBytes)};
  crypto_sign_keypair(U(kp.public_key), kp.secret_key.data());
  return kp;
}

SigningKeyPair SigningKeyPairFromSeed(const Secret& seed) {
  SigningKeyPair kp{std::string(kSignPublicKeyBytes, '\0'), Secret::Locked(kSignSecretKeyBytes)};
  crypto_sign_seed_keypair(U(kp.public_key), kp.secret_key.data(), seed.data());
  return kp;
}

std::string Sign(const Secret& secret_key, std::string_view label, std::string_view message) {
  std::string input = Labelled(label, message);
  std::string sig(kSignatureBytes, '\0');
  crypto_sign_detached(U(sig), nullptr, U(input), input.size(), secret_key.data());
  return sig;
}

bool Verify(std::string_view public_key, std::string_view label, std::string_view message,
            std::string_view signature) {
  if (public_key.size() != kSignPublicKeyBytes || signature.size() != kSignatureBytes) return false;
  std::string input = Labelled(label, message);
  return crypto_sign_verify_detached(U(signature), U(input), input.size(), U(public_key)) == 0;
}

// --- Sealed boxes -------------------------------------------------------------

BoxKeyPair GenerateBoxKeyPair() {
  BoxKeyPair kp{std::string(kBoxPublicKeyBytes, '\0'), Secret::Locked(kBoxSecretKeyBytes)};
  crypto_box_keypair(U(kp.public_key), kp.secret_key.data());
  return kp;
}

BoxKeyPair BoxKeyPairFromSeed(const Secret& seed) {
  BoxKeyPair kp{std::string(kBoxPublicKeyBytes, '\0'), Secret::Locked(kBoxSecretKeyBytes)};
  crypto_box_seed_keypair(U(kp.public_key), kp.secret_key.data(), seed.data());
  return kp;
}

std::string Seal(std::string_view public_key, std::string_view plaintext) {
  std::string out(plaintext.size() + kSealOverheadBytes, '\0');
  if (public_key.size() != kBoxPublicKeyBytes) return {};
  crypto_box_seal(U(out), U(plaintext), plaintext.size(), U(public_key));
  return out;
}

std::optional<Secret> SealOpen(std::string_view public_key, const Secret& secret_key,
                               std::string_view sealed) {
  if (public_key.size() != kBoxPublicKeyBytes || secret_key.size() != kBoxSecretKeyBytes ||
      sealed.size() < kSealOverheadBytes) {
    return std::nullopt;
  }
  Secret out(sealed.size() - kSealOverheadBytes);
  if (crypto_box_seal_open(out.data(), U(sealed), sealed.size(), U(public_key),
                           secret_key.data()) != 0) {
    return std::nullopt;
  }
  return out;
}

// --- Hashing -----------------------------------------------------------------

std::string Hash(std::string_view label, std::string_view data) {
  std::string input = Labelled(label, data);
  std::string out(kHashBytes, '\0');
  crypto_generichash(U(out), out.size(), U(input), input.size(), nullptr, 0);
  return out;
}

std::string KeyedHash(const Secret& key, std::string_view label, std::string_view data) {
  std::string input = Labelled(label, data);
  std::string out(kHashBytes, '\0');
  crypto_generichash(U(out), out.size(), U(input), input.size(), key.data(), key.size());
  return out;
}

Secret DeriveKey(const Secret& key, uint64_t subkey_id, std::string_view context) {
  Secret out(kKeyBytes);
  char ctx[crypto_kdf_CONTEXTBYTES] = {};
  std::memcpy(ctx, context.data(), std::min(context.size(), sizeof ctx));
  crypto_kdf_derive_from_key(out.data(), out.size(), subkey_id, ctx, key.data());
  return out;
}

// --- AEAD ------------------------------------------------------------------------

std::string AeadEncrypt(const Secret& key, std::string_view nonce, std::string_view ad,
                        std::string_view plaintext) {
  std::string out(plaintext.size() + kAeadTagBytes, '\0');
  unsigned long long len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(U(out), &len, U(plaintext), plaintext.size(), U(ad),
                                             ad.size(), nullptr, U(nonce), key.data());
  out.resize(len);
  return out;
}

std::optional<std::string> AeadDecrypt(const Secret& key, std::string_view nonce,
                                       std::string_view ad, std::string_view ciphertext) {
  if (key.size() != kKeyBytes || nonce.size() != kAeadNonceBytes ||
      ciphertext.size() < kAeadTagBytes) {
    return std::nullopt;
  }
  std::string out(ciphertext.size() - kAeadTagBytes, '\0');
  unsigned long long len = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(U(out), &len, nullptr, U(ciphertext),
                                                 ciphertext.size(), U(ad), ad.size(), U(nonce),
                                                 key.data()) != 0) {
    return std::nullopt;
  }
  out.resize(len);
  return out;
}

// --- Padding ----------------------------------------------------------------------

std::string Pad(std::string_view data, size_t block_size) {
  std::string out(data);
  out.resize(data.size() + block_size);
  size_t padded = 0;
  sodium_pad(&padded, U(out), data.size(), block_size, out.size());
  out.resize(padded);
  return out;
}

absl::StatusOr<std::string> Unpad(std::string_view padded, size_t block_size) {
  size_t len = 0;
  if (sodium_unpad(&len, U(padded), padded.size(), block_size) != 0) {
    return absl::DataLossError("bad padding");
  }
  return std::string(padded.substr(0, len));
}

// --- Argon2id -------------------------------------------------------------------------

PwhashParams InteractivePwhashParams() {
  return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

PwhashParams ModeratePwhashParams() {
  return {crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE};
}

absl::StatusOr<Secret> DeriveKeyFromPassphrase(std::string_view passphrase, std::string_view salt,
                                               PwhashParams params) {
  if (salt.size() != kPwhashSaltBytes) return absl::InvalidArgumentError("bad salt size");
  if (params.opslimit < crypto_pwhash_OPSLIMIT_MIN || params.opslimit > (1ull << 32) ||
      params.memlimit < crypto_pwhash_MEMLIMIT_MIN || params.memlimit > (1ull << 32)) {
    return absl::InvalidArgumentError("Argon2id parameters out of range");
  }
  Secret key = Secret::Locked(kKeyBytes);
  if (crypto_pwhash(key.data(), key.size(), passphrase.data(), passphrase.size(), U(salt),
                    params.opslimit, params.memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return absl::ResourceExhaustedError("not enough memory for Argon2id");
  }
  return key;
}

}  // namespace kith::crypto
