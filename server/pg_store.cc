#include "kith/pg_store.h"

#include <libpq-fe.h>

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "kith/protocol.h"

namespace kith::server {
namespace {

constexpr char kSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS kith_events (
  group_id bytea NOT NULL, seq bigint NOT NULL, event bytea NOT NULL,
  PRIMARY KEY (group_id, seq));
CREATE TABLE IF NOT EXISTS kith_accounts (user_id bytea PRIMARY KEY, bundle bytea NOT NULL);
CREATE TABLE IF NOT EXISTS kith_sessions (
  token_hash bytea PRIMARY KEY, user_id bytea NOT NULL, expires_at_ms bigint NOT NULL);
CREATE TABLE IF NOT EXISTS kith_checkins (group_id bytea PRIMARY KEY, checkin bytea NOT NULL);
CREATE TABLE IF NOT EXISTS kith_duress (group_id bytea PRIMARY KEY, alarm bytea NOT NULL);
CREATE TABLE IF NOT EXISTS kith_boundaries (user_id bytea PRIMARY KEY, boundaries bytea NOT NULL);
)sql";

// The advisory lock the serving kithd holds for its whole session.
constexpr uint64_t kWriterLock = 0x6b697468;  // "kith"

// A bigint parameter or column in libpq's binary format: 8 bytes, big-endian.
std::string Int8(uint64_t v) {
  std::string out;
  AppendU64(out, v);
  return out;
}

template <typename Proto>
absl::Status ParseInto(const std::string& bytes, const char* what, Proto* out) {
  if (out->ParseFromString(bytes)) return absl::OkStatus();
  return absl::DataLossError(absl::StrCat("a stored ", what, " does not parse"));
}

// Calls `fn` with each value of a (key, value) scan parsed as a `Proto`.
template <typename Proto>
std::function<absl::Status(const std::string&, const std::string&)> Parsed(
    const char* what, const std::function<void(const std::string&, const Proto&)>& fn) {
  return [what, &fn](const std::string& key, const std::string& value) {
    Proto proto;
    if (auto s = ParseInto(value, what, &proto); !s.ok()) return s;
    fn(key, proto);
    return absl::OkStatus();
  };
}

}  // namespace

absl::StatusOr<std::unique_ptr<PgStore>> PgStore::Open(const std::string& conninfo) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string why = PQerrorMessage(conn);
    PQfinish(conn);
    return absl::UnavailableError(absl::StrCat("cannot connect to PostgreSQL: ", why));
  }
  std::unique_ptr<PgStore> store(new PgStore(conn));
  // An acknowledged write is on the primary and on every synchronous
  // standby the server names, whatever the server's default.
  if (auto s = store->Run("SET synchronous_commit = on; SET client_min_messages = warning");
      !s.ok()) {
    return s;
  }
  // One kithd writes at a time: its memory decides each group's order. A
  // second one waits here, and takes over when the first one's session
  // ends (it stopped, crashed or lost its connection).
  bool locked = false;
  {
    absl::MutexLock lock(&store->mu_);
    auto s = store->Exec("SELECT pg_try_advisory_lock($1)", {Int8(kWriterLock)},
                         [&locked](const std::vector<std::string>& row) {
                           locked = row[0] == std::string(1, '\1');
                           return absl::OkStatus();
                         });
    if (!s.ok()) return s;
  }
  if (!locked) {
    fprintf(stderr, "kithd: another kithd is serving from this database; waiting to take over\n");
    if (auto s = store->Run("SELECT pg_advisory_lock($1)", {Int8(kWriterLock)}); !s.ok()) return s;
  }
  if (auto s = store->Run(kSchema); !s.ok()) return s;
  return store;
}

PgStore::~PgStore() {
  absl::MutexLock lock(&mu_);
  PQfinish(conn_);
}

