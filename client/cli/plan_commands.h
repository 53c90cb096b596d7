// The safety plan at the command line: write sections, read them (yours,
// or those a contact shares with you), share and unshare them, and see
// every version.
#ifndef KITH_CLI_PLAN_COMMANDS_H_
#define KITH_CLI_PLAN_COMMANDS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "session.h"

namespace kith::cli {

// `kith plan edit [SECTION [TEXT]] [--attach FILE]...` (TEXT '-' reads
// standard input). With no SECTION, lists the sections.
absl::Status PlanEdit(const Globals& g, const std::string& section, std::string text,
                      const std::vector<std::string>& attach);
// `kith plan show [SECTION] [--from USER] [--save DIR]`: your plan, or the
// sections USER shares with you; --save writes the attachments to DIR.
absl::Status PlanShow(const Globals& g, const std::string& section, const std::string& from,
                      const std::string& save_dir);
// `kith plan share SECTION --with USER` and `kith plan unshare ...`.
absl::Status PlanShare(const Globals& g, const std::string& section, const std::string& user,
                       bool share);
// `kith plan history [SECTION]`.
absl::Status PlanHistory(const Globals& g, const std::string& section);

}  // namespace kith::cli

#endif  // KITH_CLI_PLAN_COMMANDS_H_
