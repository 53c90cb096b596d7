#include "boundary_commands.h"

#include <functional>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "kith/duration.h"
#include "kith/protocol.h"
#include "output.h"

namespace kith::cli {
namespace {

using client::Client;

std::string ClockTime(uint32_t minutes) {
  return absl::StrFormat("%02d:%02d", minutes / 60, minutes % 60);
}

// A person as people read them: their name and the start of their id.
std::string Person(Client& c, const std::string& user_id) {
  auto bundle = c.session().GetIdentity(user_id);
  const std::string id = Hex(user_id).substr(0, 8);
  return bundle.ok() ? absl::StrCat(bundle->name(), " (", id, ")") : id;
}

void Print(const Globals& g, Client& c, const v1::Boundaries& b) {
  const std::string zone = b.time_zone().empty() ? "UTC" : b.time_zone();
  bool any = false;
  auto line = [&](Record r, const std::string& text) {
    r.Print(g.json, text);
    any = true;
  };
  if (b.quiet()) {
    const std::string from = ClockTime(b.quiet_start_min()), to = ClockTime(b.quiet_end_min());
    line(Record().Set("boundary", "quiet_hours").Set("from", from).Set("to", to)
             .Set("time_zone", zone),
         absl::StrCat("Quiet hours ", from, "-", to, " (", zone,
                      "): direct messages wait until they end"));
  }
  for (const auto& limit : b.limits()) {
    line(Record().Set("boundary", "limit").Set("user", Hex(limit.user()))
             .Set("per_day", double(limit.per_day())).Set("time_zone", zone),
         absl::StrCat("Limit: ", Person(c, limit.user()), " may write ", limit.per_day(),
                      " times a day (", zone, ")"));
  }
  for (const auto& cool_off : b.cool_offs()) {
    line(Record().Set("boundary", "cool_off").Set("user", Hex(cool_off.user()))
             .Set("until_ms", double(cool_off.until_ms())),
         absl::StrCat("Cool-off: ", Person(c, cool_off.user()), " until ",
                      TimeOfDay(cool_off.until_ms())));
  }
  for (const std::string& user : b.blocked()) {
    line(Record().Set("boundary", "block").Set("user", Hex(user)),
         absl::StrCat("Blocked: ", Person(c, user)));
  }
  if (!any && !g.json) std::cout << "No boundaries set." << std::endl;
}

// Drops `user`'s entry from `entries` (limits or cool-offs).
template <typename Entries>
void Forget(Entries* entries, const std::string& user) {
  entries->erase(std::remove_if(entries->begin(), entries->end(),
                                [&user](const auto& e) { return e.user() == user; }),
                 entries->end());
}

// Reads this person's boundaries, lets `change` edit them (given the person
// `user_arg` names, if any), sets them and prints what is now enforced.
absl::Status Change(const Globals& g, const std::string& user_arg,
                    const std::function<absl::Status(v1::Boundaries&, const std::string&)>& change) {
  auto c = g.home().Connect();
  if (!c.ok()) return c.status();
  std::string user;
  if (!user_arg.empty()) {
    auto person = ResolvePerson(**c, user_arg);
    if (!person.ok()) return person.status();
    user = *std::move(person);
  }
  auto boundaries = (*c)->account().GetBoundaries();
  if (!boundaries.ok()) return boundaries.status();
  if (auto s = change(*boundaries, user); !s.ok()) return s;
  auto set = (*c)->account().SetBoundaries(*boundaries);
  if (!set.ok()) return set.status();
  Print(g, **c, *set);
  return absl::OkStatus();
}

}  // namespace

absl::Status BoundaryList(const Globals& g) {
  auto c = g.home().Connect();
  if (!c.ok()) return c.status();
  auto boundaries = (*c)->account().GetBoundaries();
  if (!boundaries.ok()) return boundaries.status();
  Print(g, **c, *boundaries);
  return absl::OkStatus();
}

absl::Status BoundaryQuietHours(const Globals& g, const std::string& window,
                                const std::string& time_zone) {
  return Change(g, "", [&](v1::Boundaries& b, const std::string&) -> absl::Status {
    if (!time_zone.empty()) b.set_time_zone(time_zone);
    if (window == "off") {
      b.set_quiet(false);
      return absl::OkStatus();
    }
    const size_t dash = window.find('-');
    auto from = ParseClockTime(window.substr(0, dash));
    auto to = ParseClockTime(dash == std::string::npos ? "" : window.substr(dash + 1));
    if (!from.ok() || !to.ok()) {
      return absl::InvalidArgumentError("quiet hours are HH:MM-HH:MM, e.g. 22:00-07:00, or 'off'");
    }
    b.set_quiet(true);
    b.set_quiet_start_min(*from);
    b.set_quiet_end_min(*to);
    return absl::OkStatus();
  });
}

absl::Status BoundaryLimit(const Globals& g, const std::string& user, const std::string& limit,
                           const std::string& time_zone) {
  return Change(g, user, [&](v1::Boundaries& b, const std::string& id) -> absl::Status {
    if (!time_zone.empty()) b.set_time_zone(time_zone);
    Forget(b.mutable_limits(), id);
    if (limit == "off") return absl::OkStatus();
    unsigned per_day = 0;
    char extra = 0;
    const bool parsed = std::sscanf(limit.c_str(), "%u/day%c", &per_day, &extra) == 1 ||
                        std::sscanf(limit.c_str(), "%u%c", &per_day, &extra) == 1;
    if (!parsed || per_day < 1 || per_day > kMaxDailyLimit) {
      return absl::InvalidArgumentError(
          absl::StrCat("a limit is N/day with N from 1 to ", kMaxDailyLimit, ", or 'off'"));
    }
    auto* entry = b.add_limits();
    entry->set_user(id);
    entry->set_per_day(per_day);
    return absl::OkStatus();
  });
}

absl::Status BoundaryCoolOff(const Globals& g, const std::string& user,
                             const std::string& duration) {
  return Change(g, user, [&](v1::Boundaries& b, const std::string& id) -> absl::Status {
    Forget(b.mutable_cool_offs(), id);
    if (duration == "off") return absl::OkStatus();
    auto ms = ParseDurationMs(duration);
    if (!ms.ok()) return ms.status();
    auto* entry = b.add_cool_offs();
    entry->set_user(id);
    entry->set_until_ms(NowMs() + *ms);
    return absl::OkStatus();
  });
}

absl::Status Block(const Globals& g, const std::string& user, bool block) {
  return Change(g, user, [&](v1::Boundaries& b, const std::string& id) -> absl::Status {
    auto* blocked = b.mutable_blocked();
    blocked->erase(std::remove(blocked->begin(), blocked->end(), id), blocked->end());
    if (block) b.add_blocked(id);
    return absl::OkStatus();
  });
}

}  // namespace kith::cli
