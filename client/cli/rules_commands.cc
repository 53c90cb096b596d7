#include "rules_commands.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "home.h"
#include "output.h"
#include "kith/ground_rules.h"
#include "kith/rules.h"
#include "kith/rules_eval.h"

namespace kith::cli {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;
using moderation::Verdict;

// Spans are printed in Unicode code points, as every JSON reader indexes
// strings; the engine works in bytes.
size_t CodePoints(std::string_view text, size_t bytes) {
  size_t n = 0;
  for (size_t i = 0; i < bytes && i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xc0) != 0x80) ++n;
  }
  return n;
}

double Round2(double x) { return std::round(x * 100) / 100; }

Struct VerdictJson(std::string_view text, const Verdict& v) {
  Struct s;
  auto* list = (*s.mutable_fields())["violations"].mutable_list_value();
  for (const auto& x : v.violations) {
    Struct item;
    (*item.mutable_fields())["rule"].set_string_value(std::string(moderation::RuleName(x.rule)));
    (*item.mutable_fields())["confidence"].set_number_value(Round2(x.confidence));
    auto* span = (*item.mutable_fields())["span"].mutable_list_value();
    span->add_values()->set_number_value(CodePoints(text, x.begin));
    span->add_values()->set_number_value(CodePoints(text, x.end));
    *list->add_values()->mutable_struct_value() = std::move(item);
  }
  (*s.mutable_fields())["crisis"].set_bool_value(v.crisis);
  return s;
}

absl::StatusOr<moderation::RuleSet> ParseRules(const std::vector<std::string>& names) {
  if (names.empty()) return moderation::kAllRules;
  for (const auto& name : names) {
    if (!moderation::IsValidRule(name)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown rule '", name,
          "': use no_contempt, no_name_calling, no_yelling, no_threats, no_personal_info"));
    }
  }
  return moderation::RuleSetFromNames(names);
}

std::vector<std::string> SplitRules(const std::string& rules) {
  return absl::StrSplit(rules, ',', absl::SkipWhitespace());
}

// The string and string-list fields of one JSON object.
absl::StatusOr<Struct> ParseLine(const std::string& line) {
  Struct s;
  auto status = google::protobuf::util::JsonStringToMessage(line, &s);
  if (!status.ok()) return absl::InvalidArgumentError("not a JSON object");
  return s;
}

absl::StatusOr<std::vector<std::string>> StringList(const Struct& s, const std::string& key) {
  std::vector<std::string> out;
  auto it = s.fields().find(key);
  if (it == s.fields().end()) return out;
  if (!it->second.has_list_value()) return absl::InvalidArgumentError(absl::StrCat("'", key, "' must be a list"));
  for (const Value& v : it->second.list_value().values()) {
    if (!v.has_string_value()) return absl::InvalidArgumentError(absl::StrCat("'", key, "' must hold strings"));
    out.push_back(v.string_value());
  }
  return out;
}

absl::StatusOr<std::string> StringField(const Struct& s, const std::string& key) {
  auto it = s.fields().find(key);
  if (it == s.fields().end() || !it->second.has_string_value()) {
    return absl::InvalidArgumentError(absl::StrCat("'", key, "' must be a string"));
  }
  return it->second.string_value();
}

bool Blank(const std::string& line) {
  return line.find_first_not_of(" \t\r") == std::string::npos;
}

std::string Quoted(std::string_view text, size_t begin, size_t end) {
  return absl::StrCat("\"", std::string(text.substr(begin, end - begin)), "\"");
}

void OfferCircleAlert() {
  std::fprintf(stderr,
               "If you have a circle of trusted contacts, they can check on you: "
               "kith alert --level check-on-me\n");
}

}  // namespace

