#include "plan_commands.h"

#include <filesystem>
#include <iostream>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "kith/files.h"
#include "kith/plan.h"
#include "output.h"

namespace kith::cli {
namespace {

using client::Client;
using client::PlanRecord;

std::string AttachmentNames(const v1::PlanSection& s) {
  std::vector<std::string> names;
  for (const auto& a : s.attachments()) names.push_back(absl::StrCat(a.name(), " (", a.data().size(), " bytes)"));
  return absl::StrJoin(names, ", ");
}

std::string Names(Client& c, const google::protobuf::RepeatedPtrField<std::string>& users) {
  std::vector<std::string> names;
  for (const std::string& id : users) {
    auto bundle = c.session().GetIdentity(id);
    names.push_back(bundle.ok() ? bundle->name() : Hex(id).substr(0, 8));
  }
  return absl::StrJoin(names, ", ");
}

void PrintSection(const Globals& g, Client& c, const PlanRecord& r, bool with_text) {
  const v1::PlanSection& s = r.section;
  std::string text = absl::StrCat("== ", client::PlanSectionTitle(s.section()), " (", s.section(),
                                  ", version ", s.version(), ", ", TimeOfDay(r.server_time_ms), ")");
  if (with_text) absl::StrAppend(&text, "\n", s.text().empty() ? "(empty)" : s.text());
  if (!s.attachments().empty()) absl::StrAppend(&text, "\n  attached: ", AttachmentNames(s));
  if (!s.shared_with().empty()) absl::StrAppend(&text, "\n  shared with: ", Names(c, s.shared_with()));
  Record().Set("section", s.section()).Set("version", double(s.version()))
      .Set("time_ms", double(r.server_time_ms)).Set("text", s.text())
      .Set("attachments", AttachmentNames(s))
      .Print(g.json, text);
}

absl::Status SaveAttachments(const Home& home, const PlanRecord& r, const std::string& dir) {
  for (const auto& a : r.section.attachments()) {
    const std::string name = std::filesystem::path(a.name()).filename().string();
    const std::string path = absl::StrCat(dir, "/", r.section.section(), "-", name);
    if (auto s = home.RecordWrittenElsewhere(path); !s.ok()) return s;
    if (auto s = WriteFileAtomically(path, a.data(), 0600); !s.ok()) return s;
  }
  return absl::OkStatus();
}

// Each section's latest version, by name.
std::map<std::string, PlanRecord> LatestByName(const std::vector<PlanRecord>& history) {
  std::map<std::string, PlanRecord> latest;
  for (const PlanRecord& r : history) latest[r.section.section()] = r;
  return latest;
}

}  // namespace

absl::Status PlanEdit(const Globals& g, const std::string& section, std::string text,
                      const std::vector<std::string>& attach) {
  if (section.empty()) {
    std::cout << "Sections (or name your own, in lower-case words joined by dashes):\n";
    for (const auto& s : client::kStandardPlanSections) {
      std::cout << "  " << s.key << std::string(20 - std::string(s.key).size(), ' ') << s.title << "\n";
    }
    std::cout << "Write one with: kith plan edit SECTION \"text\" (or '-' to read standard input)"
              << std::endl;
    return absl::OkStatus();
  }
  if (auto s = client::CheckPlanSectionName(section); !s.ok()) return s;
  if (text.empty() && attach.empty()) {
    return absl::InvalidArgumentError("give the section's text, or '-' to read it from standard input");
  }
  std::vector<v1::PlanAttachment> attachments;
  for (const std::string& path : attach) {
    auto bytes = ReadFile(path);
    if (!bytes.ok()) return absl::InvalidArgumentError(absl::StrCat("cannot read --attach ", path));
    v1::PlanAttachment& a = attachments.emplace_back();
    a.set_name(std::filesystem::path(path).filename().string());
    a.set_data(*std::move(bytes));
  }
  const bool has_text = !text.empty();  // without, the text stays as it was
  std::string new_text;
  if (has_text) {
    auto typed = PrivateText(std::move(text), "A plan section's text",
                             absl::StrCat("kith plan edit ", section, " -"));
    if (!typed.ok()) return typed.status();
    new_text = *std::move(typed);
  }
  auto c = g.home().Connect();
  if (!c.ok()) return c.status();
  auto written =
      (*c)->vault().EditPlan(section, has_text ? &new_text : nullptr, std::move(attachments));
  if (!written.ok()) return written.status();
  Record().Set("section", section).Set("version", double(written->version()))
      .Print(g.json, absl::StrCat("Saved ", client::PlanSectionTitle(section), ", version ",
                                  written->version(),
                                  written->shared_with().empty() ? "" : " (sent to the contacts it is shared with)"));
  return absl::OkStatus();
}

absl::Status PlanShow(const Globals& g, const std::string& section, const std::string& from,
                      const std::string& save_dir) {
  auto c = g.home().Connect();
  if (!c.ok()) return c.status();
  absl::StatusOr<std::vector<PlanRecord>> records;
  if (from.empty()) {
    auto history = (*c)->vault().PlanHistory();
    if (!history.ok()) return history.status();
    std::vector<PlanRecord> latest;
    for (auto& [name, r] : LatestByName(*history)) latest.push_back(std::move(r));
    records = std::move(latest);
  } else {
    auto owner = ResolvePerson(**c, from);
    if (!owner.ok()) return owner.status();
    records = (*c)->vault().SharedPlan(*owner);
  }
  if (!records.ok()) return records.status();
  bool any = false;
  for (const PlanRecord& r : *records) {
    if (!section.empty() && r.section.section() != section) continue;
    any = true;
    PrintSection(g, **c, r, /*with_text=*/true);
    if (!save_dir.empty()) {
      if (auto s = SaveAttachments(g.home(), r, save_dir); !s.ok()) return s;
    }
  }
  if (!any && !g.json) {
    std::cout << (from.empty() ? "Nothing in your plan yet: see 'kith plan edit'."
                               : "Nothing is shared with you.")
              << std::endl;
  }
  return absl::OkStatus();
}

absl::Status PlanShare(const Globals& g, const std::string& section, const std::string& user,
                       bool share) {
  auto c = g.home().Connect();
  if (!c.ok()) return c.status();
  auto contact = ResolvePerson(**c, user);
  if (!contact.ok()) return contact.status();
  auto written = (*c)->vault().SharePlan(section, *contact, share);
  if (!written.ok()) return written.status();
  Record().Set("section", section).Set("version", double(written->version()))
      .Print(g.json, absl::StrCat(client::PlanSectionTitle(section),
                                  share ? " is shared with " : " is no longer shared with ", user,
                                  share ? "" : ": they receive no later version"));
  return absl::OkStatus();
}

absl::Status PlanHistory(const Globals& g, const std::string& section) {
  auto c = g.home().Connect();
  if (!c.ok()) return c.status();
  auto history = (*c)->vault().PlanHistory();
  if (!history.ok()) return history.status();
  for (const PlanRecord& r : *history) {
    if (section.empty() || r.section.section() == section) PrintSection(g, **c, r, !section.empty());
  }
  return absl::OkStatus();
}

}  // namespace kith::cli
