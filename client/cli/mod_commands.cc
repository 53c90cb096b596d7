#include "mod_commands.h"

#include <iostream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "kith/duration.h"
#include "kith/files.h"
#include "kith/rules.h"
#include "kith/strike_ladder.h"
#include "output.h"

namespace kith::cli {
namespace {

using M = v1::Moderation;

std::string DescribeStep(const StrikeStep& step) {
  switch (step.action) {
    case M::PAUSE: return absl::StrCat("pause for ", FormatDurationMs(step.duration_ms));
    case M::MUTE: return absl::StrCat("mute for ", FormatDurationMs(step.duration_ms));
    default: return client::ModerationActionName(step.action);
  }
}

// Moderation actions against `user_id` that count on the strike ladder.
std::vector<const client::AuditEntry*> StrikeHistory(const client::GroupView& view,
                                                     const std::string& user_id) {
  std::vector<const client::AuditEntry*> out;
  for (const auto& e : view.audit()) {
    const bool strike = e.action == "warn" || e.action == "pause" || e.action == "mute";
    if (strike && !e.targets.empty() && e.targets[0] == user_id) out.push_back(&e);
  }
  return out;
}

uint32_t StrikesOf(const client::GroupView& view, const std::string& user_id) {
  auto it = view.state().members().find(user_id);
  return it == view.state().members().end() ? 0 : it->second.strikes;
}

// The group's rule (GroupState::CheckModeration): the owner acts on
// moderators, moderators on members, and nobody on the owner.
bool MayRestrict(const client::GroupView& view, const std::string& moderator,
                 const std::string& user_id) {
  const v1::Role theirs = view.state().RoleOf(user_id);
  return theirs != v1::ROLE_OWNER &&
         (theirs != v1::ROLE_MODERATOR || view.state().RoleOf(moderator) == v1::ROLE_OWNER);
}

StrikeStep ProposedStep(const client::GroupView& view, const std::string& user_id) {
  return NextStrikeStep(view.state().charter(), StrikesOf(view, user_id));
}

}  // namespace

std::string DescribeAuditEntry(const client::GroupView& view, const client::AuditEntry& e) {
  // Everyone shows with their short id: anyone can take any name.
  auto person = [&](const std::string& id) {
    return absl::StrCat(view.NameOf(id), " (", Hex(id).substr(0, 8), ")");
  };
  const std::string who = person(e.author);
  std::vector<std::string> names;
  for (const auto& t : e.targets) names.push_back(person(t));
  const std::string targets = absl::StrJoin(names, ", ");
  const std::string duration = FormatDurationMs(static_cast<int64_t>(e.duration_ms));
  const std::string under = e.rule.empty() ? "" : absl::StrCat(" under ", e.rule);
  std::string text;
  if (e.action == "create") text = absl::StrCat(who, " created the group");
  else if (e.action == "invite") text = absl::StrCat(who, " opened an invitation");
  else if (e.action == "join-request") text = absl::StrCat(who, " asked to join");
  else if (e.action == "admit") text = absl::StrCat(who, " admitted ", targets);
  else if (e.action == "rekey") text = absl::StrCat(who, " re-keyed the group");
  else if (e.action == "role:moderator") text = absl::StrCat(who, " made ", targets, " a moderator");
  else if (e.action == "role:member") text = absl::StrCat(who, " made ", targets, " a member");
  else if (e.action == "leave") text = absl::StrCat(who, " left");
  else if (e.action == "report") text = absl::StrCat(who, " filed a report");
  else if (e.action == "step-away") text = absl::StrCat(who, " stepped away for ", duration);
  else if (e.action == "warn") text = absl::StrCat(who, " warned ", targets, under);
  else if (e.action == "pause") text = absl::StrCat(who, " paused ", targets, " for ", duration, under);
  else if (e.action == "mute") text = absl::StrCat(who, " muted ", targets, " for ", duration, under);
  else if (e.action == "lift") {
    text = targets.empty() ? absl::StrCat(who, " ended the group pause")
                           : absl::StrCat(who, " lifted the pause or mute on ", targets);
  } else if (e.action == "remove") text = absl::StrCat(who, " removed ", targets, under);
  else if (e.action == "ban") text = absl::StrCat(who, " banned ", targets, under);
  else if (e.action == "slow") {
    text = e.duration_ms == 0 ? absl::StrCat(who, " turned slow mode off")
                              : absl::StrCat(who, " set slow mode: one message per member every ",
                                             duration);
  } else if (e.action == "pause-group") {
    text = absl::StrCat(who, " paused the whole group for ", duration, under);
  } else if (e.action == "dismiss") {
    text = absl::StrCat(who, " dismissed item ", e.resolves);
  } else {
    text = absl::StrCat(who, ": ", e.action);
  }
  if (e.resolves != 0 && e.action != "dismiss") absl::StrAppend(&text, " (resolving item ", e.resolves, ")");
  return text;
}

absl::Status Moderate(const Globals& g, M::Action action, const std::string& group_arg,
                      const std::string& user_arg, const std::string& duration,
                      const std::string& rule) {
  auto session = OpenGroup(g, group_arg);
  if (!session.ok()) return session.status();
  auto& c = session->client;
  M m;
  m.set_action(action);
  m.set_rule(rule);
  if (action == M::SLOW && duration == "off") {
    m.set_duration_ms(0);
  } else if (action == M::STEP_AWAY || action == M::PAUSE || action == M::MUTE ||
             action == M::PAUSE_GROUP || action == M::SLOW) {
    auto ms = ParseDurationMs(duration);
    if (!ms.ok()) return ms.status();
    m.set_duration_ms(static_cast<uint64_t>(*ms));
  }
  auto view = c->session().Sync(session->group);
  if (!view.ok()) return view.status();
  if (action == M::STEP_AWAY) {
    m.set_target(c->identity().user_id());
  } else if (!user_arg.empty()) {
    auto user = ResolveUser((*view)->state(), user_arg);
    if (!user.ok()) return user.status();
    m.set_target(*user);
  }
  auto seq = c->groups().Moderate(session->group, m);
  if (!seq.ok()) return seq.status();
  auto after = c->session().Sync(session->group);
  if (!after.ok()) return after.status();
  client::AuditEntry entry;
  for (const auto& e : (*after)->audit()) {
    if (e.seq == *seq) entry = e;
  }
  Record().Set("group_id", Hex(session->group)).Set("seq", double(*seq))
      .Set("action", client::ModerationActionName(action)).Set("target", Hex(m.target()))
      .Print(g.json, absl::StrCat("Done: ", DescribeAuditEntry(**after, entry), "."));
  return absl::OkStatus();
}

absl::Status Report(const Globals& g, const std::string& group_arg, uint64_t seq,
                    const std::string& rule, const std::string& note) {
  auto session = OpenGroup(g, group_arg);
  if (!session.ok()) return session.status();
  auto report = session->client->groups().Report(session->group, seq, rule, note);
  if (!report.ok()) return report.status();
  Record().Set("group_id", Hex(session->group)).Set("report", double(*report))
      .Set("message_seq", double(seq))
      .Print(g.json, absl::StrCat("Reported message ", seq,
                                  " to the group's moderators (report ", *report,
                                  "). Only they can read it; the server cannot."));
  return absl::OkStatus();
}

absl::Status ModQueue(const Globals& g, const std::string& group_arg) {
  auto session = OpenGroup(g, group_arg);
  if (!session.ok()) return session.status();
  auto& c = session->client;
  auto queue = c->groups().ModerationQueue(session->group);
  if (!queue.ok()) return queue.status();
  const client::GroupView& view = *c->session().SyncedView(session->group);
  const v1::Charter& charter = view.state().charter();
  const int64_t window_ms = int64_t{charter.reply_window_s()} * 1000;
  const int64_t now = NowMs();
  if (queue->empty() && !g.json) std::cout << "Nothing waiting." << std::endl;
  for (const client::QueueItem& item : *queue) {
    const bool report = item.kind == client::QueueItem::Kind::kReport;
    const bool unreadable = item.kind == client::QueueItem::Kind::kUnreadable;
    const int64_t age = now - item.filed_ms;
    std::string window;
    if (window_ms > 0) {
      window = age > window_ms ? absl::StrCat("OVERDUE by ", RoughDuration(age - window_ms))
                               : absl::StrCat(RoughDuration(window_ms - age), " left to answer");
    }
    Record r;
    r.Set("item", double(item.seq))
        .Set("kind", report ? "report" : unreadable ? "unreadable" : "override");
    r.Set("filed_ms", double(item.filed_ms)).Set("age_ms", double(age));
    r.Set("reply_window_ms", double(window_ms)).Set("overdue", window_ms > 0 && age > window_ms);
    r.Set("verified", item.verified.ok());
    std::string text = absl::StrCat(report ? "Report " : unreadable ? "Unreadable " : "Override ",
                                    item.seq, " (",
                                    RoughDuration(age), " old", window.empty() ? "" : "; ",
                                    window, ")");
    if (!item.verified.ok()) {
      r.Set("problem", std::string(item.verified.message()));
      r.Set("reporter", Hex(item.reporter)).Set("reporter_name", view.NameOf(item.reporter));
      r.Print(g.json, absl::StrCat(text, " from ", view.NameOf(item.reporter),
                                   "\n  REJECTED: ", item.verified.message(),
                                   "\n  Only dismissing it is possible."));
      continue;
    }
    const auto history = StrikeHistory(view, item.accused);
    std::vector<std::string> past;
    for (const auto* e : history) {
      past.push_back(absl::StrCat(e->action, e->rule.empty() ? "" : " ", e->rule, " on ",
                                  TimeOfDay(e->server_time_ms)));
    }
    const bool about_me = item.accused == c->identity().user_id();
    const bool outranks = !MayRestrict(view, c->identity().user_id(), item.accused);
    const std::string proposed = item.already_resolved || outranks
                                     ? "dismiss"
                                     : DescribeStep(ProposedStep(view, item.accused));
    std::vector<std::string> reporters, also;
    for (const auto& who : item.reporters) reporters.push_back(view.NameOf(who));
    for (uint64_t seq : item.also) also.push_back(absl::StrCat(seq));
    r.Set("message_seq", double(item.message_seq)).Set("rules", absl::StrJoin(item.rules, ","));
    r.Set("note", item.note).Set("text", item.text);
    r.Set("reporter", Hex(item.reporter)).Set("reporter_name", view.NameOf(item.reporter));
    r.Set("reporters", absl::StrJoin(reporters, ",")).Set("also", absl::StrJoin(also, ","));
    r.Set("overridden", item.overridden).Set("already_resolved", item.already_resolved);
    r.Set("about_you", about_me);
    r.Set("accused", Hex(item.accused)).Set("accused_name", view.NameOf(item.accused));
    r.Set("strikes", double(StrikesOf(view, item.accused))).Set("history", absl::StrJoin(past, "; "));
    r.Set("proposed", proposed);
    if (report) {
      absl::StrAppend(&text, " by ", absl::StrJoin(reporters, ", "), " about message ",
                      item.message_seq, " from ", view.NameOf(item.accused));
      if (item.overridden) absl::StrAppend(&text, ", who sent it despite the rules engine's warning");
    } else if (unreadable) {
      absl::StrAppend(&text, ": ", view.NameOf(item.accused), " signed event ", item.seq,
                      ", and ", item.note,
                      ". Nobody can read it; the signed event in the log is the evidence");
    } else {
      absl::StrAppend(&text, ": ", view.NameOf(item.accused), " sent message ", item.message_seq,
                      " despite the rules engine's warning");
    }
    if (!unreadable) {
      absl::StrAppend(&text, "\n  Rule: ", item.rules.empty() ? "(none given)" : absl::StrJoin(item.rules, ", "));
      if (!item.note.empty()) absl::StrAppend(&text, "\n  Note: ", item.note);
      absl::StrAppend(&text, "\n  Text: \"", item.text, "\"");
    }
    if (report) absl::StrAppend(&text, "\n  Verified: the sender's franking tag and the server's checkpoint match");
    absl::StrAppend(&text, "\n  History of ", view.NameOf(item.accused), ": ",
                    past.empty() ? "no strikes" : absl::StrJoin(past, "; "));
    if (about_me) {
      absl::StrAppend(&text, "\n  It is about your own message: another moderator answers it.");
    } else if (outranks) {
      absl::StrAppend(&text, "\n  ", view.NameOf(item.accused), " is the group's ",
                      RoleName(view.state().RoleOf(item.accused)),
                      ": nobody here can restrict them. Talk it through, then dismiss it (kith mod "
                      "resolve ", ShellWord(group_arg), " ", item.seq, " --action dismiss)");
    } else if (item.already_resolved) {
      absl::StrAppend(&text, "\n  Message ", item.message_seq,
                      " was already resolved: dismiss this (kith mod resolve ", ShellWord(group_arg),
                      " ", item.seq, " --action dismiss); a message earns one strike");
    } else {
      absl::StrAppend(&text, "\n  Proposed: ", proposed, "  (kith mod resolve ",
                      ShellWord(group_arg), " ", item.seq, ")");
    }
    r.Print(g.json, text);
  }
  return absl::OkStatus();
}

absl::Status ModResolve(const Globals& g, const std::string& group_arg, uint64_t item_seq,
                        const std::string& action, const std::string& rule, bool yes) {
  auto session = OpenGroup(g, group_arg);
  if (!session.ok()) return session.status();
  auto& c = session->client;
  auto queue = c->groups().ModerationQueue(session->group);
  if (!queue.ok()) return queue.status();
  const client::QueueItem* item = nullptr;
  for (const auto& i : *queue) {
    if (i.seq == item_seq) item = &i;
  }
  if (item == nullptr) {
    return absl::NotFoundError(absl::StrCat(
        "no open report or override ", item_seq, ": 'kith mod queue ", ShellWord(group_arg),
        "' lists them"));
  }
  const client::GroupView* view = c->session().SyncedView(session->group);
  // Every refusal comes before any question.
  if (item->accused == c->identity().user_id()) {
    return absl::PermissionDeniedError(absl::StrCat(
        "item ", item_seq, " is about your own message: another moderator answers it"));
  }
  M m;
  client::SetResolves(*item, &m);
  if (action == "dismiss") {
    m.set_action(M::DISMISS);
  } else {
    if (!item->verified.ok()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "this report failed verification (", item->verified.message(),
          "); it can only be dismissed: --action dismiss"));
    }
    if (item->already_resolved) {
      return absl::FailedPreconditionError(absl::StrCat(
          "message ", item->message_seq, " was already resolved, and a message earns one strike: "
          "this later report can only be dismissed (--action dismiss)"));
    }
    if (!MayRestrict(*view, c->identity().user_id(), item->accused)) {
      return absl::PermissionDeniedError(absl::StrCat(
          view->NameOf(item->accused), " is the group's ",
          view->state().RoleOf(item->accused) == v1::ROLE_OWNER
              ? "owner, whom nobody moderates"
              : "moderator, and only the owner acts on a moderator",
          ": talk it through with them, then close the item with --action dismiss"));
    }
    StrikeStep step;
    if (action.empty()) {
      step = ProposedStep(*view, item->accused);
      if (!yes) {
        std::cerr << "The strike ladder proposes: " << DescribeStep(step) << " for "
                  << view->NameOf(item->accused) << "." << std::endl;
        auto confirmed = AskYesNo("Take this step?");
        if (!confirmed.ok()) {
          return absl::FailedPreconditionError(
              "cannot ask whether to take the proposed step: pass --yes, or --action");
        }
        if (!*confirmed) return absl::CancelledError("nothing done; pass --action to choose another step");
      }
    } else {
      auto parsed = ParseStrikeStep(action);
      if (!parsed.ok()) return parsed.status();
      step = *parsed;
    }
    m.set_action(step.action);
    m.set_duration_ms(step.duration_ms);
    m.set_target(item->accused);
    std::string chosen = rule;
    if (chosen.empty() && !item->rules.empty() && moderation::IsValidRule(item->rules[0])) {
      chosen = item->rules[0];
    }
    m.set_rule(chosen);
  }
  auto seq = c->groups().Moderate(session->group, m);
  if (!seq.ok()) return seq.status();
  Record().Set("group_id", Hex(session->group)).Set("item", double(item_seq))
      .Set("seq", double(*seq)).Set("action", client::ModerationActionName(m.action()))
      .Print(g.json, absl::StrCat("Resolved item ", item_seq, ": ", client::ModerationActionName(m.action()),
                                  m.target().empty() ? "" : absl::StrCat(" ", view->NameOf(m.target())),
                                  " (event ", *seq, ")."));
  return absl::OkStatus();
}

