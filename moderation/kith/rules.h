// Ground-rule names a group charter may carry. The rules engine that checks
// messages against them lives beside this file as it grows; the names are
// fixed here because both the server (validating charters) and clients use them.
#ifndef KITH_MODERATION_RULES_H_
#define KITH_MODERATION_RULES_H_

#include <array>
#include <string_view>

namespace kith::moderation {

inline constexpr std::array<std::string_view, 5> kBuiltinRules = {
    "no_contempt", "no_name_calling", "no_yelling", "no_threats", "no_personal_info"};

// Free-text rules that only people judge are written "custom:<text>".
inline constexpr std::string_view kCustomRulePrefix = "custom:";
inline constexpr size_t kMaxRuleBytes = 200;
inline constexpr size_t kMaxRules = 32;

// True for a built-in rule name or a non-empty custom rule within the limits.
bool IsValidRule(std::string_view rule);

}  // namespace kith::moderation

#endif  // KITH_MODERATION_RULES_H_
