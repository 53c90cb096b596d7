// Live state of every group kithd serves: the state derived from its log, the
// most recent durable events (for fan-out without touching storage), and the
// followers waiting for the next event.
#ifndef KITH_SERVER_GROUP_REGISTRY_H_
#define KITH_SERVER_GROUP_REGISTRY_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <grpcpp/support/slice.h>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "kith.pb.h"
#include "kith/group_state.h"

namespace kith::server {

// Something blocked on a group's next durable event (a follower's stream).
// Reference counted, so a waker can keep it alive while calling it.
class Waiter {
 public:
  virtual ~Waiter() = default;
  // Called with no group lock held; must not block.
  virtual void OnNewEvents() = 0;
  virtual void Ref() = 0;
  virtual void Unref() = 0;
};

class GroupEntry {
 public:
  // How much of a group's latest durable events stays in memory for
  // fan-out (encoded); followers further behind read from storage.
  static constexpr size_t kRecentBytes = 256 * 1024;

  // Guards the group's state and its recent events. Held only briefly: never
  // while writing to a stream or reading storage.
  absl::Mutex mu;
  GroupState state ABSL_GUARDED_BY(mu);
  // Highest sequence number known durable; state may run ahead of it while
  // a batch is being written.
  uint64_t durable_head ABSL_GUARDED_BY(mu) = 0;
  std::string durable_hash ABSL_GUARDED_BY(mu);  // EventHash of event durable_head
  // The latest signed checkpoint, reused while the durable head stays put.
  v1::Checkpoint checkpoint ABSL_GUARDED_BY(mu);

  // Forgets the state and every event, as before the group's first event,
  // so that its log can be applied again from the start (after a failed
  // append, whose events the state took ahead of the log). Followers keep
  // waiting; a checkpoint is signed afresh.
  void Forget() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);

  // Circles only: how far each member's live stream or reads have reached.
  // Kept in memory, so a restart forgets it until members read again.
  void NoteDelivered(const std::string& user_id, uint64_t seq) ABSL_LOCKS_EXCLUDED(delivery_mu_);
  // Members who have received event `seq`.
  std::vector<std::string> ReachedBy(uint64_t seq) const ABSL_LOCKS_EXCLUDED(delivery_mu_);

  // How many of a group's latest events are remembered by signature.
  static constexpr size_t kRememberedAppends = 128;

  // Records the side effects of an event just applied to `state`:
  // departures, in a direct conversation the time of each message, and
  // the event's signature.
  void NoteApplied(const v1::EventBody& body, const v1::Event& event)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // One of the latest events, found by its signature. A client that got no
  // answer to an append sends the same signed event again, and it is
  // answered as the first time rather than stored twice: the signature is
  // the append's idempotency key (the body it signs is fresh each time).
  struct Appended {
    uint64_t seq = 0;
    std::string hash;
  };
  const Appended* FindAppended(const std::string& signature) const ABSL_SHARED_LOCKS_REQUIRED(mu);
  // Direct conversations: how many messages `author` wrote at or after
  // `since_ms` (server time), counting no more than kMaxDailyLimit + 1.
  size_t SentSince(const std::string& author, int64_t since_ms) const
      ABSL_SHARED_LOCKS_REQUIRED(mu);

  // Quiet hours: `user_id` reads nothing from event `seq` on until the hold
  // is released (a later hold keeps the first one's place), so held events
  // reach them later, in order.
  void Hold(const std::string& user_id, uint64_t seq) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // Releases the holds of the people `over` names; true if any was released.
  bool ReleaseHolds(const std::function<bool(const std::string& user_id)>& over)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  bool holding() const ABSL_SHARED_LOCKS_REQUIRED(mu) { return !held_from_.empty(); }
  // Adds a durable event, encoded for fan-out (EncodeForBatch), in order,
  // and advances durable_head. Call WakeWaiters() after releasing `mu`.
  void AddDurable(uint64_t seq, std::string hash, grpc::Slice encoded)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // The highest sequence number `user_id` may read: the durable head for a
  // member (or the event before their hold), the event that removed them for
  // a former member, 0 for anyone else.
  uint64_t ReadableHead(const std::string& user_id) const ABSL_SHARED_LOCKS_REQUIRED(mu);
  // Appends to `out` the encoded durable events from `from` on, up to `to`,
  // while they are still in memory, stopping once `max_bytes` are taken
  // (at least one event is taken). Returns how many were appended: 0 if
  // event `from` has left memory.
  size_t Recent(uint64_t from, uint64_t to, size_t max_bytes, std::vector<grpc::Slice>* out) const
      ABSL_SHARED_LOCKS_REQUIRED(mu);

