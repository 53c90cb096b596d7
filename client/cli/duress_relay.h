// Every unlock presents a duress token to the server, from a process of its
// own that outlives the command: the duress profile its real token, any
// other profile a random one. So both passphrases take the same time and
// make the same connection, online or offline, and the alarm never waits
// on the network (the server answers an unknown token as it answers an
// armed one).
#ifndef KITH_CLI_DURESS_RELAY_H_
#define KITH_CLI_DURESS_RELAY_H_

#include <string>

#include "kith/keystore.h"

namespace kith::cli {

// The relay's hidden subcommand; the token comes on its standard input.
inline constexpr char kRelayCommand[] = "present-token";

// Starts the relay for `profile` and returns at once; nothing shows on the
// terminal, and nothing the command prints waits for it. With `escalate`
// the token is presented a second time, after the first is answered,
// asking for the next alert.
void StartDuressRelay(const std::string& home_dir, const client::Profile& profile, bool escalate);

// The relay itself: reads the token from standard input and presents it to
// the server registered in `home_dir`, trying again while the server is
// unreachable, for a few minutes at most. Always exits 0.
int RunDuressRelay(const std::string& home_dir);

}  // namespace kith::cli

#endif  // KITH_CLI_DURESS_RELAY_H_
