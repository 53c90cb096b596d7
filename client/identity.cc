#include "kith/identity.h"



#include "absl/strings/str_cat.h"
#include "kith/files.h"
#include "kith/protocol.h"

namespace kith::client {
namespace {

constexpr std::string_view kMagic = "KITHKEY1";
constexpr size_t kHeaderBytes = 8 + crypto::kPwhashSaltBytes + 8 + 8 + crypto::kAeadNonceBytes;

// u32 length || name || sign_pk || sign_sk || box_pk || box_sk
crypto::Secret EncodeSecrets(const Identity& id) {
  std::string buf;
  AppendU32(buf, static_cast<uint32_t>(id.name.size()));
  buf.append(id.name);
  buf.append(id.sign.public_key);
  buf.append(id.sign.secret_key.view());
  buf.append(id.box.public_key);
  buf.append(id.box.secret_key.view());
  crypto::Secret out = crypto::Secret::FromString(buf);
  crypto::Wipe(buf);
  return out;
}

absl::StatusOr<Identity> DecodeSecrets(std::string_view buf) {
  auto bad = absl::DataLossError("keystore contents are malformed");
  if (buf.size() < 4) return bad;
  const uint32_t name_len = ReadU32(buf);
  const size_t keys = crypto::kSignPublicKeyBytes + crypto::kSignSecretKeyBytes +
                      crypto::kBoxPublicKeyBytes + crypto::kBoxSecretKeyBytes;
  if (buf.size() != 4 + name_len + keys) return bad;
  Identity id;
  size_t at = 4;
  auto take = [&](size_t n) {
    std::string_view part = buf.substr(at, n);
    at += n;
    return part;
  };
  id.name = std::string(take(name_len));
  id.sign.public_key = std::string(take(crypto::kSignPublicKeyBytes));
  id.sign.secret_key = crypto::Secret::FromString(take(crypto::kSignSecretKeyBytes));
  id.box.public_key = std::string(take(crypto::kBoxPublicKeyBytes));
  id.box.secret_key = crypto::Secret::FromString(take(crypto::kBoxSecretKeyBytes));
  return id;
}

}  // namespace

Identity Identity::Generate(std::string name) {
  return Identity{std::move(name), crypto::GenerateSigningKeyPair(), crypto::GenerateBoxKeyPair()};
}

std::string Identity::user_id() const { return UserIdFor(sign.public_key); }

v1::IdentityBundle Identity::Bundle() const {
  v1::IdentityBundle b;
  b.set_sign_pk(sign.public_key);
  b.set_box_pk(box.public_key);
  b.set_name(name);
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

absl::Status SaveIdentity(const std::string& path, const Identity& identity,
                          std::string_view passphrase) {
  const crypto::PwhashParams params = crypto::InteractivePwhashParams();
  std::string header(kMagic);
  header.append(crypto::RandomBytes(crypto::kPwhashSaltBytes));
  AppendU64(header, params.opslimit);
  AppendU64(header, params.memlimit);
  header.append(crypto::RandomBytes(crypto::kAeadNonceBytes));
  auto key = crypto::DeriveKeyFromPassphrase(passphrase, header.substr(8, crypto::kPwhashSaltBytes),
                                             params);
  if (!key.ok()) return key.status();
  crypto::Secret plaintext = EncodeSecrets(identity);
  std::string file = header + crypto::AeadEncrypt(*key, header.substr(kHeaderBytes - 24), header,
                                                  plaintext.view());
  return WriteFileAtomically(path, file, 0600);
}

absl::StatusOr<Identity> LoadIdentity(const std::string& path, std::string_view passphrase) {
  auto read = ReadFile(path);
  if (!read.ok()) return absl::NotFoundError(absl::StrCat("no identity at ", path));
  const std::string& file = *read;
  if (file.size() < kHeaderBytes + crypto::kAeadTagBytes || !file.starts_with(kMagic)) {
    return absl::DataLossError(absl::StrCat(path, " is not a Kith keystore"));
  }
  const std::string header = file.substr(0, kHeaderBytes);
  crypto::PwhashParams params{ReadU64(header.substr(8 + crypto::kPwhashSaltBytes)),
                              ReadU64(header.substr(16 + crypto::kPwhashSaltBytes))};
  auto key = crypto::DeriveKeyFromPassphrase(passphrase, header.substr(8, crypto::kPwhashSaltBytes),
                                             params);
  if (!key.ok()) return key.status();
  auto plaintext = crypto::AeadDecrypt(*key, header.substr(kHeaderBytes - 24), header,
                                       std::string_view(file).substr(kHeaderBytes));
  if (!plaintext) {
    return absl::PermissionDeniedError("wrong passphrase (or the keystore was altered)");
  }
  crypto::Secret secrets = crypto::Secret::FromString(*plaintext);
  crypto::Wipe(*plaintext);
  return DecodeSecrets(secrets.view());
}

}  // namespace kith::client
