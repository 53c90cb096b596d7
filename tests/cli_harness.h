// Runs the real kith binary against the real kithd, as a person would,
// with secrets handed over on a file descriptor (--secrets-fd), never on
// the command line.
#ifndef KITH_TESTS_CLI_HARNESS_H_
#define KITH_TESTS_CLI_HARNESS_H_

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include <google/protobuf/struct.pb.h>

#include "test_support.h"

namespace kith::testing {

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline constexpr char kPassphrase[] = "ginger fox keeps seven maps";
// The second passphrase, for `kith id duress set`.
inline constexpr char kDuressPassphrase[] = "tidy walrus under a blue lamp";

class CliTest : public ServerTest {
 protected:
  std::string Home(const std::string& who) const { return dir_.path() + "/" + who; }

  // Starts kith in a new session (no controlling terminal, so it can never
  // prompt) with `secrets`, one per line, on descriptor 3 and `input` on
  // standard input.
  pid_t Spawn(const std::string& who, const std::vector<std::string>& args,
              const std::vector<std::string>& secrets, const std::string& input,
              const std::string& out, const std::string& err) const;
  // The same, with standard input read from the file or pipe at `input_path`.
  pid_t SpawnReading(const std::string& who, const std::vector<std::string>& args,
                     const std::vector<std::string>& secrets, const std::string& input_path,
                     const std::string& out, const std::string& err) const;
  CliResult Kith(const std::string& who, const std::vector<std::string>& args,
                 const std::vector<std::string>& secrets = {kPassphrase},
                 const std::string& input = "") const;
  // Runs kith with a pseudo-terminal as its controlling terminal and no
  // --secrets-fd, as a person at a terminal would: each time it prompts
  // "Passphrase: ", the next of `typed` is typed. `*terminal` gets what
  // the terminal showed.
  CliResult AtTerminal(const std::string& who, const std::vector<std::string>& args,
                       const std::vector<std::string>& typed, std::string* terminal = nullptr) const;
  // Runs and expects success; returns standard output without the newline.
  std::string Ok(const std::string& who, const std::vector<std::string>& args,
                 const std::string& input = "") const;

  // Waits (up to 30 s) until the file at `path` contains `needle`; false if it never does.
  static bool WaitForText(const std::string& path, const std::string& needle);

  static google::protobuf::Struct Json(const std::string& line);
  // The lines of `text`, without their newlines.
  static std::vector<std::string> Lines(const std::string& text);
  // The lines of `--json read` output that are messages (not events).
  static std::vector<std::string> MessageLines(const std::string& json_lines);
  static std::string Field(const std::string& json_line, const std::string& key);

  // `kith id create` and `kith register` in `who`'s home, under the
  // display name `name` (default: `who`); returns the create command's output.
  std::string Enroll(const std::string& who, const std::string& name = "") const;

  // The duress relays (client/cli/duress_relay.h) that unlocks under this
  // test's homes started and that are still running.
  std::vector<pid_t> Relays() const;
  // Waits until every relay has presented its token and exited; a relay
  // still running after `patience` is a test failure, and is killed. A
  // command's relay is running by the time the command exits, so this sees
  // every relay the commands run so far started.
  void WaitForRelays(std::chrono::milliseconds patience = std::chrono::seconds(30)) const;
  // Stops every relay at once (for a server that will never answer).
  void KillRelays() const;
  // The unlock agents (client/cli/agent.h) running for this test's homes.
  std::vector<pid_t> Agents() const;
  // Processes whose command line has ` command` and this test's directory.
  std::vector<pid_t> Processes(const std::string& command) const;

  void TearDown() override;
};

}  // namespace kith::testing

#endif  // KITH_TESTS_CLI_HARNESS_H_
