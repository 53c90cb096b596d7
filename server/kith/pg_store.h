// The cluster store: every seam of store.h on PostgreSQL, through libpq.
// Each write is one transaction committed with synchronous_commit on, so
// when it returns it is on the primary's disk and on the synchronous
// standby the server names.
//
// Any number of kithd nodes serve from one database at once. A group's
// order is decided in the database: the writer locks the group's row in
// kith_heads (LockHeads), then stores events at head + 1 onward and moves
// the head in the same transaction (Append). Nodes racing on one group
// queue on that row, so its log never forks; and since a log is keyed by
// (group id, seq), any slip would fail the commit rather than overwrite.
//
// The one direct conversation per pair of people holds across nodes the
// same way: a writer creating one locks the pair (an advisory lock until
// its commit, ClaimPairs), finds it free in kith_direct_pairs, and records
// it there with the creation.
//
// Each commit notifies the other nodes: kith_appended carries "hex(group)
// seq" for every group it extended, kith_changed "kind hex(key)" for every
// record it stored or removed. Watch() passes them on.
//
// Thread-safe. Three connections: the writer's (its transactions), one for
// every other statement (one at a time), and the listener's. A lost
// connection is opened again at its next use, except in the middle of a
// transaction, which then fails and stores nothing.
#ifndef KITH_SERVER_PG_STORE_H_
#define KITH_SERVER_PG_STORE_H_

#include <atomic>
#include <map>
#include <optional>
#include <set>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "kith/store.h"

namespace kith::server {

class PgStore final : public Store {
 public:
  // Connects with libpq's `conninfo` ("host=... dbname=...") and creates
  // the tables if they are missing.
  static absl::StatusOr<std::unique_ptr<PgStore>> Open(const std::string& conninfo);
  ~PgStore() override;

  absl::Status Append(absl::Span<const v1::Event* const> events) override;
  absl::StatusOr<std::map<std::string, uint64_t>> LockHeads(
      const std::set<std::string>& group_ids, const std::set<std::string>& creating) override;
  absl::StatusOr<std::map<std::string, std::string>> ClaimPairs(
      const std::map<std::string, std::string>& claims) override;
  bool shared() const override { return true; }
  absl::StatusOr<uint64_t> SharedHead(const std::string& group_id) const override;
  absl::StatusOr<std::vector<std::pair<std::string, uint64_t>>> SharedHeads() const override;
  absl::Status ReadRange(const std::string& group_id, uint64_t from_seq, uint32_t limit,
                         std::vector<v1::Event>* out) const override;
  // In one round trip per 1,000 places.
  absl::Status ReadAt(absl::Span<const std::pair<std::string, uint64_t>> places,
                      std::vector<v1::Event>* out) const override;
  absl::Status ForEach(const std::function<absl::Status(const v1::Event&)>& fn) const override;

  absl::Status PutAccount(const std::string& user_id, const v1::IdentityBundle& bundle) override;
  absl::StatusOr<std::optional<v1::IdentityBundle>> GetAccount(
      const std::string& user_id) const override;
  absl::Status ForEachAccount(
      const std::function<void(const std::string&, const v1::IdentityBundle&)>& fn) const override;
  absl::Status PutSession(const std::string& token_hash, const SessionRecord& s) override;
  absl::Status DeleteSession(const std::string& token_hash) override;
  absl::StatusOr<std::optional<SessionRecord>> GetSession(
      const std::string& token_hash) const override;
  absl::Status ForEachSession(
      const std::function<void(const std::string&, const SessionRecord&)>& fn) const override;

  absl::Status PutCheckin(const v1::CheckinRequest& checkin) override;
  absl::Status DeleteCheckin(const std::string& group_id) override;
  absl::StatusOr<std::optional<v1::CheckinRequest>> GetCheckin(
      const std::string& group_id) const override;
  absl::Status ForEachCheckin(
      const std::function<void(const v1::CheckinRequest&)>& fn) const override;

