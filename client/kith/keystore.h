// The keystore file: a person's identity and private settings, encrypted
// under their passphrase (S9). It has two slots of the same size. The
// passphrase opens one; the other holds either a duress profile, under a
// second passphrase, or random bytes, and nothing on disk tells which.
//
// Layout: "KITHKEY3" || salt (16) || opslimit (u64) || memlimit (u64) ||
// slot 0 || slot 1, each slot nonce (24) || XChaCha20-Poly1305 of a
// KeystoreProfile padded to kSlotBytes, under K = Argon2id(passphrase,
// salt), with the header and the slot's index as associated data. Opening
// always costs one Argon2id and two decryptions, whichever slot opens.
// Which slot is whose is drawn at random whenever both are written.
//
// The real profile keeps the duress slot's key (never its passphrase), so
// every change it makes rewrites both slots, and copies of the file from
// before and after a change differ in both. A duress profile cannot open
// the real slot, and writes only its own. "KITHKEY2" files (real profile
// always in slot 0, no slot key kept) still open; they move to this layout
// and today's Argon2id limits when both slots are written anew, at
// SetOtherSlot or ClearOtherSlot (which the CLI calls at the first unlock
// where it learns that no duress profile can be in the other slot).
#ifndef KITH_CLIENT_KEYSTORE_H_
#define KITH_CLIENT_KEYSTORE_H_

#include <functional>
#include <string>
#include <utility>
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

  // Writes a new keystore at `path` holding `profile` in a slot drawn at
  // random, under libsodium's moderate Argon2id limits.
  static absl::Status Create(const std::string& path, const Profile& profile,
                             std::string_view passphrase);
  // Opens the slot `passphrase` opens. NOT_FOUND without a file,
  // PERMISSION_DENIED if no slot opens, DATA_LOSS if it is not a keystore.
  static absl::StatusOr<Keystore> Open(const std::string& path, std::string_view passphrase);
  // Opens the slot `slot_key` (a slot_key() from before) opens, without the
  // passphrase's key derivation: for the unlock agent. PERMISSION_DENIED if
  // the keystore was written anew since under another key.
  static absl::StatusOr<Keystore> OpenWithKey(const std::string& path,
                                              const crypto::Secret& slot_key);

  const Profile& profile() const { return profile_; }
  Profile& mutable_profile() { return profile_; }
  // The slot that opened, and the key derived from the passphrase that
  // opens it (as good as the passphrase for this file: kept in locked memory).
  int slot() const { return slot_; }
  const crypto::Secret& slot_key() const { return key_; }
  // The Argon2id limits the file is under.
  crypto::PwhashParams params() const;
  // A "KITHKEY2" file, from before: see the header comment.
  bool legacy() const;

  // Writes profile() again, in place, and syncs it. From the real profile
  // of a KITHKEY3 file both slots are rewritten (the other re-encrypted
  // under its key, or fresh random bytes); otherwise only the open one.
  // The member keys are taken from the file as it is now, under a lock,
  // since another command may have changed them: only UpdateMemberKeys
  // changes them. FAILED_PRECONDITION if another command wrote the file
  // anew since this one opened it.
  absl::Status Save();
  // Applies `change` to the member keys as the file holds them now, under
  // a lock, and writes them as Save does if it changed them. Returns the
  // keys kept.
  absl::StatusOr<MemberKeyRing> UpdateMemberKeys(const std::function<void(MemberKeyRing&)>& change);
  // Rewrites the whole keystore under a fresh salt and today's limits:
  // this profile under `passphrase` (which must be the one that opened
  // it: PERMISSION_DENIED otherwise) and `other` under `other_passphrase`
  // (which must differ: INVALID_ARGUMENT), each in a slot drawn at random.
  // FAILED_PRECONDITION from a duress profile.
  absl::Status SetOtherSlot(std::string_view passphrase, const Profile& other,
                            std::string_view other_passphrase);
  // The same with random bytes in the other slot.
  absl::Status ClearOtherSlot(std::string_view passphrase);

 private:
  Keystore(std::string path, std::string file, crypto::Secret key, int slot, Profile profile,
           crypto::Secret other_key)
      : path_(std::move(path)), file_(std::move(file)), key_(std::move(key)), slot_(slot),
        profile_(std::move(profile)), other_key_(std::move(other_key)) {}
  // Opens whichever slot of `file` (read from `path`) `key` opens.
  static absl::StatusOr<Keystore> OpenFile(const std::string& path, std::string file,
                                           crypto::Secret key);
  // Rewrites both slots under a fresh header (see SetOtherSlot); `other`
  // null: random bytes.
  absl::Status Rebuild(std::string_view passphrase, const Profile* other,
                       std::string_view other_passphrase);
  // Writes `file` over the keystore and keeps it as file_.
  absl::Status Write(std::string file);
  // An exclusive flock on the keystore, held by every writer.
  struct FileLock {
    explicit FileLock(int fd) : fd(fd) {}
    FileLock(FileLock&& other) noexcept : fd(std::exchange(other.fd, -1)) {}
    ~FileLock();
    int fd;
  };
  // Locks the file and takes from it the member keys and the other slot
  // as they are now.
  absl::StatusOr<FileLock> LockAndRefresh();
  // Save's writing, under the lock.
  absl::Status WriteProfile();

  std::string path_;
  std::string file_;    // the whole file as last read or written
  crypto::Secret key_;  // the open slot's key
  int slot_;
  Profile profile_;
  crypto::Secret other_key_;  // the duress slot's key, in the real profile only
};

}  // namespace kith::client

#endif  // KITH_CLIENT_KEYSTORE_H_
