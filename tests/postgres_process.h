// Runs a real PostgreSQL 15 server for a test: a fresh cluster (initdb) in
// a temporary directory, listening on 127.0.0.1 at a free port, the test's
// role trusted. As root it runs as the 'postgres' system user, since
// PostgreSQL refuses to run as root. It can also be another one's
// streaming standby, and its primary can wait for it on every commit.
#ifndef KITH_TESTS_POSTGRES_PROCESS_H_
#define KITH_TESTS_POSTGRES_PROCESS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace kith::testing {

// Runs `sql` on the server `conninfo` names; the first column of its first
// row as text, "" if none.
absl::StatusOr<std::string> QueryPostgres(const std::string& conninfo, const std::string& sql);

class PostgresProcess {
 public:
  // `root` (an existing directory) holds the cluster and its log.
  explicit PostgresProcess(std::string root) : root_(std::move(root)) {}
  ~PostgresProcess();  // stops a running server

  // initdb on first start; then starts and waits until it accepts connections.
  absl::Status Start();
  // Instead of initdb on first start, a base backup of `primary` (running),
  // which this server then follows as a streaming standby.
  absl::Status StartStandbyOf(const PostgresProcess& primary);
  // From now on every commit waits until a standby has it on disk;
  // returns once one does so (synchronous_standby_names = '*').
  absl::Status RequireSynchronousStandby();
  // Runs `sql`; the first column of its first row as text, "" if none.
  absl::StatusOr<std::string> Query(const std::string& sql) const;
  // Fast shutdown: clients are disconnected, committed data stays.
  absl::Status Stop();
  // libpq connection string for the running server.
  std::string conninfo() const;

 private:
  // Runs `command` through the shell, as the cluster's owner.
  absl::Status Shell(const std::string& command) const;
  std::string data_dir() const { return root_ + "/pg"; }
  // Makes the (empty) cluster directory and hands it to the cluster's owner.
  absl::Status MakeDataDir();
  // Starts the server on a free port.
  absl::Status Launch();

  std::string root_;
  int port_ = 0;
  bool running_ = false;
};

}  // namespace kith::testing

#endif  // KITH_TESTS_POSTGRES_PROCESS_H_
