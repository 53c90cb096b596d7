// A process of the kith binary that outlives the command which starts it:
// the duress relay (duress_relay.h) and the unlock agent (agent.h).
#ifndef KITH_CLI_DETACHED_H_
#define KITH_CLI_DETACHED_H_

namespace kith::cli {

// Runs this binary with `argv` in a session of its own, adopted by init so
// nobody waits for it: standard input from `in_fd`, standard output to
// `out_fd` (-1: /dev/null), standard error to /dev/null, and no other
// descriptor (every one from 3 up closes at the exec, which a caller can
// watch for on a close-on-exec pipe). Returns once the intermediate child
// is reaped; false if it could not fork.
bool StartDetached(char* const argv[], int in_fd, int out_fd);

}  // namespace kith::cli

#endif  // KITH_CLI_DETACHED_H_
