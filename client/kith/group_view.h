// A client's verified view of one group: the log replayed through the same
// GroupState the server runs, every signature and hash checked, plus the
// epoch secrets sealed to this member and the messages they open.
#ifndef KITH_CLIENT_GROUP_VIEW_H_
#define KITH_CLIENT_GROUP_VIEW_H_

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string_view>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "kith.pb.h"
#include "kith/crypto.h"
#include "kith/group_state.h"
#include "kith/identity.h"
#include "kith/message_crypto.h"

namespace kith::client {

struct Message {
  uint64_t seq = 0;
  uint64_t epoch = 0;
  std::string sender;       // user id
  std::string sender_name;  // from the sender's signed bundle
  int64_t server_time_ms = 0;
  std::string text;
  // Rules the sender's client flagged and the sender sent anyway.
  std::vector<std::string> overridden_rules;
  // Opens the message's franking tag; revealed only in a report.
  std::string franking_key;
  // Why the message does not open, when it is signed and in its place but
  // its content is not (a member's faulty or hostile client); empty for a
  // readable message. An unreadable message has no text.
  std::string unreadable;
};

// An event that is signed and authorized but whose content does not open
// (DESIGN.md S14): shown in its place as unreadable and offered to
// moderators as evidence (the signed event itself); the log goes on.
struct UnreadableEvent {
  uint64_t seq = 0;
  int64_t server_time_ms = 0;
  std::string author;  // user id
  std::string what;    // "message", "alert", "evidence entry", "plan page"
  std::string reason;
};

// A re-key whose secret sealed to this member does not open or does not
// match the epoch's confirmation. This member holds no key for that epoch;
// its client re-keys the group (any member may), and reads on from there.
struct FaultyRekey {
  uint64_t seq = 0;
  std::string author;  // who sent it
  uint64_t epoch = 0;
  std::string reason;
};

// A report as the log holds it: who filed it and when, sealed content.
struct ReportRecord {
  uint64_t seq = 0;
  int64_t server_time_ms = 0;
  std::string reporter;  // user id
  v1::Report report;
};

// A version of a safety-plan section: in a vault, the owner's; in a direct
// conversation, one shared by `author`.
struct PlanRecord {
  uint64_t seq = 0;
  int64_t server_time_ms = 0;
  std::string author;  // user id
  // The epoch of its latest copy: a page is carried into each new epoch
  // unchanged while it is the section's latest (Vault::CarryPlan).
  uint64_t epoch = 0;
  v1::PlanSection section;
};

// One line of a group's audit trail: every event but messages, as people
// read it. `action` is "create", "invite", "join-request", "admit",
// "remove", "rekey", "role:<role>", "leave", "report", or a moderation
// action ("warn", "pause", ..., "dismiss").
struct AuditEntry {
  uint64_t seq = 0;
  int64_t server_time_ms = 0;
  std::string author;  // user id
  std::string action;
  std::vector<std::string> targets;  // user ids
  std::string rule;
  uint64_t duration_ms = 0;
  uint64_t resolves = 0;
};

// An answer to an alert: an acknowledgement, or its sender resolving it.
struct AlertAnswer {
  std::string member;  // user id
  int64_t server_time_ms = 0;
  uint64_t eta_ms = 0;  // on the way, arriving in about this long (0: not coming)
  std::string note;
};

// An alert raised in a circle, with everything the log says of it since.
struct AlertRecord {
  std::string alert_id;  // 16 bytes
  uint64_t seq = 0;      // the raise
  std::string raiser;    // user id
  int64_t raised_ms = 0;
  uint64_t epoch = 0;    // sealed under
  // False when sealed under an epoch this member holds no key for (raised
  // before they joined), or when it does not open.
  bool readable = false;
  v1::AlertContent content;
  std::vector<AlertAnswer> acks;
  bool resolved = false;
  int64_t resolved_ms = 0;
  uint32_t attempts = 1;  // the raise and each time the server sent it again
  int64_t last_sent_ms = 0;
};

// One alert event, in log order, for a live stream of alerts.
struct AlertNotice {
  uint64_t seq = 0;
  v1::Alert::Kind kind = v1::Alert::KIND_UNSPECIFIED;  // RAISE, ACK, RESOLVE
  bool realert = false;  // the server sending it again (kind is RAISE)
  std::string alert_id;
  std::string author;  // user id; the server's (all zero) for a re-alert
};

// "check-on-me", "come-now", "call-emergency".
std::string AlertLevelName(v1::AlertContent::Level level);

// "warn", "pause-group", ...: a moderation action as people type and read it.
std::string ModerationActionName(v1::Moderation::Action action);

class GroupView {
 public:
  explicit GroupView(const Identity* self) : self_(self) {}

