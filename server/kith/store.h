// Storage seams of kithd. RocksDB implements them in the embedded default;
// cluster mode implements them on PostgreSQL. Both must meet the same
// contracts, written on each method.
#ifndef KITH_SERVER_STORE_H_
#define KITH_SERVER_STORE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "kith.pb.h"

namespace kith::server {

// The ordered logs of every group. Thread-safe.
class EventLog {
 public:
  virtual ~EventLog() = default;

  // Stores `events` atomically and durably: when this returns OK every event
  // survives a crash of the process or the machine; on error none is stored.
  // Ends what LockHeads began, even when `events` is empty.
  // REQUIRES: each event extends its group's log by exactly one sequence number.
  virtual absl::Status Append(absl::Span<const v1::Event* const> events) = 0;

  // After Append failed: makes the log take appends again, holding what it
  // would hold after a restart (a failed append may turn out stored or
  // not). Until it returns OK, appends fail. The appender then reads its
  // groups back from the log rather than trusting what it had applied.
  virtual absl::Status Recover() { return absl::OkStatus(); }

  // Whether other kithd nodes append to these logs too (cluster mode). If
  // not, the one writer always knows every head, and the two calls below
  // are never needed.
  virtual bool shared() const { return false; }
  // REQUIRES: shared(). The writer calls this before ordering a batch: it
  // locks the logs of `group_ids` against every other writer until the next
  // Append, and returns the highest stored seq of each that exists (0 for a
  // group being created, named in `creating` too). On error nothing is
  // locked.
  virtual absl::StatusOr<std::map<std::string, uint64_t>> LockHeads(
      const std::set<std::string>& group_ids, const std::set<std::string>& creating) {
    return absl::UnimplementedError("this log has a single writer");
  }
  // REQUIRES: shared(), after LockHeads succeeded and before Append. For
  // each direct conversation being created (`claims`: the pair of people's
  // user ids, smaller first, to the group's id), claims the pair against
  // every other writer until the next Append, and returns the pairs that
  // another group already holds, with that group. Append records the
  // claims of the creations it stores and lets the others go. On error
  // nothing stays locked, as if LockHeads had failed.
  virtual absl::StatusOr<std::map<std::string, std::string>> ClaimPairs(
      const std::map<std::string, std::string>& claims) {
    return absl::UnimplementedError("this log has a single writer");
  }
  // REQUIRES: shared(). The highest seq of `group_id` stored by any node (0
  // for a group nobody made), so a reader can catch up before it answers.
  virtual absl::StatusOr<uint64_t> SharedHead(const std::string& group_id) const {
    return absl::UnimplementedError("this log has a single writer");
  }
  // REQUIRES: shared(). The head of every group any node has made.
  virtual absl::StatusOr<std::vector<std::pair<std::string, uint64_t>>> SharedHeads() const {
    return absl::UnimplementedError("this log has a single writer");
  }

  // Events of `group_id` with seq in [from_seq, from_seq + limit), in order.
  virtual absl::Status ReadRange(const std::string& group_id, uint64_t from_seq, uint32_t limit,
                                 std::vector<v1::Event>* out) const = 0;

  // The stored event at each (group id, seq) of `places`, for those that
  // exist, in no particular order.
  virtual absl::Status ReadAt(absl::Span<const std::pair<std::string, uint64_t>> places,
                              std::vector<v1::Event>* out) const {
    for (const auto& [group_id, seq] : places) {
      const size_t had = out->size();
      if (auto s = ReadRange(group_id, seq, 1, out); !s.ok()) return s;
      if (out->size() > had && out->back().seq() != seq) out->pop_back();  // a later one
    }
    return absl::OkStatus();
  }

