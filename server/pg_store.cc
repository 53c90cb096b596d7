#include "kith/pg_store.h"

#include <libpq-fe.h>
#include <poll.h>
#include <pthread.h>

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "kith/crypto.h"
#include "kith/protocol.h"

namespace kith::server {
namespace {

// Nodes starting together would race to create the tables; the first
// creates them under a transaction-scoped advisory lock, the others wait.
constexpr char kSchema[] = R"sql(
BEGIN;
SELECT pg_advisory_xact_lock(7020098217126208616);
CREATE TABLE IF NOT EXISTS kith_events (
  group_id bytea NOT NULL, seq bigint NOT NULL, event bytea NOT NULL,
  PRIMARY KEY (group_id, seq));
CREATE TABLE IF NOT EXISTS kith_accounts (user_id bytea PRIMARY KEY, bundle bytea NOT NULL);
CREATE TABLE IF NOT EXISTS kith_sessions (
  token_hash bytea PRIMARY KEY, user_id bytea NOT NULL, expires_at_ms bigint NOT NULL);
CREATE TABLE IF NOT EXISTS kith_checkins (group_id bytea PRIMARY KEY, checkin bytea NOT NULL);
CREATE TABLE IF NOT EXISTS kith_duress (group_id bytea PRIMARY KEY, alarm bytea NOT NULL);
CREATE TABLE IF NOT EXISTS kith_boundaries (user_id bytea PRIMARY KEY, boundaries bytea NOT NULL);
-- The highest seq of each group's log; writers lock a group's row to append.
CREATE TABLE IF NOT EXISTS kith_heads (group_id bytea PRIMARY KEY, head bigint NOT NULL);
-- The one direct conversation of each pair of people (ClaimPairs).
CREATE TABLE IF NOT EXISTS kith_direct_pairs (pair bytea PRIMARY KEY, group_id bytea NOT NULL);
COMMIT;
)sql";

constexpr char kAppended[] = "kith_appended";
constexpr char kChanged[] = "kith_changed";
// Not a channel: what the listener hears after it lost touch, for changes
// whose notifications it may have missed.
constexpr char kMissed[] = "";
// PostgreSQL refuses notification payloads of 8000 bytes or more.
constexpr size_t kMaxPayload = 7900;
// How often the listener looks up from waiting to see if it should stop.
constexpr int kListenPollMs = 200;
constexpr int kReconnectDelayMs = 500;

// A bytea literal for SQL text: only hex digits come from the value.
std::string ByteaLiteral(const std::string& bytes) {
  return absl::StrCat("decode('", crypto::ToHex(bytes), "', 'hex')");
}

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

// A looked-up value, if there was one, parsed as a `Proto`.
template <typename Proto>
absl::StatusOr<std::optional<Proto>> GetProto(absl::StatusOr<std::optional<std::string>> value,
                                              const char* what) {
  if (!value.ok()) return value.status();
  if (!value->has_value()) return std::nullopt;
  Proto proto;
  if (auto s = ParseInto(**value, what, &proto); !s.ok()) return s;
  return proto;
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

// One libpq connection, used by one caller at a time.
class PgStore::Connection {
 public:
  explicit Connection(std::string conninfo) : conninfo_(std::move(conninfo)) {}
  ~Connection() {
    if (conn_ != nullptr) PQfinish(conn_);
  }

  absl::Mutex mu;

  // Connects, or connects again after the connection was lost; returns the
  // server process id of the session. Writes from this connection are
  // acknowledged only once on every synchronous standby, whatever the
  // server's default.
  absl::StatusOr<int> Open() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    if (conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK) return PQbackendPID(conn_);
    if (conn_ != nullptr) PQfinish(conn_);
    conn_ = PQconnectdb(conninfo_.c_str());
    if (PQstatus(conn_) != CONNECTION_OK) {
      std::string why = PQerrorMessage(conn_);
      PQfinish(conn_);
      conn_ = nullptr;
      return absl::UnavailableError(absl::StrCat("cannot connect to PostgreSQL: ", why));
    }
    if (auto s = Script("SET synchronous_commit = on; SET client_min_messages = warning"); !s.ok()) {
      return s.status();
    }
    return PQbackendPID(conn_);
  }
  bool in_transaction() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    return conn_ != nullptr && PQtransactionStatus(conn_) != PQTRANS_IDLE;
  }
  PGconn* conn() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) { return conn_; }
  void Close() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    if (conn_ != nullptr) PQfinish(conn_);
    conn_ = nullptr;
  }

  // One statement, its parameters and result rows in binary (raw bytea,
  // big-endian integers). Rows come one at a time, so a scan of every
  // group's log never sits in memory whole.
  absl::Status Exec(const std::string& sql, const std::vector<std::string>& params,
                    const std::function<absl::Status(const Row&)>& row)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    if (auto s = Usable(); !s.ok()) return s;
    std::vector<const char*> values;
    std::vector<int> lengths, formats(params.size(), 1);
    for (const std::string& p : params) {
      values.push_back(p.data());
      lengths.push_back(static_cast<int>(p.size()));
    }
    if (!PQsendQueryParams(conn_, sql.c_str(), static_cast<int>(params.size()), nullptr,
                           values.data(), lengths.data(), formats.data(), /*resultFormat=*/1)) {
      return absl::UnavailableError(absl::StrCat("PostgreSQL: ", PQerrorMessage(conn_)));
    }
    if (row) PQsetSingleRowMode(conn_);
    absl::Status status;
    while (PGresult* result = PQgetResult(conn_)) {
      const ExecStatusType state = PQresultStatus(result);
      if (state == PGRES_SINGLE_TUPLE && status.ok()) {
        status = row(Columns(result, 0));
      } else if (state != PGRES_COMMAND_OK && state != PGRES_TUPLES_OK &&
                 state != PGRES_SINGLE_TUPLE && status.ok()) {
        status = Failed(result);
      }
      PQclear(result);  // drained to the end either way, so the connection stays usable
    }
    return status;
  }

  // Several statements in one round trip (the simple protocol); `row`
  // sees the last statement's rows, as text. Returns the last statement's
  // command tag ("COMMIT", or "ROLLBACK" for a commit that failed).
  absl::StatusOr<std::string> Script(const std::string& sql,
                                     const std::function<absl::Status(const Row&)>& row = {})
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    if (auto s = Usable(); !s.ok()) return s;
    PGresult* result = PQexec(conn_, sql.c_str());
    const ExecStatusType state = PQresultStatus(result);
    absl::Status status;
    if (state != PGRES_COMMAND_OK && state != PGRES_TUPLES_OK) status = Failed(result);
    for (int r = 0; status.ok() && row && r < PQntuples(result); ++r) {
      status = row(Columns(result, r));
    }
    std::string tag = PQcmdStatus(result);
    PQclear(result);
    if (!status.ok()) return status;
    return tag;
  }

 private:
  absl::Status Usable() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
      return absl::UnavailableError("lost the connection to PostgreSQL");
    }
    return absl::OkStatus();
  }
  static Row Columns(const PGresult* result, int r) {
    Row columns;
    for (int c = 0; c < PQnfields(result); ++c) {
      columns.emplace_back(PQgetvalue(result, r, c), PQgetlength(result, r, c));
    }
    return columns;
  }
  absl::Status Failed(const PGresult* result) {
    // The primary message and its code only: the full message's DETAIL
    // quotes the stored values in the way ("Key (pair)=(\x...)"), which can
    // name who talks to whom, and must reach neither a log nor a caller.
    // Without a result's own message the connection's says what happened.
    const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
    const char* sqlstate = PQresultErrorField(result, PG_DIAG_SQLSTATE);
    const std::string why =
        absl::StrCat("PostgreSQL: ", primary != nullptr ? primary : PQerrorMessage(conn_),
                     sqlstate != nullptr ? absl::StrCat(" (SQLSTATE ", sqlstate, ")") : "");
    // A server lost, or shutting down or failing over (SQLSTATE classes 08
    // and 57, which arrive before the connection is seen to close), is
    // worth retrying elsewhere or later; anything else is ours.
    const std::string_view error_class = sqlstate == nullptr ? "" : std::string_view(sqlstate).substr(0, 2);
    if (PQstatus(conn_) != CONNECTION_OK || error_class == "08" || error_class == "57") {
      return absl::UnavailableError(why);
    }
    return absl::InternalError(why);
  }

  const std::string conninfo_;
  PGconn* conn_ ABSL_GUARDED_BY(mu) = nullptr;
};

