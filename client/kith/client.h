// The Kith client library: one person's connection to a kithd. It holds the
// person's identity, verifies every group log it reads from the creation
// event on, encrypts and signs what it sends, and never sends a key that
// opens a message.
//
// Thread safety: a Client is used by one thread at a time; Follow blocks
// its thread. FollowCancel may be used from any thread.
#ifndef KITH_CLIENT_CLIENT_H_
#define KITH_CLIENT_CLIENT_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "kith.grpc.pb.h"
#include "kith/group_view.h"
#include "kith/identity.h"
#include "kith/log_memory.h"
#include "kith/protocol.h"
#include "kith/reports.h"

namespace kith::client {

struct ClientOptions {
  std::string server;  // host:port
  std::string ca_pem;  // the server's certificate, pinned
  // The server's checkpoint key, pinned (32 bytes). Empty: fetched on first
  // use and trusted from then on (see Client::ServerKey).
  std::string checkpoint_key;
  // Where the client remembers each log's last verified event between runs;
  // null: only for this Client's life.
  std::shared_ptr<LogMemory> memory;
};

// "kith:<group id hex>:<invite secret hex>", given out of band.
struct InviteCode {
  std::string group_id;
  std::string secret;
  std::string ToString() const;
  static absl::StatusOr<InviteCode> Parse(std::string_view code);
};

struct PendingMember {
  std::string user_id;
  std::string name;
  uint64_t seq = 0;
};

// Lets another thread stop a Follow call.
class FollowCancel {
 public:
  void Cancel();
  bool cancelled() const;

 private:
  friend class Client;
  void Attach(grpc::ClientContext* ctx);
  mutable std::mutex mu_;
  grpc::ClientContext* ctx_ = nullptr;
  bool cancelled_ = false;
};

class Client {
 public:
  static constexpr int kRpcTimeoutMs = 10'000;

  static absl::StatusOr<std::unique_ptr<Client>> Connect(const ClientOptions& options,
                                                         Identity identity);
  ~Client();  // ends the session (Logout) and wipes its token

  const Identity& identity() const { return identity_; }

  // Publishes this identity's bundle (idempotent).
  absl::Status Register();
  // Starts a session; other calls log in on demand, and again when a session expires.
  absl::Status Login();
  // Ends the session on the server, so its token opens nothing even if it
  // was copied; the next call logs in again.
  absl::Status Logout();

  absl::StatusOr<v1::IdentityBundle> GetIdentity(const std::string& user_id);

  // Creates a group owned by this identity; returns its id.
  absl::StatusOr<std::string> CreateGroup(v1::Charter charter);
  absl::StatusOr<v1::Charter> GetCharter(const std::string& group_id);
  // Opens a single-use invitation (moderators).
  absl::StatusOr<InviteCode> Invite(const std::string& group_id);
  // Asks to join, signing acceptance of `accepted`, the charter as read.
  absl::Status Join(const InviteCode& code, const v1::Charter& accepted);
  absl::StatusOr<std::vector<PendingMember>> Pending(const std::string& group_id);
  // Membership changes re-key the group (moderators).
  absl::Status Admit(const std::string& group_id, const std::vector<std::string>& user_ids);
  absl::Status Remove(const std::string& group_id, const std::string& user_id);
  absl::Status SetRole(const std::string& group_id, const std::string& user_id, v1::Role role);
  absl::Status Leave(const std::string& group_id);
  // A moderation action (by a moderator or the owner), or stepping away
  // (STEP_AWAY, about oneself). Returns the event's sequence number. A
  // removal or ban is followed by a re-key, so the person reads nothing new.
  absl::StatusOr<uint64_t> Moderate(const std::string& group_id, const v1::Moderation& action);
  // A new epoch with the same members.
  absl::Status Rekey(const std::string& group_id);

  // Encrypts and sends; returns the message's sequence number once durable.
  // `overridden_rules`: rules the engine flagged that the sender chose to
  // break anyway; they travel encrypted, for moderators to see.
  absl::StatusOr<uint64_t> Send(const std::string& group_id, std::string_view text,
                                const std::vector<std::string>& overridden_rules = {});

