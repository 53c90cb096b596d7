// The people whose safety number this person compared with them, in person
// or on a call they trust, and found to match (`kith id verify --confirm`).
// A user id is the hash of its signing key, so remembering the id fixes
// the key too.
//
// Kept in a sealed file (sealed_file.h), since who someone trusts is itself
// sensitive on a device someone else may hold:
//
//   nonce (24) || AEAD(key, nonce, "kith/v1/verified", { user_id (16) }*)
//
// A file another identity wrote (a duress profile shares the home) does
// not open under this one's key: it is then left alone, and nobody is
// verified for this identity.
#ifndef KITH_CLIENT_VERIFIED_CONTACTS_H_
#define KITH_CLIENT_VERIFIED_CONTACTS_H_

#include <memory>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "kith/crypto.h"

namespace kith::client {

class VerifiedContacts {
 public:
  // `box_secret_key`: the identity's X25519 secret key (32 bytes).
  static absl::StatusOr<VerifiedContacts> Open(std::string path,
                                               const crypto::Secret& box_secret_key);
  bool IsVerified(const std::string& user_id) const { return verified_.contains(user_id); }
  // Remembers `user_id` as verified and writes the file atomically; does
  // nothing, and says nothing, if the file is another identity's.
  absl::Status Add(const std::string& user_id);

 private:
  VerifiedContacts(std::string path, crypto::Secret key, bool writable)
      : path_(std::move(path)), key_(std::move(key)), writable_(writable) {}
  std::string path_;
  crypto::Secret key_;
  bool writable_;
  std::set<std::string> verified_;
};

}  // namespace kith::client

#endif  // KITH_CLIENT_VERIFIED_CONTACTS_H_
