#include "kith/verified_contacts.h"

#include "kith/files.h"
#include "kith/protocol.h"

namespace kith::client {
namespace {

constexpr std::string_view kAssociatedData = "kith/v1/verified";

}  // namespace

absl::StatusOr<VerifiedContacts> VerifiedContacts::Open(std::string path,
                                                        const crypto::Secret& box_secret_key) {
  crypto::Secret key = crypto::DeriveKey(box_secret_key, 5, "kithvrfd");
  auto stored = ReadFile(path);
  if (absl::IsNotFound(stored.status())) return VerifiedContacts(std::move(path), std::move(key), true);
  if (!stored.ok()) return stored.status();
  std::optional<std::string> plaintext;
  if (stored->size() >= crypto::kAeadNonceBytes) {
    plaintext = crypto::AeadDecrypt(key, stored->substr(0, crypto::kAeadNonceBytes),
                                    kAssociatedData, stored->substr(crypto::kAeadNonceBytes));
  }
  if (!plaintext || plaintext->size() % kIdBytes != 0) {
    return VerifiedContacts(std::move(path), std::move(key), false);  // not ours to read or write
  }
  VerifiedContacts contacts(std::move(path), std::move(key), true);
  for (size_t at = 0; at < plaintext->size(); at += kIdBytes) {
    contacts.verified_.insert(plaintext->substr(at, kIdBytes));
  }
  return contacts;
}

absl::Status VerifiedContacts::Add(const std::string& user_id) {
  // Another identity's file: under a duress profile, answering as if it was
  // recorded keeps the profile indistinguishable from a real one.
  if (!writable_) return absl::OkStatus();
  verified_.insert(user_id);
  std::string plaintext;
  for (const auto& id : verified_) plaintext.append(id);
  const std::string nonce = crypto::RandomBytes(crypto::kAeadNonceBytes);
  const std::string file = nonce + crypto::AeadEncrypt(key_, nonce, kAssociatedData, plaintext);
  return WriteFileAtomically(path_, file, 0600);
}

}  // namespace kith::client