absl::Status ModAudit(const Globals& g, const std::string& group_arg, bool verify) {
  auto session = OpenGroup(g, group_arg);
  if (!session.ok()) return session.status();
  auto& c = session->client;
  const client::GroupView* view = nullptr;
  v1::Checkpoint checkpoint;
  if (verify) {
    auto audited = c->session().Audit(session->group);
    if (!audited.ok()) return audited.status();
    view = audited->view;
    checkpoint = audited->checkpoint;
  } else {
    auto synced = c->session().Sync(session->group);
    if (!synced.ok()) return synced.status();
    view = *synced;
  }
  for (const auto& e : view->audit()) {
    Record r;
    r.Set("seq", double(e.seq)).Set("time_ms", double(e.server_time_ms)).Set("action", e.action);
    r.Set("author", Hex(e.author)).Set("rule", e.rule).Set("duration_ms", double(e.duration_ms));
    r.Set("resolves", double(e.resolves)).Set("hash", Hex(std::string(view->EventHashAt(e.seq))));
    std::vector<std::string> targets;
    for (const auto& t : e.targets) targets.push_back(Hex(t));
    r.Set("targets", absl::StrJoin(targets, ","));
    r.Print(g.json, absl::StrCat("[", e.seq, "] ", TimeOfDay(e.server_time_ms), "  ",
                                 DescribeAuditEntry(*view, e)));
  }
  if (!verify) return absl::OkStatus();
  // The checkpoint this home verified last time must still match: a server
  // that rewrote history since then, however carefully, is caught here.
  const std::string pin_path =
      absl::StrCat(g.home().dir(), "/audit-", Hex(session->group), ".checkpoint");
  auto server_key = c->session().ServerKey();
  if (!server_key.ok()) return server_key.status();
  if (auto stored = ReadFile(pin_path); stored.ok()) {
    v1::Checkpoint pinned;
    if (!pinned.ParseFromString(*stored)) {
      return absl::DataLossError(absl::StrCat(pin_path, " is damaged; remove it to start afresh"));
    }
    if (auto s = client::VerifyCheckpointAgainst(*view, *server_key, pinned); !s.ok()) {
      return absl::DataLossError(absl::StrCat("the audit trail changed since you last verified it: ",
                                              s.message()));
    }
  }
  if (auto s = WriteFileAtomically(pin_path, checkpoint.SerializeAsString(), 0600); !s.ok()) return s;
  Record().Set("verified", true).Set("head_seq", double(checkpoint.seq()))
      .Set("head_hash", Hex(checkpoint.head_hash()))
      .Set("checkpoint_time_ms", double(checkpoint.server_time_ms()))
      .Print(g.json, absl::StrCat(
                         "Verified: all ", view->state().head_seq(),
                         " events, from the group's creation on, carry valid signatures and "
                         "chain together; the server's signed checkpoint at event ",
                         checkpoint.seq(), " (", TimeOfDay(checkpoint.server_time_ms()),
                         ") matches, as does every checkpoint verified here before."));
  return absl::OkStatus();
}

}  // namespace kith::cli
