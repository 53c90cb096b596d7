// PostgreSQL made highly available the way cluster mode is deployed: etcd
// and two Patroni-managed PostgreSQL 15 instances in synchronous mode, all
// started for a test in a temporary directory on free loopback ports.
// Killing the primary (Patroni and PostgreSQL both, SIGKILL) makes Patroni
// promote the synchronous standby once the leader key expires.
#ifndef KITH_TESTS_PATRONI_CLUSTER_H_
#define KITH_TESTS_PATRONI_CLUSTER_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace kith::testing {

class PatroniCluster {
 public:
  // Seconds a leader's key lives in etcd without renewal: about how long a
  // dead primary goes unnoticed.
  static constexpr int kLeaderTtlSeconds = 10;

  // `root` (an existing directory) holds everything, logs included.
  explicit PatroniCluster(std::string root) : root_(std::move(root)) {}
  ~PatroniCluster();  // kills everything it started

  // Starts etcd and two Patroni nodes; returns once one is primary and the
  // other its synchronous standby.
  absl::Status Start();
  // A libpq connection string naming both nodes, which connects to
  // whichever is primary (target_session_attrs=read-write).
  std::string conninfo() const;
  // The node that is primary now, or an error if none is.
  absl::StatusOr<int> Primary() const;
  // SIGKILL to node `i`'s Patroni and PostgreSQL, as if its machine died.
  absl::Status Kill(int i);
  // Waits up to `seconds` until a node other than `old_primary` is primary.
  absl::StatusOr<int> AwaitPromotion(int old_primary, int seconds) const;
  // Runs `sql` on node `i`; the first column of the first row, as text.
  absl::StatusOr<std::string> Query(int i, const std::string& sql) const;

 private:
  struct Node {
    int pg_port = 0;
    int api_port = 0;
    pid_t patroni = -1;
  };
  std::string node_dir(int i) const;
  // Starts `argv` as the postgres user (as root) with its output in `log`.
  absl::StatusOr<pid_t> Spawn(const std::vector<std::string>& argv, const std::string& log) const;

  std::string root_;
  int etcd_client_port_ = 0;
  pid_t etcd_ = -1;
  std::vector<Node> nodes_;
};

}  // namespace kith::testing

#endif  // KITH_TESTS_PATRONI_CLUSTER_H_
