// The state of one group, derived from its event log. The server runs it to
// authorize every append; every client runs the same code over the same log
// from the creation event on, so neither side can accept an event the other
// would refuse, and a server that forges or reorders events is caught by
// clients (a forged admission has no valid moderator signature; a changed or
// dropped event breaks the hash chain).
//
// Thread safety: none. Callers serialize access.
#ifndef KITH_GROUP_STATE_H_
#define KITH_GROUP_STATE_H_

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "kith.pb.h"
#include "kith/alert_book.h"

namespace kith {

// Moderators and the owner: who may moderate, and to whom reports are sealed.
inline bool IsModeratorRole(v1::Role role) {
  return role == v1::ROLE_MODERATOR || role == v1::ROLE_OWNER;
}

struct MemberInfo {
  v1::IdentityBundle bundle;
  v1::Role role = v1::ROLE_MEMBER;
  uint32_t accepted_rules_version = 0;
  uint64_t admitted_epoch = 0;
  int64_t admitted_ms = 0;  // server time of the commit that admitted them (or the creation)
  // Server times (ms) until which the member may not post, or is away;
  // 0 when not. `restriction_rule` names the rule a pause or mute enforces.
  int64_t paused_until_ms = 0;
  int64_t muted_until_ms = 0;
  int64_t away_until_ms = 0;
  std::string restriction_rule;
  uint32_t strikes = 0;  // warns, pauses and mutes received
  int64_t last_post_ms = 0;  // server time of the member's latest message in slow mode
  // The member's latest member key (id 0: none yet, so their long-term
  // bundle.box_pk stands in), and the id of the key the current epoch's
  // secret is sealed to for them.
  v1::MemberKey member_key;
  uint64_t sealed_key_id = 0;
  // Server time of the member's latest member_key event that replaced a
  // member key (kMinMemberKeyIntervalMs); 0 before one.
  int64_t member_key_ms = 0;
};

struct PendingJoin {
  v1::IdentityBundle bundle;
  uint32_t rules_version = 0;
  uint64_t seq = 0;  // where the request stands in the log
  v1::MemberKey member_key;
};

// What Check verifies of an event's signatures and position. Clients always
// verify everything. The server checks an append's own signature before it
// queues it (kVerifiedByCaller), and everything else in the appender. When
// it replays its own store at start-up it skips what was checked on the way
// in: signatures, invite proofs and reference hashes (kTrustStored).
enum class SignatureCheck { kVerify, kVerifiedByCaller, kTrustStored };

class GroupState {
 public:
  // Parses, authenticates and authorizes `signed_event` as the next event of
  // this group, as its author's client would have written it at `now_ms`
  // (server time: the time the server stamps on the event). Returns the
  // parsed body on success. Status codes: INVALID_ARGUMENT for malformed or
  // badly signed events, PERMISSION_DENIED when the author's role does not
  // allow the event, FAILED_PRECONDITION when the group's state does not
  // (stale epoch, rules not accepted, re-key pending), ALREADY_EXISTS for a
  // replayed message counter.
  absl::StatusOr<v1::EventBody> Check(const v1::SignedEvent& signed_event,
                                      SignatureCheck signatures, int64_t now_ms) const;
  // The same, for a body already parsed by Parse (so a caller that must
  // look inside an event first parses it once).
  absl::Status Check(const v1::SignedEvent& signed_event, const v1::EventBody& body,
                     SignatureCheck signatures, int64_t now_ms) const;

  // Parses an event's body after checking its size. INVALID_ARGUMENT if it
  // is too large or does not parse; everything else is Check's.
  static absl::StatusOr<v1::EventBody> Parse(const v1::SignedEvent& signed_event);

  // The key `body`'s author signs with: taken from the event for a creation
  // or join request (which introduce the person), from the membership
  // otherwise. PERMISSION_DENIED if the author is not a member.
  absl::StatusOr<std::string> AuthorSigningKey(const v1::EventBody& body) const;

  // Applies a body that Check accepted against this very state.
  // REQUIRES: event.seq() == head_seq() + 1 and event.prev_hash() == head_hash().
  void Apply(const v1::EventBody& body, const v1::Event& event, std::string event_hash);

  // Check + Apply for an event read from a log, after checking that it
  // extends the chain (group, sequence number and previous hash). Returns
  // the event's parsed body.
  absl::StatusOr<v1::EventBody> ApplyLogged(const v1::Event& event, SignatureCheck signatures);

  bool created() const { return head_seq_ > 0; }
  const std::string& group_id() const { return group_id_; }
  uint64_t head_seq() const { return head_seq_; }
  const std::string& head_hash() const { return head_hash_; }
  uint64_t epoch() const { return epoch_; }
  // Server time of the event that began the current epoch, and how many
  // messages it holds so far.
  int64_t epoch_started_ms() const { return epoch_started_ms_; }
  uint64_t epoch_messages() const { return epoch_messages_; }
  // True once the current epoch holds kRekeyMessages messages, or its
  // latest event came kRekeyIntervalMs after its first: the next member who
  // may re-key does. Server time both, so a device's wrong clock neither
  // re-keys at every write nor never; a group quiet for days re-keys at
  // the second write after.
  bool RekeyDue() const;
  // Members whose secret in the current epoch is sealed to a key other
  // than their latest member key (they published one since).
  const std::set<std::string>& stale_seals() const { return stale_seals_; }
  // Whether `user_id` may write a re-key with nobody added or removed: any
  // member, except in a circle, where only the owner re-keys.
  bool MayRekey(const std::string& user_id) const;
  const v1::Charter& charter() const { return charter_; }
  // True after a member left: nobody may post until a member re-keys.
  bool needs_rekey() const { return needs_rekey_; }
  const std::map<std::string, MemberInfo>& members() const { return members_; }
  const std::map<std::string, PendingJoin>& pending() const { return pending_; }
  bool IsBanned(const std::string& user_id) const { return banned_.contains(user_id); }
  // Slow mode: the least time between two messages of one member (0: off).
  int64_t slow_interval_ms() const { return slow_interval_ms_; }
  // Until when only moderators may post (a cooling-off pause for everyone).
  int64_t group_paused_until_ms() const { return group_paused_until_ms_; }
  // True once a moderation event has answered the report or overridden
  // message at `seq`.
  bool IsResolved(uint64_t seq) const { return resolved_.contains(seq); }
  // The moderator the report at `seq` is withheld from (Report.withheld_from);
  // empty if none, or if `seq` is no such report.
  std::string_view ReportWithheldFrom(uint64_t seq) const;

