#include "kith/verified_contacts.h"

#include "kith/protocol.h"
#include "kith/sealed_file.h"

namespace kith::client {
namespace {

constexpr std::string_view kAssociatedData = "kith/v1/verified";

}  // namespace

absl::StatusOr<VerifiedContacts> VerifiedContacts::Open(std::string path,
                                                        const crypto::Secret& box_secret_key) {
  crypto::Secret key = crypto::DeriveKey(box_secret_key, 5, "kithvrfd");
  auto plaintext = ReadSealedFile(path, key, kAssociatedData);
  if (!plaintext.ok()) return plaintext.status();
  const bool ours = plaintext->has_value() && (*plaintext)->size() % kIdBytes == 0;
  VerifiedContacts contacts(std::move(path), std::move(key), ours);
  if (!ours) return contacts;  // another identity's, or damaged
  for (size_t at = 0; at < (*plaintext)->size(); at += kIdBytes) {
    contacts.verified_.insert((*plaintext)->substr(at, kIdBytes));
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
  return WriteSealedFile(path_, key_, kAssociatedData, plaintext);
}

}  // namespace kith::client
