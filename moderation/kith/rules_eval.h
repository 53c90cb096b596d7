// Scoring the ground-rules engine against labelled messages, as
// `kith rules eval` prints it.
#ifndef KITH_MODERATION_RULES_EVAL_H_
#define KITH_MODERATION_RULES_EVAL_H_

#include <array>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kith/ground_rules.h"

namespace kith::moderation {

struct LabelledMessage {
  std::string id;
  std::string text;
  RuleSet labels = 0;
  bool crisis = false;
  std::string kind;  // "hard_negative", "hard_positive", ...
};

// The rule bits named by data labels ("contempt", "name_calling", ...).
absl::StatusOr<RuleSet> RuleSetFromLabels(std::span<const std::string> labels);

struct Counts {
  int true_positives = 0;
  int false_positives = 0;
  int false_negatives = 0;
  double precision() const;
  double recall() const;
  double f1() const;
};

struct Evaluation {
  static constexpr int kRules = 5;
  std::array<Counts, kRules> rules;  // in the order of the Rule bits
  Counts crisis;
  int messages = 0;
  int exact = 0;  // messages whose predicted rule set equals the labels
  int hard_negatives = 0;
  int hard_negatives_flagged = 0;
  // confusion[truth][predicted], with index kRules meaning "no rule": each
  // message adds one count per (true label, predicted label) pair.
  std::array<std::array<int, kRules + 1>, kRules + 1> confusion{};
  // Messages the engine got wrong, as "id: expected -> predicted".
  std::vector<std::string> mistakes;

  double macro_f1() const;
  double hard_negative_flag_rate() const;
};

Evaluation Evaluate(std::span<const LabelledMessage> messages);

}  // namespace kith::moderation

#endif  // KITH_MODERATION_RULES_EVAL_H_
