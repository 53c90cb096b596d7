// A person's long-term keys, and the recovery code they derive from.
#ifndef KITH_CLIENT_IDENTITY_H_
#define KITH_CLIENT_IDENTITY_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "kith.pb.h"
#include "kith/crypto.h"
#include "kith/member_keys.h"

namespace kith::client {

// 16 random bytes that determine an identity's keys: written down once, at
// `kith id create`, and never stored on the device, so a person whose
// device was wiped or lost can restore their account from it alone.
// Text form: 36 hex digits in groups of four, the last four a checksum
// that catches a mistyped code before it derives the wrong keys.
class RecoveryCode {
 public:
  static constexpr size_t kBytes = 16;
  static RecoveryCode Generate();
  // INVALID_ARGUMENT for a malformed or mistyped code. Spaces, dashes and
  // case do not matter.
  static absl::StatusOr<RecoveryCode> Parse(std::string_view text);
  std::string ToString() const;
  const crypto::Secret& bytes() const { return bytes_; }

 private:
  explicit RecoveryCode(crypto::Secret bytes) : bytes_(std::move(bytes)) {}
  crypto::Secret bytes_;
};

struct Identity {
  std::string name;
  crypto::SigningKeyPair sign;
  crypto::BoxKeyPair box;
  // Rotating keys that epoch secrets are sealed to (forward secrecy). The
  // recovery code does not determine them: a restored identity starts
  // with none, and reads only epochs sealed to it afterwards.
  MemberKeyRing member_keys;

  // The identity `code` determines (see docs/protocol.md, "Recovery"),
  // with no member key yet.
  static Identity FromRecoveryCode(std::string name, const RecoveryCode& code);
  // An identity whose recovery code nobody keeps (tests, decoy profiles),
  // with a first member key.
  static Identity Generate(std::string name);
  // Derived from the signing key: the id the server and every member use.
  std::string user_id() const;
  // The public bundle, signed by this identity.
  v1::IdentityBundle Bundle() const;
  // A login request answering the server's challenge `nonce`.
  v1::LoginRequest SignLogin(std::string_view nonce) const;
};

}  // namespace kith::client

#endif  // KITH_CLIENT_IDENTITY_H_
