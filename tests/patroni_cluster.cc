#include "patroni_cluster.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "kithd_process.h"
#include "postgres_process.h"

namespace kith::testing {
namespace {

constexpr char kPgBin[] = "/usr/lib/postgresql/15/bin";

// A loopback port nothing listens on right now.
int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

void KillAndReap(pid_t& pid) {
  if (pid <= 0) return;
  ::kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  pid = -1;
}

// The postmaster's process id, from its lock file ("" if not running).
pid_t PostmasterPid(const std::string& data_dir) {
  std::ifstream in(data_dir + "/postmaster.pid");
  pid_t pid = -1;
  in >> pid;
  return in ? pid : -1;
}

}  // namespace

PatroniCluster::~PatroniCluster() {
  for (size_t i = 0; i < nodes_.size(); ++i) (void)Kill(static_cast<int>(i));
  KillAndReap(etcd_);
}

std::string PatroniCluster::node_dir(int i) const { return absl::StrCat(root_, "/node", i); }

absl::StatusOr<pid_t> PatroniCluster::Spawn(const std::vector<std::string>& argv,
                                            const std::string& log) const {
  const passwd* postgres = geteuid() == 0 ? getpwnam("postgres") : nullptr;
  const pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    setsid();  // a kill of the test's process group does not reach it
    if (postgres != nullptr) {
      (void)!fchown(fd, postgres->pw_uid, postgres->pw_gid);
      if (setgid(postgres->pw_gid) != 0 || setuid(postgres->pw_uid) != 0) _exit(126);
      setenv("HOME", root_.c_str(), 1);
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  return pid;
}

absl::Status PatroniCluster::Start() {
  if (geteuid() == 0) {
    chmod(root_.c_str(), 0777);
    chmod(std::filesystem::path(root_).parent_path().c_str(), 0711);
  }
  const int etcd_peer_port = FreePort();
  etcd_client_port_ = FreePort();
  const std::string peer = absl::StrCat("http://127.0.0.1:", etcd_peer_port);
  const std::string client = absl::StrCat("http://127.0.0.1:", etcd_client_port_);
  auto etcd = Spawn({"etcd", "--name", "kith", "--data-dir", root_ + "/etcd", "--listen-peer-urls",
                     peer, "--initial-advertise-peer-urls", peer, "--initial-cluster",
                     "kith=" + peer, "--listen-client-urls", client, "--advertise-client-urls",
                     client},
                    root_ + "/etcd.log");
  if (!etcd.ok()) return etcd.status();
  etcd_ = *etcd;

  for (int i = 0; i < 2; ++i) {
    Node node{FreePort(), FreePort(), -1};
    const std::string dir = node_dir(i);
    const std::string config = absl::StrCat(root_, "/patroni", i, ".yml");
    std::ofstream(config) << absl::StrCat(R"(scope: kith
name: node)", i, R"(
restapi:
  listen: 127.0.0.1:)", node.api_port, R"(
  connect_address: 127.0.0.1:)", node.api_port, R"(
etcd3:
  hosts: 127.0.0.1:)", etcd_client_port_, R"(
bootstrap:
  dcs:
    ttl: )", kLeaderTtlSeconds, R"(
    loop_wait: 1
    retry_timeout: 3
    synchronous_mode: true
    postgresql:
      use_pg_rewind: false
      parameters:
        wal_level: replica
        hot_standby: "on"
        max_wal_senders: 5
        max_replication_slots: 5
  initdb:
    - encoding: UTF8
    - auth: trust
  pg_hba:
    - local all all trust
    - host replication all 127.0.0.1/32 trust
    - host all all 127.0.0.1/32 trust
postgresql:
  listen: 127.0.0.1:)", node.pg_port, R"(
  connect_address: 127.0.0.1:)", node.pg_port, R"(
  data_dir: )", dir, R"(
  bin_dir: )", kPgBin, R"(
  pgpass: )", root_, "/pgpass", i, R"(
  authentication:
    superuser:
      username: kith
    replication:
      username: kith
  parameters:
    unix_socket_directories: ')", root_, R"('
)");
    auto pid = Spawn({"patroni", config}, absl::StrCat(root_, "/patroni", i, ".log"));
    if (!pid.ok()) return pid.status();
    node.patroni = *pid;
    nodes_.push_back(node);
    // The first node bootstraps the cluster before the second joins it.
    if (i == 0) {
      if (auto primary = AwaitPromotion(-1, 60); !primary.ok()) return primary.status();
    }
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    auto primary = Primary();
    if (primary.ok()) {
      auto state = Query(*primary, "SELECT sync_state FROM pg_stat_replication");
      if (state.ok() && *state == "sync") return absl::OkStatus();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return absl::DeadlineExceededError(
      absl::StrCat("no synchronous standby within 60 s; see ", root_, "/patroni1.log"));
}

std::string PatroniCluster::conninfo() const {
  std::vector<std::string> hosts, ports;
  for (const Node& n : nodes_) {
    hosts.push_back("127.0.0.1");
    ports.push_back(absl::StrCat(n.pg_port));
  }
  return absl::StrCat("host=", absl::StrJoin(hosts, ","), " port=", absl::StrJoin(ports, ","),
                      " user=kith dbname=postgres target_session_attrs=read-write connect_timeout=2");
}

absl::StatusOr<std::string> PatroniCluster::Query(int i, const std::string& sql) const {
  return QueryPostgres(absl::StrCat("host=127.0.0.1 port=", nodes_[i].pg_port,
                                    " user=kith dbname=postgres connect_timeout=2"),
                       sql);
}

absl::StatusOr<int> PatroniCluster::Primary() const {
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].patroni <= 0) continue;
    auto in_recovery = Query(static_cast<int>(i), "SELECT pg_is_in_recovery()");
    if (in_recovery.ok() && *in_recovery == "f") return static_cast<int>(i);
  }
  return absl::UnavailableError("no PostgreSQL node is primary");
}

absl::StatusOr<int> PatroniCluster::AwaitPromotion(int old_primary, int seconds) const {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    auto primary = Primary();
    if (primary.ok() && *primary != old_primary) return primary;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return absl::DeadlineExceededError(
      absl::StrCat("no new primary within ", seconds, " s; see ", root_, "/patroni*.log"));
}

absl::Status PatroniCluster::Kill(int i) {
  Node& node = nodes_[i];
  if (node.patroni <= 0) return absl::OkStatus();
  const pid_t postmaster = PostmasterPid(node_dir(i));
  KillAndReap(node.patroni);
  if (postmaster > 0) ::kill(postmaster, SIGKILL);
  return absl::OkStatus();
}

}  // namespace kith::testing
