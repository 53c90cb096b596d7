#include "cli_harness.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <algorithm>
#include <filesystem>
#include <thread>

#include <google/protobuf/util/json_util.h>

#include "absl/strings/str_split.h"

extern char** environ;

namespace kith::testing {
namespace {

// The subcommand every unlock starts a relay with (client/cli/duress_relay.h).
constexpr char kRelayCommandForTests[] = "present-token";
// The subcommand 'kith unlock' starts its agent with (client/cli/agent.h).
constexpr char kAgentCommandForTests[] = "agent-serve";

void WriteFile(const std::string& path, const std::string& data) {
  FILE* f = fopen(path.c_str(), "wb");
  fwrite(data.data(), 1, data.size(), f);
  fclose(f);
}

// A descriptor the spawned kith starts with: `path` opened with `flags`.
struct OpenedFile {
  int fd;
  std::string path;
  int flags;
};

// Starts the kith binary with `args`, in a session of its own (so it has no
// controlling terminal until it opens one), with `files` open and the
// environment without KITH_ variables; `close_fd` (if not -1) stays behind.
pid_t SpawnKith(std::vector<std::string> args, const std::vector<OpenedFile>& files,
                int close_fd = -1) {
  args.insert(args.begin(), KithPath());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_s;
  for (char** e = environ; *e; ++e) {
    if (!std::string_view(*e).starts_with("KITH_")) env_s.push_back(*e);
  }
  std::vector<char*> env;
  for (auto& e : env_s) env.push_back(e.data());
  env.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  for (const OpenedFile& f : files) {
    posix_spawn_file_actions_addopen(&actions, f.fd, f.path.c_str(), f.flags, 0600);
  }
  if (close_fd >= 0) posix_spawn_file_actions_addclose(&actions, close_fd);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
  pid_t pid = -1;
  EXPECT_EQ(posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), env.data()), 0);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  return pid;
}

}  // namespace

pid_t CliTest::Spawn(const std::string& who, const std::vector<std::string>& args,
                     const std::vector<std::string>& secrets, const std::string& input,
                     const std::string& out, const std::string& err) const {
  const std::string in_path = Home(who) + ".stdin";
  WriteFile(in_path, input);
  return SpawnReading(who, args, secrets, in_path, out, err);
}

pid_t CliTest::SpawnReading(const std::string& who, const std::vector<std::string>& args,
                            const std::vector<std::string>& secrets, const std::string& in_path,
                            const std::string& out, const std::string& err) const {
  const std::string secrets_path = Home(who) + ".secrets";
  std::string lines;
  for (const auto& s : secrets) lines += s + "\n";
  WriteFile(secrets_path, lines);
  std::vector<std::string> argv = {"--home", Home(who), "--secrets-fd", "3"};
  argv.insert(argv.end(), args.begin(), args.end());
  constexpr int kWrite = O_WRONLY | O_CREAT | O_TRUNC;
  return SpawnKith(argv, {{0, in_path, O_RDONLY}, {1, out, kWrite}, {2, err, kWrite},
                          {3, secrets_path, O_RDONLY}});
}

CliResult CliTest::Kith(const std::string& who, const std::vector<std::string>& args,
                        const std::vector<std::string>& secrets, const std::string& input) const {
  const std::string out = Home(who) + ".out", err = Home(who) + ".err";
  pid_t pid = Spawn(who, args, secrets, input, out, err);
  int status = 0;
  waitpid(pid, &status, 0);
  return CliResult{WIFEXITED(status) ? WEXITSTATUS(status) : -1, ReadFile(out), ReadFile(err)};
}