  // Every stored event, group by group, each group in sequence order.
  // Stops at the first error `fn` returns.
  virtual absl::Status ForEach(const std::function<absl::Status(const v1::Event&)>& fn) const = 0;
};

struct SessionRecord {
  std::string user_id;
  int64_t expires_at_ms = 0;
};

// Accounts (identity bundles) and sessions. Thread-safe.
class AccountStore {
 public:
  virtual ~AccountStore() = default;
  virtual absl::Status PutAccount(const std::string& user_id, const v1::IdentityBundle& bundle) = 0;
  virtual absl::StatusOr<std::optional<v1::IdentityBundle>> GetAccount(
      const std::string& user_id) const = 0;
  virtual absl::Status ForEachAccount(
      const std::function<void(const std::string&, const v1::IdentityBundle&)>& fn) const = 0;
  // Sessions are keyed by the hash of their bearer token, never the token.
  virtual absl::Status PutSession(const std::string& token_hash, const SessionRecord& s) = 0;
  virtual absl::Status DeleteSession(const std::string& token_hash) = 0;
  virtual absl::StatusOr<std::optional<SessionRecord>> GetSession(
      const std::string& token_hash) const = 0;
  virtual absl::Status ForEachSession(
      const std::function<void(const std::string&, const SessionRecord&)>& fn) const = 0;
};

// Scheduled check-ins, one per circle, keyed by its group id. Thread-safe;
// every write is durable when it returns.
class CheckinStore {
 public:
  virtual ~CheckinStore() = default;
  virtual absl::Status PutCheckin(const v1::CheckinRequest& checkin) = 0;
  virtual absl::Status DeleteCheckin(const std::string& group_id) = 0;
  virtual absl::StatusOr<std::optional<v1::CheckinRequest>> GetCheckin(
      const std::string& group_id) const = 0;
  virtual absl::Status ForEachCheckin(
      const std::function<void(const v1::CheckinRequest&)>& fn) const = 0;
};

// Duress alarms, one per circle, keyed by its group id. Thread-safe; every
// write is durable when it returns.
class DuressStore {
 public:
  virtual ~DuressStore() = default;
  virtual absl::Status PutDuress(const v1::DuressAlarm& alarm) = 0;
  virtual absl::Status DeleteDuress(const std::string& group_id) = 0;
  virtual absl::StatusOr<std::optional<v1::DuressAlarm>> GetDuress(
      const std::string& group_id) const = 0;
  virtual absl::Status ForEachDuress(const std::function<void(const v1::DuressAlarm&)>& fn) const = 0;
};

// People's boundaries, keyed by user id. Thread-safe; every write is
// durable when it returns.
class BoundaryStore {
 public:
  virtual ~BoundaryStore() = default;
  virtual absl::Status PutBoundaries(const std::string& user_id,
                                     const v1::Boundaries& boundaries) = 0;
  virtual absl::StatusOr<std::optional<v1::Boundaries>> GetBoundaries(
      const std::string& user_id) const = 0;
  virtual absl::Status ForEachBoundaries(
      const std::function<void(const std::string&, const v1::Boundaries&)>& fn) const = 0;
};

// The kinds of record other nodes may change under a node (cluster mode).
enum class RecordKind : char {
  kAccount = 'a',
  kCheckin = 'c',
  kDuress = 'd',
  kBoundaries = 'b',
};

// What a node hears of other nodes' writes to a shared store. Called from
// the store's own thread; implementations must not block for long.
class StoreWatcher {
 public:
  virtual ~StoreWatcher() = default;
  // Another node stored events of `group_id` up to `seq`.
  virtual void OnAppended(const std::string& group_id, uint64_t seq) = 0;
  // Another node stored or removed the record of `kind` under `key`.
  virtual void OnChanged(RecordKind kind, const std::string& key) = 0;
  // The store may have missed some news of changed records (it lost touch
  // with the other nodes for a while): every record kept in memory is to
  // be read again. Missed appends are passed on as OnAppended.
  virtual void OnMissed() = 0;
};

// Every seam at once: what kithd runs on. RocksStore (embedded) and
// PgStore (cluster mode) implement it.
class Store : public EventLog,
              public AccountStore,
              public CheckinStore,
              public DuressStore,
              public BoundaryStore {
 public:
  // Tells `watcher`, until the store is destroyed, of every change another
  // node makes, including those made since the store was opened. A store no
  // other node writes never calls it.
  virtual void Watch(StoreWatcher* watcher) {}
  // Returns once every change other nodes had committed when it was called
  // has been passed to the watcher, so a reader that then waits for the
  // watcher's work sees what it wrote through any node. UNAVAILABLE if
  // that cannot be confirmed by `deadline`. A store no other node writes
  // has nothing to hear.
  virtual absl::Status HearAllCommitted(absl::Time deadline) const { return absl::OkStatus(); }
};

}  // namespace kith::server

#endif  // KITH_SERVER_STORE_H_
