// The embedded store: one RocksDB database with a column family per concern
// (events, accounts, sessions, check-ins, duress alarms, boundaries) and
// its write-ahead log on. Every write is synced before it returns, unless it
// is opened as a cluster node's cache (node_cache.h), whose truth is
// elsewhere.
//
// A write that fails leaves RocksDB refusing writes; Recover() brings it
// back, as a restart would, once the disk lets it.
#ifndef KITH_SERVER_ROCKS_STORE_H_
#define KITH_SERVER_ROCKS_STORE_H_

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "kith/store.h"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
class Env;
class FileSystem;
}  // namespace rocksdb

namespace kith::server {

class RocksStore final : public Store {
 public:
  // Opens or creates the database in `dir`, through `file_system` if given
  // (tests inject faults there) or else the machine's.
  static absl::StatusOr<std::unique_ptr<RocksStore>> Open(
      const std::string& dir, bool sync_writes = true,
      std::shared_ptr<rocksdb::FileSystem> file_system = nullptr);
  ~RocksStore() override;

  // A write refused for want of space is RESOURCE_EXHAUSTED; any other
  // storage failure is INTERNAL.
  absl::Status Append(absl::Span<const v1::Event* const> events) override;
  // Resumes writing after a failed write; if RocksDB cannot resume, closes
  // and reopens the database, which recovers it from its write-ahead log
  // exactly as a restart would. Until that succeeds every write fails;
  // reads go on from the database opened read-only.
  absl::Status Recover() override;
  absl::Status ReadRange(const std::string& group_id, uint64_t from_seq, uint32_t limit,
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

  // Key of an event in the events column family: group_id || big-endian seq,
  // so a group's events are contiguous and in order.
  static std::string EventKey(const std::string& group_id, uint64_t seq);

 private:
  // Kith's column families, in the order they are opened after the default.
  enum Family { kEvents, kAccounts, kSessions, kCheckins, kDuress, kBoundaries, kFamilies };

  RocksStore(std::string dir, bool sync_writes, std::shared_ptr<rocksdb::FileSystem> file_system);
  // Opens the database, for reading only if `read_only`. REQUIRES: it is
  // closed.
  absl::Status OpenDb(bool read_only) ABSL_EXCLUSIVE_LOCKS_REQUIRED(db_mu_);
  void CloseDb() ABSL_EXCLUSIVE_LOCKS_REQUIRED(db_mu_);
  absl::Status Put(Family family, const std::string& key, const std::string& value,
                   const char* what);
  absl::Status Delete(Family family, const std::string& key, const char* what);
  // The value under `key` in `family`, if any.
  absl::StatusOr<std::optional<std::string>> Get(Family family, const std::string& key,
                                                 const char* what) const;
  // The value under `key` in `family` parsed as a `Proto`, if any.
  template <typename Proto>
  absl::StatusOr<std::optional<Proto>> GetProto(Family family, const std::string& key,
                                                const char* what) const;
  // Calls `fn` with each key of `family` and its value, in key order, a
  // chunk at a time, never holding db_mu_ while `fn` runs (it may take
  // locks that are held around calls to this store). Stops at the first
  // error `fn` returns. What is written meanwhile may or may not be seen.
  absl::Status Scan(
      Family family, const char* what,
      const std::function<absl::Status(const std::string&, const std::string&)>& fn) const;
  static constexpr size_t kScanChunk = 1024;
  // Calls `fn` with each key of `family` and its value parsed as a `Proto`.
  template <typename Proto>
  absl::Status ForEachProto(Family family, const char* what,
                            const std::function<void(const std::string&, const Proto&)>& fn) const;

  const std::string dir_;
  const bool sync_writes_;
  const std::shared_ptr<rocksdb::FileSystem> file_system_;
  const std::unique_ptr<rocksdb::Env> env_;  // over file_system_, if given
  // Held shared by every call that uses the database, and exclusively by
  // Recover while it reopens it. db_ is null while closed (a reopen failed),
  // and read-only while the disk refuses writes.
  mutable absl::Mutex db_mu_;
  std::unique_ptr<rocksdb::DB> db_ ABSL_GUARDED_BY(db_mu_);
  bool read_only_ ABSL_GUARDED_BY(db_mu_) = false;
  // Why the database could not open for writing: what writes get meanwhile.
  absl::Status read_only_because_ ABSL_GUARDED_BY(db_mu_);
  rocksdb::ColumnFamilyHandle* families_[kFamilies] ABSL_GUARDED_BY(db_mu_) = {};
};

}  // namespace kith::server

#endif  // KITH_SERVER_ROCKS_STORE_H_