absl::Status PgStore::Exec(
    const std::string& sql, const std::vector<std::string>& params,
    const std::function<absl::Status(const std::vector<std::string>&)>& row) const {
  // The writer lock belongs to this session: a new session would not hold
  // it, and another node may hold it by now. So no reconnecting; the
  // appender stops kithd at its next write, and a restart waits its turn.
  if (PQstatus(conn_) != CONNECTION_OK) {
    return absl::UnavailableError(
        "lost the PostgreSQL session, and with it this node's writer lock; restart kithd");
  }
  std::vector<const char*> values;
  std::vector<int> lengths, formats(params.size(), 1);
  for (const std::string& p : params) {
    values.push_back(p.data());
    lengths.push_back(static_cast<int>(p.size()));
  }
  // Rows come back in binary (raw bytea), which needs the extended protocol;
  // the simple one runs a script of several statements (the schema).
  const bool sent =
      params.empty() && !row
          ? PQsendQuery(conn_, sql.c_str())
          : PQsendQueryParams(conn_, sql.c_str(), static_cast<int>(params.size()), nullptr,
                              values.data(), lengths.data(), formats.data(), /*resultFormat=*/1);
  if (!sent) return absl::UnavailableError(absl::StrCat("PostgreSQL: ", PQerrorMessage(conn_)));
  // One row at a time, so a scan of every group's log never sits in memory whole.
  if (row) PQsetSingleRowMode(conn_);
  absl::Status status;
  while (PGresult* result = PQgetResult(conn_)) {
    const ExecStatusType state = PQresultStatus(result);
    if (state == PGRES_SINGLE_TUPLE && status.ok()) {
      std::vector<std::string> columns;
      for (int c = 0; c < PQnfields(result); ++c) {
        columns.emplace_back(PQgetvalue(result, 0, c), PQgetlength(result, 0, c));
      }
      status = row(columns);
    } else if (state != PGRES_COMMAND_OK && state != PGRES_TUPLES_OK &&
               state != PGRES_SINGLE_TUPLE && status.ok()) {
      status = absl::InternalError(absl::StrCat("PostgreSQL: ", PQresultErrorMessage(result)));
    }
    PQclear(result);  // drained to the end either way, so the connection stays usable
  }
  return status;
}

absl::Status PgStore::Run(const std::string& sql, const std::vector<std::string>& params) {
  absl::MutexLock lock(&mu_);
  return Exec(sql, params);
}

absl::Status PgStore::Append(absl::Span<const v1::Event* const> events) {
  if (events.empty()) return absl::OkStatus();
  // One statement: all of the batch is stored, or none of it.
  std::string sql = "INSERT INTO kith_events (group_id, seq, event) VALUES ";
  std::vector<std::string> params;
  for (size_t i = 0; i < events.size(); ++i) {
    absl::StrAppend(&sql, i == 0 ? "" : ", ", "($", 3 * i + 1, ", $", 3 * i + 2, ", $", 3 * i + 3, ")");
    params.push_back(events[i]->group_id());
    params.push_back(Int8(events[i]->seq()));
    params.push_back(events[i]->SerializeAsString());
  }
  return Run(sql, params);
}

absl::Status PgStore::ReadRange(const std::string& group_id, uint64_t from_seq, uint32_t limit,
                                std::vector<v1::Event>* out) const {
  absl::MutexLock lock(&mu_);
  return Exec(
      "SELECT event FROM kith_events WHERE group_id = $1 AND seq >= $2 ORDER BY seq LIMIT $3",
      {group_id, Int8(from_seq), Int8(limit)}, [out](const std::vector<std::string>& row) {
        return ParseInto(row[0], "event", &out->emplace_back());
      });
}

absl::Status PgStore::ForEach(const std::function<absl::Status(const v1::Event&)>& fn) const {
  absl::MutexLock lock(&mu_);
  v1::Event event;
  return Exec("SELECT event FROM kith_events ORDER BY group_id, seq", {},
              [&](const std::vector<std::string>& row) {
                if (auto s = ParseInto(row[0], "event", &event); !s.ok()) return s;
                return fn(event);
              });
}

absl::Status PgStore::Put(const char* table, const char* key_column, const char* value_column,
                          const std::string& key, const std::string& value) {
  return Run(absl::StrCat("INSERT INTO ", table, " (", key_column, ", ", value_column,
                          ") VALUES ($1, $2) ON CONFLICT (", key_column, ") DO UPDATE SET ",
                          value_column, " = EXCLUDED.", value_column),
             {key, value});
}