PgStore::PgStore(const std::string& conninfo)
    : shared_(std::make_unique<Connection>(conninfo)),
      writer_(std::make_unique<Connection>(conninfo)),
      listener_(std::make_unique<Connection>(conninfo)),
      sync_channel_(absl::StrCat("kith_sync_", crypto::ToHex(crypto::RandomBytes(8)))) {}

absl::StatusOr<std::unique_ptr<PgStore>> PgStore::Open(const std::string& conninfo) {
  std::unique_ptr<PgStore> store(new PgStore(conninfo));
  {
    absl::MutexLock lock(&store->shared_->mu);
    auto pid = store->shared_->Open();
    if (!pid.ok()) return pid.status();
    store->shared_pid_ = *pid;
    if (auto s = store->shared_->Script(kSchema); !s.ok()) return s.status();
  }
  {
    // Listening starts before the caller reads anything, so no change made
    // meanwhile goes unheard.
    absl::MutexLock lock(&store->listener_->mu);
    if (auto pid = store->listener_->Open(); !pid.ok()) return pid.status();
    auto s = store->listener_->Script(store->ListenStatement());
    if (!s.ok()) return s.status();
  }
  store->listen_thread_ = std::thread([s = store.get()] { s->Listen(); });
  return store;
}

PgStore::~PgStore() {
  stopping_ = true;
  if (listen_thread_.joinable()) listen_thread_.join();
}

