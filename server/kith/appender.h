// The one writer of a kithd node. Requests from any thread queue here; one
// thread takes them in batches, authorizes each against its group's state,
// assigns sequence numbers, writes the whole batch in one synced write (group
// commit), and only then publishes the events and answers the callers. An
// event is acknowledged only after it is durable. A group's state changes
// on this thread only.
//
// On a store shared with other kithd nodes (cluster mode), each batch first
// locks its groups' logs in the store (EventLog::LockHeads) and applies
// what other nodes stored meanwhile, so it is checked and ordered against
// the whole log; the lock lasts until the batch is stored. On either
// store, then, a group's order is decided in one place at a time and can
// never fork.
//
// A batch the log fails to store is answered as possibly not stored (the
// client sends the same signed event again, which is never stored twice).
// Its groups' states took it ahead of the log, so before anything else is
// ordered the log recovers (EventLog::Recover) and those groups are read
// back from it; until then every append is refused, and the server keeps
// running.
#ifndef KITH_SERVER_APPENDER_H_
#define KITH_SERVER_APPENDER_H_

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "kith.pb.h"
#include "kith/boundaries.h"
#include "kith/clock.h"
#include "kith/group_registry.h"
#include "kith/store.h"
#include "kith/waker.h"

namespace kith::server {

struct NodeCache;  // node_cache.h

class Appender {
 public:
  using Done = std::function<void(absl::StatusOr<v1::AppendReply>)>;

  // Queued appends beyond this are refused with RESOURCE_EXHAUSTED.
  static constexpr size_t kMaxQueued = 20000;
  static constexpr size_t kMaxBatch = 512;

  // Followers of groups that gain events are woken through `waker`; every
  // event the group's state accepts must pass `boundaries` too. A cluster
  // node passes its checked `cache` (node_cache.h): groups load from it as
  // far as it holds them, and it gets every later event the node applies,
  // in order, after `log` has it.
  Appender(EventLog* log, GroupRegistry* groups, Boundaries* boundaries, const Clock* clock,
           Waker* waker, NodeCache* cache = nullptr);
  ~Appender();  // Stops, answering queued requests first.

  // Queues `event`, whose body the caller parsed (GroupState::Parse) into
  // `body` and whose signature it verified. `done` runs exactly once, on
  // the writer thread (or at once if the request is refused).
  void Submit(v1::SignedEvent event, v1::EventBody body, Done done);

  // Another node stored `group_id`'s events up to `seq`: they are applied
  // (and its followers here woken) before the next batch is ordered.
  void CatchUp(const std::string& group_id, uint64_t seq);
  // Returns once everything CatchUp was told before the call is applied;
  // false if `deadline` passed first.
  bool AwaitCatchUp(absl::Time deadline);

  // Cluster mode, at start: `heads` are the head of every group in the
  // store, which this node has not read. The writer applies them a few
  // groups at a time between batches, and a request for any group loads
  // that one first, so the node serves before it has read them all. Only
  // what spans every group (someone's list of groups, the one direct
  // conversation per pair) waits for the end.
  void WarmUp(std::vector<std::pair<std::string, uint64_t>> heads);
  // Returns once every head WarmUp was given is applied; false if
  // `deadline` passed first.
  bool AwaitWarm(absl::Time deadline);

  // Answers everything queued, then refuses new work with UNAVAILABLE.
  void Stop();

 private:
  struct Request {
    v1::SignedEvent event;
    v1::EventBody body;
    Done done;
  };
  // Events read back per store round trip while catching up.
  static constexpr uint32_t kCatchUpChunk = 256;
  // Groups warmed up between two batches.
  static constexpr size_t kWarmUpSlice = 32;
  // Pauses of the warm-up after a slice that failed whole, doubling.
  static constexpr absl::Duration kWarmUpRetry = absl::Milliseconds(100);
  static constexpr absl::Duration kWarmUpRetryMax = absl::Seconds(10);

  // Pauses between attempts to recover after a failed append, doubling.
  static constexpr absl::Duration kRecoveryPause = absl::Milliseconds(50);
  static constexpr absl::Duration kRecoveryPauseMax = absl::Seconds(2);

  void Run();
  // After a failed append: recovers the log and reads the groups it failed
  // back from it. True once nothing is stale; false while the log still
  // fails (tried again at most every kRecoveryPause, backing off).
  bool RecoverFromFailedAppend();
  // Forgets `entry`'s state and applies its whole log again.
  absl::Status Reload(const std::string& group_id, GroupEntry* entry);
  // Returns the groups of `catch_up` that could not be brought up to date.
  std::set<std::string> WriteBatch(std::deque<Request>& batch,
                                   std::map<std::string, uint64_t> catch_up);
  // Refuses the creation of a second direct conversation between the same
  // two people: one this node knows, or, in a cluster, one in `held_pairs`
  // (pairs another group holds, from LockAndCatchUp).
  absl::Status ClaimDirect(const v1::EventBody& create,
                           const std::map<std::string, std::string>& held_pairs);
  // Where other nodes write too (EventLog::LockHeads), locks the batch's
  // groups; then applies what the store holds beyond this node's state, up
  // to those heads and the `catch_up` targets. Returns the groups that
  // could not be locked or brought up to date, whose requests are refused
  // (UNAVAILABLE) rather than ordered against a stale state. Claims the
  // pairs of people of the batch's direct conversations too
  // (EventLog::ClaimPairs), and sets `held_pairs` to those another group
  // already holds.
  std::set<std::string> LockAndCatchUp(const std::deque<Request>& batch,
                                       std::map<std::string, uint64_t> catch_up,
                                       std::map<std::string, std::string>* held_pairs);
  // Reads afresh the boundaries of everyone the batch's requests are
  // addressed to (another node may have set them), after the locks, so one
  // acknowledged before the batch began holds for it. Adds to `behind` the
  // groups of requests whose addressee's boundaries cannot be read.
  void RefreshAddressees(const std::deque<Request>& batch, std::set<std::string>* behind);
  // Applies `group_id`'s stored events after its state's head, up to `seq`:
  // from the cache as far as it held them when checked, then from `log`.
  absl::Status ReadUpTo(const std::string& group_id, uint64_t seq);
  // Writes `events` to the cache, if there is one. After a failed write it
  // writes nothing more, so each cached log stays a prefix of the truth.
  void KeepInCache(absl::Span<const v1::Event* const> events);

  EventLog* const log_;
  GroupRegistry* const groups_;
  Boundaries* const boundaries_;
  const Clock* const clock_;
  Waker* const waker_;
  NodeCache* cache_;  // only the writer thread uses it; null once a write failed
  // Only the writer thread uses these. Groups whose state may hold events
  // that the log failed to store, by id; what appends are refused with
  // until they are read back; and when recovery is tried next.
  std::map<std::string, GroupEntry*> stale_;
  absl::Status storage_refusal_;
  absl::Time next_recovery_ = absl::InfinitePast();
  absl::Duration recovery_pause_ = kRecoveryPause;
  absl::Mutex mu_;
  std::deque<Request> queue_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, uint64_t> catch_up_ ABSL_GUARDED_BY(mu_);
  // Heads not yet applied by WarmUp; those that failed go round again.
  std::deque<std::pair<std::string, uint64_t>> warming_ ABSL_GUARDED_BY(mu_);
  std::atomic<bool> warm_{true};  // nothing left in warming_; read without mu_ too
  // Batches the writer thread has taken from the queue, and finished.
  uint64_t batches_begun_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t batches_done_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace kith::server

#endif  // KITH_SERVER_APPENDER_H_
