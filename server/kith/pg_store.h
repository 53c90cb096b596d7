// The cluster store: every seam of store.h on PostgreSQL, through libpq.
// Each write is one transaction committed with synchronous_commit on, so
// when it returns it is on the primary's disk and, where the server has a
// synchronous standby, on the standby's too. Group logs are keyed by
// (group id, seq), so two writers can never both store an event at one
// place in a log: the second write fails and stores nothing.
//
// One kithd serves from a database at a time (a session advisory lock);
// another opening it waits, and takes over when the first one's session
// ends. Several nodes serving at once is not built yet.
//
// Thread-safe: one connection, one statement at a time.
#ifndef KITH_SERVER_PG_STORE_H_
#define KITH_SERVER_PG_STORE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "kith/store.h"

typedef struct pg_conn PGconn;

namespace kith::server {

class PgStore final : public Store {
 public:
  // Connects with libpq's `conninfo` ("host=... dbname=..."), waits to be
  // the database's one writer, and creates the tables if they are missing.
  static absl::StatusOr<std::unique_ptr<PgStore>> Open(const std::string& conninfo);
  ~PgStore() override;

  absl::Status Append(absl::Span<const v1::Event* const> events) override;
  absl::Status ReadRange(const std::string& group_id, uint64_t from_seq, uint32_t limit,
                         std::vector<v1::Event>* out) const override;
  absl::Status ForEach(const std::function<absl::Status(const v1::Event&)>& fn) const override;

  absl::Status PutAccount(const std::string& user_id, const v1::IdentityBundle& bundle) override;
  absl::Status ForEachAccount(
      const std::function<void(const std::string&, const v1::IdentityBundle&)>& fn) const override;
  absl::Status PutSession(const std::string& token_hash, const SessionRecord& s) override;
  absl::Status DeleteSession(const std::string& token_hash) override;
  absl::Status ForEachSession(
      const std::function<void(const std::string&, const SessionRecord&)>& fn) const override;

  absl::Status PutCheckin(const v1::CheckinRequest& checkin) override;
  absl::Status DeleteCheckin(const std::string& group_id) override;
  absl::Status ForEachCheckin(
      const std::function<void(const v1::CheckinRequest&)>& fn) const override;

  absl::Status PutDuress(const v1::DuressAlarm& alarm) override;
  absl::Status DeleteDuress(const std::string& group_id) override;
  absl::Status ForEachDuress(const std::function<void(const v1::DuressAlarm&)>& fn) const override;

  absl::Status PutBoundaries(const std::string& user_id, const v1::Boundaries& boundaries) override;
  absl::Status ForEachBoundaries(
      const std::function<void(const std::string&, const v1::Boundaries&)>& fn) const override;

 private:
  explicit PgStore(PGconn* conn) : conn_(conn) {}
  // Runs `sql` with `params` (bound as binary) and, for each result row,
  // calls `row` with its columns (binary). Statements in one call run in
  // one transaction when there are several.
  absl::Status Exec(const std::string& sql, const std::vector<std::string>& params,
                    const std::function<absl::Status(const std::vector<std::string>&)>& row = {})
      const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status Run(const std::string& sql, const std::vector<std::string>& params = {});
  // Upserts `value` under `key` in `table` (its columns named key_column, value_column).
  absl::Status Put(const char* table, const char* key_column, const char* value_column,
                   const std::string& key, const std::string& value);
  // Calls `fn` with every (key, value) of `table`.
  absl::Status Scan(const char* table, const char* key_column, const char* value_column,
                    const std::function<absl::Status(const std::string&, const std::string&)>& fn)
      const;

  mutable absl::Mutex mu_;
  PGconn* const conn_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kith::server

#endif  // KITH_SERVER_PG_STORE_H_
