#include "kith/identity.h"

#include <cctype>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "kith/protocol.h"

namespace kith::client {
namespace {

constexpr size_t kCheckBytes = 2;

std::string Checksum(const crypto::Secret& code) {
  return crypto::Hash(kRecoveryCheckLabel, code.view()).substr(0, kCheckBytes);
}

}  // namespace

RecoveryCode RecoveryCode::Generate() { return RecoveryCode(crypto::Secret::Random(kBytes)); }

absl::StatusOr<RecoveryCode> RecoveryCode::Parse(std::string_view text) {
  std::string digits;
  for (char ch : text) {
    if (ch == '-' || std::isspace(static_cast<unsigned char>(ch))) continue;
    digits.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
  }
  auto raw = crypto::FromHex(digits);
  crypto::Wipe(digits);
  if (!raw.ok() || raw->size() != kBytes + kCheckBytes) {
    if (raw.ok()) crypto::Wipe(*raw);
    return absl::InvalidArgumentError(
        "a recovery code is 36 hex digits (0-9, a-f), as printed by 'kith id create'");
  }
  crypto::Secret bytes = crypto::Secret::FromString(std::string_view(*raw).substr(0, kBytes));
  const bool intact = crypto::ConstantTimeEqual(Checksum(bytes), raw->substr(kBytes));
  crypto::Wipe(*raw);
  if (!intact) {
    return absl::InvalidArgumentError(
        "that recovery code has a typo (its last four digits do not match): check each group");
  }
  return RecoveryCode(std::move(bytes));
}

std::string RecoveryCode::ToString() const {
  std::string hex = crypto::ToHex(std::string(bytes_.view()) + Checksum(bytes_));
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 4) {
    if (i > 0) out.push_back('-');
    out.append(hex, i, 4);
  }
  crypto::Wipe(hex);
  return out;
}

Identity Identity::FromRecoveryCode(std::string name, const RecoveryCode& code) {
  std::string hash = crypto::Hash(kRecoveryLabel, code.bytes().view());
  const crypto::Secret master = crypto::Secret::FromString(hash);
  crypto::Wipe(hash);
  return Identity{std::move(name),
                  crypto::SigningKeyPairFromSeed(crypto::DeriveKey(master, 1, kRecoveryKdfContext)),
                  crypto::BoxKeyPairFromSeed(crypto::DeriveKey(master, 2, kRecoveryKdfContext))};
}

Identity Identity::Generate(std::string name) {
  Identity identity = FromRecoveryCode(std::move(name), RecoveryCode::Generate());
  identity.member_keys.Rotate(absl::ToUnixMillis(absl::Now()));
  return identity;
}

std::string Identity::user_id() const { return UserIdFor(sign.public_key); }

v1::IdentityBundle Identity::Bundle() const {
  v1::IdentityBundle b;
  b.set_sign_pk(sign.public_key);
  b.set_box_pk(box.public_key);
  b.set_name(name);
  b.set_version(static_cast<uint64_t>(absl::ToUnixMillis(absl::Now())));
  b.set_signature(crypto::Sign(sign.secret_key, kBundleLabel, BundleSigningInput(b)));
  return b;
}

v1::LoginRequest Identity::SignLogin(std::string_view nonce) const {
  v1::LoginRequest req;
  req.set_user_id(user_id());
  req.set_nonce(std::string(nonce));
  req.set_signature(crypto::Sign(sign.secret_key, kLoginLabel, LoginSigningInput(nonce, req.user_id())));
  return req;
}

}  // namespace kith::client
