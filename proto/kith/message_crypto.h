// End-to-end encryption of group messages. Each sender has its own hash
// ratchet per epoch: chain key 0 is derived from the epoch secret and the
// sender's id, and every message steps it once. Counters are contiguous (the
// group state refuses gaps), so a receiver never skips ahead and a message
// claiming an absurd position is refused before any key is derived.
#ifndef KITH_MESSAGE_CRYPTO_H_
#define KITH_MESSAGE_CRYPTO_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "kith.pb.h"
#include "kith/crypto.h"

namespace kith {

// Everything a message is bound to, besides its text.
struct MessageHeader {
  std::string group_id;
  uint64_t epoch = 0;
  std::string sender;  // user id
  uint64_t counter = 0;
};

// group_id || epoch || sender || counter, the AEAD associated data.
std::string MessageAssociatedData(const MessageHeader& header);

// A sender's ratchet position: the key for message `next_counter`.
class SenderChain {
 public:
  SenderChain(const crypto::Secret& epoch_secret, std::string_view sender);
  uint64_t next_counter() const { return next_counter_; }
  // The key for next_counter(); steps the chain and wipes the old chain key.
  crypto::Secret Advance();

 private:
  crypto::Secret chain_key_;
  uint64_t next_counter_ = 1;
};

// Encrypts `content` (text at most kMaxTextBytes) under `message_key`, with
// a fresh franking key inside and the franking tag beside the ciphertext.
absl::StatusOr<v1::GroupMessage> EncryptMessage(const crypto::Secret& message_key,
                                                const MessageHeader& header,
                                                const v1::MessageContent& content);

// Checks the key commitment, then decrypts, then checks the franking tag.
// DATA_LOSS if the message does not open under this key (so a message
// crafted to open differently for different keys is dropped) or its tag
// does not commit to its text (so every message a member reads can be
// reported).
absl::StatusOr<v1::MessageContent> DecryptMessage(const crypto::Secret& message_key,
                                           const MessageHeader& header,
                                           const v1::GroupMessage& message);

// Reports: a ReportContent encrypted under a fresh key, the key sealed to
// each of `moderators` (user id -> X25519 public key). The associated data
// binds the report to its group and reporter.
v1::Report SealReport(const v1::ReportContent& content, std::string_view group_id,
                      std::string_view reporter,
                      const std::map<std::string, std::string>& moderators);
// Opens a report with the key sealed to `self`. PERMISSION_DENIED if none
// is sealed to it; DATA_LOSS if it does not open.
absl::StatusOr<v1::ReportContent> OpenReport(const v1::Report& report, std::string_view group_id,
                                             std::string_view reporter, std::string_view self,
                                             std::string_view box_pk,
                                             const crypto::Secret& box_sk);

// Alerts: an AlertContent, padded, under a key derived from the epoch
// secret, with a fresh random nonce. The associated data binds it to its
// group, epoch, author, kind and alert id, so an acknowledgement cannot
// pass for a raise or move to another alert.
// REQUIRES: body's alert has its kind and id; this sets its nonce and
// ciphertext.
absl::Status SealAlert(const crypto::Secret& epoch_secret, const v1::AlertContent& content,
                       v1::EventBody* body);
// DATA_LOSS if it does not open or parse.
absl::StatusOr<v1::AlertContent> OpenAlert(const crypto::Secret& epoch_secret,
                                           const v1::EventBody& body);

// Evidence entries: an EvidenceEntry, padded, under KDF(vault key, 2,
// "kithevid"), with "kith/v1/evidence" || group_id || u64(epoch) || author
// as associated data. The vault key is KDF(box_sk, 1, "kithvalt") of the
// owner's long-term key, not an epoch secret: evidence is kept for good,
// and the recovery code brings it back. Sets body's evidence.
absl::Status SealEvidence(const crypto::Secret& vault_key, const v1::EvidenceEntry& entry,
                          v1::EventBody* body);
// DATA_LOSS if it does not open or parse.
absl::StatusOr<v1::EvidenceEntry> OpenEvidence(const crypto::Secret& vault_key,
                                               const v1::EventBody& body);

// Safety plan pages: a PlanSection, padded, under KDF(epoch secret, 3,
// "kithplan"), with "kith/v1/plan" || group_id || u64(epoch) || author as
// associated data. Sets body's plan.
absl::Status SealPlan(const crypto::Secret& epoch_secret, const v1::PlanSection& section,
                      v1::EventBody* body);
// DATA_LOSS if it does not open or parse.
absl::StatusOr<v1::PlanSection> OpenPlan(const crypto::Secret& epoch_secret,
                                         const v1::EventBody& body);

}  // namespace kith

#endif  // KITH_MESSAGE_CRYPTO_H_