  // The key that signs the server's checkpoints: the pinned one, or fetched
  // once and kept for this client's life.
  absl::StatusOr<std::string> ServerKey();
  // The server's signed checkpoint over the group's head, checked against
  // the server key and this client's verified log.
  absl::StatusOr<v1::Checkpoint> Checkpoint(const std::string& group_id);
  // Reports the message at `message_seq` to the group's moderators under
  // `rule` (a charter rule name, or empty), with an optional note. Returns
  // the report's sequence number.
  absl::StatusOr<uint64_t> Report(const std::string& group_id, uint64_t message_seq,
                                  std::string rule, std::string note);
  // Reads the group's whole log again into a fresh view, verifying every
  // signature and link from the creation event on, and checks the server's
  // checkpoint over the head against it. Errors name the first event that
  // fails. On success the fresh view replaces the cached one.
  struct Audited {
    const GroupView* view;
    v1::Checkpoint checkpoint;
  };
  absl::StatusOr<Audited> Audit(const std::string& group_id);
  // Open reports and overrides, oldest first, each report checked
  // (QueueItem::verified). Moderators only.
  absl::StatusOr<std::vector<QueueItem>> ModerationQueue(const std::string& group_id);

  // The view the last Sync, Audit or ModerationQueue left, without reading
  // anything; null before the first.
  const GroupView* SyncedView(const std::string& group_id) const;

  // Reads and verifies the log up to the server's head, and checks it
  // extends every event this client verified before (DATA_LOSS, naming the
  // event, if the server now serves another history). A faulty re-key that
  // left this member without the current epoch's key is healed at their
  // next append (see GroupView::NeedsHealing), not here.
  absl::StatusOr<const GroupView*> Sync(const std::string& group_id);

  // Streams the group live, calling `on_message` for each readable message
  // with seq >= from_seq, until it returns false, `cancel` is cancelled, or
  // the membership ends. Reconnects (with a back-off, from the cursor) when
  // the connection or the server goes away, so nothing is missed or repeated.
  absl::Status Follow(const std::string& group_id, uint64_t from_seq,
                      const std::function<bool(const Message&)>& on_message,
                      FollowCancel* cancel = nullptr);
  // The same stream, calling `on_update` with the verified view after the
  // first sync and after each batch of new events.
  absl::Status FollowView(const std::string& group_id,
                          const std::function<bool(const GroupView&)>& on_update,
                          FollowCancel* cancel = nullptr);

  // --- A circle of trusted contacts (client/circle.cc) ---

  // This person's own circle's group id. With `create`, the circle is made
  // on first use; without, NOT_FOUND if there is none.
  absl::StatusOr<std::string> OwnCircle(bool create);
  // Invites `user_id` into this person's circle. Nothing reaches them
  // until they accept.
  absl::Status CircleInvite(const std::string& user_id);
  // Accepts or declines the open invitation into `owner_id`'s circle.
  absl::Status AnswerCircle(const std::string& owner_id, bool accept);
  // Takes `user_id` out of this person's circle; the circle is re-keyed.
  absl::Status CircleRemove(const std::string& user_id);
  // The owner's upkeep before any circle action: admits everyone who
  // accepted, and re-keys after someone left, so an alert reaches exactly
  // the people who consented. Returns the fresh view.
  absl::StatusOr<const GroupView*> TendCircle(const std::string& circle_id);
  // This person's circles, from one ListGroups call.
  struct Circles {
    std::string own;  // their own circle's group id; empty if none
    std::vector<v1::GroupSummary> joined;  // others' circles they are in, pending in or invited into
  };
  absl::StatusOr<Circles> ListCircles();

