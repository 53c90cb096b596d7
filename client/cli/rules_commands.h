// `kith rules check` and `kith rules eval`: the ground-rules engine on its
// own, for people trying a message, triage tools and evaluations.
#ifndef KITH_CLI_RULES_COMMANDS_H_
#define KITH_CLI_RULES_COMMANDS_H_

#include <functional>
#include <istream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "home.h"
#include "kith.pb.h"

namespace kith::cli {

// Checks one message against `rules` (comma-separated charter rule names;
// empty means all built-in rules).
absl::Status RulesCheck(bool json, const std::string& text, const std::string& rules);

// Reads JSON Lines ({"text": ..., "rules": [...]}) and writes one JSON
// verdict per non-blank line, in order. A line that cannot be read gets
// {"error": ...} in its place, so the output stays aligned with the input.
absl::Status RulesCheckStream(std::istream& in);

// Scores the engine on a labelled JSON Lines file.
absl::Status RulesEval(bool json, const std::string& path, bool show_mistakes);

// How the nudge asks a question: a line typed in answer to `prompt`.
using AskFunction = std::function<absl::StatusOr<std::string>(const std::string& prompt)>;

// The nudge before sending: checks `text` against the group's rules and,
// if it may break one, shows the rule and the words and asks to edit, send
// anyway or cancel (`yes` answers "send anyway"), on the terminal unless
// `ask` reads the answers elsewhere (kith chat: its own input). Returns the
// rules the sender chose to override; `text` holds the final wording. A
// crisis signal shows the group's crisis resources and never blocks the
// message.
absl::StatusOr<std::vector<std::string>> ReviewBeforeSending(std::string& text,
                                                             const v1::Charter& charter, bool yes,
                                                             const AskFunction& ask = AskLine);

}  // namespace kith::cli

#endif  // KITH_CLI_RULES_COMMANDS_H_
