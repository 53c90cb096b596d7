#include "agent.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "absl/strings/str_cat.h"
#include "detached.h"
#include "session.h"

namespace kith::cli {
namespace {

constexpr char kAskKey = 'K';
constexpr char kLock = 'L';
constexpr int kIoTimeoutMs = 2'000;
// Starting takes a process start and a bind; generous for a loaded machine.
constexpr int kStartTimeoutMs = 10'000;

std::string SocketPath(const std::string& home_dir) { return home_dir + "/agent.sock"; }

absl::StatusOr<sockaddr_un> Address(const std::string& home_dir) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string path = SocketPath(home_dir);
  if (path.size() >= sizeof addr.sun_path) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the home's path is too long for the unlock agent's socket (", path.size(),
        " bytes; at most ", sizeof addr.sun_path - 1, "): use a shorter --home"));
  }
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return addr;
}

// Reads exactly `size` bytes, waiting at most `timeout_ms` for each read.
bool ReadAll(int fd, char* out, size_t size, int timeout_ms = kIoTimeoutMs) {
  for (size_t done = 0; done < size;) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) != 1) return false;
    const ssize_t n = ::read(fd, out + done, size - done);
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

// Connects to the home's agent and sends `request`: -1 if none answers (a
// socket left by one that died is removed).
int Connect(const std::string& home_dir, char request) {
  auto addr = Address(home_dir);
  if (!addr.ok()) return -1;
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&*addr), sizeof *addr) != 0) {
    if (errno == ECONNREFUSED) ::unlink(addr->sun_path);
    ::close(fd);
    return -1;
  }
  if (::write(fd, &request, 1) != 1) {
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

absl::Status StartAgent(const std::string& home_dir, const crypto::Secret& slot_key,
                        int64_t until_ms) {
  if (auto addr = Address(home_dir); !addr.ok()) return addr.status();
  StopAgent(home_dir);
  std::string name = "kith", home_flag = "--home", home = home_dir, command = kAgentCommand,
              until = absl::StrCat(until_ms);
  char* const argv[] = {name.data(), home_flag.data(), home.data(), command.data(), until.data(),
                        nullptr};
  int key_pipe[2], ready_pipe[2];
  if (::pipe2(key_pipe, O_CLOEXEC) != 0) return absl::InternalError("cannot start the agent");
  if (::pipe2(ready_pipe, O_CLOEXEC) != 0) {
    ::close(key_pipe[0]);
    ::close(key_pipe[1]);
    return absl::InternalError("cannot start the agent");
  }
  const bool started = StartDetached(argv, key_pipe[0], ready_pipe[1]);
  ::close(key_pipe[0]);
  ::close(ready_pipe[1]);
  std::string line = crypto::ToHex(std::string(slot_key.view())) + "\n";
  // Smaller than a pipe's buffer, so this never blocks.
  const bool sent = started && ::write(key_pipe[1], line.data(), line.size()) ==
                                   static_cast<ssize_t>(line.size());
  crypto::Wipe(line);
  ::close(key_pipe[1]);
  char ready[6] = {};
  const bool listening =
      sent && ReadAll(ready_pipe[0], ready, 5, kStartTimeoutMs) && std::string(ready) == "ready";
  ::close(ready_pipe[0]);
  if (!listening) return absl::InternalError("the unlock agent did not start");
  return absl::OkStatus();
}

int RunAgent(const std::string& home_dir, int64_t until_ms) {
  std::string line;
  char c;
  while (::read(0, &c, 1) == 1 && c != '\n') line.push_back(c);
  auto key_bytes = crypto::FromHex(line);
  crypto::Wipe(line);
  if (!key_bytes.ok() || key_bytes->size() != crypto::kKeyBytes) return 1;
  const crypto::Secret key = crypto::Secret::LockedCopy(*key_bytes);
  crypto::Wipe(*key_bytes);
  auto addr = Address(home_dir);
  if (!addr.ok()) return 1;
  ::umask(077);
  ::unlink(addr->sun_path);
  const int listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener < 0 || ::bind(listener, reinterpret_cast<const sockaddr*>(&*addr), sizeof *addr) != 0 ||
      ::chmod(addr->sun_path, 0600) != 0 || ::listen(listener, 16) != 0) {
    return 1;
  }
  struct stat bound {};
  ::stat(addr->sun_path, &bound);
  if (::write(1, "ready", 5) != 5) return 1;
  const int null = ::open("/dev/null", O_WRONLY);
  ::dup2(null, 1);
  for (int64_t left; (left = until_ms - NowMs()) > 0;) {
    pollfd p{listener, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(std::min<int64_t>(left, 60'000))) != 1) continue;
    const int peer = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (peer < 0) continue;
    ucred cred{};
    socklen_t size = sizeof cred;
    char request = 0;
    const bool same_user =
        ::getsockopt(peer, SOL_SOCKET, SO_PEERCRED, &cred, &size) == 0 && cred.uid == ::getuid();
    if (same_user && ReadAll(peer, &request, 1)) {
      if (request == kAskKey) {
        std::string reply = std::string(1, kAskKey) + std::string(key.view());
        (void)!::write(peer, reply.data(), reply.size());
        crypto::Wipe(reply);
      } else if (request == kLock) {
        (void)!::write(peer, &kLock, 1);
        ::close(peer);
        break;
      }
    }
    ::close(peer);
  }
  // Removed only if it is still this agent's: a newer one may have replaced it.
  struct stat now {};
  if (::stat(addr->sun_path, &now) == 0 && now.st_ino == bound.st_ino) ::unlink(addr->sun_path);
  ::close(listener);
  return 0;
}

absl::StatusOr<crypto::Secret> AskAgent(const std::string& home_dir) {
  const int fd = Connect(home_dir, kAskKey);
  if (fd < 0) return absl::NotFoundError("no unlock agent is running");
  char reply[1 + crypto::kKeyBytes];
  const bool read = ReadAll(fd, reply, sizeof reply) && reply[0] == kAskKey;
  ::close(fd);
  if (!read) return absl::NotFoundError("the unlock agent did not answer");
  crypto::Secret key = crypto::Secret::LockedCopy(std::string_view(reply + 1, crypto::kKeyBytes));
  crypto::Wipe(reply, sizeof reply);
  return key;
}

bool StopAgent(const std::string& home_dir) {
  const int fd = Connect(home_dir, kLock);
  if (fd < 0) return false;
  char reply = 0;
  const bool stopped = ReadAll(fd, &reply, 1) && reply == kLock;
  ::close(fd);
  return stopped;
}

}  // namespace kith::cli
