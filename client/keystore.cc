#include "kith/keystore.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "kith.pb.h"
#include "kith/files.h"
#include "kith/protocol.h"

namespace kith::client {
namespace {

constexpr std::string_view kMagic = "KITHKEY3";
constexpr std::string_view kLegacyMagic = "KITHKEY2";
constexpr size_t kSaltAt = kMagic.size();
constexpr size_t kParamsAt = kSaltAt + crypto::kPwhashSaltBytes;
constexpr size_t kHeaderBytes = kParamsAt + 8 + 8;
constexpr size_t kSlotFileBytes = crypto::kAeadNonceBytes + Keystore::kSlotBytes + crypto::kAeadTagBytes;
constexpr size_t kFileBytes = kHeaderBytes + 2 * kSlotFileBytes;
static_assert(kLegacyMagic.size() == kMagic.size());

size_t SlotAt(int slot) { return kHeaderBytes + static_cast<size_t>(slot) * kSlotFileBytes; }

std::string SlotAd(std::string_view file, int slot) {
  std::string ad(file.substr(0, kHeaderBytes));
  ad.push_back(static_cast<char>(slot));
  return ad;
}

crypto::PwhashParams HeaderParams(std::string_view file) {
  return {ReadU64(file.substr(kParamsAt)), ReadU64(file.substr(kParamsAt + 8))};
}

absl::StatusOr<crypto::Secret> SlotKey(std::string_view file, std::string_view passphrase) {
  return crypto::DeriveKeyFromPassphrase(passphrase, file.substr(kSaltAt, crypto::kPwhashSaltBytes),
                                         HeaderParams(file));
}

// A fresh file: today's header, a new salt, and random bytes in both slots.
std::string FreshFile() {
  const crypto::PwhashParams params = crypto::ModeratePwhashParams();
  std::string file(kMagic);
  file.append(crypto::RandomBytes(crypto::kPwhashSaltBytes));
  AppendU64(file, params.opslimit);
  AppendU64(file, params.memlimit);
  // A slot never written cannot be told from one holding a duress profile.
  file.append(crypto::RandomBytes(2 * kSlotFileBytes));
  return file;
}

int RandomSlot() { return crypto::RandomBytes(1)[0] & 1; }

// The padded profile in slot `slot` of `file`, if `key` opens it.
std::optional<crypto::Secret> OpenSlot(std::string_view file, int slot, const crypto::Secret& key) {
  const std::string_view sealed = file.substr(SlotAt(slot), kSlotFileBytes);
  auto opened = crypto::AeadDecrypt(key, sealed.substr(0, crypto::kAeadNonceBytes),
                                    SlotAd(file, slot), sealed.substr(crypto::kAeadNonceBytes));
  if (!opened) return std::nullopt;
  crypto::Secret out = crypto::Secret::FromString(*opened);
  crypto::Wipe(*opened);
  return out;
}

// Seals `padded` into slot `slot` of `file` under `key`, with a fresh nonce.
void SealSlot(std::string& file, int slot, const crypto::Secret& key, const crypto::Secret& padded) {
  const std::string nonce = crypto::RandomBytes(crypto::kAeadNonceBytes);
  file.replace(SlotAt(slot), kSlotFileBytes,
               nonce + crypto::AeadEncrypt(key, nonce, SlotAd(file, slot), padded.view()));
}

void WipeSecrets(v1::KeystoreProfile& proto) {
  for (std::string* field : {proto.mutable_sign_sk(), proto.mutable_box_sk(),
                             proto.mutable_safe_word(), proto.mutable_duress_token(),
                             proto.mutable_other_slot_key()}) {
    crypto::Wipe(*field);
  }
  for (v1::MemberKeySecret& key : *proto.mutable_member_keys()) crypto::Wipe(*key.mutable_box_sk());
}

// The profile's bytes padded to exactly kSlotBytes.
absl::StatusOr<crypto::Secret> EncodeProfile(const Profile& p, const crypto::Secret& other_key) {
  v1::KeystoreProfile proto;
  proto.set_name(p.identity.name);
  proto.set_sign_pk(p.identity.sign.public_key);
  proto.set_sign_sk(std::string(p.identity.sign.secret_key.view()));
  proto.set_box_pk(p.identity.box.public_key);
  proto.set_box_sk(std::string(p.identity.box.secret_key.view()));
  proto.set_safe_word(std::string(p.safe_word.view()));
  proto.set_duress_token(std::string(p.duress_token.view()));
  proto.set_other_slot_key(std::string(other_key.view()));
  p.identity.member_keys.SaveTo(proto.mutable_member_keys());
  std::string bytes = proto.SerializeAsString();
  WipeSecrets(proto);
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

struct Decoded {
  Profile profile;
  crypto::Secret other_key;
};

absl::StatusOr<Decoded> DecodeProfile(const crypto::Secret& padded) {
  auto bytes = crypto::Unpad(padded.view(), Keystore::kSlotBytes);
  v1::KeystoreProfile proto;
  const bool parsed = bytes.ok() && proto.ParseFromString(*bytes);
  if (bytes.ok()) crypto::Wipe(*bytes);
  if (!parsed || proto.sign_sk().size() != crypto::kSignSecretKeyBytes ||
      proto.box_sk().size() != crypto::kBoxSecretKeyBytes ||
      (!proto.other_slot_key().empty() && proto.other_slot_key().size() != crypto::kKeyBytes)) {
    return absl::DataLossError("the keystore's contents are malformed");
  }
  for (const v1::MemberKeySecret& key : proto.member_keys()) {
    if (key.box_sk().size() != crypto::kBoxSecretKeyBytes ||
        key.box_pk().size() != crypto::kBoxPublicKeyBytes) {
      WipeSecrets(proto);
      return absl::DataLossError("the keystore's member keys are malformed");
    }
  }
  Decoded d;
  Profile& p = d.profile;
  p.identity.name = proto.name();
  p.identity.sign = {proto.sign_pk(), crypto::Secret::LockedCopy(proto.sign_sk())};
  p.identity.box = {proto.box_pk(), crypto::Secret::LockedCopy(proto.box_sk())};
  p.safe_word = crypto::Secret::LockedCopy(proto.safe_word());
  p.duress_token = crypto::Secret::LockedCopy(proto.duress_token());
  d.other_key = crypto::Secret::LockedCopy(proto.other_slot_key());
  p.identity.member_keys = MemberKeyRing::LoadFrom(proto.member_keys());
  WipeSecrets(proto);
  return d;
}

}  // namespace

absl::Status Keystore::Create(const std::string& path, const Profile& profile,
                              std::string_view passphrase) {
  std::string file = FreshFile();
  auto key = SlotKey(file, passphrase);
  if (!key.ok()) return key.status();
  auto padded = EncodeProfile(profile, crypto::Secret());
  if (!padded.ok()) return padded.status();
  SealSlot(file, RandomSlot(), *key, *padded);
  return WriteFileAtomically(path, file, 0600);
}

absl::StatusOr<Keystore> Keystore::Open(const std::string& path, std::string_view passphrase) {
  auto read = ReadFile(path);
  if (!read.ok()) return absl::NotFoundError(absl::StrCat("no identity at ", path));
  std::string& file = *read;
  if (file.size() != kFileBytes || !(file.starts_with(kMagic) || file.starts_with(kLegacyMagic))) {
    return absl::DataLossError(absl::StrCat(path, " is not a Kith keystore"));
  }
  auto key = SlotKey(file, passphrase);
  if (!key.ok()) return key.status();
  return OpenFile(path, std::move(file), *std::move(key));
}

absl::StatusOr<Keystore> Keystore::OpenWithKey(const std::string& path,
                                               const crypto::Secret& slot_key) {
  auto read = ReadFile(path);
  if (!read.ok()) return absl::NotFoundError(absl::StrCat("no identity at ", path));
  if (read->size() != kFileBytes || !(read->starts_with(kMagic) || read->starts_with(kLegacyMagic))) {
    return absl::DataLossError(absl::StrCat(path, " is not a Kith keystore"));
  }
  return OpenFile(path, *std::move(read), crypto::Secret::LockedCopy(slot_key.view()));
}

absl::StatusOr<Keystore> Keystore::OpenFile(const std::string& path, std::string file,
                                            crypto::Secret key) {
  // Both slots are tried every time, so which one opened does not show in the time taken.
  std::optional<crypto::Secret> opened[2] = {OpenSlot(file, 0, key), OpenSlot(file, 1, key)};
  const int slot = opened[0] ? 0 : opened[1] ? 1 : -1;
  if (slot < 0) return absl::PermissionDeniedError("wrong passphrase (or the keystore was altered)");
  auto decoded = DecodeProfile(*opened[slot]);
  if (!decoded.ok()) return decoded.status();
  return Keystore(path, std::move(file), std::move(key), slot, std::move(decoded->profile),
                  std::move(decoded->other_key));
}

crypto::PwhashParams Keystore::params() const { return HeaderParams(file_); }

bool Keystore::legacy() const { return file_.starts_with(kLegacyMagic); }

absl::StatusOr<Keystore::FileLock> Keystore::LockAndRefresh() {
  FileLock lock(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
  if (lock.fd < 0 || ::flock(lock.fd, LOCK_EX) != 0) {
    return absl::InternalError(absl::StrCat("cannot lock ", path_));
  }
  auto disk = ReadFile(path_);
  if (!disk.ok() || disk->size() != kFileBytes || disk->substr(0, 8) != file_.substr(0, 8)) {
    return absl::FailedPreconditionError(
        absl::StrCat(path_, " changed under this command; run it again"));
  }
  std::optional<crypto::Secret> opened = OpenSlot(*disk, slot_, key_);
  if (!opened) {
    // Written anew by another command (a new passphrase or duress
    // profile): writing over it would undo that.
    return absl::FailedPreconditionError(
        absl::StrCat(path_, " changed under this command; run it again"));
  }
  auto decoded = DecodeProfile(*opened);
  if (!decoded.ok()) return decoded.status();
  // Another command may have rotated or erased member keys since this one
  // opened the file: the file's ring is the truth.
  profile_.identity.member_keys = std::move(decoded->profile.identity.member_keys);
  file_ = *std::move(disk);
  return lock;
}

Keystore::FileLock::~FileLock() {
  if (fd >= 0) ::close(fd);  // releases the lock
}

absl::StatusOr<MemberKeyRing> Keystore::UpdateMemberKeys(
    const std::function<void(MemberKeyRing&)>& change) {
  auto lock = LockAndRefresh();
  if (!lock.ok()) return lock.status();
  auto ids = [this] {
    std::vector<uint64_t> out;
    for (const auto& key : profile_.identity.member_keys.keys()) out.push_back(key.id);
    return out;
  };
  const std::vector<uint64_t> before = ids();
  change(profile_.identity.member_keys);
  // Only to read the keys again: nothing to write.
  if (ids() == before) return profile_.identity.member_keys;
  if (auto s = WriteProfile(); !s.ok()) return s;
  return profile_.identity.member_keys;
}

absl::Status Keystore::Save() {
  auto lock = LockAndRefresh();
  if (!lock.ok()) return lock.status();
  return WriteProfile();
}

absl::Status Keystore::WriteProfile() {
  auto padded = EncodeProfile(profile_, other_key_);
  if (!padded.ok()) return padded.status();
  std::string file = file_;
  SealSlot(file, slot_, key_, *padded);
  // Only the real profile of a KITHKEY3 file knows what the other slot is.
  if (file.starts_with(kMagic) && !profile_.is_duress()) {
    const int other = 1 - slot_;
    std::optional<crypto::Secret> duress;
    if (!other_key_.empty()) duress = OpenSlot(file_, other, other_key_);
    if (duress) {
      SealSlot(file, other, other_key_, *duress);
    } else {
      file.replace(SlotAt(other), kSlotFileBytes, crypto::RandomBytes(kSlotFileBytes));
    }
  }
  return Write(std::move(file));
}

absl::Status Keystore::SetOtherSlot(std::string_view passphrase, const Profile& other,
                                    std::string_view other_passphrase) {
  return Rebuild(passphrase, &other, other_passphrase);
}

absl::Status Keystore::ClearOtherSlot(std::string_view passphrase) {
  return Rebuild(passphrase, nullptr, {});
}

absl::Status Keystore::Rebuild(std::string_view passphrase, const Profile* other,
                               std::string_view other_passphrase) {
  if (profile_.is_duress()) {
    return absl::FailedPreconditionError("a duress profile cannot change the keystore's slots");
  }
  auto lock = LockAndRefresh();
  if (!lock.ok()) return lock.status();
  auto current = SlotKey(file_, passphrase);
  if (!current.ok()) return current.status();
  if (!(*current == key_)) return absl::PermissionDeniedError("wrong passphrase");
  std::string file = FreshFile();
  auto key = SlotKey(file, passphrase);
  if (!key.ok()) return key.status();
  crypto::Secret other_key;
  const int slot = RandomSlot();
  if (other != nullptr) {
    auto derived = SlotKey(file, other_passphrase);
    if (!derived.ok()) return derived.status();
    if (*derived == *key) {
      return absl::InvalidArgumentError("the second passphrase must differ from your passphrase");
    }
    other_key = *std::move(derived);
    auto other_padded = EncodeProfile(*other, crypto::Secret());
    if (!other_padded.ok()) return other_padded.status();
    SealSlot(file, 1 - slot, other_key, *other_padded);
  }
  auto padded = EncodeProfile(profile_, other_key);
  if (!padded.ok()) return padded.status();
  SealSlot(file, slot, *key, *padded);
  if (auto s = Write(std::move(file)); !s.ok()) return s;
  key_ = *std::move(key);
  slot_ = slot;
  other_key_ = std::move(other_key);
  return absl::OkStatus();
}

absl::Status Keystore::Write(std::string file) {
  // In place, so the bytes it replaces do not linger in free blocks.
  if (auto s = OverwriteFileInPlace(path_, file); !s.ok()) return s;
  file_ = std::move(file);
  return absl::OkStatus();
}

}  // namespace kith::client
