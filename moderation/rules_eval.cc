#include "kith/rules_eval.h"

#include "absl/strings/str_cat.h"

namespace kith::moderation {
namespace {

Rule RuleAt(int i) { return static_cast<Rule>(1 << i); }

std::string Describe(RuleSet set, bool crisis) {
  std::string out;
  for (int i = 0; i < Evaluation::kRules; ++i) {
    if (set & RuleAt(i)) absl::StrAppend(&out, out.empty() ? "" : ",", std::string(RuleLabel(RuleAt(i))));
  }
  if (crisis) absl::StrAppend(&out, out.empty() ? "" : ",", "crisis");
  return out.empty() ? "none" : out;
}

void Count(Counts& c, bool truth, bool predicted) {
  if (truth && predicted) ++c.true_positives;
  if (!truth && predicted) ++c.false_positives;
  if (truth && !predicted) ++c.false_negatives;
}

}  // namespace

absl::StatusOr<RuleSet> RuleSetFromLabels(std::span<const std::string> labels) {
  RuleSet set = 0;
  for (const std::string& label : labels) {
    bool known = false;
    for (int i = 0; i < Evaluation::kRules; ++i) {
      if (RuleLabel(RuleAt(i)) == label) set |= RuleAt(i), known = true;
    }
    if (!known) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown label '", label,
                       "': expected contempt, name_calling, yelling, threat or personal_info"));
    }
  }
  return set;
}

double Counts::precision() const {
  int predicted = true_positives + false_positives;
  return predicted == 0 ? 1.0 : double(true_positives) / predicted;
}

double Counts::recall() const {
  int actual = true_positives + false_negatives;
  return actual == 0 ? 1.0 : double(true_positives) / actual;
}

double Counts::f1() const {
  double p = precision(), r = recall();
  return p + r == 0 ? 0 : 2 * p * r / (p + r);
}

double Evaluation::macro_f1() const {
  double sum = 0;
  for (const Counts& c : rules) sum += c.f1();
  return sum / kRules;
}

double Evaluation::hard_negative_flag_rate() const {
  return hard_negatives == 0 ? 0 : double(hard_negatives_flagged) / hard_negatives;
}

Evaluation Evaluate(std::span<const LabelledMessage> messages) {
  Evaluation e;
  for (const LabelledMessage& m : messages) {
    Verdict v = CheckMessage(m.text, kAllRules);
    RuleSet predicted = 0;
    for (const Violation& x : v.violations) predicted |= x.rule;
    ++e.messages;
    for (int i = 0; i < Evaluation::kRules; ++i) {
      Count(e.rules[i], m.labels & RuleAt(i), predicted & RuleAt(i));
    }
    Count(e.crisis, m.crisis, v.crisis);
    for (int t = 0; t <= Evaluation::kRules; ++t) {
      bool truth = t == Evaluation::kRules ? m.labels == 0 : (m.labels & RuleAt(t)) != 0;
      if (!truth) continue;
      for (int p = 0; p <= Evaluation::kRules; ++p) {
        bool said = p == Evaluation::kRules ? predicted == 0 : (predicted & RuleAt(p)) != 0;
        if (said) ++e.confusion[t][p];
      }
    }
    if (m.kind == "hard_negative") {
      ++e.hard_negatives;
      if (predicted != 0) ++e.hard_negatives_flagged;
    }
    if (predicted == m.labels) ++e.exact;
    if (predicted != m.labels || v.crisis != m.crisis) {
      e.mistakes.push_back(absl::StrCat(m.id, ": ", Describe(m.labels, m.crisis), " -> ",
                                        Describe(predicted, v.crisis)));
    }
  }
  return e;
}

}  // namespace kith::moderation
