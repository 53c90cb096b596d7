// `kith unlock`: a per-home agent that holds the keystore's slot key (what
// the passphrase derives, kithd never sees it) in locked memory, so later
// commands open the keystore without asking. It listens on a Unix socket in
// the home (the home is its owner's alone, the socket too), answers only
// processes of the same user, and ends at its deadline, on `kith lock`, or
// on `kith panic-wipe`. Any process running as that user can use it while
// it runs, as with ssh-agent: the price of not typing the passphrase.
//
// Opened through the agent, a keystore behaves as if its passphrase had
// been typed: a duress passphrase given to `kith unlock` opens the duress
// profile for every command, and each command's unlock starts its duress
// relay as before.
#ifndef KITH_CLI_AGENT_H_
#define KITH_CLI_AGENT_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "kith/crypto.h"

namespace kith::cli {

// The agent's hidden subcommand; its key comes on standard input.
inline constexpr char kAgentCommand[] = "agent-serve";

// Starts an agent holding `slot_key` for the home at `home_dir` until
// `until_ms` (Unix time), replacing any running one; returns once it
// listens.
absl::Status StartAgent(const std::string& home_dir, const crypto::Secret& slot_key,
                        int64_t until_ms);
// The agent itself: reads the key from standard input, says "ready" on
// standard output once it listens, then serves. Returns its exit code.
int RunAgent(const std::string& home_dir, int64_t until_ms);
// The slot key the home's agent holds. NOT_FOUND when none is running.
absl::StatusOr<crypto::Secret> AskAgent(const std::string& home_dir);
// Ends the home's agent; false if none was running.
bool StopAgent(const std::string& home_dir);

}  // namespace kith::cli

#endif  // KITH_CLI_AGENT_H_
