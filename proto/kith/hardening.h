// Keeps a process's memory, and the keys in it, out of core files, and out
// of reach of other processes of the same user (ptrace, /proc/PID/mem).
// kithd and kith call it before anything else.
#ifndef KITH_HARDENING_H_
#define KITH_HARDENING_H_

#include "absl/status/status.h"

namespace kith {

// Core files off (RLIMIT_CORE 0, soft and hard) and the process not dumpable.
absl::Status HardenProcess();

}  // namespace kith

#endif  // KITH_HARDENING_H_