absl::Status PgStore::Exec(const std::string& sql, const std::vector<std::string>& params,
                           const std::function<absl::Status(const Row&)>& row) const {
  absl::MutexLock lock(&shared_->mu);
  auto pid = shared_->Open();
  if (!pid.ok()) return pid.status();
  shared_pid_ = *pid;
  return shared_->Exec(sql, params, row);
}

absl::StatusOr<std::map<std::string, uint64_t>> PgStore::LockHeads(
    const std::set<std::string>& group_ids, const std::set<std::string>& creating) {
  std::map<std::string, uint64_t> heads;
  if (group_ids.empty()) return heads;
  absl::MutexLock lock(&writer_->mu);
  if (writer_->in_transaction()) (void)writer_->Script("ROLLBACK");
  claims_.clear();
  auto pid = writer_->Open();
  if (!pid.ok()) return pid.status();
  writer_pid_ = *pid;
  std::vector<std::string> ids, new_rows;
  for (const std::string& id : group_ids) ids.push_back(ByteaLiteral(id));
  for (const std::string& id : creating) new_rows.push_back(absl::StrCat("(", ByteaLiteral(id), ", 0)"));
  // A new group's head row is made first so that it can be locked. If its
  // creation is refused, the row is rolled back, or, when the rest of the
  // batch commits, stays with head 0, which readers take for no group.
  std::string sql = "BEGIN; ";
  if (!new_rows.empty()) {
    absl::StrAppend(&sql, "INSERT INTO kith_heads (group_id, head) VALUES ",
                    absl::StrJoin(new_rows, ", "), " ON CONFLICT (group_id) DO NOTHING; ");
  }
  // Rows are locked in one order on every node, so two nodes never deadlock.
  absl::StrAppend(&sql, "SELECT encode(group_id, 'hex'), head FROM kith_heads WHERE group_id IN (",
                  absl::StrJoin(ids, ", "), ") ORDER BY group_id FOR UPDATE");
  auto done = writer_->Script(sql, [&heads](const Row& row) {
    auto id = crypto::FromHex(row[0]);
    uint64_t head = 0;
    if (!id.ok() || std::from_chars(row[1].data(), row[1].data() + row[1].size(), head).ec != std::errc()) {
      return absl::DataLossError("a stored group head does not parse");
    }
    heads[*std::move(id)] = head;
    return absl::OkStatus();
  });
  if (!done.ok()) {
    if (writer_->in_transaction()) (void)writer_->Script("ROLLBACK");
    return done.status();
  }
  return heads;
}

