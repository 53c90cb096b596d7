// A person's long-term keys and the encrypted file that keeps them.
#ifndef KITH_CLIENT_IDENTITY_H_
#define KITH_CLIENT_IDENTITY_H_

#include <string>

#include "absl/status/statusor.h"
#include "kith.pb.h"
#include "kith/crypto.h"

namespace kith::client {

struct Identity {
  std::string name;
  crypto::SigningKeyPair sign;
  crypto::BoxKeyPair box;

  static Identity Generate(std::string name);
  // Derived from the signing key: the id the server and every member use.
  std::string user_id() const;
  // The public bundle, signed by this identity.
  v1::IdentityBundle Bundle() const;
  // A login request answering the server's challenge `nonce`.
  v1::LoginRequest SignLogin(std::string_view nonce) const;
};

// The keystore file: "KITHKEY1" || salt (16) || opslimit (u64) || memlimit
// (u64) || nonce (24) || XChaCha20-Poly1305 ciphertext of the secrets under
// an Argon2id key from the passphrase, with everything before the
// ciphertext as associated data. The file opens only with the passphrase.
absl::Status SaveIdentity(const std::string& path, const Identity& identity,
                          std::string_view passphrase);
// PERMISSION_DENIED for a wrong passphrase, NOT_FOUND for no file.
absl::StatusOr<Identity> LoadIdentity(const std::string& path, std::string_view passphrase);

}  // namespace kith::client

#endif  // KITH_CLIENT_IDENTITY_H_
