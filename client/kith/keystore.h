// The keystore file: a person's identity and private settings, encrypted
// under their passphrase (S9). It has two slots of the same size. The
// passphrase opens one; the other holds either a duress profile, under a
// second passphrase, or random bytes, and nothing on disk tells which.
//
// Layout: "KITHKEY2" || salt (16) || opslimit (u64) || memlimit (u64) ||
// slot 0 || slot 1, each slot nonce (24) || XChaCha20-Poly1305 of a
// KeystoreProfile padded to kSlotBytes, under K = Argon2id(passphrase,
// salt), with the header and the slot's index as associated data. Opening
// always costs one Argon2id and two decryptions, whichever slot opens.
#ifndef KITH_CLIENT_KEYSTORE_H_
#define KITH_CLIENT_KEYSTORE_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "kith/crypto.h"
#include "kith/identity.h"

namespace kith::client {

// What a slot holds.
struct Profile {
  Identity identity;
  // A word that, typed in any message, also alerts the circle; empty: none.
  crypto::Secret safe_word;
  // Set only in a duress profile: presented to the server, it releases the
  // owner's sealed duress alerts.
  crypto::Secret duress_token;

  bool is_duress() const { return !duress_token.empty(); }
};

class Keystore {
 public:
  static constexpr size_t kSlotBytes = 1024;

  // Writes a new keystore at `path` holding `profile` in slot 0.
  static absl::Status Create(const std::string& path, const Profile& profile,
                             std::string_view passphrase);
  // Opens the slot `passphrase` opens. NOT_FOUND without a file,
  // PERMISSION_DENIED if no slot opens, DATA_LOSS if it is not a keystore.
  static absl::StatusOr<Keystore> Open(const std::string& path, std::string_view passphrase);

  const Profile& profile() const { return profile_; }
  Profile& mutable_profile() { return profile_; }
  // Writes the open slot again with profile(); the other slot is kept byte for byte.
  absl::Status Save();
  // Puts `other` in the other slot under `other_passphrase`, which must
  // differ from this one's (INVALID_ARGUMENT).
  absl::Status SetOtherSlot(const Profile& other, std::string_view other_passphrase);
  // Fills the other slot with random bytes again.
  absl::Status ClearOtherSlot();

 private:
  Keystore(std::string path, std::string file, crypto::Secret key, int slot, Profile profile)
      : path_(std::move(path)), file_(std::move(file)), key_(std::move(key)), slot_(slot),
        profile_(std::move(profile)) {}
  // Encrypts `profile` into slot `slot` of file_ under `key` and writes the file.
  absl::Status WriteSlot(int slot, const crypto::Secret& key, const Profile& profile);
  // Puts `sealed` (kSlotFileBytes) in slot `slot` and writes the file atomically.
  absl::Status ReplaceSlot(int slot, std::string_view sealed);

  std::string path_;
  std::string file_;    // the whole file as last read or written
  crypto::Secret key_;  // the open slot's key
  int slot_;
  Profile profile_;
};

}  // namespace kith::client

#endif  // KITH_CLIENT_KEYSTORE_H_