absl::StatusOr<std::vector<std::string>> ReviewBeforeSending(std::string& text,
                                                             const v1::Charter& charter, bool yes,
                                                             const AskFunction& ask) {
  const moderation::RuleSet rules = moderation::RuleSetFromNames(
      std::vector<std::string>(charter.rules().begin(), charter.rules().end()));
  bool crisis_shown = false;
  while (true) {
    Verdict v = moderation::CheckMessage(text, rules);
    if (v.crisis && !crisis_shown) {
      crisis_shown = true;
      std::fprintf(stderr, "It sounds like things are hard right now. You are not alone.\n");
      if (!charter.crisis_resources().empty()) {
        std::fprintf(stderr, "This group's crisis resources: %s\n", charter.crisis_resources().c_str());
      }
      OfferCircleAlert();
    }
    if (v.violations.empty()) return std::vector<std::string>{};
    std::vector<std::string> names;
    for (const auto& x : v.violations) {
      names.emplace_back(moderation::RuleName(x.rule));
      std::fprintf(stderr, "This may break the group's %s rule: %s\n", names.back().c_str(),
                   Quoted(text, x.begin, x.end).c_str());
    }
    if (yes) {
      std::fprintf(stderr, "Sending anyway (--yes); the group's moderators will see that.\n");
      return names;
    }
    auto choice = ask("Edit, send anyway, or cancel? [e/s/C] ");
    if (!choice.ok()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "this message may break the group's ", absl::StrJoin(names, " and "),
          " rule; edit it, or pass --yes to send it anyway (moderators will see that you did)"));
    }
    if (*choice == "s" || *choice == "send") return names;
    if (*choice != "e" && *choice != "edit") return absl::CancelledError("not sent");
    auto edited = ask("New text: ");
    if (!edited.ok()) return edited.status();
    if (edited->empty()) return absl::CancelledError("not sent");
    text = *std::move(edited);
  }
}

absl::Status RulesCheck(bool json, const std::string& text, const std::string& rules) {
  auto set = ParseRules(SplitRules(rules));
  if (!set.ok()) return set.status();
  Verdict v = moderation::CheckMessage(text, *set);
  if (json) {
    PrintJsonLine(VerdictJson(text, v));
    return absl::OkStatus();
  }
  if (v.violations.empty()) std::printf("No ground rule seems broken.\n");
  for (const auto& x : v.violations) {
    std::printf("May break %s (confidence %.2f): %s\n", std::string(moderation::RuleName(x.rule)).c_str(),
                x.confidence, Quoted(text, x.begin, x.end).c_str());
  }
  if (v.crisis) {
    std::printf("Sounds like a crisis: %s. It is never a violation.\n",
                Quoted(text, v.crisis_begin, v.crisis_end).c_str());
  }
  return absl::OkStatus();
}

absl::Status RulesCheckStream(std::istream& in) {
  std::string line;
  int line_no = 0;
  int errors = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (Blank(line)) continue;
    absl::Status error;
    auto s = ParseLine(line);
    if (s.ok()) {
      auto text = StringField(*s, "text");
      auto rules = StringList(*s, "rules");
      absl::StatusOr<moderation::RuleSet> set = rules.ok() ? ParseRules(*rules) : rules.status();
      if (text.ok() && set.ok()) {
        PrintJsonLine(VerdictJson(*text, moderation::CheckMessage(*text, *set)));
        continue;
      }
      error = text.ok() ? set.status() : text.status();
    } else {
      error = s.status();
    }
    ++errors;
    Struct e;
    (*e.mutable_fields())["error"].set_string_value(absl::StrCat("line ", line_no, ": ", error.message()));
    PrintJsonLine(e);
  }
  std::fflush(stdout);
  if (errors > 0) {
    return absl::InvalidArgumentError(absl::StrCat(errors, " input lines could not be read; see their \"error\" lines"));
  }
  return absl::OkStatus();
}

