#include "kith/rules.h"

#include <algorithm>

namespace kith::moderation {

bool IsValidRule(std::string_view rule) {
  if (std::find(kBuiltinRules.begin(), kBuiltinRules.end(), rule) != kBuiltinRules.end()) {
    return true;
  }
  return rule.starts_with(kCustomRulePrefix) && rule.size() > kCustomRulePrefix.size() &&
         rule.size() <= kMaxRuleBytes;
}

}  // namespace kith::moderation