CliResult CliTest::AtTerminal(const std::string& who, const std::vector<std::string>& args,
                              const std::vector<std::string>& typed, std::string* terminal) const {
  const std::string out = Home(who) + ".out", err = Home(who) + ".err";
  const int master = posix_openpt(O_RDWR | O_NOCTTY);
  EXPECT_GE(master, 0);
  EXPECT_EQ(grantpt(master), 0);
  EXPECT_EQ(unlockpt(master), 0);
  const std::string slave = ptsname(master);
  std::vector<std::string> argv = {"--home", Home(who)};
  argv.insert(argv.end(), args.begin(), args.end());
  constexpr int kWrite = O_WRONLY | O_CREAT | O_TRUNC;
  // The terminal is opened after setsid(), without O_NOCTTY: it becomes the
  // controlling terminal.
  const pid_t pid = SpawnKith(argv, {{0, "/dev/null", O_RDONLY}, {1, out, kWrite}, {2, err, kWrite},
                                     {3, slave, O_RDWR}},
                              master);
  std::string shown;
  size_t sent = 0;
  int status = 0;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > give_up) {
      ADD_FAILURE() << "kith did not finish at the terminal; it showed: " << shown;
      ::kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    pollfd p{master, POLLIN, 0};
    if (::poll(&p, 1, 20) == 1 && (p.revents & POLLIN)) {
      char buf[256];
      const ssize_t n = ::read(master, buf, sizeof buf);
      if (n > 0) shown.append(buf, static_cast<size_t>(n));
    }
    size_t prompts = 0;
    for (size_t at = 0; (at = shown.find("Passphrase: ", at)) != std::string::npos; ++at) ++prompts;
    if (prompts > sent && sent < typed.size()) {
      const std::string line = typed[sent++] + "\n";
      EXPECT_EQ(::write(master, line.data(), line.size()), static_cast<ssize_t>(line.size()));
    }
  }
  ::close(master);
  if (terminal != nullptr) *terminal = shown;
  return CliResult{WIFEXITED(status) ? WEXITSTATUS(status) : -1, ReadFile(out), ReadFile(err)};
}

std::string CliTest::Ok(const std::string& who, const std::vector<std::string>& args,
                        const std::string& input) const {
  CliResult r = Kith(who, args, {kPassphrase}, input);
  EXPECT_EQ(r.exit_code, 0) << "kith " << args[0] << ": " << r.err;
  while (!r.out.empty() && r.out.back() == '\n') r.out.pop_back();
  return r.out;
}

bool CliTest::WaitForText(const std::string& path, const std::string& needle) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (ReadFile(path).find(needle) == std::string::npos) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

std::vector<std::string> CliTest::Lines(const std::string& text) {
  std::vector<std::string> lines;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    lines.emplace_back(line);
  }
  return lines;
}

std::vector<std::string> CliTest::MessageLines(const std::string& json_lines) {
  std::vector<std::string> out;
  for (const std::string& line : Lines(json_lines)) {
    if (Json(line).fields().contains("text")) out.push_back(line);
  }
  return out;
}

google::protobuf::Struct CliTest::Json(const std::string& line) {
  google::protobuf::Struct s;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(line, &s).ok()) << line;
  return s;
}

std::string CliTest::Field(const std::string& json_line, const std::string& key) {
  return Json(json_line).fields().at(key).string_value();
}

std::vector<pid_t> CliTest::Relays() const { return Processes(kRelayCommandForTests); }

std::vector<pid_t> CliTest::Agents() const { return Processes(kAgentCommandForTests); }

std::vector<pid_t> CliTest::Processes(const std::string& command) const {
  std::vector<pid_t> found;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmdline = ReadFile(entry.path() / "cmdline");
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    if (cmdline.find(" " + command) != std::string::npos &&
        cmdline.find(dir_.path()) != std::string::npos) {
      found.push_back(static_cast<pid_t>(std::stol(name)));
    }
  }
  return found;
}

void CliTest::WaitForRelays(std::chrono::milliseconds patience) const {
  const auto give_up = std::chrono::steady_clock::now() + patience;
  while (!Relays().empty() && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(Relays().empty()) << "a duress relay did not finish in time";
  KillRelays();
}

void CliTest::KillRelays() const {
  for (pid_t pid : Relays()) ::kill(pid, SIGKILL);
}

void CliTest::TearDown() {
  // Whatever a test left running in the background (unlock agents, live
  // views started with '&'), then the relays, which finish by themselves.
  for (pid_t pid : Agents()) ::kill(pid, SIGKILL);
  for (pid_t pid : Processes("follow")) ::kill(pid, SIGKILL);
  // Before kithd stops, so no relay is left trying to reach it.
  WaitForRelays();
  ServerTest::TearDown();
}

std::string CliTest::Enroll(const std::string& who, const std::string& name) const {
  CliResult created = Kith(who, {"--json", "id", "create", "--name", name.empty() ? who : name});
  EXPECT_EQ(created.exit_code, 0) << created.err;
  Ok(who, {"register", "--server", kithd_->address(), "--ca",
           kithd_->data_dir() + "/tls/server.crt"});
  return created.out;
}

}  // namespace kith::testing
