// Boundaries at the command line: quiet hours, daily limits, cool-offs and
// blocks, which the server enforces on direct conversations (and blocks and
// cool-offs on circle invitations). Each command reads the boundaries,
// changes one, sets them again and prints what is now enforced.
#ifndef KITH_CLI_BOUNDARY_COMMANDS_H_
#define KITH_CLI_BOUNDARY_COMMANDS_H_

#include <string>

#include "absl/status/status.h"
#include "session.h"

namespace kith::cli {

// `kith boundary list`.
absl::Status BoundaryList(const Globals& g);
// `kith boundary quiet-hours HH:MM-HH:MM [--tz ZONE]`, or `off`.
absl::Status BoundaryQuietHours(const Globals& g, const std::string& window,
                                const std::string& time_zone);
// `kith boundary limit USER N/day [--tz ZONE]`, or `off`.
absl::Status BoundaryLimit(const Globals& g, const std::string& user, const std::string& limit,
                           const std::string& time_zone);
// `kith boundary cool-off USER DURATION`, or `off`.
absl::Status BoundaryCoolOff(const Globals& g, const std::string& user,
                             const std::string& duration);
// `kith block USER` and `kith unblock USER`.
absl::Status Block(const Globals& g, const std::string& user, bool block);

}  // namespace kith::cli

#endif  // KITH_CLI_BOUNDARY_COMMANDS_H_