absl::StatusOr<std::map<std::string, std::string>> PgStore::ClaimPairs(
    const std::map<std::string, std::string>& claims) {
  absl::MutexLock lock(&writer_->mu);
  if (!writer_->in_transaction()) {
    return absl::FailedPreconditionError("pairs are claimed only under LockHeads");
  }
  std::map<std::string, std::string> held;
  absl::Status s;
  // A writer claiming a pair another holds waits here until that one
  // commits, and then finds its row. The lock is named by the pair's first
  // 8 bytes (a user id's, which is a hash); every writer takes its locks in
  // the order of the pairs, so none waits on another in a circle.
  for (auto it = claims.begin(); s.ok() && it != claims.end(); ++it) {
    const std::string& pair = it->first;
    if (pair.size() < 8) {
      s = absl::InvalidArgumentError("a pair of user ids is too short");
      break;
    }
    s = writer_->Exec("SELECT pg_advisory_xact_lock($1)", {pair.substr(0, 8)}, {});
    if (!s.ok()) break;
    s = writer_->Exec("SELECT group_id FROM kith_direct_pairs WHERE pair = $1", {pair},
                      [&](const Row& row) {
                        if (row[0] != it->second) held[pair] = row[0];
                        return absl::OkStatus();
                      });
  }
  if (!s.ok()) {
    (void)writer_->Script("ROLLBACK");
    claims_.clear();
    return s;
  }
  for (const auto& [pair, group_id] : claims) {
    if (!held.contains(pair)) claims_[group_id] = pair;
  }
  return held;
}