  // A waiter registers after finding nothing new, then checks durable_head
  // again; AddDurable advances durable_head before WakeWaiters runs, so no
  // wake-up is lost. Registering twice is harmless.
  void AddWaiter(Waiter* w) ABSL_LOCKS_EXCLUDED(waiters_mu_);
  void RemoveWaiter(Waiter* w) ABSL_LOCKS_EXCLUDED(waiters_mu_);
  // Calls OnNewEvents on every registered waiter, once, and unregisters them.
  void WakeWaiters() ABSL_LOCKS_EXCLUDED(mu, waiters_mu_);

 private:
  // Encoded durable events; recent_.front() has sequence number
  // durable_head - recent_.size() + 1.
  std::deque<grpc::Slice> recent_ ABSL_GUARDED_BY(mu);
  size_t recent_bytes_ ABSL_GUARDED_BY(mu) = 0;
  // Former members: the sequence number of the event by which they left.
  std::map<std::string, uint64_t> departed_at_ ABSL_GUARDED_BY(mu);
  // Direct conversations: server times of each author's latest messages.
  std::map<std::string, std::deque<int64_t>> sent_at_ ABSL_GUARDED_BY(mu);
  // The latest events by signature, and where each is in that map, oldest first.
  std::map<std::string, Appended> appended_ ABSL_GUARDED_BY(mu);
  std::deque<std::map<std::string, Appended>::iterator> appended_order_ ABSL_GUARDED_BY(mu);
  // Members whose reading is held, and the first event held back.
  std::map<std::string, uint64_t> held_from_ ABSL_GUARDED_BY(mu);
  absl::Mutex waiters_mu_;
  std::set<Waiter*> waiting_ ABSL_GUARDED_BY(waiters_mu_);
  mutable absl::Mutex delivery_mu_;
  std::map<std::string, uint64_t> delivered_ ABSL_GUARDED_BY(delivery_mu_);
};

// How a pair of people is named, whichever of them comes first: their two
// user ids (fixed length), the lesser first. Keys the one direct
// conversation a pair may have, here and in a cluster's store (ClaimPairs).
std::string PairOfPeople(const std::string& a, const std::string& b);

// Thread-safe. Entries are never removed, so pointers stay valid for the
// registry's lifetime.
class GroupRegistry {
 public:
  GroupEntry* Find(const std::string& group_id) const;
  GroupEntry* FindOrCreate(const std::string& group_id);
  // Indexes an event just applied to `entry`: who created, asked to join or
  // was invited to the group, or is a direct conversation's peer (so a
  // person's groups are found without scanning every group), which direct
  // conversation two people have, and which circles have alerts raised.
  void NoteEvent(GroupEntry* entry, const v1::EventBody& body);
  // Every group `user_id` ever created, asked to join or was invited to
  // (the caller checks current membership under the entry's lock).
  std::vector<GroupEntry*> GroupsOf(const std::string& user_id) const;
  // The direct conversation between `a` and `b`, or null.
  GroupEntry* FindDirect(const std::string& a, const std::string& b) const;
  // Circles that had an alert raised and may still have one unanswered.
  std::vector<GroupEntry*> Alerting() const;
  // Forgets `entry` as alerting. Call with entry->mu held, having seen no
  // unanswered alert, so a raise applied meanwhile cannot be lost.
  void DoneAlerting(GroupEntry* entry);

 private:
  mutable absl::Mutex mu_;
  std::map<std::string, std::unique_ptr<GroupEntry>> groups_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::set<GroupEntry*>> by_user_ ABSL_GUARDED_BY(mu_);
  std::set<GroupEntry*> alerting_ ABSL_GUARDED_BY(mu_);
  // Direct conversations by their pair of people (PairOfPeople).
  std::map<std::string, GroupEntry*> direct_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kith::server

#endif  // KITH_SERVER_GROUP_REGISTRY_H_