  struct RaisedAlert {
    std::string circle_id;
    std::string alert_id;
    uint64_t seq = 0;
  };
  // Raises an alert to everyone in this person's circle; the server sends
  // it again every `realert_after_ms` until someone acknowledges it or it
  // is resolved.
  absl::StatusOr<RaisedAlert> RaiseAlert(const v1::AlertContent& content,
                                         uint64_t realert_after_ms = kDefaultRealertMs);
  // Tells this person's circle, sealed, that a safety setting changed
  // (`what`): raised and resolved at once, so nobody is asked to act and
  // nothing is sent again. Nothing to do without a circle or contacts.
  absl::Status NotifyCircle(const std::string& what);
  // Acknowledges (ACK, a member) or resolves (RESOLVE, the raiser) an
  // alert of `circle_id`; `alert_id` as FindAlert takes it.
  absl::Status AnswerAlert(const std::string& circle_id, std::string_view alert_id,
                           v1::Alert::Kind kind, const v1::AlertContent& content);
  // Seals `content` as an alert to this person's circle now and hands it to
  // the server with `deadline_ms`: unless CancelCheckin comes first, the
  // server releases it to the circle at the deadline, even if this device
  // is gone. Replaces any check-in scheduled before. `every_ms` is kept
  // for the next schedule (0: once).
  absl::StatusOr<v1::Checkin> ScheduleCheckin(int64_t deadline_ms, uint64_t every_ms,
                                              const v1::AlertContent& content);
  // Cancels the scheduled check-in; returns what was scheduled.
  absl::StatusOr<v1::Checkin> CancelCheckin();
  absl::StatusOr<v1::Checkin> GetCheckin();
  // Seals each of `contents` as an alert to this person's circle now and
  // arms the server to release them, one at a time, to whoever presents
  // `token` (see DuressAlarm). Replaces any alarm armed before.
  absl::Status ArmDuress(const crypto::Secret& token, const std::vector<v1::AlertContent>& contents);
  absl::Status DisarmDuress();
  // Presents a duress token (needs no session).
  absl::Status TriggerDuress(const crypto::Secret& token, bool escalate);
  // Members whose stream or reads have received event `seq` of this
  // person's circle (owner only).
  absl::StatusOr<std::vector<std::string>> DeliveredTo(const std::string& circle_id, uint64_t seq);

  // --- The evidence log, in this person's vault (client/evidence.cc) ---

  // This person's vault's group id; with `create`, made on first use.
  absl::StatusOr<std::string> OwnVault(bool create);
  // Adds an entry: chains it to the last one, has the server timestamp its
  // hash (checked against the pinned key), seals it and appends it.
  absl::StatusOr<v1::EvidenceEntry> AddEvidence(std::string text, std::string attachment_name,
                                                std::string attachment);
  // Every entry, in order (empty without a vault).
  absl::StatusOr<std::vector<v1::EvidenceEntry>> Evidence();
  // A server-signed head over `entries`, for an export.
  absl::StatusOr<v1::EvidenceHead> SignEvidenceHead(const std::vector<v1::EvidenceEntry>& entries);
  // The server's signature over `hash` and the time it saw it, checked.
  absl::StatusOr<v1::Timestamp> GetTimestamp(const std::string& hash);

  // --- The safety plan, in this person's vault (client/plan.cc) ---

  // Every version of every section, oldest first (empty without a vault).
  absl::StatusOr<std::vector<PlanRecord>> PlanHistory();
  // Writes the next version of `section`: `text` (kept as it was if null),
  // with `attach` added, and sends it to every contact it is shared with.
  absl::StatusOr<v1::PlanSection> EditPlan(const std::string& section, const std::string* text,
                                           std::vector<v1::PlanAttachment> attach);
  // Starts or stops sharing `section` with `user_id`. Sharing sends the
  // latest version now and each later one; unsharing sends a notice and
  // nothing after it.
  absl::StatusOr<v1::PlanSection> SharePlan(const std::string& section, const std::string& user_id,
                                            bool share);
  // The sections `owner_id` shares with this person now, at their latest versions.
  absl::StatusOr<std::vector<PlanRecord>> SharedPlan(const std::string& owner_id);

  // --- Direct conversations and boundaries (client/direct.cc) ---

  // The direct conversation with `user_id`; with `create`, started on first
  // use (refused if their boundaries refuse this person). Send and Sync
  // take its id like any group's.
  absl::StatusOr<std::string> OpenDirect(const std::string& user_id, bool create);
  // This person's boundaries as the server enforces them. Set replaces
  // them all; read, change and set.
  absl::StatusOr<v1::Boundaries> GetBoundaries();
  absl::StatusOr<v1::Boundaries> SetBoundaries(const v1::Boundaries& boundaries);

  absl::StatusOr<v1::GroupList> Groups();

