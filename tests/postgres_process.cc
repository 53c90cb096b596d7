#include "postgres_process.h"

#include <libpq-fe.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"

namespace kith::testing {
namespace {

constexpr char kBin[] = "/usr/lib/postgresql/15/bin";

}  // namespace

PostgresProcess::~PostgresProcess() {
  if (running_) (void)Stop();
}

absl::Status PostgresProcess::Shell(const std::string& command) const {
  const std::string as_owner =
      geteuid() == 0 ? absl::StrCat("runuser -u postgres -- sh -c '", command, "'") : command;
  const int rc = std::system(as_owner.c_str());
  if (rc != 0) {
    return absl::InternalError(absl::StrCat("'", command, "' failed (", rc, "); see ", root_,
                                            "/postgres.log"));
  }
  return absl::OkStatus();
}

absl::Status PostgresProcess::MakeDataDir() {
  std::filesystem::create_directories(data_dir());
  if (geteuid() == 0) {
    // The cluster's owner must reach it through the test's directory (and
    // the one above, where a test keeps several servers).
    chmod(root_.c_str(), 0711);
    chmod(std::filesystem::path(root_).parent_path().c_str(), 0711);
    if (std::system(absl::StrCat("chown postgres: ", data_dir(), " && chmod 700 ", data_dir(),
                                 " && touch ", root_, "/postgres.log && chown postgres: ", root_,
                                 "/postgres.log")
                        .c_str()) != 0) {
      return absl::InternalError("cannot hand the cluster directory to the postgres user");
    }
  }
  return absl::OkStatus();
}

absl::Status PostgresProcess::Start() {
  if (!std::filesystem::exists(data_dir() + "/PG_VERSION")) {
    if (auto s = MakeDataDir(); !s.ok()) return s;
    if (auto s = Shell(absl::StrCat(kBin, "/initdb -D ", data_dir(),
                                    " -U kith --auth=trust -E UTF8 >> ", root_, "/postgres.log 2>&1"));
        !s.ok()) {
      return s;
    }
  }
  return Launch();
}

absl::Status PostgresProcess::StartStandbyOf(const PostgresProcess& primary) {
  if (!std::filesystem::exists(data_dir() + "/PG_VERSION")) {
    if (auto s = MakeDataDir(); !s.ok()) return s;
    // -R writes standby.signal and the primary's address: it starts as a standby.
    if (auto s = Shell(absl::StrCat(kBin, "/pg_basebackup -h 127.0.0.1 -p ", primary.port_,
                                    " -U kith -D ", data_dir(), " -R -X stream -c fast >> ",
                                    root_, "/postgres.log 2>&1"));
        !s.ok()) {
      return s;
    }
  }
  return Launch();
}

absl::Status PostgresProcess::Launch() {
  // A port below the ephemeral range; parallel tests may collide: try another.
  std::mt19937 rng(std::random_device{}() ^ static_cast<unsigned>(getpid()));
  absl::Status last;
  for (int attempt = 0; attempt < 10; ++attempt) {
    const int port = port_ != 0 ? port_ : std::uniform_int_distribution<int>(20000, 32000)(rng);
    last = Shell(absl::StrCat(kBin, "/pg_ctl -D ", data_dir(), " -l ", root_,
                              "/postgres.log -w -t 60 -o \"-p ", port, " -k ", data_dir(),
                              " -c listen_addresses=127.0.0.1\" start > /dev/null"));
    if (last.ok()) {
      port_ = port;
      running_ = true;
      return last;
    }
  }
  return last;
}

absl::Status PostgresProcess::RequireSynchronousStandby() {
  for (const char* sql : {"ALTER SYSTEM SET synchronous_standby_names = '*'", "SELECT pg_reload_conf()"}) {
    if (auto r = Query(sql); !r.ok()) return r.status();
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    auto state = Query("SELECT sync_state FROM pg_stat_replication");
    if (!state.ok()) return state.status();
    if (*state == "sync") return absl::OkStatus();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return absl::DeadlineExceededError("no standby became synchronous within 30 s");
}

absl::StatusOr<std::string> PostgresProcess::Query(const std::string& sql) const {
  return QueryPostgres(conninfo(), sql);
}

absl::StatusOr<std::string> QueryPostgres(const std::string& conninfo, const std::string& sql) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  absl::StatusOr<std::string> out;
  if (PQstatus(conn) != CONNECTION_OK) {
    out = absl::UnavailableError(PQerrorMessage(conn));
  } else {
    PGresult* result = PQexec(conn, sql.c_str());
    const ExecStatusType state = PQresultStatus(result);
    if (state != PGRES_TUPLES_OK && state != PGRES_COMMAND_OK) {
      out = absl::InternalError(absl::StrCat(sql, ": ", PQresultErrorMessage(result)));
    } else {
      out = PQntuples(result) > 0 ? std::string(PQgetvalue(result, 0, 0)) : std::string();
    }
    PQclear(result);
  }
  PQfinish(conn);
  return out;
}

absl::Status PostgresProcess::Stop() {
  running_ = false;
  return Shell(absl::StrCat(kBin, "/pg_ctl -D ", data_dir(), " -m fast -w stop > /dev/null"));
}

std::string PostgresProcess::conninfo() const {
  return absl::StrCat("host=127.0.0.1 port=", port_, " user=kith dbname=postgres");
}

}  // namespace kith::testing
