#include "kith/ground_rules.h"

#include "detectors.h"
#include "kith/rules.h"

namespace kith::moderation {
namespace {

constexpr double kReportThreshold = 0.5;
constexpr double kCrisisThreshold = 0.6;

}  // namespace

std::string_view RuleName(Rule rule) {
  switch (rule) {
    case kNoContempt: return kBuiltinRules[0];
    case kNoNameCalling: return kBuiltinRules[1];
    case kNoYelling: return kBuiltinRules[2];
    case kNoThreats: return kBuiltinRules[3];
    case kNoPersonalInfo: return kBuiltinRules[4];
  }
  return "";
}

std::string_view RuleLabel(Rule rule) {
  switch (rule) {
    case kNoContempt: return "contempt";
    case kNoNameCalling: return "name_calling";
    case kNoYelling: return "yelling";
    case kNoThreats: return "threat";
    case kNoPersonalInfo: return "personal_info";
  }
  return "";
}

RuleSet RuleSetFromNames(std::span<const std::string> names) {
  RuleSet set = 0;
  for (const std::string& name : names) {
    for (uint8_t bit = 1; bit & kAllRules; bit <<= 1) {
      if (RuleName(static_cast<Rule>(bit)) == name) set |= bit;
    }
  }
  return set;
}

Verdict CheckMessage(std::string_view text, RuleSet rules) {
  Analysis a(text);
  Verdict verdict;
  using Check = void (*)(const Analysis&, Evidence&);
  static constexpr std::pair<Rule, Check> kChecks[] = {{kNoContempt, &CheckContempt},
                                                       {kNoNameCalling, &CheckNameCalling},
                                                       {kNoYelling, &CheckYelling},
                                                       {kNoThreats, &CheckThreats},
                                                       {kNoPersonalInfo, &CheckPersonalInfo}};
  for (const auto& [rule, check] : kChecks) {
    if (!(rules & rule)) continue;
    Evidence ev;
    check(a, ev);
    if (ev.confidence() >= kReportThreshold) {
      verdict.violations.push_back({rule, ev.confidence(), ev.begin(), ev.end()});
    }
  }
  Evidence crisis;
  CheckCrisis(a, crisis);
  if (crisis.confidence() >= kCrisisThreshold) {
    verdict.crisis = true;
    verdict.crisis_begin = crisis.begin();
    verdict.crisis_end = crisis.end();
  }
  return verdict;
}

}  // namespace kith::moderation