  // For tests and tools that speak the protocol directly.
  v1::Kith::Stub* stub() { return stub_.get(); }
  // Sets the deadline and the session header on `ctx`.
  void Prepare(grpc::ClientContext* ctx, bool with_deadline = true) const;

 private:
  Client(const ClientOptions& options, Identity identity, std::shared_ptr<grpc::Channel> channel);
  // Once per client, before its first call: if the channel does not come up
  // soon, asks the server for its certificate without trusting it, and
  // fails with a certificate error when it is not the pinned one (a pinned
  // channel reports that only as a failure to connect, after its deadline).
  absl::Status CheckServerCertificate();
  // Runs `rpc`, logging in first if needed and once more if the session expired.
  absl::Status Call(const std::function<grpc::Status(grpc::ClientContext*)>& rpc);
  absl::StatusOr<v1::AppendReply> Append(const v1::SignedEvent& event);
  using CheckinRpc = grpc::Status (v1::Kith::Stub::*)(grpc::ClientContext*, const v1::GroupRef&,
                                                       v1::Checkin*);
  // Alert RAISEs in this person's own circle, sealed now to be released
  // later by the server (check-ins, duress alarms).
  struct SealedAlerts {
    std::string circle_id;
    std::vector<v1::SignedEvent> alerts;
  };
  absl::StatusOr<SealedAlerts> SealAlertsForLater(const std::vector<v1::AlertContent>& contents);
  // Appends `next` to the vault as its section's next version, then sends
  // a copy to each of `deliver_to`, and to `unshared` (if set) the notice
  // that the section is no longer shared with them.
  absl::StatusOr<v1::PlanSection> CommitPlan(v1::PlanSection next,
                                             const std::vector<std::string>& deliver_to,
                                             const std::string& unshared);
  // Runs a check-in RPC on this person's own circle.
  absl::StatusOr<v1::Checkin> CallOnOwnCircle(CheckinRpc rpc);
  GroupView& View(const std::string& group_id);
  // Reads and applies to `view` every event after its head, up to the
  // server's head at the time.
  absl::Status ReadInto(const std::string& group_id, GroupView& view);
  // Verifies `event` into `view`, and checks it against what the server
  // acknowledged for it, if it is one of this client's appends.
  absl::Status ApplyServed(GroupView& view, const v1::Event& event);
  // Checks `view` against the furthest point of its log this client has
  // verified before, then remembers its head.
  absl::Status CheckAgainstMemory(const std::string& group_id, const GroupView& view);
  // A pure re-key by this member, after a faulty one (GroupView::NeedsHealing):
  // appended before this person's next event, whatever it is.
  absl::Status Heal(const std::string& group_id, GroupView& view);
  // The server's checkpoint, checked against `view` (read on to its seq).
  absl::StatusOr<v1::Checkpoint> FetchCheckpoint(const std::string& group_id, GroupView& view);
  // Syncs, builds an event from the fresh view and appends it; on a stale
  // epoch or counter, syncs and rebuilds (a few times).
  absl::StatusOr<v1::AppendReply> AppendFresh(
      const std::string& group_id,
      const std::function<absl::StatusOr<v1::SignedEvent>(const GroupView&)>& build);

  Identity identity_;
  std::string address_;
  std::string pinned_pem_;
  bool certificate_checked_ = false;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Kith::Stub> stub_;
  std::string token_hex_;
  std::string server_key_;
  std::map<std::string, std::unique_ptr<GroupView>> views_;
  std::shared_ptr<LogMemory> memory_;
  // This client's appends the log has not shown yet: by group, by the seq
  // the server acknowledged, the event's hash and signature.
  struct Acknowledged {
    std::string hash;
    std::string signature;
  };
  std::map<std::string, std::map<uint64_t, Acknowledged>> acknowledged_;
};

absl::Status FromGrpc(const grpc::Status& s);

// The certificate the server at `address` presents, fetched without
// trusting it, for a person to compare its fingerprint and pin it (trust on
// first use). The connection carries no credentials and no secrets.
absl::StatusOr<std::string> FetchServerCertificate(const std::string& address);

}  // namespace kith::client

#endif  // KITH_CLIENT_CLIENT_H_
