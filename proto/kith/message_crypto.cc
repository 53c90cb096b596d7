#include "kith/message_crypto.h"

#include "absl/strings/str_cat.h"
#include "kith/protocol.h"

namespace kith {
namespace {

// Plaintext format version, the first byte inside the padding: 0x02 is a
// serialized MessageContent.
constexpr char kPlaintextV2 = 0x02;

// Key commitment (libsodium's robustness recipe): a hash keyed by the message
// key over the nonce and the AEAD tag. Only the holder of this exact key can
// produce it, so one ciphertext cannot open under two keys.
std::string Commitment(const crypto::Secret& key, std::string_view nonce,
                       std::string_view ciphertext) {
  std::string input(nonce);
  input.append(ciphertext.substr(ciphertext.size() - crypto::kAeadTagBytes));
  return crypto::KeyedHash(key, "kith/v1/key-commitment", input);
}

}  // namespace

std::string MessageAssociatedData(const MessageHeader& header) {
  std::string ad = "kith/v1/message";
  ad.append(header.group_id);
  AppendU64(ad, header.epoch);
  ad.append(header.sender);
  AppendU64(ad, header.counter);
  return ad;
}

SenderChain::SenderChain(const crypto::Secret& epoch_secret, std::string_view sender)
    : chain_key_(crypto::Secret::FromString(
          crypto::KeyedHash(epoch_secret, "kith/v1/sender-chain", sender))) {}

crypto::Secret SenderChain::Advance() {
  crypto::Secret message_key = crypto::DeriveKey(chain_key_, 1, "kithmsgk");
  chain_key_ = crypto::DeriveKey(chain_key_, 2, "kithchnk");
  ++next_counter_;
  return message_key;
}

absl::StatusOr<v1::GroupMessage> EncryptMessage(const crypto::Secret& message_key,
                                                const MessageHeader& header,
                                                const v1::MessageContent& content) {
  if (content.text().size() > kMaxTextBytes) {
    return absl::InvalidArgumentError(absl::StrCat("message is ", content.text().size(),
                                                   " bytes; the limit is ", kMaxTextBytes));
  }
  v1::MessageContent franked = content;
  const crypto::Secret franking_key = crypto::Secret::Random(crypto::kKeyBytes);
  franked.set_franking_key(std::string(franking_key.view()));
  std::string plaintext(1, kPlaintextV2);
  const bool fits = franked.AppendToString(&plaintext) &&
                    plaintext.size() <= 1 + kMaxTextBytes + kMaxContentOverheadBytes;
  crypto::Wipe(*franked.mutable_franking_key());
  if (!fits) {
    crypto::Wipe(plaintext);
    return absl::InvalidArgumentError("message carries too many overridden rules");
  }
  v1::GroupMessage out;
  out.set_franking_tag(
      FrankingTag(franking_key, header.group_id, header.epoch, header.sender, content.text()));
  out.set_counter(header.counter);
  out.set_nonce(crypto::RandomBytes(crypto::kAeadNonceBytes));
  out.set_ciphertext(crypto::AeadEncrypt(message_key, out.nonce(), MessageAssociatedData(header),
                                         crypto::Pad(plaintext, kPadBlockBytes)));
  crypto::Wipe(plaintext);
  out.set_commitment(Commitment(message_key, out.nonce(), out.ciphertext()));
  return out;
}

absl::StatusOr<v1::MessageContent> DecryptMessage(const crypto::Secret& message_key,
                                           const MessageHeader& header,
                                           const v1::GroupMessage& message) {
  if (message.counter() != header.counter || message.nonce().size() != crypto::kAeadNonceBytes ||
      message.ciphertext().size() < crypto::kAeadTagBytes + kPadBlockBytes) {
    return absl::DataLossError("malformed message");
  }
  if (!crypto::ConstantTimeEqual(
          Commitment(message_key, message.nonce(), message.ciphertext()), message.commitment())) {
    return absl::DataLossError("message key commitment does not match");
  }
  auto padded = crypto::AeadDecrypt(message_key, message.nonce(), MessageAssociatedData(header),
                                    message.ciphertext());
  if (!padded) return absl::DataLossError("message does not decrypt");
  auto plaintext = crypto::Unpad(*padded, kPadBlockBytes);
  v1::MessageContent content;
  if (!plaintext.ok() || plaintext->empty() || (*plaintext)[0] != kPlaintextV2 ||
      !content.ParseFromArray(plaintext->data() + 1, plaintext->size() - 1)) {
    return absl::DataLossError("message plaintext is malformed");
  }
  if (content.franking_key().size() != crypto::kKeyBytes ||
      !crypto::ConstantTimeEqual(
          FrankingTag(crypto::Secret::FromString(content.franking_key()), header.group_id,
                      header.epoch, header.sender, content.text()),
          message.franking_tag())) {
    return absl::DataLossError("message franking tag does not commit to its text");
  }
  return content;
}

namespace {

std::string ReportAssociatedData(std::string_view group_id, std::string_view reporter) {
  std::string ad = "kith/v1/report";
  ad.append(group_id);
  ad.append(reporter);
  return ad;
}

}  // namespace

v1::Report SealReport(const v1::ReportContent& content, std::string_view group_id,
                      std::string_view reporter,
                      const std::map<std::string, std::string>& moderators) {
  const crypto::Secret key = crypto::Secret::Random(crypto::kKeyBytes);
  v1::Report report;
  for (const auto& [id, box_pk] : moderators) {
    v1::SealedSecret* sealed = report.add_keys();
    sealed->set_member(id);
    sealed->set_sealed(crypto::Seal(box_pk, key.view()));
  }
  std::string plaintext = content.SerializeAsString();
  report.set_nonce(crypto::RandomBytes(crypto::kAeadNonceBytes));
  report.set_ciphertext(crypto::AeadEncrypt(key, report.nonce(),
                                            ReportAssociatedData(group_id, reporter), plaintext));
  report.set_key_commitment(ReportKeyCommitment(key, report.nonce()));
  crypto::Wipe(plaintext);
  return report;
}

absl::StatusOr<v1::ReportContent> OpenReport(const v1::Report& report, std::string_view group_id,
                                             std::string_view reporter, std::string_view self,
                                             std::string_view box_pk,
                                             const crypto::Secret& box_sk) {
  for (const auto& sealed : report.keys()) {
    if (sealed.member() != self) continue;
    auto key = crypto::SealOpen(box_pk, box_sk, sealed.sealed());
    if (!key || key->size() != crypto::kKeyBytes) {
      return absl::DataLossError("the report key sealed to you does not open");
    }
    // Checked before decrypting: every moderator opens the one key the
    // reporter committed to, so no two of them read different reports.
    if (!crypto::ConstantTimeEqual(ReportKeyCommitment(*key, report.nonce()), report.key_commitment())) {
      return absl::DataLossError(
          "the report key sealed to you is not the one the report commits to");
    }
    auto plaintext = crypto::AeadDecrypt(*key, report.nonce(),
                                         ReportAssociatedData(group_id, reporter),
                                         report.ciphertext());
    if (!plaintext) return absl::DataLossError("the report does not decrypt");
    v1::ReportContent content;
    const bool parsed = content.ParseFromString(*plaintext);
    crypto::Wipe(*plaintext);
    if (!parsed) return absl::DataLossError("the report's content is malformed");
    return content;
  }
  return absl::PermissionDeniedError(
      "this report was not sealed to you (you became a moderator after it was filed)");
}

namespace {

std::string AlertAssociatedData(const v1::EventBody& body) {
  std::string ad = "kith/v1/alert";
  ad.append(body.group_id());
  AppendU64(ad, body.epoch());
  ad.append(body.author());
  AppendU32(ad, body.alert().kind());
  ad.append(body.alert().alert_id());
  return ad;
}

crypto::Secret AlertKey(const crypto::Secret& epoch_secret) {
  return crypto::DeriveKey(epoch_secret, 1, "kithalrt");
}

// A record sealed under the epoch (evidence, a plan page): its own
// subkey and associated-data label keep one kind from passing for another.
struct RecordKind {
  uint64_t subkey_id;
  const char* context;  // 8 bytes
  std::string_view label;
};
constexpr RecordKind kEvidenceRecord{2, "kithevid", "kith/v1/evidence"};
constexpr RecordKind kPlanRecord{3, "kithplan", "kith/v1/plan"};

std::string RecordAssociatedData(const RecordKind& kind, const v1::EventBody& body) {
  std::string ad(kind.label);
  ad.append(body.group_id());
  AppendU64(ad, body.epoch());
  ad.append(body.author());
  return ad;
}

crypto::Secret RecordKey(const RecordKind& kind, const crypto::Secret& epoch_secret) {
  return crypto::DeriveKey(epoch_secret, kind.subkey_id, kind.context);
}

// `message` serialized, padded and encrypted under `key` with a fresh nonce.
void SealPadded(const crypto::Secret& key, std::string_view ad,
                const google::protobuf::MessageLite& message, std::string* nonce,
                std::string* ciphertext) {
  std::string plaintext = message.SerializeAsString();
  std::string padded = crypto::Pad(plaintext, kPadBlockBytes);
  crypto::Wipe(plaintext);
  *nonce = crypto::RandomBytes(crypto::kAeadNonceBytes);
  *ciphertext = crypto::AeadEncrypt(key, *nonce, ad, padded);
  crypto::Wipe(padded);
}

// False if the ciphertext does not open or parse as `out`.
bool OpenPadded(const crypto::Secret& key, std::string_view ad, std::string_view nonce,
                std::string_view ciphertext, google::protobuf::MessageLite* out) {
  auto padded = crypto::AeadDecrypt(key, nonce, ad, ciphertext);
  if (!padded) return false;
  auto plaintext = crypto::Unpad(*padded, kPadBlockBytes);
  crypto::Wipe(*padded);
  const bool parsed = plaintext.ok() && out->ParseFromString(*plaintext);
  if (plaintext.ok()) crypto::Wipe(*plaintext);
  return parsed;
}

}  // namespace

absl::Status SealAlert(const crypto::Secret& epoch_secret, const v1::AlertContent& content,
                       v1::EventBody* body) {
  if (content.note().size() > kMaxAlertTextBytes || content.location().size() > kMaxAlertTextBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("an alert's note and location are at most ", kMaxAlertTextBytes, " bytes each"));
  }
  v1::Alert* alert = body->mutable_alert();
  SealPadded(AlertKey(epoch_secret), AlertAssociatedData(*body), content, alert->mutable_nonce(),
             alert->mutable_ciphertext());
  return absl::OkStatus();
}