  absl::Status PutDuress(const v1::DuressAlarm& alarm) override;
  absl::Status DeleteDuress(const std::string& group_id) override;
  absl::StatusOr<std::optional<v1::DuressAlarm>> GetDuress(
      const std::string& group_id) const override;
  absl::Status ForEachDuress(const std::function<void(const v1::DuressAlarm&)>& fn) const override;

  absl::Status PutBoundaries(const std::string& user_id, const v1::Boundaries& boundaries) override;
  absl::StatusOr<std::optional<v1::Boundaries>> GetBoundaries(
      const std::string& user_id) const override;
  absl::Status ForEachBoundaries(
      const std::function<void(const std::string&, const v1::Boundaries&)>& fn) const override;

  void Watch(StoreWatcher* watcher) override;
  absl::Status HearAllCommitted(absl::Time deadline) const override;

 private:
  class Connection;
  using Row = std::vector<std::string>;

  explicit PgStore(const std::string& conninfo);
  // Runs one statement on the shared connection, its parameters and rows
  // in binary; calls `row` for each result row.
  absl::Status Exec(const std::string& sql, const std::vector<std::string>& params,
                    const std::function<absl::Status(const Row&)>& row = {}) const;
  // Stores `value` under `key` in `table` (its columns key_column,
  // value_column) and tells the other nodes.
  absl::Status Put(RecordKind kind, const char* table, const char* key_column,
                   const char* value_column, const std::string& key, const std::string& value);
  absl::Status Delete(RecordKind kind, const char* table, const char* key_column,
                      const std::string& key);
  absl::StatusOr<std::optional<std::string>> Get(const char* table, const char* key_column,
                                                 const char* value_column,
                                                 const std::string& key) const;
  absl::Status Scan(const char* table, const char* key_column, const char* value_column,
                    const std::function<absl::Status(const std::string&, const std::string&)>& fn)
      const;
  using Notification = std::pair<std::string, std::string>;  // channel, payload
  // The listener's thread: passes other nodes' notifications to the watcher.
  void Listen();
  // Waits briefly for notifications; false if the connection was lost.
  bool Hear(std::vector<Notification>* heard);
  // Connects and listens again, hearing every group's head as news; false
  // if the server cannot be reached.
  bool Relisten(std::vector<Notification>* heard);
  // The statement that listens on every channel this store hears.
  std::string ListenStatement() const;
  // Passes a notification to the watcher, or keeps it until there is one;
  // one on sync_channel_ marks everything before it as heard.
  void Deliver(const std::string& channel, const std::string& payload);
  void Tell(const std::string& channel, const std::string& payload)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(watch_mu_);

  const std::unique_ptr<Connection> shared_;
  const std::unique_ptr<Connection> writer_;
  const std::unique_ptr<Connection> listener_;
  // Pairs claimed in the writer's open transaction, by the group creating
  // them (ClaimPairs); recorded by the next Append. Guarded by writer_->mu.
  std::map<std::string, std::string> claims_;
  // Backend process ids of this store's own connections, whose
  // notifications are not news.
  mutable std::atomic<int> shared_pid_{0};
  std::atomic<int> writer_pid_{0};

  absl::Mutex watch_mu_;
  StoreWatcher* watcher_ ABSL_GUARDED_BY(watch_mu_) = nullptr;
  // Notifications heard before Watch(): (channel, payload).
  std::vector<Notification> early_ ABSL_GUARDED_BY(watch_mu_);
  // HearAllCommitted's marks: a notification on this node's own channel,
  // committed after the changes a reader waits for, is heard after them
  // (PostgreSQL delivers notifications in commit order).
  const std::string sync_channel_;
  mutable absl::Mutex sync_mu_;
  mutable uint64_t syncs_asked_ ABSL_GUARDED_BY(sync_mu_) = 0;
  mutable bool sending_ ABSL_GUARDED_BY(sync_mu_) = false;  // a mark's notification
  uint64_t syncs_heard_ ABSL_GUARDED_BY(sync_mu_) = 0;
  std::atomic<bool> stopping_{false};
  std::thread listen_thread_;
};

}  // namespace kith::server

#endif  // KITH_SERVER_PG_STORE_H_