absl::Status RulesEval(bool json, const std::string& path, bool show_mistakes) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::vector<moderation::LabelledMessage> messages;
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (Blank(line)) continue;
    auto where = [&](const absl::Status& s) {
      return absl::InvalidArgumentError(absl::StrCat(path, ":", line_no, ": ", s.message()));
    };
    auto s = ParseLine(line);
    if (!s.ok()) return where(s.status());
    moderation::LabelledMessage m;
    auto text = StringField(*s, "text");
    auto labels = StringList(*s, "labels");
    if (!text.ok()) return where(text.status());
    if (!labels.ok()) return where(labels.status());
    auto set = moderation::RuleSetFromLabels(*labels);
    if (!set.ok()) return where(set.status());
    m.text = *text;
    m.labels = *set;
    m.id = StringField(*s, "id").value_or(absl::StrCat("line ", line_no));
    m.kind = StringField(*s, "kind").value_or("");
    auto crisis = s->fields().find("crisis");
    m.crisis = crisis != s->fields().end() && crisis->second.bool_value();
    messages.push_back(std::move(m));
  }
  moderation::Evaluation e = moderation::Evaluate(messages);
  if (json) {
    Struct out;
    auto& f = *out.mutable_fields();
    for (int i = 0; i < moderation::Evaluation::kRules; ++i) {
      Struct r;
      const auto& c = e.rules[i];
      (*r.mutable_fields())["precision"].set_number_value(c.precision());
      (*r.mutable_fields())["recall"].set_number_value(c.recall());
      (*r.mutable_fields())["f1"].set_number_value(c.f1());
      (*r.mutable_fields())["support"].set_number_value(c.true_positives + c.false_negatives);
      *f[std::string(moderation::RuleLabel(static_cast<moderation::Rule>(1 << i)))].mutable_struct_value() = r;
    }
    f["macro_f1"].set_number_value(e.macro_f1());
    f["hard_negative_flag_rate"].set_number_value(e.hard_negative_flag_rate());
    f["crisis_precision"].set_number_value(e.crisis.precision());
    f["crisis_recall"].set_number_value(e.crisis.recall());
    f["messages"].set_number_value(e.messages);
    f["exact"].set_number_value(e.exact);
    PrintJsonLine(out);
    return absl::OkStatus();
  }
  std::printf("%-15s %9s %9s %9s %8s\n", "label", "precision", "recall", "f1", "support");
  for (int i = 0; i < moderation::Evaluation::kRules; ++i) {
    const auto& c = e.rules[i];
    std::printf("%-15s %9.3f %9.3f %9.3f %8d\n",
                std::string(moderation::RuleLabel(static_cast<moderation::Rule>(1 << i))).c_str(),
                c.precision(), c.recall(), c.f1(), c.true_positives + c.false_negatives);
  }
  std::printf("%-15s %9s %9s %9.3f\n", "macro", "", "", e.macro_f1());
  std::printf("%-15s %9.3f %9.3f %9.3f %8d\n", "crisis (signal)", e.crisis.precision(),
              e.crisis.recall(), e.crisis.f1(), e.crisis.true_positives + e.crisis.false_negatives);
  std::printf("\nHard negatives flagged: %d of %d (%.1f%%)\n", e.hard_negatives_flagged,
              e.hard_negatives, 100 * e.hard_negative_flag_rate());
  std::printf("Messages with exactly the right rules: %d of %d\n", e.exact, e.messages);
  std::printf("\nConfusion (rows: labelled, columns: predicted; a message counts once per pair)\n%-15s", "");
  auto name = [](int i) {
    return i == moderation::Evaluation::kRules
               ? std::string("none")
               : std::string(moderation::RuleLabel(static_cast<moderation::Rule>(1 << i)));
  };
  for (int p = 0; p <= moderation::Evaluation::kRules; ++p) std::printf(" %13s", name(p).c_str());
  std::printf("\n");
  for (int t = 0; t <= moderation::Evaluation::kRules; ++t) {
    std::printf("%-15s", name(t).c_str());
    for (int p = 0; p <= moderation::Evaluation::kRules; ++p) std::printf(" %13d", e.confusion[t][p]);
    std::printf("\n");
  }
  if (show_mistakes) {
    std::printf("\nMistakes (labelled -> predicted):\n");
    for (const auto& m : e.mistakes) std::printf("  %s\n", m.c_str());
  }
  return absl::OkStatus();
}

}  // namespace kith::cli