  // Verifies `event` as the next event of the log and applies it. A
  // forged signature, an unauthorized event, a broken chain or a reference
  // to a history this view does not hold is an error naming the event, and
  // the view is then unchanged. Content that does not open (a message, an
  // alert, a plan page, an evidence entry, this member's epoch secret) is
  // not an error: it is recorded as unreadable (or a faulty re-key) and the
  // log goes on, so no member can stop the others from reading.
  absl::Status Apply(const v1::Event& event);

  const GroupState& state() const { return state_; }
  // The user id of the person this view is for.
  std::string self_id() const { return self_->user_id(); }
  // The display name of everyone the log introduced (creators, joiners),
  // by user id, current members or not.
  const std::map<std::string, std::string>& names() const { return names_; }
  // Messages this member could read, in log order. Messages from epochs
  // before this member was admitted are not among them: their keys were
  // never sealed to this member.
  const std::vector<Message>& messages() const { return messages_; }
  // How many messages in the log this member never held a key for.
  uint64_t unreadable_messages() const { return unreadable_; }
  // How many messages are sealed under epochs whose member key this
  // device has erased (forward secrecy) or never had (a restored identity).
  uint64_t forgotten_messages() const { return forgotten_; }
  // The ids of this device's member keys the group still needs, at
  // `now_ms`: the one its current epoch is sealed to, and those of earlier
  // epochs holding an alert raised in the last kOpenAlertKeyMs and not yet
  // resolved, or another member's latest page of a plan section that they
  // have not carried into a later epoch. Empty when this person is not a member.
  struct KeysInUse {
    uint64_t current = 0;
    std::set<uint64_t> held;
  };
  KeysInUse MemberKeysInUse(int64_t now_ms) const;
  static constexpr int64_t kOpenAlertKeyMs = 3 * 24 * 3600 * 1000LL;
  // Signed events whose content does not open, in log order.
  const std::vector<UnreadableEvent>& unreadable_events() const { return unreadable_events_; }
  const std::vector<FaultyRekey>& faulty_rekeys() const { return faulty_rekeys_; }
  // True when this member is in the group but holds no key for its current
  // epoch because a re-key sealed them a faulty secret: a fresh re-key by
  // this member heals it.
  bool NeedsHealing() const;
  bool HasEpochSecret(uint64_t epoch) const { return epoch_secrets_.contains(epoch); }
  // The readable message at `seq`, or null.
  const Message* FindMessage(uint64_t seq) const;
  // The verified EventHash of event `seq`; empty outside 1..head_seq.
  std::string_view EventHashAt(uint64_t seq) const;
  const std::vector<ReportRecord>& reports() const { return reports_; }
  const std::vector<AlertRecord>& alerts() const { return alerts_; }
  const std::vector<AlertNotice>& alert_notices() const { return alert_notices_; }
  // The alert whose id is, or whose hex id starts with, `id` (8 hex digits
  // at least); null if none or several.
  const AlertRecord* FindAlert(std::string_view id) const;
  // Re-alerts are signed by the server: its key must be set (pinned)
  // before they arrive.
  void set_server_key(std::string key) { state_.set_server_key(std::move(key)); }
  const std::vector<AuditEntry>& audit() const { return audit_; }
  // A vault's evidence entries, in log order.
  const std::vector<v1::EvidenceEntry>& evidence() const { return evidence_; }
  // Safety-plan pages (a vault's versions, or sections shared in a direct
  // conversation), in log order.
  const std::vector<PlanRecord>& plan() const { return plan_; }
  // A member's display name from the log (members, pending and former), or
  // the first 8 hex digits of their id.
  std::string NameOf(const std::string& user_id) const;