absl::StatusOr<v1::AlertContent> OpenAlert(const crypto::Secret& epoch_secret,
                                           const v1::EventBody& body) {
  v1::AlertContent content;
  if (!OpenPadded(AlertKey(epoch_secret), AlertAssociatedData(body), body.alert().nonce(),
                  body.alert().ciphertext(), &content)) {
    return absl::DataLossError("alert does not open, or its content is malformed");
  }
  return content;
}

absl::Status SealEvidence(const crypto::Secret& vault_key, const v1::EvidenceEntry& entry,
                          v1::EventBody* body) {
  if (entry.text().size() > kMaxEvidenceTextBytes || entry.attachment().size() > kMaxAttachmentBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "an evidence entry's text is at most ", kMaxEvidenceTextBytes / 1024,
        " KiB and its attachment at most ", kMaxAttachmentBytes / 1024, " KiB"));
  }
  v1::Evidence* evidence = body->mutable_evidence();
  SealPadded(RecordKey(kEvidenceRecord, vault_key), RecordAssociatedData(kEvidenceRecord, *body),
             entry, evidence->mutable_nonce(), evidence->mutable_ciphertext());
  return absl::OkStatus();
}

absl::StatusOr<v1::EvidenceEntry> OpenEvidence(const crypto::Secret& vault_key,
                                               const v1::EventBody& body) {
  v1::EvidenceEntry entry;
  if (!OpenPadded(RecordKey(kEvidenceRecord, vault_key), RecordAssociatedData(kEvidenceRecord, body),
                  body.evidence().nonce(), body.evidence().ciphertext(), &entry)) {
    return absl::DataLossError("evidence entry does not open, or is malformed");
  }
  return entry;
}