absl::Status PgStore::Scan(
    const char* table, const char* key_column, const char* value_column,
    const std::function<absl::Status(const std::string&, const std::string&)>& fn) const {
  absl::MutexLock lock(&mu_);
  return Exec(absl::StrCat("SELECT ", key_column, ", ", value_column, " FROM ", table), {},
              [&fn](const std::vector<std::string>& row) { return fn(row[0], row[1]); });
}

absl::Status PgStore::PutAccount(const std::string& user_id, const v1::IdentityBundle& bundle) {
  return Put("kith_accounts", "user_id", "bundle", user_id, bundle.SerializeAsString());
}

absl::Status PgStore::ForEachAccount(
    const std::function<void(const std::string&, const v1::IdentityBundle&)>& fn) const {
  return Scan("kith_accounts", "user_id", "bundle", Parsed("account", fn));
}

absl::Status PgStore::PutSession(const std::string& token_hash, const SessionRecord& s) {
  return Run(
      "INSERT INTO kith_sessions (token_hash, user_id, expires_at_ms) VALUES ($1, $2, $3) "
      "ON CONFLICT (token_hash) DO UPDATE SET user_id = EXCLUDED.user_id, "
      "expires_at_ms = EXCLUDED.expires_at_ms",
      {token_hash, s.user_id, Int8(static_cast<uint64_t>(s.expires_at_ms))});
}

absl::Status PgStore::DeleteSession(const std::string& token_hash) {
  return Run("DELETE FROM kith_sessions WHERE token_hash = $1", {token_hash});
}

absl::Status PgStore::ForEachSession(
    const std::function<void(const std::string&, const SessionRecord&)>& fn) const {
  absl::MutexLock lock(&mu_);
  return Exec("SELECT token_hash, user_id, expires_at_ms FROM kith_sessions", {},
              [&fn](const std::vector<std::string>& row) {
                if (row[2].size() != 8) return absl::DataLossError("a stored session does not parse");
                fn(row[0], SessionRecord{row[1], static_cast<int64_t>(ReadU64(row[2]))});
                return absl::OkStatus();
              });
}

absl::Status PgStore::PutCheckin(const v1::CheckinRequest& checkin) {
  return Put("kith_checkins", "group_id", "checkin", checkin.group_id(), checkin.SerializeAsString());
}

absl::Status PgStore::DeleteCheckin(const std::string& group_id) {
  return Run("DELETE FROM kith_checkins WHERE group_id = $1", {group_id});
}

absl::Status PgStore::ForEachCheckin(
    const std::function<void(const v1::CheckinRequest&)>& fn) const {
  return Scan("kith_checkins", "group_id", "checkin",
              Parsed<v1::CheckinRequest>(
                  "check-in", [&fn](const std::string&, const v1::CheckinRequest& c) { fn(c); }));
}

absl::Status PgStore::PutDuress(const v1::DuressAlarm& alarm) {
  return Put("kith_duress", "group_id", "alarm", alarm.group_id(), alarm.SerializeAsString());
}

absl::Status PgStore::DeleteDuress(const std::string& group_id) {
  return Run("DELETE FROM kith_duress WHERE group_id = $1", {group_id});
}

absl::Status PgStore::ForEachDuress(const std::function<void(const v1::DuressAlarm&)>& fn) const {
  return Scan("kith_duress", "group_id", "alarm",
              Parsed<v1::DuressAlarm>(
                  "duress alarm", [&fn](const std::string&, const v1::DuressAlarm& a) { fn(a); }));
}

absl::Status PgStore::PutBoundaries(const std::string& user_id, const v1::Boundaries& boundaries) {
  return Put("kith_boundaries", "user_id", "boundaries", user_id, boundaries.SerializeAsString());
}

absl::Status PgStore::ForEachBoundaries(
    const std::function<void(const std::string&, const v1::Boundaries&)>& fn) const {
  return Scan("kith_boundaries", "user_id", "boundaries", Parsed("boundary setting", fn));
}

}  // namespace kith::server
