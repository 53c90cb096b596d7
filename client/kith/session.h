// One person's session with a kithd: the connection, the login, and every
// group log this person reads, verified from its creation event on and
// checked against what this person verified before. The feature classes
// (account.h, groups.h, circle.h, vault.h) build on it; every check that a
// log is the one true history lives here, once.
//
// Thread safety: a Session is used by one thread at a time; Follow blocks
// its thread. FollowCancel may be used from any thread.
#ifndef KITH_CLIENT_SESSION_H_
#define KITH_CLIENT_SESSION_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "kith.grpc.pb.h"
#include "kith/group_view.h"
#include "kith/identity.h"
#include "kith/log_memory.h"

namespace kith::client {

// Lets another thread stop a Follow call.
class FollowCancel {
 public:
  void Cancel();
  bool cancelled() const;

 private:
  friend class Session;
  void Attach(grpc::ClientContext* ctx);
  mutable std::mutex mu_;
  grpc::ClientContext* ctx_ = nullptr;
  bool cancelled_ = false;
};

class Session {
 public:
  static constexpr int kRpcTimeoutMs = 10'000;

  // `channel` may be null (no certificate check); `stub` speaks over it, or
  // stands in for it.
  Session(Identity identity, std::string address, std::string pinned_pem,
          std::string checkpoint_key, std::shared_ptr<LogMemory> memory,
          std::shared_ptr<grpc::Channel> channel, std::unique_ptr<v1::Kith::StubInterface> stub);
  ~Session();  // ends the session (Logout) and wipes its token
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  const Identity& identity() const { return identity_; }