absl::Status SealPlan(const crypto::Secret& epoch_secret, const v1::PlanSection& section,
                      v1::EventBody* body) {
  size_t attached = 0;
  for (const auto& a : section.attachments()) attached += a.data().size();
  if (section.text().size() > kMaxEvidenceTextBytes || attached > kMaxAttachmentBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a plan section's text is at most ", kMaxEvidenceTextBytes / 1024,
        " KiB and its attachments at most ", kMaxAttachmentBytes / 1024, " KiB together"));
  }
  v1::PlanPage* page = body->mutable_plan();
  SealPadded(RecordKey(kPlanRecord, epoch_secret), RecordAssociatedData(kPlanRecord, *body), section,
             page->mutable_nonce(), page->mutable_ciphertext());
  return absl::OkStatus();
}

absl::StatusOr<v1::PlanSection> OpenPlan(const crypto::Secret& epoch_secret,
                                         const v1::EventBody& body) {
  v1::PlanSection section;
  if (!OpenPadded(RecordKey(kPlanRecord, epoch_secret), RecordAssociatedData(kPlanRecord, body),
                  body.plan().nonce(), body.plan().ciphertext(), &section)) {
    return absl::DataLossError("plan page does not open, or is malformed");
  }
  return section;
}

}  // namespace kith
