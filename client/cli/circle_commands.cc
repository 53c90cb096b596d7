#include "circle_commands.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "account_commands.h"
#include "kith/crypto.h"
#include "kith/duration.h"
#include "kith/protocol.h"
#include "output.h"

namespace kith::cli {
namespace {

using client::AlertRecord;
using client::Client;
using client::GroupView;

absl::StatusOr<v1::AlertContent::Level> ParseLevel(const std::string& level) {
  for (auto l : {v1::AlertContent::CHECK_ON_ME, v1::AlertContent::COME_NOW,
                 v1::AlertContent::CALL_EMERGENCY}) {
    if (client::AlertLevelName(l) == level) return l;
  }
  return absl::InvalidArgumentError("--level is check-on-me, come-now or call-emergency");
}

std::string ShortId(const std::string& alert_id) { return Hex(alert_id).substr(0, 8); }

// Every circle this person can read: their own first, then those they are in.
absl::StatusOr<std::vector<std::string>> ReadableCircles(Client& c) {
  auto circles = c.circle().List();
  if (!circles.ok()) return circles.status();
  std::vector<std::string> out;
  if (!circles->own.empty()) out.push_back(circles->own);
  for (const v1::GroupSummary& s : circles->joined) {
    if (!s.invited() && !s.pending()) out.push_back(s.group_id());
  }
  return out;
}

struct FoundAlert {
  std::string circle_id;
  const GroupView* view;
  const AlertRecord* alert;
};

// The alert `alert_arg` names (its id or an id prefix) or, empty, the
// latest one this person raised (`mine`) or received (otherwise).
absl::StatusOr<FoundAlert> FindAlert(Client& c, const std::string& alert_arg, bool mine) {
  auto circles = ReadableCircles(c);
  if (!circles.ok()) return circles.status();
  std::optional<FoundAlert> latest;
  for (const std::string& circle : *circles) {
    auto view = c.session().Sync(circle);
    if (!view.ok()) return view.status();
    if (!alert_arg.empty()) {
      if (const AlertRecord* a = (*view)->FindAlert(alert_arg)) return FoundAlert{circle, *view, a};
      continue;
    }
    for (const AlertRecord& a : (*view)->alerts()) {
      if ((a.raiser == c.identity().user_id()) != mine) continue;
      if (!latest || a.raised_ms >= latest->alert->raised_ms) latest = FoundAlert{circle, *view, &a};
    }
  }
  if (latest) return *latest;
  if (alert_arg.empty()) {
    return absl::NotFoundError(mine ? "you have raised no alert" : "no alert has reached you");
  }
  return absl::NotFoundError(absl::StrCat("no alert '", alert_arg,
                                          "' in your circles (use the 8-character id shown)"));
}

std::string Answers(const GroupView& view, const AlertRecord& a) {
  std::vector<std::string> parts;
  for (const auto& ack : a.acks) {
    std::string part = view.NameOf(ack.member);
    if (ack.eta_ms > 0) absl::StrAppend(&part, " (on the way, about ", FormatDurationMs(ack.eta_ms), ")");
    if (!ack.note.empty()) absl::StrAppend(&part, ": ", ack.note);
    parts.push_back(std::move(part));
  }
  return absl::StrJoin(parts, "; ");
}

void PrintAlert(const Globals& g, const std::string& circle, const GroupView& view,
                const AlertRecord& a, const std::string& heading) {
  const v1::AlertContent& c = a.content;
  const std::string level = !a.readable           ? "unreadable"
                            : c.settings_changed() ? "settings-changed"
                                                   : client::AlertLevelName(c.level());
  Record r;
  r.Set("alert_id", Hex(a.alert_id)).Set("circle_id", Hex(circle)).Set("from", Hex(a.raiser));
  r.Set("from_name", view.NameOf(a.raiser)).Set("level", level).Set("test", c.test());
  r.Set("note", c.note()).Set("location", c.location()).Set("time_ms", double(a.raised_ms));
  r.Set("attempts", double(a.attempts)).Set("resolved", a.resolved);
  r.Set("acknowledged", !a.acks.empty()).Set("acks", Answers(view, a));
  std::string text = absl::StrCat(heading,
                                   c.settings_changed() ? "NOTICE (no action needed) "
                                   : c.test()           ? "TEST ALERT (no action needed) "
                                                        : "ALERT ",
                                   "[", ShortId(a.alert_id), "] from ", view.NameOf(a.raiser), ": ",
                                   level, ", ", TimeOfDay(a.raised_ms));
  if (!a.readable) absl::StrAppend(&text, " (sealed before you joined; you cannot read it)");
  if (!c.note().empty()) absl::StrAppend(&text, "\n  note: ", c.note());
  if (!c.location().empty()) absl::StrAppend(&text, "\n  where: ", c.location());
  if (a.attempts > 1) absl::StrAppend(&text, "\n  sent ", a.attempts, " times: nobody had answered");
  // Spoken to the sender as the sender, to the circle as the circle.
  const bool mine = a.raiser == view.self_id();
  absl::StrAppend(&text, "\n  ", a.resolved ? (mine ? "resolved by you" : "resolved by its sender")
                               : !a.acks.empty() ? "acknowledged by " + Answers(view, a)
                               : mine            ? "nobody has acknowledged it yet"
                                         : "NOT YET ACKNOWLEDGED: kith alert ack " + ShortId(a.alert_id));
  r.Print(g.json, text);
}

// The next time the local clock reads HH:MM, as Unix milliseconds.
absl::StatusOr<int64_t> NextLocalTime(const std::string& hh_mm) {
  auto minutes = ParseClockTime(hh_mm);
  if (!minutes.ok()) {
    return absl::InvalidArgumentError("--by takes a time of day as HH:MM, e.g. 22:00");
  }
  const time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  local.tm_hour = static_cast<int>(*minutes / 60);
  local.tm_min = static_cast<int>(*minutes % 60);
  local.tm_sec = 0;
  local.tm_isdst = -1;
  time_t at = std::mktime(&local);
  if (at <= now) {
    ++local.tm_mday;
    local.tm_isdst = -1;
    at = std::mktime(&local);
  }
  return int64_t{at} * 1000;
}

// Seals the check-in's alert and says, once, by when to check in; `before`
// leads the sentence (what was just done).
absl::Status Schedule(const Globals& g, Client& c, int64_t deadline_ms, uint64_t every_ms,
                      const std::string& note, const std::string& before = "") {
  v1::AlertContent content;
  content.set_level(v1::AlertContent::CHECK_ON_ME);
  content.set_note(absl::StrCat(c.identity().name, " did not check in by ", TimeOfDay(deadline_ms),
                                note.empty() ? "" : ": ", note));
  auto checkin = c.circle().ScheduleCheckin(deadline_ms, every_ms, content);
  if (!checkin.ok()) return checkin.status();
  Record().Set("deadline_ms", double(checkin->deadline_ms())).Set("every_ms", double(checkin->every_ms()))
      .Print(g.json, absl::StrCat(before, "Check in with 'kith checkin ok' by ", TimeOfDay(deadline_ms),
                                  ". If you do not, your circle is alerted, even if this device is gone",
                                  every_ms ? absl::StrCat("; repeats every ", FormatDurationMs(every_ms))
                                           : std::string(),
                                  "."));
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckinSchedule(const Globals& g, const std::string& by, const std::string& in,
                             const std::string& every, const std::string& note) {
  if (by.empty() == in.empty()) return absl::InvalidArgumentError("give one of --by HH:MM or --in DURATION");
  absl::StatusOr<int64_t> deadline = by.empty() ? absl::StatusOr<int64_t>(0) : NextLocalTime(by);
  if (!deadline.ok()) return deadline.status();
  if (!in.empty()) {
    auto ms = ParseDurationMs(in);
    if (!ms.ok()) return ms.status();
    deadline = NowMs() + static_cast<int64_t>(*ms);
  }
  uint64_t every_ms = 0;
  if (!every.empty()) {
    auto ms = ParseDurationMs(every);
    if (!ms.ok()) return ms.status();
    every_ms = *ms;
  }
  std::string typed_note;
  if (!note.empty()) {
    auto typed = PrivateText(note, "A check-in's note", "kith checkin schedule --in 90m --note -");
    if (!typed.ok()) return typed.status();
    typed_note = *std::move(typed);
  }
  auto c = g.home().Connect();
  if (!c.ok()) return c.status();
  return Schedule(g, **c, *deadline, every_ms, typed_note);
}

absl::Status CheckinCancel(const Globals& g, bool check_in) {
  auto print = [&] {
    Record().Set("cancelled", true).Print(g.json, check_in ? "Checked in: your circle will not be alerted."
                                                           : "No more check-ins until you schedule one.");
  };
  auto keystore = UnlockToChangeSafety(g);
  if (!keystore.ok()) return keystore.status();
  if (!*keystore) {  // under duress: the alarm escalated instead
    print();
    return absl::OkStatus();
  }
  auto c = g.home().Connect((*keystore)->profile().identity);
  if (!c.ok()) return c.status();
  auto cancelled = (*c)->circle().CancelCheckin();
  if (!cancelled.ok()) return cancelled.status();
  if (!cancelled->scheduled()) {
    return absl::FailedPreconditionError("no check-in is scheduled (it may already have gone out)");
  }
  if (!check_in || cancelled->every_ms() == 0) print();
  if (!check_in) return (*c)->circle().Notify("Check-ins were stopped.");
  if (cancelled->every_ms() == 0) return absl::OkStatus();
  // This check-in answers the deadline just cancelled; the next is one
  // period on (or the first still ahead, after missed ones).
  const auto every = static_cast<int64_t>(cancelled->every_ms());
  int64_t next = cancelled->deadline_ms() + every;
  while (next <= NowMs() + 60'000) next += every;
  return Schedule(g, **c, next, cancelled->every_ms(), "", "Checked in. Next: ");
}

absl::Status CheckinShow(const Globals& g) {
  auto c = g.home().Connect();
  if (!c.ok()) return c.status();
  auto checkin = (*c)->circle().GetCheckin();
  if (!checkin.ok()) return checkin.status();
  Record().Set("scheduled", checkin->scheduled()).Set("deadline_ms", double(checkin->deadline_ms()))
      .Set("every_ms", double(checkin->every_ms()))
      .Print(g.json, checkin->scheduled()
                         ? absl::StrCat("Next check-in due by ", TimeOfDay(checkin->deadline_ms()))
                         : "No check-in is scheduled.");
  return absl::OkStatus();
}

absl::Status CircleList(const Globals& g) {
  auto c = g.home().Connect();
  if (!c.ok()) return c.status();
  auto circles = (*c)->circle().List();
  if (!circles.ok()) return circles.status();
  if (!circles->own.empty()) {
    auto view = (*c)->circle().Tend(circles->own);
    if (!view.ok()) return view.status();
    // Each person's latest step, from the verified log.
    std::map<std::string, std::string> state;
    std::vector<std::string> order;
    auto set = [&](const std::string& id, const char* s) {
      if (!state.contains(id)) order.push_back(id);
      state[id] = s;
    };
    for (const client::AuditEntry& e : (*view)->audit()) {
      if (e.action == "invite" && !e.targets.empty()) set(e.targets[0], "invited");
      if (e.action == "decline") set(e.author, "declined");
      if (e.action == "join-request") set(e.author, "accepted");
      if (e.action == "leave") set(e.author, "left");
      if (e.action == "admit" || e.action == "remove") {
        for (const auto& id : e.targets) set(id, e.action == "admit" ? "in your circle" : "removed");
      }
    }
    if (order.empty() && !g.json) std::cout << "Nobody is in your circle yet." << std::endl;
    for (const std::string& id : order) {
      std::string name = (*view)->NameOf(id);
      if (state[id] == "invited") {
        if (auto b = (*c)->session().GetIdentity(id); b.ok()) name = b->name();
      }
      Record().Set("user_id", Hex(id)).Set("name", name).Set("state", state[id]).Set("own", true)
          .Print(g.json, absl::StrCat(name, " (", Hex(id).substr(0, 8), "): ", state[id]));
    }
  } else if (!g.json) {
    std::cout << "You have no circle yet: 'kith circle invite USER' starts one." << std::endl;
  }
  for (const v1::GroupSummary& s : circles->joined) {
    auto owner = (*c)->session().GetIdentity(s.owner());
    const std::string name = owner.ok() ? owner->name() : Hex(s.owner()).substr(0, 8);
    const char* role = s.invited() ? "invited" : s.pending() ? "accepted" : "member";
    Record().Set("owner", Hex(s.owner())).Set("owner_name", name).Set("state", role)
        .Set("own", false)
        .Print(g.json, s.invited()
                           ? absl::StrCat(name, " invited you into their circle: 'kith circle accept ",
                                          Hex(s.owner()).substr(0, 8), "' or 'decline'")
                           : absl::StrCat("You are in ", name, "'s circle",
                                          s.pending() ? " (once they next open Kith)" : ""));
  }
  return absl::OkStatus();
}

absl::Status CircleInvite(const Globals& g, const std::string& user_arg) {
  auto c = g.home().Connect();
  if (!c.ok()) return c.status();
  auto user = ResolvePerson(**c, user_arg);
  if (!user.ok()) return user.status();
  if (auto s = (*c)->circle().Invite(*user); !s.ok()) return s;
  Record().Set("invited", Hex(*user)).Print(
      g.json, absl::StrCat("Invited ", Hex(*user).substr(0, 8),
                           ". Nothing reaches them until they run 'kith circle accept ",
                           Hex((*c)->identity().user_id()).substr(0, 8), "'."));
  return absl::OkStatus();
}

absl::Status CircleAnswer(const Globals& g, const std::string& owner_arg, bool accept) {
  auto c = g.home().Connect();
  if (!c.ok()) return c.status();
  auto circles = (*c)->circle().List();
  if (!circles.ok()) return circles.status();
  std::vector<std::string> owners;
  for (const v1::GroupSummary& s : circles->joined) {
    if (!s.invited()) continue;
    auto owner = (*c)->session().GetIdentity(s.owner());
    const bool named = owner.ok() && owner->name() == owner_arg;
    if (named || (owner_arg.size() >= 4 && Hex(s.owner()).starts_with(owner_arg))) {
      owners.push_back(s.owner());
    }
  }
  if (owners.size() != 1) {
    return owners.empty() ? absl::NotFoundError(absl::StrCat("no open circle invitation from '",
                                                              owner_arg, "' ('kith circle' lists them)"))
                          : absl::InvalidArgumentError("several invitations match; use the owner's id");
  }
  if (auto s = (*c)->circle().Answer(owners[0], accept); !s.ok()) return s;
  Record().Set("owner", Hex(owners[0])).Set("accepted", accept).Print(
      g.json, accept ? "Accepted. You will receive their alerts and check-ins."
                     : "Declined. You are not in their circle.");
  return absl::OkStatus();
}

absl::Status CircleRemove(const Globals& g, const std::string& user_arg) {
  auto c = g.home().Connect();
  if (!c.ok()) return c.status();
  auto own = (*c)->circle().Own(/*create=*/false);
  if (!own.ok()) return own.status();
  auto view = (*c)->session().Sync(*own);
  if (!view.ok()) return view.status();
  auto user = ResolveUser((*view)->state(), user_arg);
  if (!user.ok()) return user.status();
  if (auto s = (*c)->circle().Remove(*user); !s.ok()) return s;
  Record().Set("removed", Hex(*user)).Print(
      g.json, "Removed, and the circle was re-keyed: they will receive nothing from now on.");
  return absl::OkStatus();
}

absl::Status AlertRaise(const Globals& g, const AlertOptions& options) {
  auto level = ParseLevel(options.level);
  if (!level.ok()) return level.status();
  auto realert = ParseDurationMs(options.realert);
  if (!realert.ok()) return realert.status();
  if (options.note == "-" && options.location == "-") {
    return absl::InvalidArgumentError(
        "only one of --note and --location can be read from standard input");
  }
  // Given as arguments they go out all the same: an alert is never held back.
  std::vector<std::string> in_history;
  if (!options.note.empty() && options.note != "-") in_history.push_back("note");
  if (!options.location.empty() && options.location != "-") in_history.push_back("location");
  auto c = g.home().Connect();
  if (!c.ok()) return c.status();
  if (!options.yes) {
    // Nobody sets off an alert by exploring the commands: it says to whom, and asks.
    auto own = (*c)->circle().Own(/*create=*/false);
    if (!own.ok()) return own.status();
    auto view = (*c)->session().Sync(*own);
    if (!view.ok()) return view.status();
    std::vector<std::string> names;
    for (const auto& [id, member] : (*view)->state().members()) {
      if (id != (*c)->identity().user_id()) {
        names.push_back(absl::StrCat(member.bundle.name(), " (", ShortId(id), ")"));
      }
    }
    if (names.empty()) {
      return absl::FailedPreconditionError(
          "nobody has accepted your circle invitation yet, so an alert would reach nobody");
    }
    const std::string what = absl::StrCat(options.test ? "a TEST alert" : "an alert",
                                          options.test ? "" : absl::StrCat(" (", options.level, ")"),
                                          " to ", absl::StrJoin(names, ", "));
    auto send = AskYesNo(absl::StrCat("Send ", what, "?"));
    if (!send.ok()) {
      return absl::FailedPreconditionError(
          absl::StrCat("this would send ", what, ": pass --yes to send it without a question"));
    }
    if (!*send) return absl::CancelledError("no alert sent");
  }
  v1::AlertContent content;
  content.set_level(*level);
  content.set_location(TextArgument(options.location));
  content.set_note(TextArgument(options.note));
  content.set_test(options.test);
  auto raised = (*c)->circle().RaiseAlert(content, *realert);
  if (!raised.ok()) return raised.status();
  // The view RaiseAlert synced to seal the alert: its members received it.
  const size_t contacts =
      (*c)->session().SyncedView(raised->circle_id)->state().members().size() - 1;
  Record().Set("alert_id", Hex(raised->alert_id)).Set("seq", double(raised->seq))
      .Set("recipients", double(contacts))
      .Print(g.json, absl::StrCat(options.test ? "Test alert" : "Alert", " [", ShortId(raised->alert_id),
                                  "] sent to ", contacts, " people in your circle. 'kith alert status ",
                                  ShortId(raised->alert_id), "' shows who has it and who answered."));
  if (!in_history.empty()) WarnTextInHistory(absl::StrJoin(in_history, " and "));
  return absl::OkStatus();
}

// Answers the alert `alert_arg` names and sets `*id` to its id. A RESOLVE
// under a duress profile escalates the alarm instead, and `*id` is what
// was typed.
absl::Status AnswerUnlessDuress(const Globals& g, const std::string& alert_arg,
                                v1::Alert::Kind kind, const v1::AlertContent& content,
                                std::string* id) {
  auto keystore = kind == v1::Alert::RESOLVE ? UnlockToChangeSafety(g)
                                             : absl::StatusOr<std::optional<client::Keystore>>(
                                                   g.home().Unlock());
  if (!keystore.ok()) return keystore.status();
  if (!*keystore) {
    *id = crypto::FromHex(alert_arg).value_or(alert_arg);
    return absl::OkStatus();
  }
  auto c = g.home().Connect((*keystore)->profile().identity);
  if (!c.ok()) return c.status();
  auto found = FindAlert(**c, alert_arg, /*mine=*/kind == v1::Alert::RESOLVE);
  if (!found.ok()) return found.status();
  *id = found->alert->alert_id;
  return (*c)->circle().AnswerAlert(found->circle_id, *id, kind, content);
}

absl::Status AlertAnswer(const Globals& g, const std::string& alert_arg, v1::Alert::Kind kind,
                         const std::string& eta, const std::string& note) {
  v1::AlertContent content;
  content.set_note(note);
  if (!eta.empty()) {
    auto ms = ParseDurationMs(eta);
    if (!ms.ok()) return ms.status();
    content.set_eta_ms(*ms);
  }
  std::string id;
  if (auto done = AnswerUnlessDuress(g, alert_arg, kind, content, &id); !done.ok()) return done;
  Record().Set("alert_id", Hex(id)).Set("answer", kind == v1::Alert::ACK ? "ack" : "resolve")
      .Print(g.json, kind == v1::Alert::ACK ? "Acknowledged: they and the circle can see it."
                                            : "Resolved: the circle knows you are OK.");
  return absl::OkStatus();
}

absl::Status AlertStatus(const Globals& g, const std::string& alert_arg) {
  auto c = g.home().Connect();
  if (!c.ok()) return c.status();
  auto found = FindAlert(**c, alert_arg, /*mine=*/true);
  if (!found.ok()) return found.status();
  PrintAlert(g, found->circle_id, *found->view, *found->alert, "");
  if (found->alert->raiser != (*c)->identity().user_id()) return absl::OkStatus();
  // The sender sees, per person, whether it reached them and what they said.
  auto reached = (*c)->circle().DeliveredTo(found->circle_id, found->alert->seq);
  if (!reached.ok()) return reached.status();
  for (const auto& [id, member] : found->view->state().members()) {
    if (id == (*c)->identity().user_id()) continue;
    const bool got = std::find(reached->begin(), reached->end(), id) != reached->end();
    bool acked = false;
    for (const auto& ack : found->alert->acks) acked |= ack.member == id;
    Record().Set("user_id", Hex(id)).Set("name", member.bundle.name()).Set("received", got)
        .Set("acknowledged", acked)
        .Print(g.json, absl::StrCat("  ", member.bundle.name(), ": ",
                                    acked ? "acknowledged" : got ? "received, not yet acknowledged"
                                                                 : "not received yet"));
  }
  return absl::OkStatus();
}

absl::Status AlertsList(const Globals& g) {
  auto c = g.home().Connect();
  if (!c.ok()) return c.status();
  auto circles = ReadableCircles(**c);
  if (!circles.ok()) return circles.status();
  size_t shown = 0;
  for (const std::string& circle : *circles) {
    auto view = (*c)->session().Sync(circle);
    if (!view.ok()) return view.status();
    for (const AlertRecord& a : (*view)->alerts()) {
      if (a.raiser == (*c)->identity().user_id()) continue;
      PrintAlert(g, circle, **view, a, "");
      ++shown;
    }
  }
  if (shown == 0 && !g.json) std::cout << "No alerts." << std::endl;
  return absl::OkStatus();
}

namespace {

// Draws attention to an alert beyond the line printed: the terminal's bell
// and, where there is a desktop, a notification (notify-send). The
// notification names the sender and the level only: a locked screen can
// show it to anyone nearby, so the note and location stay in the terminal.
void NotifyDesktop(const GroupView& view, const AlertRecord& a) {
  if (::isatty(2)) (void)!::write(2, "\a", 1);
  const v1::AlertContent& c = a.content;
  if (!a.readable || c.settings_changed()) return;
  std::string program = "notify-send", urgency = "--urgency=critical",
              title = absl::StrCat("Kith: ", c.test() ? "test alert" : "ALERT", " from ",
                                   view.NameOf(a.raiser)),
              body = absl::StrCat(client::AlertLevelName(c.level()), " [", ShortId(a.alert_id),
                                  "]: see the terminal where kith follows alerts");
  char* const argv[] = {program.data(), urgency.data(), title.data(), body.data(), nullptr};
  pid_t pid = -1;
  if (::posix_spawnp(&pid, argv[0], nullptr, nullptr, argv, environ) == 0) ::waitpid(pid, nullptr, 0);
}

}  // namespace

absl::Status FollowAlerts(const Globals& g) {
  auto unlocked = g.home().Unlock();
  if (!unlocked.ok()) return unlocked.status();
  // Each follower reads the member keys again when another command rotated them.
  auto keystore = std::make_shared<SharedKeystore>(*std::move(unlocked));
  auto c = g.home().Connect(keystore);
  if (!c.ok()) return c.status();
  auto circles = ReadableCircles(**c);
  if (!circles.ok()) return circles.status();
  if (circles->empty()) {
    return absl::FailedPreconditionError("you are in no circle yet; nothing to follow");
  }
  // Alerts from the moment the command started, even those that arrive
  // before each stream connects.
  std::vector<size_t> start;
  for (const std::string& circle : *circles) {
    auto view = (*c)->session().Sync(circle);
    if (!view.ok()) return view.status();
    start.push_back((*view)->alert_notices().size());
  }
  // On standard error, so what is printed on standard output stays alerts only.
  std::cerr << "Watching " << circles->size() << " circle(s) for alerts (Ctrl-C to stop)."
            << std::endl;
  std::mutex print_mu;
  std::vector<absl::Status> results(circles->size());
  std::vector<std::thread> threads;
  // One connection per circle: a Client serves one thread.
  for (size_t i = 0; i < circles->size(); ++i) {
    threads.emplace_back([&, i] {
      auto follower = g.home().Connect(keystore);
      if (!follower.ok()) return void(results[i] = follower.status());
      size_t next = start[i];  // first notice not yet printed
      results[i] = (*follower)->session().FollowView((*circles)[i], [&](const GroupView& view) {
        const auto& notices = view.alert_notices();
        std::lock_guard<std::mutex> lock(print_mu);
        for (; next < notices.size(); ++next) {
          const client::AlertNotice& n = notices[next];
          const AlertRecord* a = view.FindAlert(n.alert_id);
          if (a == nullptr) continue;
          if (n.kind == v1::Alert::RAISE) {
            PrintAlert(g, (*circles)[i], view, *a, n.realert ? "AGAIN: " : "");
            NotifyDesktop(view, *a);
          } else {
            Record().Set("alert_id", Hex(n.alert_id)).Set("from", Hex(n.author))
                .Set("answer", n.kind == v1::Alert::ACK ? "ack" : "resolve")
                .Print(g.json, absl::StrCat(view.NameOf(n.author),
                                            n.kind == v1::Alert::ACK ? " acknowledged" : " resolved",
                                            " alert [", ShortId(n.alert_id), "]"));
          }
        }
        std::cout.flush();
        return true;
      });
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& s : results) {
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace kith::cli
