// The ground-rules engine: which of a group's rules a message may break.
//
// It runs where the text is readable, never on the server: on the sender's
// device before sending (to nudge) and on a moderator's device (to triage).
// It is a set of hand-written detectors over a normalised token stream, tuned
// for the hard cases of peer support: quoted or reported abuse, self-talk,
// single emphasised words and acronyms are not violations; obfuscated insults
// (l0ser, i d i o t) and sarcasm aimed at a person are.
//
// Thread safety: CheckMessage is safe to call from many threads at once.
#ifndef KITH_MODERATION_GROUND_RULES_H_
#define KITH_MODERATION_GROUND_RULES_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kith::moderation {

// The built-in rules, as bits. Custom rules are judged only by people.
enum Rule : uint8_t {
  kNoContempt = 1 << 0,
  kNoNameCalling = 1 << 1,
  kNoYelling = 1 << 2,
  kNoThreats = 1 << 3,
  kNoPersonalInfo = 1 << 4,
};
using RuleSet = uint8_t;
inline constexpr RuleSet kAllRules = 0x1f;

// The charter name of a rule ("no_contempt") and its short label in the
// evaluation data ("contempt").
std::string_view RuleName(Rule rule);
std::string_view RuleLabel(Rule rule);
// The built-in rules among `names` (charter names); custom and unknown names
// are skipped.
RuleSet RuleSetFromNames(std::span<const std::string> names);

struct Violation {
  Rule rule;
  double confidence;  // in [0.5, 1): below 0.5 nothing is reported
  // The triggering span, as byte offsets into the UTF-8 text.
  size_t begin;
  size_t end;
};

struct Verdict {
  // At most one entry per rule, in the order of the Rule bits.
  std::vector<Violation> violations;
  // A sign of risk to the sender or of immediate danger. Never a violation:
  // it surfaces the group's crisis resources and offers to alert a circle.
  bool crisis = false;
  size_t crisis_begin = 0;
  size_t crisis_end = 0;
};

// Checks `text` (UTF-8; invalid bytes are treated as letters) against
// `rules`. Crisis is always checked.
Verdict CheckMessage(std::string_view text, RuleSet rules = kAllRules);

}  // namespace kith::moderation

#endif  // KITH_MODERATION_GROUND_RULES_H_
