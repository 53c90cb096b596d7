#include "kith/boundaries.h"

#include <algorithm>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "kith/protocol.h"

namespace kith::server {
namespace {

constexpr int kMinutesPerDay = 24 * 60;
constexpr int64_t kMaxCoolOffMs = 365ll * 24 * 3600 * 1000;
constexpr size_t kMaxTimeZoneBytes = 64;

// IANA names only ("Europe/Berlin", "Etc/GMT+5"): the name becomes a path
// under the zone database, so nothing that could climb out of it.
bool PlausibleZoneName(const std::string& name) {
  if (name.empty() || name.size() > kMaxTimeZoneBytes || name.front() == '/' ||
      name.find("..") != std::string::npos) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-' || c == '+';
  });
}

// Adds a person named by a boundary of kind `what` to `seen`, once.
absl::Status AddPerson(std::set<std::string>& seen, const std::string& id, const char* what) {
  if (id.size() != kIdBytes) {
    return absl::InvalidArgumentError(absl::StrCat("a ", what, " names a 16-byte user id"));
  }
  if (!seen.insert(id).second) {
    return absl::InvalidArgumentError(absl::StrCat("a person is named in two ", what, "s"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status Boundaries::Load() {
  absl::MutexLock lock(&mu_);
  std::map<std::string, Settings> held;
  held.swap(by_user_);
  auto s = store_->ForEachBoundaries([&](const std::string& user_id, const v1::Boundaries& b) {
    mu_.AssertHeld();
    Keep(user_id, b);
  });
  if (!s.ok()) by_user_.swap(held);
  return s;
}

absl::Status Boundaries::Refresh(const std::string& user_id) {
  auto b = store_->GetBoundaries(user_id);
  if (!b.ok()) {
    fprintf(stderr, "kithd: cannot read boundaries another node changed: %s\n",
            b.status().ToString().c_str());
    return b.status();
  }
  absl::MutexLock lock(&mu_);
  if (b->has_value()) {
    Keep(user_id, **b);
  } else {
    by_user_.erase(user_id);
  }
  return absl::OkStatus();
}

void Boundaries::Keep(const std::string& user_id, const v1::Boundaries& b) {
  Settings& settings = by_user_[user_id];
  settings.boundaries = b;
  settings.zone = absl::UTCTimeZone();
  // A zone once accepted and since missing here (an older zone database)
  // counts in UTC rather than keep everyone else's server down.
  if (!b.time_zone().empty() && !absl::LoadTimeZone(b.time_zone(), &settings.zone)) {
    // Not named: a person's time zone says where they are.
    fprintf(stderr, "kithd: a stored time zone is missing from the zone database; using UTC\n");
  }
}

absl::StatusOr<v1::Boundaries> Boundaries::Set(const std::string& user_id, v1::Boundaries b,
                                               int64_t now_ms) {
  Settings settings;
  if (!b.time_zone().empty() &&
      (!PlausibleZoneName(b.time_zone()) || !absl::LoadTimeZone(b.time_zone(), &settings.zone))) {
    return absl::InvalidArgumentError(absl::StrCat(
        "unknown time zone '", b.time_zone().substr(0, kMaxTimeZoneBytes),
        "': use an IANA name such as Europe/Berlin"));
  }
  if (!b.quiet()) {
    b.clear_quiet_start_min();
    b.clear_quiet_end_min();
  } else if (b.quiet_start_min() >= kMinutesPerDay || b.quiet_end_min() >= kMinutesPerDay ||
             b.quiet_start_min() == b.quiet_end_min()) {
    return absl::InvalidArgumentError(
        "quiet hours run from one time of day to a different one, such as 22:00-07:00");
  }
  if (static_cast<size_t>(b.limits_size() + b.cool_offs_size() + b.blocked_size()) >
      kMaxBoundaryEntries) {
    return absl::InvalidArgumentError(
        absl::StrCat("boundaries name at most ", kMaxBoundaryEntries, " people in all"));
  }
  std::set<std::string> seen;
  for (const auto& limit : b.limits()) {
    if (auto s = AddPerson(seen, limit.user(), "limit"); !s.ok()) return s;
    if (limit.per_day() < 1 || limit.per_day() > kMaxDailyLimit) {
      return absl::InvalidArgumentError(
          absl::StrCat("a limit allows 1 to ", kMaxDailyLimit, " messages a day"));
    }
  }
  seen.clear();
  for (const auto& cool_off : b.cool_offs()) {
    if (auto s = AddPerson(seen, cool_off.user(), "cool-off"); !s.ok()) return s;
    if (cool_off.until_ms() > now_ms + kMaxCoolOffMs) {
      return absl::InvalidArgumentError("a cool-off lasts at most a year; block for longer");
    }
  }
  auto* cool_offs = b.mutable_cool_offs();
  cool_offs->erase(std::remove_if(cool_offs->begin(), cool_offs->end(),
                                  [now_ms](const auto& c) { return c.until_ms() <= now_ms; }),
                   cool_offs->end());
  seen.clear();
  for (const std::string& blocked : b.blocked()) {
    if (auto s = AddPerson(seen, blocked, "block"); !s.ok()) return s;
  }
  // The store is written outside mu_, which the appender takes under a
  // group's lock; set_mu_ keeps concurrent changes in the same order in
  // the store and in memory.
  absl::MutexLock setting(&set_mu_);
  std::optional<v1::Boundaries> before;
  {
    absl::MutexLock lock(&mu_);
    if (auto it = by_user_.find(user_id); it != by_user_.end()) before = it->second.boundaries;
  }
  const bool same_quiet = before && before->quiet() == b.quiet() &&
                          before->time_zone() == b.time_zone() &&
                          before->quiet_start_min() == b.quiet_start_min() &&
                          before->quiet_end_min() == b.quiet_end_min();
  b.set_quiet_since_ms(same_quiet ? before->quiet_since_ms() : now_ms);
  settings.boundaries = b;
  if (auto s = store_->PutBoundaries(user_id, b); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  by_user_[user_id] = std::move(settings);
  return b;
}

v1::Boundaries Boundaries::Get(const std::string& user_id) const {
  absl::MutexLock lock(&mu_);
  auto it = by_user_.find(user_id);
  return it == by_user_.end() ? v1::Boundaries() : it->second.boundaries;
}

int64_t Boundaries::QuietEnd(const Settings& settings, int64_t at_ms) {
  const v1::Boundaries& b = settings.boundaries;
  if (!b.quiet()) return 0;
  const absl::CivilMinute local = absl::ToCivilMinute(absl::FromUnixMillis(at_ms), settings.zone);
  const int minute = local.hour() * 60 + local.minute();
  const int start = static_cast<int>(b.quiet_start_min());
  const int end = static_cast<int>(b.quiet_end_min());
  const bool quiet = start < end ? minute >= start && minute < end : minute >= start || minute < end;
  if (!quiet) return 0;
  // A window across midnight entered before midnight ends tomorrow.
  absl::CivilDay day(local);
  if (start > end && minute >= start) day += 1;
  return absl::ToUnixMillis(absl::FromCivil(absl::CivilMinute(day) + end, settings.zone));
}

int64_t Boundaries::QuietEndFor(const std::string& user_id, int64_t at_ms) const {
  absl::MutexLock lock(&mu_);
  auto it = by_user_.find(user_id);
  return it == by_user_.end() ? 0 : QuietEnd(it->second, at_ms);
}

absl::Status Boundaries::Check(const Settings& settings, const std::string& sender,
                               int64_t now_ms, const GroupEntry* direct) {
  const v1::Boundaries& b = settings.boundaries;
  bool refused = std::find(b.blocked().begin(), b.blocked().end(), sender) != b.blocked().end();
  for (const auto& cool_off : b.cool_offs()) {
    refused |= cool_off.user() == sender && cool_off.until_ms() > now_ms;
  }
  for (const auto& limit : b.limits()) {
    if (direct == nullptr || limit.user() != sender) continue;
    const absl::CivilDay today = absl::ToCivilDay(absl::FromUnixMillis(now_ms), settings.zone);
    const int64_t day_start = absl::ToUnixMillis(absl::FromCivil(today, settings.zone));
    refused |= direct->SentSince(sender, day_start) >= limit.per_day();
  }
  return refused ? absl::FailedPreconditionError(kNotAccepting) : absl::OkStatus();
}

std::optional<std::string> Boundaries::Addressee(const GroupEntry* entry,
                                                 const v1::EventBody& body) {
  if (body.has_create() && body.create().has_peer()) return UserIdFor(body.create().peer().sign_pk());
  if (entry == nullptr) return std::nullopt;
  // A message or a shared plan section.
  if (entry->state.is_direct()) return entry->state.PeerOf(body.author());
  if (body.has_invite() && entry->state.is_circle()) return body.invite().invitee();
  return std::nullopt;
}

absl::Status Boundaries::Admit(const GroupEntry* entry, const v1::EventBody& body,
                               int64_t now_ms) const {
  const std::optional<std::string> recipient = Addressee(entry, body);
  if (!recipient) return absl::OkStatus();
  const GroupEntry* direct = entry != nullptr && entry->state.is_direct() ? entry : nullptr;
  absl::MutexLock lock(&mu_);
  auto it = by_user_.find(*recipient);
  return it == by_user_.end() ? absl::OkStatus() : Check(it->second, body.author(), now_ms, direct);
}

void Boundaries::NoteApplied(GroupEntry& entry, const v1::EventBody& body, const v1::Event& event,
                             int64_t now_ms) {
  if (!entry.state.is_direct() || body.has_create()) return;
  const std::string recipient = entry.state.PeerOf(body.author());
  absl::MutexLock lock(&mu_);
  auto it = by_user_.find(recipient);
  if (it == by_user_.end()) return;
  // Not sent in quiet hours, or before they were set, or in ones already
  // over (at a replay).
  if (event.server_time_ms() < it->second.boundaries.quiet_since_ms() ||
      QuietEnd(it->second, event.server_time_ms()) <= now_ms) {
    return;
  }
  entry.Hold(recipient, event.seq());
  holding_.insert(&entry);
}

std::vector<GroupEntry*> Boundaries::ReleaseHolds(int64_t now_ms) {
  std::vector<GroupEntry*> holding;
  {
    absl::MutexLock lock(&mu_);
    holding.assign(holding_.begin(), holding_.end());
  }
  std::vector<GroupEntry*> released;
  for (GroupEntry* entry : holding) {
    absl::MutexLock lock(&entry->mu);
    if (entry->ReleaseHolds([&](const std::string& user) { return QuietEndFor(user, now_ms) == 0; })) {
      released.push_back(entry);
    }
    if (!entry->holding()) {
      absl::MutexLock own(&mu_);
      holding_.erase(entry);
    }
  }
  return released;
}

}  // namespace kith::server