  const std::string& owner() const { return owner_; }
  bool is_circle() const { return charter_.kind() == v1::KIND_CIRCLE; }
  bool is_vault() const { return charter_.kind() == v1::KIND_VAULT; }
  bool is_direct() const { return charter_.kind() == v1::KIND_DIRECT; }
  // In a direct conversation: the member who is not `user_id`.
  std::string PeerOf(const std::string& user_id) const;
  // People an open addressed invitation names, and where each invitation is.
  bool IsInvited(const std::string& user_id) const { return invited_.contains(user_id); }
  // The sequence number of the open invitation addressed to `user_id`; 0 if none.
  uint64_t InviteSeqOf(const std::string& user_id) const;
  const AlertBook& alerts() const { return alerts_; }
  // The key that signs the server's own events (re-alerts). The server
  // leaves it unset and trusts its own; clients set the key they pinned.
  void set_server_key(std::string key) { server_key_ = std::move(key); }
  bool has_server_key() const { return !server_key_.empty(); }

  v1::Role RoleOf(const std::string& user_id) const;
  bool IsModerator(const std::string& user_id) const { return IsModeratorRole(RoleOf(user_id)); }
  bool IsMember(const std::string& user_id) const { return members_.contains(user_id); }
  bool IsPending(const std::string& user_id) const { return pending_.contains(user_id); }
  // The counter `user_id`'s next message in the current epoch must carry.
  uint64_t NextCounter(const std::string& user_id) const;
  // The author counter `user_id`'s next event must carry (EventBody.author_counter).
  uint64_t NextAuthorCounter(const std::string& user_id) const;
  // The EventHash of event `seq` while it is among the last kRefWindow
  // events; empty otherwise.
  std::string_view RecentHash(uint64_t seq) const;
  // Sets where `body`, written now by its author, belongs: a reference to
  // this state's head and the author's next counter (none for an alert
  // RAISE, which its alert id makes unique).
  void StampPosition(v1::EventBody* body) const;

 private:
  absl::Status CheckCreate(const v1::EventBody& body) const;
  absl::Status CheckInvite(const v1::EventBody& body) const;
  absl::Status CheckJoinRequest(const v1::EventBody& body, SignatureCheck signatures) const;
  absl::Status CheckCommit(const v1::EventBody& body) const;
  absl::Status CheckRoleChange(const v1::EventBody& body) const;
  absl::Status CheckLeave(const v1::EventBody& body) const;
  absl::Status CheckMessage(const v1::EventBody& body, int64_t now_ms) const;
  absl::Status CheckModeration(const v1::EventBody& body) const;
  absl::Status CheckReport(const v1::EventBody& body) const;
  absl::Status CheckAlert(const v1::EventBody& body) const;
  absl::Status CheckMemberKey(const v1::EventBody& body, int64_t now_ms) const;
  // EventBody.ref_seq, ref_hash and author_counter (docs/protocol.md section 4).
  absl::Status CheckPosition(const v1::EventBody& body, SignatureCheck signatures) const;
  void ApplyModeration(const v1::Moderation& m, int64_t server_time_ms);

  std::string group_id_;
  uint64_t head_seq_ = 0;
  std::string head_hash_;
  uint64_t epoch_ = 0;
  int64_t epoch_started_ms_ = 0;
  int64_t head_time_ms_ = 0;  // server time of the latest event
  uint64_t epoch_messages_ = 0;
  v1::Charter charter_;
  bool needs_rekey_ = false;
  std::map<std::string, MemberInfo> members_;
  std::set<std::string> stale_seals_;  // see stale_seals()
  std::map<std::string, PendingJoin> pending_;
  struct CodeInvite {
    std::string code_key;  // Invite.code_key
    bool open = true;
  };
  std::map<std::string, CodeInvite> open_invites_;  // by code hash
  std::map<std::string, uint64_t> last_counter_;  // per sender, current epoch
  // Per author, over the whole log (members and former members alike).
  std::map<std::string, uint64_t> last_author_counter_;
  // EventHash of the last kRefWindow events: event s at slot (s - 1) % kRefWindow.
  std::string recent_hashes_;
  std::set<std::string> banned_;
  int64_t slow_interval_ms_ = 0;
  int64_t group_paused_until_ms_ = 0;
  std::set<uint64_t> resolved_;
  std::map<uint64_t, std::string> report_withheld_from_;  // unresolved reports that withhold
  std::map<std::string, uint64_t> invited_;  // invitee -> the invitation's seq
  AlertBook alerts_;
  std::string server_key_;
  std::string owner_;
};

}  // namespace kith

#endif  // KITH_GROUP_STATE_H_
