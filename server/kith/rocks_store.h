// The embedded store: one RocksDB database with a column family per concern
// (events, accounts, sessions, check-ins, duress alarms, boundaries) and
// its write-ahead log on. Every write is synced before it returns, unless it
// is opened as a cluster node's cache (node_cache.h), whose truth is
// elsewhere.
#ifndef KITH_SERVER_ROCKS_STORE_H_
#define KITH_SERVER_ROCKS_STORE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "kith/store.h"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
}  // namespace rocksdb

namespace kith::server {

class RocksStore final : public Store {
 public:
  // Opens or creates the database in `dir`.
  static absl::StatusOr<std::unique_ptr<RocksStore>> Open(const std::string& dir,
                                                          bool sync_writes = true);
  ~RocksStore() override;

  absl::Status Append(absl::Span<const v1::Event* const> events) override;
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
  explicit RocksStore(bool sync_writes);
  absl::Status Put(rocksdb::ColumnFamilyHandle* cf, const std::string& key,
                   const std::string& value);
  absl::Status Delete(rocksdb::ColumnFamilyHandle* cf, const std::string& key, const char* what);
  // The value under `key` in `cf`, if any.
  absl::StatusOr<std::optional<std::string>> Get(rocksdb::ColumnFamilyHandle* cf,
                                                 const std::string& key) const;
  // The value under `key` in `cf` parsed as a `Proto`, if any.
  template <typename Proto>
  absl::StatusOr<std::optional<Proto>> GetProto(rocksdb::ColumnFamilyHandle* cf,
                                                const std::string& key, const char* what) const;
  // Calls `fn` with each key of `cf` and its value parsed as a `Proto`.
  template <typename Proto>
  absl::Status ForEachProto(rocksdb::ColumnFamilyHandle* cf, const char* what,
                            const std::function<void(const std::string&, const Proto&)>& fn) const;

  const bool sync_writes_;
  std::unique_ptr<rocksdb::DB> db_;
  rocksdb::ColumnFamilyHandle* events_ = nullptr;
  rocksdb::ColumnFamilyHandle* accounts_ = nullptr;
  rocksdb::ColumnFamilyHandle* sessions_ = nullptr;
  rocksdb::ColumnFamilyHandle* checkins_ = nullptr;
  rocksdb::ColumnFamilyHandle* duress_ = nullptr;
  rocksdb::ColumnFamilyHandle* boundaries_ = nullptr;
};

}  // namespace kith::server

#endif  // KITH_SERVER_ROCKS_STORE_H_
