// Moderation at the command line: stepping away, reports, the moderators'
// queue, their actions and resolutions, and the audit trail.
#ifndef KITH_CLI_MOD_COMMANDS_H_
#define KITH_CLI_MOD_COMMANDS_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "kith.pb.h"
#include "kith/group_view.h"
#include "session.h"

namespace kith::cli {

// `kith pause GROUP DURATION` (empty `user_arg`: the caller steps away);
// `kith mod warn|pause|mute|remove|ban GROUP USER [DURATION]`;
// `kith mod lift GROUP [USER]` (no user: ends a group pause);
// `kith mod slow GROUP INTERVAL|off`; `kith mod pause-group GROUP DURATION`.
absl::Status Moderate(const Globals& g, v1::Moderation::Action action,
                      const std::string& group_arg, const std::string& user_arg,
                      const std::string& duration, const std::string& rule);

// `kith report GROUP SEQ [--rule R] [--note TEXT]`.
absl::Status Report(const Globals& g, const std::string& group_arg, uint64_t seq,
                    const std::string& rule, const std::string& note);

// `kith mod queue GROUP`: open reports and overrides with the text, rule,
// note, the member's strike history, the report's age against the
// charter's reply window, and the strike ladder's next step.
absl::Status ModQueue(const Globals& g, const std::string& group_arg);

// `kith mod resolve GROUP ITEM [--action A] [--rule R] [--yes]`: answers a
// report or override with dismiss, warn, pause[:D], mute:D, remove or ban;
// without --action, proposes the strike ladder's next step and asks.
absl::Status ModResolve(const Globals& g, const std::string& group_arg, uint64_t item,
                        const std::string& action, const std::string& rule, bool yes);

// `kith mod audit GROUP [--verify]`.
absl::Status ModAudit(const Globals& g, const std::string& group_arg, bool verify);

// One line for a person: "Sam muted Alex for 24h under no_contempt".
std::string DescribeAuditEntry(const client::GroupView& view, const client::AuditEntry& entry);

}  // namespace kith::cli

#endif  // KITH_CLI_MOD_COMMANDS_H_