  // The clock that decides when this person's member keys rotate (ms
  // since the Unix epoch). Default: the system clock.
  void set_clock(std::function<int64_t()> now_ms) { now_ms_ = std::move(now_ms); }
  int64_t NowMs() const { return now_ms_(); }
  // How long an append that got no answer (UNAVAILABLE, DEADLINE_EXCEEDED)
  // is sent again, the same signed event each time, before its error is
  // returned. Default kDefaultResendFor, which rides out a cluster's
  // failover; zero: never.
  static constexpr std::chrono::milliseconds kDefaultResendFor{30'000};
  void set_resend_for(std::chrono::milliseconds resend_for) { resend_for_ = resend_for; }
  // With a positive timeout, a server not reached within it is an error
  // that says why (UNAVAILABLE: connection refused, a certificate other
  // than the pinned one, or no answer in time) instead of a wait: for a
  // person at a command line. Zero, the default: calls wait for the server
  // up to their own deadline, riding out a restart.
  void set_connect_timeout(std::chrono::milliseconds timeout) { connect_timeout_ = timeout; }
  // Where the member keys are kept (the keystore, which other commands may
  // change too): applies a change to the keys as kept now, keeps them, and
  // returns them. Default: they live in memory only.
  using MemberKeyChange = std::function<void(MemberKeyRing&)>;
  using KeepMemberKeys = std::function<absl::StatusOr<MemberKeyRing>(const MemberKeyChange&)>;
  void set_keep_member_keys(KeepMemberKeys keep) { keep_member_keys_ = std::move(keep); }
  // Applies `change` to the member keys where they are kept, before this
  // session uses the result (Keys, keys.h). On failure nothing changes.
  absl::Status ChangeMemberKeys(const MemberKeyChange& change);

  // Starts a session; other calls log in on demand, and again when a session expires.
  absl::Status Login();
  // Ends the session on the server, so its token opens nothing even if it
  // was copied; the next call logs in again.
  absl::Status Logout();

  // A person's published bundle, checked to belong to `user_id`.
  absl::StatusOr<v1::IdentityBundle> GetIdentity(const std::string& user_id);
  // The key that signs the server's checkpoints: the pinned one, or fetched
  // once and kept for this session's life.
  absl::StatusOr<std::string> ServerKey();
  // Every group this person belongs to, is pending in or is invited into.
  absl::StatusOr<v1::GroupList> ListGroups();

  // Reads and verifies the log up to the server's head, and checks it
  // extends every event this client verified before (DATA_LOSS, naming the
  // event, if the server now serves another history). A faulty re-key that
  // left this member without the current epoch's key is healed at their
  // next append (see GroupView::NeedsHealing), not here.
  absl::StatusOr<const GroupView*> Sync(const std::string& group_id);
  // The view the last Sync or Audit left, without reading anything; null
  // before the first.
  const GroupView* SyncedView(const std::string& group_id) const;
  // The server's signed checkpoint over the group's head, checked against
  // the server key and this client's verified log.
  absl::StatusOr<v1::Checkpoint> Checkpoint(const std::string& group_id);
  // Reads the group's whole log again into a fresh view, verifying every
  // signature and link from the creation event on, and checks the server's
  // checkpoint over the head against it. Errors name the first event that
  // fails. On success the fresh view replaces the cached one.
  struct Audited {
    const GroupView* view;
    v1::Checkpoint checkpoint;
  };
  absl::StatusOr<Audited> Audit(const std::string& group_id);

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

  // --- For the feature classes, and tests that speak the protocol directly ---

  using Rpc = std::function<grpc::Status(grpc::ClientContext*)>;
  // Runs `rpc` in the session, logging in first if needed and once more if
  // the session expired.
  absl::Status Call(const Rpc& rpc);
  // Runs `rpc` outside any session: no token goes with it.
  absl::Status CallWithoutSession(const Rpc& rpc);
  // Syncs, builds an event from the fresh view and appends it; on a stale
  // epoch or counter, syncs and rebuilds (a few times). First, this
  // person's newest member key is published in the group if it is not
  // yet, and the group is re-keyed if a faulty re-key reached this person,
  // if their key for the epoch is gone, if a re-key is due
  // (GroupState::RekeyDue), or if the epoch seals someone's secret to
  // their long-term key although they published a member key since; each
  // only if this person may re-key.
  using EventBuild = std::function<absl::StatusOr<v1::SignedEvent>(const GroupView&)>;
  absl::StatusOr<v1::AppendReply> AppendFresh(const std::string& group_id, const EventBuild& build);
  // What AppendFresh does first, without appending anything after it; a
  // group of at most `eager_members` is also re-keyed when its epoch seals
  // anyone's secret to a member key they have replaced since (if this
  // person may re-key it). Returns the fresh view.
  absl::StatusOr<const GroupView*> RefreshKeys(const std::string& group_id, size_t eager_members);
  v1::Kith::StubInterface* stub() { return stub_.get(); }
  // Sets the deadline and the session header on `ctx`.
  void Prepare(grpc::ClientContext* ctx, bool with_deadline = true) const;

 private:
  // Once per session, before its first call: if the channel does not come
  // up soon, asks the server for its certificate without trusting it, and
  // fails with a certificate error when it is not the pinned one (a pinned
  // channel reports that only as a failure to connect, after its deadline).
  absl::Status CheckServerCertificate();
  absl::StatusOr<v1::AppendReply> Append(const v1::SignedEvent& event);
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
  // See AppendFresh and RefreshKeys: publishes the current member key,
  // then heals or re-keys as due.
  absl::Status KeepKeysFresh(const std::string& group_id, GroupView& view, size_t eager_members);
  // The server's checkpoint, checked against `view` (read on to its seq).
  absl::StatusOr<v1::Checkpoint> FetchCheckpoint(const std::string& group_id, GroupView& view);

  Identity identity_;
  std::function<int64_t()> now_ms_ = [] { return absl::ToUnixMillis(absl::Now()); };
  std::chrono::milliseconds resend_for_ = kDefaultResendFor;
  std::chrono::milliseconds connect_timeout_{0};
  KeepMemberKeys keep_member_keys_;
  std::string address_;
  std::string pinned_pem_;
  std::string server_key_;
  std::shared_ptr<LogMemory> memory_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Kith::StubInterface> stub_;
  bool certificate_checked_ = false;
  std::string token_hex_;
  std::map<std::string, std::unique_ptr<GroupView>> views_;
  // This session's appends the log has not shown yet: by group, by the seq
  // the server acknowledged, the event's hash and signature.
  struct Acknowledged {
    std::string hash;
    std::string signature;
  };
  std::map<std::string, std::map<uint64_t, Acknowledged>> acknowledged_;
};

absl::Status FromGrpc(const grpc::Status& s);

// A channel to `address` that trusts only `ca_pem`, under the name kithd's
// certificate carries.
std::shared_ptr<grpc::Channel> PinnedChannel(const std::string& address, const std::string& ca_pem);

// The certificate the server at `address` presents, fetched without
// trusting it, for a person to compare its fingerprint and pin it (trust on
// first use). The connection carries no credentials and no secrets.
// UNAVAILABLE, saying why (refused, timed out), if it gets none in `timeout`.
absl::StatusOr<std::string> FetchServerCertificate(
    const std::string& address, std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace kith::client

#endif  // KITH_CLIENT_SESSION_H_