absl::Status PgStore::Append(absl::Span<const v1::Event* const> events) {
  absl::MutexLock lock(&writer_->mu);
  const bool locked = writer_->in_transaction();
  // Claims not recorded below are let go with the transaction.
  std::map<std::string, std::string> claims;
  claims.swap(claims_);
  if (events.empty()) {
    // Nothing accepted: undo any head row made for a refused creation.
    if (locked) return writer_->Script("ROLLBACK").status();
    return absl::OkStatus();
  }
  if (!locked) {
    auto pid = writer_->Open();
    if (!pid.ok()) return pid.status();
    writer_pid_ = *pid;
  }
  // One statement: the events, the new heads and the news for other nodes.
  std::vector<std::string> params;
  std::vector<std::string> rows;
  std::map<std::string, uint64_t> heads;
  for (const v1::Event* e : events) {
    const size_t n = params.size();
    rows.push_back(absl::StrCat("($", n + 1, ", $", n + 2, ", $", n + 3, ")"));
    params.push_back(e->group_id());
    params.push_back(Int8(e->seq()));
    params.push_back(e->SerializeAsString());
    uint64_t& head = heads[e->group_id()];
    head = std::max(head, e->seq());
  }
  std::string sql = absl::StrCat("WITH e AS (INSERT INTO kith_events (group_id, seq, event) VALUES ",
                                 absl::StrJoin(rows, ", "), "), h AS (INSERT INTO kith_heads (group_id, head) VALUES ");
  std::vector<std::string> payloads(1);
  for (auto it = heads.begin(); it != heads.end(); ++it) {
    const size_t n = params.size();
    absl::StrAppend(&sql, it == heads.begin() ? "" : ", ", "($", n + 1, ", $", n + 2, ")");
    params.push_back(it->first);
    params.push_back(Int8(it->second));
    std::string news = absl::StrCat(crypto::ToHex(it->first), " ", it->second);
    if (payloads.back().size() + news.size() + 1 > kMaxPayload) payloads.emplace_back();
    absl::StrAppend(&payloads.back(), payloads.back().empty() ? "" : ",", news);
  }
  absl::StrAppend(&sql, " ON CONFLICT (group_id) DO UPDATE SET head = EXCLUDED.head) SELECT ");
  for (size_t i = 0; i < payloads.size(); ++i) {
    absl::StrAppend(&sql, i == 0 ? "" : ", ", "pg_notify('", kAppended, "', $", params.size() + 1, ")");
    params.push_back(payloads[i]);
  }
  // The pairs of the direct conversations this batch creates.
  std::vector<std::string> pair_params, pair_rows;
  for (const v1::Event* e : events) {
    auto claim = claims.find(e->group_id());
    if (e->seq() != 1 || claim == claims.end()) continue;
    pair_rows.push_back(absl::StrCat("($", pair_params.size() + 1, ", $", pair_params.size() + 2, ")"));
    pair_params.push_back(claim->second);
    pair_params.push_back(e->group_id());
  }
  absl::Status stored;
  if (!pair_rows.empty()) {
    stored = writer_->Exec(absl::StrCat("INSERT INTO kith_direct_pairs (pair, group_id) VALUES ",
                                        absl::StrJoin(pair_rows, ", ")),
                           pair_params, {});
  }
  if (stored.ok()) stored = writer_->Exec(sql, params, {});
  if (!locked) return stored;
  if (!stored.ok()) {
    (void)writer_->Script("ROLLBACK");
    return stored;
  }
  auto tag = writer_->Script("COMMIT");
  if (!tag.ok()) return tag.status();
  if (*tag != "COMMIT") return absl::InternalError("PostgreSQL rolled the append back");
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> PgStore::SharedHead(const std::string& group_id) const {
  uint64_t head = 0;
  auto s = Exec("SELECT head FROM kith_heads WHERE group_id = $1", {group_id}, [&head](const Row& row) {
    if (row[0].size() != 8) return absl::DataLossError("a stored group head does not parse");
    head = ReadU64(row[0]);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return head;
}

absl::Status PgStore::ReadAt(absl::Span<const std::pair<std::string, uint64_t>> places,
                              std::vector<v1::Event>* out) const {
  constexpr size_t kPlacesPerQuery = 1000;
  for (size_t first = 0; first < places.size(); first += kPlacesPerQuery) {
    std::vector<std::string> rows;
    for (const auto& [group_id, seq] : places.subspan(first, kPlacesPerQuery)) {
      rows.push_back(absl::StrCat("(", ByteaLiteral(group_id), ", ", seq, ")"));
    }
    auto s = Exec(absl::StrCat("SELECT event FROM kith_events WHERE (group_id, seq) IN (",
                               absl::StrJoin(rows, ", "), ")"),
                  {}, [out](const Row& row) { return ParseInto(row[0], "event", &out->emplace_back()); });
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::pair<std::string, uint64_t>>> PgStore::SharedHeads() const {
  std::vector<std::pair<std::string, uint64_t>> heads;
  auto s = Exec("SELECT group_id, head FROM kith_heads WHERE head > 0", {}, [&heads](const Row& row) {
    if (row[1].size() != 8) return absl::DataLossError("a stored group head does not parse");
    heads.emplace_back(row[0], ReadU64(row[1]));
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return heads;
}

absl::Status PgStore::ReadRange(const std::string& group_id, uint64_t from_seq, uint32_t limit,
                                std::vector<v1::Event>* out) const {
  return Exec(
      "SELECT event FROM kith_events WHERE group_id = $1 AND seq >= $2 ORDER BY seq LIMIT $3",
      {group_id, Int8(from_seq), Int8(limit)}, [out](const Row& row) {
        return ParseInto(row[0], "event", &out->emplace_back());
      });
}

absl::Status PgStore::ForEach(const std::function<absl::Status(const v1::Event&)>& fn) const {
  v1::Event event;
  return Exec("SELECT event FROM kith_events ORDER BY group_id, seq", {}, [&](const Row& row) {
    if (auto s = ParseInto(row[0], "event", &event); !s.ok()) return s;
    return fn(event);
  });
}

absl::Status PgStore::Put(RecordKind kind, const char* table, const char* key_column,
                          const char* value_column, const std::string& key,
                          const std::string& value) {
  return Exec(absl::StrCat("WITH p AS (INSERT INTO ", table, " (", key_column, ", ", value_column,
                           ") VALUES ($1, $2) ON CONFLICT (", key_column, ") DO UPDATE SET ",
                           value_column, " = EXCLUDED.", value_column, ") SELECT pg_notify('",
                           kChanged, "', $3)"),
              {key, value, absl::StrCat(std::string(1, static_cast<char>(kind)), " ", crypto::ToHex(key))});
}

absl::Status PgStore::Delete(RecordKind kind, const char* table, const char* key_column,
                             const std::string& key) {
  return Exec(absl::StrCat("WITH d AS (DELETE FROM ", table, " WHERE ", key_column,
                           " = $1) SELECT pg_notify('", kChanged, "', $2)"),
              {key, absl::StrCat(std::string(1, static_cast<char>(kind)), " ", crypto::ToHex(key))});
}

absl::StatusOr<std::optional<std::string>> PgStore::Get(const char* table, const char* key_column,
                                                        const char* value_column,
                                                        const std::string& key) const {
  std::optional<std::string> value;
  auto s = Exec(absl::StrCat("SELECT ", value_column, " FROM ", table, " WHERE ", key_column, " = $1"),
                {key}, [&value](const Row& row) {
                  value = row[0];
                  return absl::OkStatus();
                });
  if (!s.ok()) return s;
  return value;
}

absl::Status PgStore::Scan(
    const char* table, const char* key_column, const char* value_column,
    const std::function<absl::Status(const std::string&, const std::string&)>& fn) const {
  return Exec(absl::StrCat("SELECT ", key_column, ", ", value_column, " FROM ", table), {},
              [&fn](const Row& row) { return fn(row[0], row[1]); });
}

void PgStore::Watch(StoreWatcher* watcher) {
  absl::MutexLock lock(&watch_mu_);
  watcher_ = watcher;
  for (const auto& [channel, payload] : early_) Tell(channel, payload);
  early_.clear();
}

absl::Status PgStore::HearAllCommitted(absl::Time deadline) const {
  static constexpr char kNotHeard[] =
      "this node has not yet heard every change made through the others; retry";
  absl::MutexLock lock(&sync_mu_);
  // Any mark asked from now on is committed after every change the caller
  // could have seen acknowledged. Callers share marks: one is sent at a
  // time, and it serves everyone who arrived before it was asked, so a
  // burst of reads (or of unauthenticated duress triggers) costs the
  // database one notification per round trip, not one per call.
  const uint64_t mine = syncs_asked_ + 1;
  auto heard = [this, mine]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(sync_mu_) {
    return syncs_heard_ >= mine;
  };
  auto my_turn = [this, mine]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(sync_mu_) {
    return syncs_heard_ >= mine || syncs_asked_ >= mine || !sending_;
  };
  if (!sync_mu_.AwaitWithDeadline(absl::Condition(&my_turn), deadline)) {
    return absl::UnavailableError(kNotHeard);
  }
  if (syncs_asked_ < mine) {  // nobody has asked for a mark since this call began
    sending_ = true;
    const uint64_t mark = ++syncs_asked_;
    sync_mu_.Unlock();
    auto sent = Exec("SELECT pg_notify($1, $2)", {sync_channel_, absl::StrCat(mark)});
    sync_mu_.Lock();
    sending_ = false;
    if (!sent.ok()) return absl::UnavailableError("the cluster's store cannot be reached; retry");
  }
  if (!sync_mu_.AwaitWithDeadline(absl::Condition(&heard), deadline)) {
    return absl::UnavailableError(kNotHeard);
  }
  return absl::OkStatus();
}

void PgStore::Listen() {
  pthread_setname_np(pthread_self(), "kith-pg-listen");
  bool listening = true;  // Open() began listening
  while (!stopping_) {
    std::vector<Notification> heard;
    listening = listening ? Hear(&heard) : Relisten(&heard);
    if (!listening && heard.empty()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(kReconnectDelayMs));
    }
    for (const auto& [channel, payload] : heard) Deliver(channel, payload);
  }
}

bool PgStore::Hear(std::vector<Notification>* heard) {
  absl::MutexLock lock(&listener_->mu);
  PGconn* conn = listener_->conn();
  pollfd pfd{PQsocket(conn), POLLIN, 0};
  if (poll(&pfd, 1, kListenPollMs) > 0 && !PQconsumeInput(conn)) {
    fprintf(stderr, "kithd: lost PostgreSQL notifications (%s); reconnecting\n",
            PQerrorMessage(conn));
    listener_->Close();
    return false;
  }
  while (PGnotify* n = PQnotifies(conn)) {
    // This node's own changes are not news, but its marks are.
    if (n->relname == sync_channel_ || (n->be_pid != shared_pid_ && n->be_pid != writer_pid_)) {
      heard->emplace_back(n->relname, n->extra);
    }
    PQfreemem(n);
  }
  return true;
}

bool PgStore::Relisten(std::vector<Notification>* heard) {
  absl::MutexLock lock(&listener_->mu);
  auto pid = listener_->Open();
  absl::Status s = pid.status();
  if (s.ok()) s = listener_->Script(ListenStatement()).status();
  // Whatever was announced meanwhile went unheard, so every group's head
  // is news, and so is every record; every mark asked for so far is
  // passed once they are heard.
  uint64_t asked;
  {
    absl::MutexLock lock(&sync_mu_);
    asked = syncs_asked_;
  }
  if (s.ok()) {
    s = listener_->Script("SELECT encode(group_id, 'hex') || ' ' || head FROM kith_heads WHERE head > 0",
                          [heard](const Row& row) {
                            heard->emplace_back(kAppended, row[0]);
                            return absl::OkStatus();
                          }).status();
  }
  if (!s.ok()) {
    listener_->Close();
    return false;
  }
  heard->emplace_back(kMissed, "");
  heard->emplace_back(sync_channel_, absl::StrCat(asked));
  return true;
}

std::string PgStore::ListenStatement() const {
  return absl::StrCat("LISTEN ", kAppended, "; LISTEN ", kChanged, "; LISTEN ", sync_channel_);
}

void PgStore::Deliver(const std::string& channel, const std::string& payload) {
  if (channel == sync_channel_) {
    uint64_t mark = 0;
    std::from_chars(payload.data(), payload.data() + payload.size(), mark);
    absl::MutexLock lock(&sync_mu_);
    syncs_heard_ = std::max(syncs_heard_, mark);
    return;
  }
  absl::MutexLock lock(&watch_mu_);
  if (watcher_ == nullptr) {
    early_.emplace_back(channel, payload);
  } else {
    Tell(channel, payload);
  }
}

void PgStore::Tell(const std::string& channel, const std::string& payload) {
  if (channel == kAppended) {
    for (absl::string_view news : absl::StrSplit(payload, ',')) {
      std::pair<absl::string_view, absl::string_view> parts = absl::StrSplit(news, ' ');
      auto group_id = crypto::FromHex(std::string_view(parts.first.data(), parts.first.size()));
      uint64_t seq = 0;
      if (group_id.ok() &&
          std::from_chars(parts.second.data(), parts.second.data() + parts.second.size(), seq).ec == std::errc()) {
        watcher_->OnAppended(*group_id, seq);
      }
    }
  } else if (channel == kMissed) {
    watcher_->OnMissed();
  } else if (payload.size() > 2) {
    auto key = crypto::FromHex(std::string_view(payload).substr(2));
    if (key.ok()) watcher_->OnChanged(static_cast<RecordKind>(payload[0]), *key);
  }
}

absl::Status PgStore::PutAccount(const std::string& user_id, const v1::IdentityBundle& bundle) {
  return Put(RecordKind::kAccount, "kith_accounts", "user_id", "bundle", user_id,
             bundle.SerializeAsString());
}

absl::StatusOr<std::optional<v1::IdentityBundle>> PgStore::GetAccount(
    const std::string& user_id) const {
  return GetProto<v1::IdentityBundle>(Get("kith_accounts", "user_id", "bundle", user_id), "account");
}

absl::Status PgStore::ForEachAccount(
    const std::function<void(const std::string&, const v1::IdentityBundle&)>& fn) const {
  return Scan("kith_accounts", "user_id", "bundle", Parsed("account", fn));
}

// Sessions are not announced: a node that has not seen one reads it here
// (GetSession), and none is removed before it expires.
absl::Status PgStore::PutSession(const std::string& token_hash, const SessionRecord& s) {
  return Exec(
      "INSERT INTO kith_sessions (token_hash, user_id, expires_at_ms) VALUES ($1, $2, $3) "
      "ON CONFLICT (token_hash) DO UPDATE SET user_id = EXCLUDED.user_id, "
      "expires_at_ms = EXCLUDED.expires_at_ms",
      {token_hash, s.user_id, Int8(static_cast<uint64_t>(s.expires_at_ms))});
}

absl::Status PgStore::DeleteSession(const std::string& token_hash) {
  return Exec("DELETE FROM kith_sessions WHERE token_hash = $1", {token_hash});
}

absl::StatusOr<std::optional<SessionRecord>> PgStore::GetSession(
    const std::string& token_hash) const {
  std::optional<SessionRecord> session;
  auto s = Exec("SELECT user_id, expires_at_ms FROM kith_sessions WHERE token_hash = $1",
                {token_hash}, [&session](const Row& row) {
                  if (row[1].size() != 8) return absl::DataLossError("a stored session does not parse");
                  session = SessionRecord{row[0], static_cast<int64_t>(ReadU64(row[1]))};
                  return absl::OkStatus();
                });
  if (!s.ok()) return s;
  return session;
}

absl::Status PgStore::ForEachSession(
    const std::function<void(const std::string&, const SessionRecord&)>& fn) const {
  return Exec("SELECT token_hash, user_id, expires_at_ms FROM kith_sessions", {},
              [&fn](const Row& row) {
                if (row[2].size() != 8) return absl::DataLossError("a stored session does not parse");
                fn(row[0], SessionRecord{row[1], static_cast<int64_t>(ReadU64(row[2]))});
                return absl::OkStatus();
              });
}

absl::Status PgStore::PutCheckin(const v1::CheckinRequest& checkin) {
  return Put(RecordKind::kCheckin, "kith_checkins", "group_id", "checkin", checkin.group_id(),
             checkin.SerializeAsString());
}

absl::Status PgStore::DeleteCheckin(const std::string& group_id) {
  return Delete(RecordKind::kCheckin, "kith_checkins", "group_id", group_id);
}

absl::StatusOr<std::optional<v1::CheckinRequest>> PgStore::GetCheckin(
    const std::string& group_id) const {
  return GetProto<v1::CheckinRequest>(Get("kith_checkins", "group_id", "checkin", group_id),
                                      "check-in");
}

absl::Status PgStore::ForEachCheckin(
    const std::function<void(const v1::CheckinRequest&)>& fn) const {
  return Scan("kith_checkins", "group_id", "checkin",
              Parsed<v1::CheckinRequest>(
                  "check-in", [&fn](const std::string&, const v1::CheckinRequest& c) { fn(c); }));
}

absl::Status PgStore::PutDuress(const v1::DuressAlarm& alarm) {
  return Put(RecordKind::kDuress, "kith_duress", "group_id", "alarm", alarm.group_id(),
             alarm.SerializeAsString());
}

absl::Status PgStore::DeleteDuress(const std::string& group_id) {
  return Delete(RecordKind::kDuress, "kith_duress", "group_id", group_id);
}

absl::StatusOr<std::optional<v1::DuressAlarm>> PgStore::GetDuress(
    const std::string& group_id) const {
  return GetProto<v1::DuressAlarm>(Get("kith_duress", "group_id", "alarm", group_id),
                                   "duress alarm");
}

absl::Status PgStore::ForEachDuress(const std::function<void(const v1::DuressAlarm&)>& fn) const {
  return Scan("kith_duress", "group_id", "alarm",
              Parsed<v1::DuressAlarm>(
                  "duress alarm", [&fn](const std::string&, const v1::DuressAlarm& a) { fn(a); }));
}

absl::Status PgStore::PutBoundaries(const std::string& user_id, const v1::Boundaries& boundaries) {
  return Put(RecordKind::kBoundaries, "kith_boundaries", "user_id", "boundaries", user_id,
             boundaries.SerializeAsString());
}

absl::StatusOr<std::optional<v1::Boundaries>> PgStore::GetBoundaries(
    const std::string& user_id) const {
  return GetProto<v1::Boundaries>(Get("kith_boundaries", "user_id", "boundaries", user_id),
                                  "boundary setting");
}

absl::Status PgStore::ForEachBoundaries(
    const std::function<void(const std::string&, const v1::Boundaries&)>& fn) const {
  return Scan("kith_boundaries", "user_id", "boundaries", Parsed("boundary setting", fn));
}

}  // namespace kith::server
