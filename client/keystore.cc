#include "kith/keystore.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "kith.pb.h"
#include "kith/files.h"
#include "kith/protocol.h"

namespace kith::client {
namespace {

constexpr std::string_view kMagic = "KITHKEY2";
constexpr size_t kSaltAt = kMagic.size();
constexpr size_t kHeaderBytes = kSaltAt + crypto::kPwhashSaltBytes + 8 + 8;
constexpr size_t kSlotFileBytes = crypto::kAeadNonceBytes + Keystore::kSlotBytes + crypto::kAeadTagBytes;
constexpr size_t kFileBytes = kHeaderBytes + 2 * kSlotFileBytes;

size_t SlotAt(int slot) { return kHeaderBytes + static_cast<size_t>(slot) * kSlotFileBytes; }

std::string SlotAd(std::string_view file, int slot) {
  std::string ad(file.substr(0, kHeaderBytes));
  ad.push_back(static_cast<char>(slot));
  return ad;
}

absl::StatusOr<crypto::Secret> SlotKey(std::string_view file, std::string_view passphrase) {
  const std::string_view header = file.substr(0, kHeaderBytes);
  const crypto::PwhashParams params{ReadU64(header.substr(kSaltAt + crypto::kPwhashSaltBytes)),
                                    ReadU64(header.substr(kSaltAt + crypto::kPwhashSaltBytes + 8))};
  return crypto::DeriveKeyFromPassphrase(passphrase, header.substr(kSaltAt, crypto::kPwhashSaltBytes),
                                         params);
}

// The profile's bytes padded to exactly kSlotBytes.
absl::StatusOr<crypto::Secret> EncodeProfile(const Profile& p) {
  v1::KeystoreProfile proto;
  proto.set_name(p.identity.name);
  proto.set_sign_pk(p.identity.sign.public_key);
  proto.set_sign_sk(std::string(p.identity.sign.secret_key.view()));
  proto.set_box_pk(p.identity.box.public_key);
  proto.set_box_sk(std::string(p.identity.box.secret_key.view()));
  proto.set_safe_word(std::string(p.safe_word.view()));
  proto.set_duress_token(std::string(p.duress_token.view()));
  std::string bytes = proto.SerializeAsString();
  for (std::string* field : {proto.mutable_sign_sk(), proto.mutable_box_sk(),
                             proto.mutable_safe_word(), proto.mutable_duress_token()}) {
    crypto::Wipe(*field);
  }
  if (bytes.size() >= Keystore::kSlotBytes) {
    crypto::Wipe(bytes);
    return absl::InvalidArgumentError("the profile is too large for the keystore");
  }
  std::string padded = crypto::Pad(bytes, Keystore::kSlotBytes);
  crypto::Wipe(bytes);
  crypto::Secret out = crypto::Secret::FromString(padded);
  crypto::Wipe(padded);
  return out;
}

absl::StatusOr<Profile> DecodeProfile(const crypto::Secret& padded) {
  auto bytes = crypto::Unpad(padded.view(), Keystore::kSlotBytes);
  v1::KeystoreProfile proto;
  const bool parsed = bytes.ok() && proto.ParseFromString(*bytes);
  if (bytes.ok()) crypto::Wipe(*bytes);
  if (!parsed || proto.sign_sk().size() != crypto::kSignSecretKeyBytes ||
      proto.box_sk().size() != crypto::kBoxSecretKeyBytes) {
    return absl::DataLossError("the keystore's contents are malformed");
  }
  Profile p;
  p.identity.name = proto.name();
  p.identity.sign = {proto.sign_pk(), crypto::Secret::FromString(proto.sign_sk())};
  p.identity.box = {proto.box_pk(), crypto::Secret::FromString(proto.box_sk())};
  p.safe_word = crypto::Secret::FromString(proto.safe_word());
  p.duress_token = crypto::Secret::FromString(proto.duress_token());
  for (std::string* field : {proto.mutable_sign_sk(), proto.mutable_box_sk(),
                             proto.mutable_safe_word(), proto.mutable_duress_token()}) {
    crypto::Wipe(*field);
  }
  return p;
}

}  // namespace

absl::Status Keystore::Create(const std::string& path, const Profile& profile,
                              std::string_view passphrase) {
  const crypto::PwhashParams params = crypto::InteractivePwhashParams();
  std::string file(kMagic);
  file.append(crypto::RandomBytes(crypto::kPwhashSaltBytes));
  AppendU64(file, params.opslimit);
  AppendU64(file, params.memlimit);
  // Both slots start as random bytes: a slot never written is
  // indistinguishable from one holding a duress profile.
  file.append(crypto::RandomBytes(2 * kSlotFileBytes));
  auto key = SlotKey(file, passphrase);
  if (!key.ok()) return key.status();
  Keystore store(path, std::move(file), *std::move(key), 0, Profile{});
  return store.WriteSlot(0, store.key_, profile);
}

absl::StatusOr<Keystore> Keystore::Open(const std::string& path, std::string_view passphrase) {
  auto read = ReadFile(path);
  if (!read.ok()) return absl::NotFoundError(absl::StrCat("no identity at ", path));
  std::string& file = *read;
  if (file.size() != kFileBytes || !file.starts_with(kMagic)) {
    return absl::DataLossError(absl::StrCat(path, " is not a Kith keystore"));
  }
  auto key = SlotKey(file, passphrase);
  if (!key.ok()) return key.status();
  // Both slots are tried every time, so which one opened does not show in the time taken.
  std::optional<std::string> opened[2];
  for (int slot : {0, 1}) {
    const std::string_view sealed = std::string_view(file).substr(SlotAt(slot), kSlotFileBytes);
    opened[slot] = crypto::AeadDecrypt(*key, sealed.substr(0, crypto::kAeadNonceBytes),
                                       SlotAd(file, slot), sealed.substr(crypto::kAeadNonceBytes));
  }
  const int slot = opened[0] ? 0 : opened[1] ? 1 : -1;
  if (slot < 0) return absl::PermissionDeniedError("wrong passphrase (or the keystore was altered)");
  crypto::Secret padded = crypto::Secret::FromString(*opened[slot]);
  crypto::Wipe(*opened[slot]);
  auto profile = DecodeProfile(padded);
  if (!profile.ok()) return profile.status();
  return Keystore(path, std::move(file), *std::move(key), slot, *std::move(profile));
}

absl::Status Keystore::Save() { return WriteSlot(slot_, key_, profile_); }

absl::Status Keystore::SetOtherSlot(const Profile& other, std::string_view other_passphrase) {
  auto other_key = SlotKey(file_, other_passphrase);
  if (!other_key.ok()) return other_key.status();
  if (*other_key == key_) {
    return absl::InvalidArgumentError("the second passphrase must differ from your passphrase");
  }
  return WriteSlot(1 - slot_, *other_key, other);
}

absl::Status Keystore::ClearOtherSlot() {
  return ReplaceSlot(1 - slot_, crypto::RandomBytes(kSlotFileBytes));
}

absl::Status Keystore::WriteSlot(int slot, const crypto::Secret& key, const Profile& profile) {
  auto plaintext = EncodeProfile(profile);
  if (!plaintext.ok()) return plaintext.status();
  const std::string nonce = crypto::RandomBytes(crypto::kAeadNonceBytes);
  return ReplaceSlot(slot, nonce + crypto::AeadEncrypt(key, nonce, SlotAd(file_, slot),
                                                       plaintext->view()));
}

absl::Status Keystore::ReplaceSlot(int slot, std::string_view sealed) {
  std::string file = file_;
  file.replace(SlotAt(slot), kSlotFileBytes, sealed);
  if (auto s = WriteFileAtomically(path_, file, 0600); !s.ok()) return s;
  file_ = std::move(file);
  return absl::OkStatus();
}

}  // namespace kith::client
