// The safety plan in a person's vault (vault.h). Each edit, share or unshare is a new
// version of one section in the owner's vault, which records who the
// version goes to. Contacts receive copies in the direct conversation with
// the owner, sealed under that conversation's key, so only the two of them
// can read it; a contact who is unshared receives a notice and nothing
// after it, so no later version is ever encrypted to them.
#include "kith/plan.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "kith/crypto.h"
#include "kith/vault.h"

namespace kith::client {
namespace {

const PlanRecord* Latest(const std::vector<PlanRecord>& history, std::string_view section) {
  for (auto it = history.rbegin(); it != history.rend(); ++it) {
    if (it->section.section() == section) return &*it;
  }
  return nullptr;
}

}  // namespace

absl::Status CheckPlanSectionName(std::string_view name) {
  const bool valid = !name.empty() && name.size() <= kMaxPlanSectionNameBytes &&
                     std::all_of(name.begin(), name.end(), [](char c) {
                       return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
                     });
  if (valid) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "a plan section is named in lower-case letters, digits and dashes, at most ",
      kMaxPlanSectionNameBytes, " of them, e.g. warning-signs ('kith plan edit' lists them)"));
}

std::string PlanSectionTitle(std::string_view name) {
  for (const auto& s : kStandardPlanSections) {
    if (name == s.key) return s.title;
  }
  return std::string(name);
}

absl::StatusOr<std::vector<PlanRecord>> Vault::PlanHistory() {
  auto vault = Own(/*create=*/false);
  if (absl::IsNotFound(vault.status())) return std::vector<PlanRecord>();
  if (!vault.ok()) return vault.status();
  auto view = session_.Sync(*vault);
  if (!view.ok()) return view.status();
  return (*view)->plan();
}

absl::StatusOr<v1::PlanSection> Vault::CommitPlan(v1::PlanSection next,
                                                  const std::vector<std::string>& deliver_to,
                                                  const std::string& unshared) {
  auto vault = Own(/*create=*/true);
  if (!vault.ok()) return vault.status();
  auto written = session_.AppendFresh(*vault, [&](const GroupView& view) {
    const PlanRecord* latest = Latest(view.plan(), next.section());
    next.set_version(latest == nullptr ? 1 : latest->section.version() + 1);
    return view.SealPlan(next);
  });
  if (!written.ok()) return written.status();

  v1::PlanSection copy = next;
  copy.clear_shared_with();
  v1::PlanSection notice;
  notice.set_section(next.section());
  notice.set_version(next.version());
  notice.set_unshared(true);
  std::vector<std::pair<std::string, const v1::PlanSection*>> deliveries;
  for (const std::string& user : deliver_to) deliveries.emplace_back(user, &copy);
  if (!unshared.empty()) deliveries.emplace_back(unshared, &notice);
  absl::Status first_failure;
  std::vector<std::string> missed;
  for (const auto& [user, page] : deliveries) {
    auto direct = groups_.OpenDirect(user, /*create=*/true);
    absl::Status s = direct.status();
    if (s.ok()) {
      s = session_.AppendFresh(*direct, [&](const GroupView& view) { return view.SealPlan(*page); })
              .status();
    }
    if (s.ok()) continue;
    if (first_failure.ok()) first_failure = s;
    missed.push_back(absl::StrCat(crypto::ToHex(user).substr(0, 8), " (", s.message(), ")"));
  }
  if (!missed.empty()) {
    return absl::Status(first_failure.code(),
                        absl::StrCat("version ", next.version(), " is saved, but did not reach ",
                                     absl::StrJoin(missed, ", ")));
  }
  return next;
}

absl::StatusOr<v1::PlanSection> Vault::EditPlan(const std::string& section, const std::string* text,
                                                std::vector<v1::PlanAttachment> attach) {
  if (auto s = CheckPlanSectionName(section); !s.ok()) return s;
  auto history = PlanHistory();
  if (!history.ok()) return history.status();
  const PlanRecord* latest = Latest(*history, section);
  v1::PlanSection next = latest != nullptr ? latest->section : v1::PlanSection();
  next.set_section(section);
  if (text != nullptr) next.set_text(*text);
  for (auto& a : attach) *next.add_attachments() = std::move(a);
  const std::vector<std::string> contacts(next.shared_with().begin(), next.shared_with().end());
  return CommitPlan(std::move(next), contacts, "");
}

absl::StatusOr<v1::PlanSection> Vault::SharePlan(const std::string& section,
                                                 const std::string& user_id, bool share) {
  if (user_id == session_.identity().user_id())
    return absl::InvalidArgumentError("your plan is yours already");
  auto history = PlanHistory();
  if (!history.ok()) return history.status();
  const PlanRecord* latest = Latest(*history, section);
  if (latest == nullptr) {
    return absl::NotFoundError(absl::StrCat("nothing in '", section, "' yet: write it with 'kith plan edit ",
                                            section, "'"));
  }
  v1::PlanSection next = latest->section;
  auto* with = next.mutable_shared_with();
  const bool shared = std::find(with->begin(), with->end(), user_id) != with->end();
  if (share == shared) return next;
  if (share) {
    next.add_shared_with(user_id);
    return CommitPlan(std::move(next), {user_id}, "");
  }
  with->erase(std::remove(with->begin(), with->end(), user_id), with->end());
  return CommitPlan(std::move(next), {}, user_id);
}

absl::Status Vault::CarryPlan(const std::string& group_id) {
  auto view = session_.Sync(group_id);
  if (!view.ok()) return view.status();
  const std::string me = session_.identity().user_id();
  std::map<std::string, const PlanRecord*> latest;  // by section
  for (const PlanRecord& r : (*view)->plan()) {
    if (r.author == me) latest[r.section.section()] = &r;
  }
  std::vector<v1::PlanSection> stale;
  for (const auto& [name, record] : latest) {
    if (record->epoch != (*view)->state().epoch()) stale.push_back(record->section);
  }
  for (const v1::PlanSection& page : stale) {
    auto carried = session_.AppendFresh(
        group_id, [&](const GroupView& fresh) { return fresh.SealPlan(page); });
    if (!carried.ok()) return carried.status();
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<PlanRecord>> Vault::SharedPlan(const std::string& owner_id) {
  auto direct = groups_.OpenDirect(owner_id, /*create=*/false);
  if (absl::IsNotFound(direct.status())) return std::vector<PlanRecord>();
  if (!direct.ok()) return direct.status();
  auto view = session_.Sync(*direct);
  if (!view.ok()) return view.status();
  std::map<std::string, PlanRecord> latest;
  for (const PlanRecord& r : (*view)->plan()) {
    if (r.author == owner_id) latest[r.section.section()] = r;
  }
  std::vector<PlanRecord> out;
  for (auto& [name, r] : latest) {
    if (!r.section.unshared()) out.push_back(std::move(r));
  }
  return out;
}

}  // namespace kith::client
