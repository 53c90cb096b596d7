#include "session.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <iterator>
#include <vector>

#include "absl/strings/str_cat.h"
#include "kith/crypto.h"
#include "kith/protocol.h"

namespace kith::cli {

const char* RoleName(v1::Role role) {
  switch (role) {
    case v1::ROLE_OWNER: return "owner";
    case v1::ROLE_MODERATOR: return "moderator";
    case v1::ROLE_MEMBER: return "member";
    default: return "none";
  }
}

std::string Hex(const std::string& bytes) { return crypto::ToHex(bytes); }

std::string TextArgument(std::string text) {
  if (text != "-") return text;
  text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

absl::StatusOr<std::string> PrivateText(std::string text, std::string_view what,
                                        std::string_view example) {
  if (text == "-") return TextArgument(std::move(text));
  crypto::Wipe(text);
  return absl::InvalidArgumentError(absl::StrCat(
      std::string(what),
      " is private, and an argument stays in your shell's history and shows in the "
      "process list: pass '-' and type it on standard input, ending with Ctrl-D (",
      std::string(example), ")"));
}

void WarnTextInHistory(std::string_view what) {
  std::cerr << "Sent. Your " << what << " is in this shell's history: clear it with "
            << "'history -c' and close this terminal. Next time pass '-' and type it instead.\n";
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string RoughDuration(int64_t ms) {
  const int64_t minutes = std::max<int64_t>(ms, 0) / 60000;
  if (minutes < 120) return absl::StrCat(minutes, "m");
  if (minutes < 48 * 60) return absl::StrCat(minutes / 60, "h");
  return absl::StrCat(minutes / (24 * 60), "d");
}

absl::StatusOr<uint32_t> ParseClockTime(const std::string& hh_mm) {
  int hour = -1, minute = -1;
  char extra = 0;
  if (std::sscanf(hh_mm.c_str(), "%d:%d%c", &hour, &minute, &extra) != 2 || hour < 0 ||
      hour > 23 || minute < 0 || minute > 59) {
    return absl::InvalidArgumentError(absl::StrCat("'", hh_mm, "' is not a time of day as HH:MM"));
  }
  return static_cast<uint32_t>(hour * 60 + minute);
}

std::string TimeOfDay(int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", std::localtime(&t));
  return buf;
}

absl::StatusOr<std::string> ResolveGroup(client::Client& c, const std::string& arg) {
  if (arg.size() == 2 * kIdBytes) {
    if (auto id = crypto::FromHex(arg); id.ok()) return *id;
  }
  auto groups = c.session().ListGroups();
  if (!groups.ok()) return groups.status();
  std::vector<std::string> matches;
  for (const auto& g : groups->groups()) {
    if (g.charter().name() == arg || (arg.size() >= 4 && Hex(g.group_id()).starts_with(arg))) {
      matches.push_back(g.group_id());
    }
  }
  if (matches.size() == 1) return matches[0];
  if (matches.empty()) {
    return absl::NotFoundError(absl::StrCat("no group of yours matches '", arg,
                                            "': use the id that 'kith groups' prints"));
  }
  return absl::InvalidArgumentError(absl::StrCat("'", arg, "' matches several groups; use the id"));
}

absl::StatusOr<std::string> ResolveUser(const GroupState& state, const std::string& arg) {
  if (arg.size() == 2 * kIdBytes) {
    if (auto id = crypto::FromHex(arg); id.ok()) return *id;
  }
  std::vector<std::string> matches;
  auto consider = [&](const std::string& id, const v1::IdentityBundle& bundle) {
    if (bundle.name() == arg || (arg.size() >= 4 && Hex(id).starts_with(arg))) {
      matches.push_back(id);
    }
  };
  for (const auto& [id, m] : state.members()) consider(id, m.bundle);
  for (const auto& [id, p] : state.pending()) consider(id, p.bundle);
  if (matches.size() == 1) return matches[0];
  if (matches.empty()) {
    return absl::NotFoundError(absl::StrCat("nobody in this group matches '", arg, "'"));
  }
  return absl::InvalidArgumentError(absl::StrCat("'", arg, "' matches several people; use the id"));
}

absl::StatusOr<std::string> ResolvePerson(client::Client& c, const std::string& arg) {
  if (arg.size() == 2 * kIdBytes) {
    if (auto id = crypto::FromHex(arg); id.ok()) return *id;
  }
  auto groups = c.session().ListGroups();
  if (!groups.ok()) return groups.status();
  std::vector<std::string> found;
  for (const v1::GroupSummary& s : groups->groups()) {
    if (s.invited() || s.pending()) continue;
    auto view = c.session().Sync(s.group_id());
    if (!view.ok()) return view.status();
    auto id = ResolveUser((*view)->state(), arg);
    if (id.ok() && *id != c.identity().user_id() &&
        std::find(found.begin(), found.end(), *id) == found.end()) {
      found.push_back(*id);
    }
  }
  if (found.size() == 1) return found[0];
  if (found.empty()) {
    return absl::NotFoundError(absl::StrCat(
        "nobody in your groups matches '", arg, "': ask them for their user id ('kith id show')"));
  }
  return absl::InvalidArgumentError(absl::StrCat("'", arg, "' matches several people; use the id"));
}

absl::StatusOr<GroupSession> OpenGroup(const Globals& g, const std::string& group_arg) {
  auto c = g.home().Connect();
  if (!c.ok()) return c.status();
  auto group = ResolveGroup(**c, group_arg);
  if (!group.ok()) return group.status();
  return GroupSession{*std::move(c), *std::move(group)};
}

absl::StatusOr<GroupSession> OpenDirect(const Globals& g, const std::string& person_arg) {
  auto c = g.home().Connect();
  if (!c.ok()) return c.status();
  auto person = ResolvePerson(**c, person_arg);
  if (!person.ok()) return person.status();
  auto group = (*c)->groups().OpenDirect(*person, /*create=*/false);
  if (!group.ok()) return group.status();
  return GroupSession{*std::move(c), *std::move(group)};
}

}  // namespace kith::cli