  // Encrypts and signs `text` as this member's next message in the current
  // epoch. Does not change the view: the message is applied when it comes
  // back in the log.
  absl::StatusOr<v1::SignedEvent> SealMessage(
      std::string_view text, const std::vector<std::string>& overridden_rules = {}) const;
  // Seals an alert event under the current epoch. A raise `for_later` (a
  // check-in or duress alarm, released by the server some day) refers to
  // no event; everything else is bound to this view's head.
  absl::StatusOr<v1::SignedEvent> SealAlert(v1::Alert::Kind kind, const std::string& alert_id,
                                            uint64_t realert_after_ms,
                                            const v1::AlertContent& content,
                                            bool for_later = false) const;
  // Opens an alert sealed for later (not in the log), with the key of the
  // epoch it names: NOT_FOUND if this member has no key for that epoch
  // (sealed before they joined, or after they left), DATA_LOSS if it does
  // not open or is not an alert of this group.
  absl::StatusOr<v1::AlertContent> OpenSealedAlert(const v1::SignedEvent& alert) const;
  // Seals an evidence entry into this vault under the current epoch.
  absl::StatusOr<v1::SignedEvent> SealEvidence(const v1::EvidenceEntry& entry) const;
  // Seals a plan page into this vault or direct conversation.
  absl::StatusOr<v1::SignedEvent> SealPlan(const v1::PlanSection& section) const;
  // Seals `contents` as this member's next messages, in order, in one pass
  // along the ratchet (for a sender that pipelines).
  absl::StatusOr<std::vector<v1::SignedEvent>> SealMessages(
      const std::vector<v1::MessageContent>& contents) const;

 private:
  // The secret sealed to this member among `sealed`, checked against the
  // epoch's confirmation tag. NOT_FOUND when sealed to a member key this
  // device does not hold.
  absl::StatusOr<crypto::Secret> OpenEpochSecret(
      const std::string& group_id,
      const google::protobuf::RepeatedPtrField<v1::SealedSecret>& sealed,
      const std::string& confirmation, uint64_t epoch);
  void OpenMessage(const v1::Event& event, const v1::EventBody& body);
  void Record(const v1::Event& event, const v1::EventBody& body);
  void RecordAlert(const v1::Event& event, const v1::EventBody& body);
  // Opens an evidence entry or plan page and keeps it.
  absl::Status OpenRecord(const v1::Event& event, const v1::EventBody& body);
  // The key evidence entries are sealed under: derived from this person's
  // long-term key, so the recovery code brings the evidence back.
  crypto::Secret VaultKey() const;
  // Opens the epoch secret a creation or commit seals to this member.
  void OpenSealedEpoch(const v1::Event& event, const v1::EventBody& body);
  void NoteUnreadable(const v1::Event& event, const v1::EventBody& body, std::string what,
                      std::string reason);
  // A signed event of this member's in the current epoch, its content set by `seal`.
  absl::StatusOr<v1::SignedEvent> SealRecord(
      const std::function<absl::Status(const crypto::Secret&, v1::EventBody*)>& seal) const;

  const Identity* self_;
  GroupState state_;
  std::map<uint64_t, crypto::Secret> epoch_secrets_;
  // Per epoch sealed to this member: the member key id it was sealed to.
  std::map<uint64_t, uint64_t> epoch_key_ids_;
  // Epochs sealed to a member key this device does not hold.
  std::set<uint64_t> keyless_epochs_;
  uint64_t forgotten_ = 0;
  // Receiving ratchets, by (epoch, sender).
  std::map<std::pair<uint64_t, std::string>, SenderChain> chains_;
  std::vector<Message> messages_;
  uint64_t unreadable_ = 0;
  std::vector<UnreadableEvent> unreadable_events_;
  std::vector<FaultyRekey> faulty_rekeys_;
  std::string hashes_;  // kHashBytes per event, in log order
  std::vector<ReportRecord> reports_;
  std::vector<AuditEntry> audit_;
  std::vector<AlertRecord> alerts_;
  std::vector<AlertNotice> alert_notices_;
  std::vector<v1::EvidenceEntry> evidence_;
  std::vector<PlanRecord> plan_;
  std::map<std::string, std::string> names_;  // everyone the log introduced
};

}  // namespace kith::client

#endif  // KITH_CLIENT_GROUP_VIEW_H_
