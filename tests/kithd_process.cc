#include "kithd_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"

extern char** environ;

namespace kith::testing {

std::string KithdPath() { return KITHD_PATH; }
std::string KithPath() { return KITH_PATH; }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

absl::Status ShareNodeIdentity(const std::string& from, const std::string& to) {
  std::error_code ec;
  std::filesystem::create_directories(to, ec);
  if (!ec) std::filesystem::copy(from + "/tls", to + "/tls", std::filesystem::copy_options::recursive, ec);
  if (!ec) std::filesystem::copy(from + "/checkpoint.key", to + "/checkpoint.key", ec);
  if (ec) return absl::InternalError(absl::StrCat("copying a node's identity: ", ec.message()));
  return absl::OkStatus();
}

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string templ = absl::StrCat(base && *base ? base : "/tmp", "/kith-test-XXXXXX");
  char* made = mkdtemp(templ.data());
  path_ = made ? made : "";
}

TempDir::~TempDir() {
  // KITH_KEEP_TEST_DIRS keeps data directories and logs for a post-mortem.
  if (std::getenv("KITH_KEEP_TEST_DIRS") != nullptr) {
    fprintf(stderr, "kept %s\n", path_.c_str());
    return;
  }
  std::error_code ec;
  if (!path_.empty()) std::filesystem::remove_all(path_, ec);
}

KithdProcess::KithdProcess(std::string root, std::vector<std::string> extra_args)
    : root_(std::move(root)), extra_args_(std::move(extra_args)) {}

KithdProcess::~KithdProcess() { Kill(); }

std::string KithdProcess::address() const { return absl::StrCat("127.0.0.1:", port_); }

std::string KithdProcess::certificate_pem() const {
  return ReadFile(data_dir() + "/tls/server.crt");
}

absl::Status KithdProcess::Start() {
  if (running()) return absl::FailedPreconditionError("kithd is already running");
  if (port_ != 0) return Launch(port_);
  // A port below the kernel's ephemeral range (32768 and up), so no outgoing
  // connection or port-0 listener takes it while the server is down between
  // a kill and a restart. Parallel tests may pick the same one: try another.
  std::mt19937 rng(std::random_device{}() ^ static_cast<unsigned>(getpid()));
  absl::Status last;
  for (int attempt = 0; attempt < 20; ++attempt) {
    last = Launch(std::uniform_int_distribution<int>(20000, 32000)(rng));
    if (last.ok()) return last;
  }
  return last;
}

absl::Status KithdProcess::Launch(int port) {
  int out[2];
  if (pipe(out) != 0) return absl::InternalError("pipe failed");
  std::vector<std::string> args = {KithdPath(), "--listen", absl::StrCat("127.0.0.1:", port),
                                   "--data-dir", data_dir()};
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log_path().c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0600);
  int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  if (rc != 0) {
    close(out[0]);
    pid_ = -1;
    return absl::InternalError(absl::StrCat("cannot start ", KithdPath()));
  }
  // kithd prints its port once it is serving, or exits.
  FILE* f = fdopen(out[0], "r");
  char line[512] = {};
  const bool got = fgets(line, sizeof line, f) != nullptr;
  fclose(f);
  int listening = 0;
  if (!got || sscanf(line, "kithd listening on port %d", &listening) != 1) {
    Kill();
    return absl::UnavailableError(absl::StrCat("kithd did not start on port ", port, ": ",
                                               ReadFile(log_path())));
  }
  port_ = listening;
  start_line_ = line;
  return absl::OkStatus();
}

void KithdProcess::Kill() {
  if (!running()) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

bool KithdProcess::Exited() {
  if (!running()) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) != pid_) return false;
  pid_ = -1;
  return true;
}

int KithdProcess::Stop() {
  if (!running()) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace kith::testing
