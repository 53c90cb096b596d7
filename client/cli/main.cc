// kith: the Kith command-line client.
#include <algorithm>
#include <ctime>
#include <iostream>
#include <iterator>
#include <thread>
#include <mutex>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>
#include <grpc/support/log.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "account_commands.h"
#include "agent.h"
#include "boundary_commands.h"
#include "circle_commands.h"
#include "duress_relay.h"
#include "evidence_commands.h"
#include "home.h"
#include "kith/crypto.h"
#include "kith/duration.h"
#include "kith/files.h"
#include "kith/hardening.h"
#include "kith/lookalikes.h"
#include "kith/verified_contacts.h"
#include "kith/protocol.h"
#include "kith/strike_ladder.h"
#include "output.h"
#include "plan_commands.h"
#include "mod_commands.h"
#include "rules_commands.h"
#include "session.h"

namespace kith::cli {
namespace {

void PrintCharter(const Globals& g, const std::string& group_id, const v1::Charter& c) {
  Record r;
  r.Set("group_id", Hex(group_id)).Set("name", c.name()).Set("crisis", c.crisis_resources());
  r.Set("rules", absl::StrJoin(c.rules(), ",")).Set("rules_version", double(c.rules_version()));
  r.Set("reply_window_s", double(c.reply_window_s()));
  std::string text = absl::StrCat("Group: ", c.name(), "\nId: ", Hex(group_id), "\nGround rules (version ",
                                  c.rules_version(), "):");
  for (const auto& rule : c.rules()) absl::StrAppend(&text, "\n  - ", rule);
  if (c.rules().empty()) absl::StrAppend(&text, "\n  (none)");
  if (!c.crisis_resources().empty()) absl::StrAppend(&text, "\nCrisis resources: ", c.crisis_resources());
  if (c.reply_window_s()) {
    absl::StrAppend(&text, "\nModerators answer reports within ",
                    FormatDurationMs(int64_t{c.reply_window_s()} * 1000));
  }
  std::vector<std::string> ladder(c.strike_ladder().begin(), c.strike_ladder().end());
  if (ladder.empty()) ladder.assign(std::begin(kDefaultStrikeLadder), std::end(kDefaultStrikeLadder));
  r.Set("strike_ladder", absl::StrJoin(ladder, ","));
  absl::StrAppend(&text, "\nStrike ladder (one step per confirmed report): ",
                  absl::StrJoin(ladder, ", then "));
  r.Print(g.json, text);
}

// What `read`, `follow` and `chat` show besides messages: moderation, and
// who joins, leaves or changes role; requests to join only to moderators.
bool IsShownEvent(const std::string& action, bool moderator) {
  for (const char* a : {"step-away", "warn", "pause", "mute", "lift", "remove", "ban", "slow",
                        "pause-group", "admit", "leave", "role:moderator", "role:member"}) {
    if (action == a) return true;
  }
  return moderator && action == "join-request";
}

// Override marks ("sent despite a rule") are for moderators' eyes: every
// member's client can read them (docs/metadata.md), but only a moderator's
// shows them.
void PrintMessage(const Globals& g, const client::Message& m, bool moderator) {
  Record r;
  r.Set("seq", double(m.seq)).Set("sender", Hex(m.sender)).Set("sender_name", m.sender_name);
  r.Set("time_ms", double(m.server_time_ms)).Set("text", m.text).Set("epoch", double(m.epoch));
  const std::string overridden = moderator ? absl::StrJoin(m.overridden_rules, ",") : "";
  if (moderator) r.Set("overridden_rules", overridden);
  if (!m.unreadable.empty()) r.Set("unreadable", m.unreadable);
  const std::string shown =
      m.unreadable.empty() ? m.text
                           : absl::StrCat("[unreadable: ", m.unreadable,
                                          "; moderators see it in their queue]");
  r.Print(g.json, absl::StrCat("[", m.seq, "] ", TimeOfDay(m.server_time_ms), " ", m.sender_name,
                               " (", Hex(m.sender).substr(0, 8), "): ", shown,
                               overridden.empty() ? "" : absl::StrCat("  [sent despite ", overridden, "]")));
}

// Prints the messages and shown events of `view` from `from` on, in log order.
void PrintLog(const Globals& g, const client::GroupView& view, uint64_t from) {
  const bool moderator = view.state().IsModerator(view.self_id());
  const auto& messages = view.messages();
  const auto& events = view.audit();
  auto m = std::lower_bound(messages.begin(), messages.end(), from,
                            [](const client::Message& x, uint64_t seq) { return x.seq < seq; });
  auto e = std::lower_bound(events.begin(), events.end(), from,
                            [](const client::AuditEntry& x, uint64_t seq) { return x.seq < seq; });
  while (m != messages.end() || e != events.end()) {
    if (e == events.end() || (m != messages.end() && m->seq < e->seq)) {
      PrintMessage(g, *m++, moderator);
      continue;
    }
    if (IsShownEvent(e->action, moderator)) {
      Record().Set("seq", double(e->seq)).Set("time_ms", double(e->server_time_ms))
          .Set("event", e->action).Set("author", Hex(e->author))
          .Print(g.json, absl::StrCat("[", e->seq, "] ", TimeOfDay(e->server_time_ms), " -- ",
                                      DescribeAuditEntry(view, *e)));
    }
    ++e;
  }
}

// --- commands ------------------------------------------------------------------

absl::Status GroupCreate(const Globals& g, const std::string& name, const std::string& rules,
                         const std::string& crisis, const std::string& reply_window,
                         const std::string& ladder) {
  v1::Charter charter;
  charter.set_name(name);
  for (absl::string_view rule : absl::StrSplit(rules, ',', absl::SkipEmpty())) {
    charter.add_rules(std::string(rule));
  }
  for (absl::string_view step : absl::StrSplit(ladder, ',', absl::SkipEmpty())) {
    charter.add_strike_ladder(std::string(step));
  }
  if (auto s = ValidateStrikeLadder(charter); !s.ok()) return s;
  charter.set_crisis_resources(crisis);
  auto window = ParseDurationMs(reply_window);
  if (!window.ok()) return window.status();
  charter.set_reply_window_s(static_cast<uint32_t>(*window / 1000));
  auto c = g.home().Connect();
  if (!c.ok()) return c.status();
  auto group = (*c)->groups().CreateGroup(charter);
  if (!group.ok()) return group.status();
  Record().Set("group_id", Hex(*group)).Set("name", name)
      .Print(g.json, g.json ? "" : Hex(*group));
  return absl::OkStatus();
}

absl::Status GroupCharter(const Globals& g, const std::string& group_arg) {
  auto session = OpenGroup(g, group_arg);
  if (!session.ok()) return session.status();
  auto& c = session->client;
  const std::string& group_id = session->group;
  auto charter = c->groups().GetCharter(group_id);
  if (!charter.ok()) return charter.status();
  PrintCharter(g, group_id, *charter);
  return absl::OkStatus();
}

absl::Status GroupInvite(const Globals& g, const std::string& group_arg) {
  auto session = OpenGroup(g, group_arg);
  if (!session.ok()) return session.status();
  auto& c = session->client;
  const std::string& group_id = session->group;
  auto code = c->groups().Invite(group_id);
  if (!code.ok()) return code.status();
  Record().Set("invite_code", code->ToString()).Set("group_id", Hex(group_id))
      .Print(g.json, code->ToString());
  return absl::OkStatus();
}

absl::Status GroupJoin(const Globals& g, const std::string& code_text, bool accept_rules) {
  auto code = client::InviteCode::Parse(code_text);
  if (!code.ok()) return code.status();
  auto c = g.home().Connect();
  if (!c.ok()) return c.status();
  auto charter = (*c)->groups().GetCharter(code->group_id);
  if (!charter.ok()) return charter.status();
  if (!g.json) PrintCharter(g, code->group_id, *charter);
  if (!accept_rules) {
    auto yes = AskYesNo("Do you accept this group's ground rules?");
    if (!yes.ok()) {
      return absl::FailedPreconditionError(
          "joining needs you to accept the ground rules: answer in a terminal or pass "
          "--accept-rules");
    }
    if (!*yes) return absl::CancelledError("you did not accept the ground rules; not joining");
  }
  if (auto s = (*c)->groups().Join(*code, *charter); !s.ok()) return s;
  Record().Set("group_id", Hex(code->group_id)).Set("pending", true)
      .Print(g.json, "Asked to join; a moderator will admit you.");
  return absl::OkStatus();
}

// What a moderator must know before admitting someone whose name reads
// like another person's; empty if nobody's does.
std::string LookalikeWarning(const std::string& user_id, const std::string& name,
                             const std::vector<client::Lookalike>& lookalikes) {
  if (lookalikes.empty()) return "";
  std::string text = absl::StrCat("  WARNING: ", name, " (", Hex(user_id), ") goes by the name of");
  for (const auto& l : lookalikes) {
    absl::StrAppend(&text, "\n    ", l.name, " (", Hex(l.user_id), "), ", client::StandingName(l.standing));
  }
  absl::StrAppend(&text, "\n  Names prove nothing: compare safety numbers with the person you "
                         "know, in person or on a call ('kith id verify ", Hex(user_id), "').");
  return text;
}

absl::Status GroupPending(const Globals& g, const std::string& group_arg) {
  auto session = OpenGroup(g, group_arg);
  if (!session.ok()) return session.status();
  auto& c = session->client;
  const std::string& group_id = session->group;
  auto pending = c->groups().Pending(group_id);
  if (!pending.ok()) return pending.status();
  if (pending->empty() && !g.json) std::cout << "Nobody is waiting." << std::endl;
  for (const auto& p : *pending) {
    std::vector<std::string> lookalikes;
    for (const auto& l : p.lookalikes) {
      lookalikes.push_back(absl::StrCat(Hex(l.user_id), ":", client::StandingName(l.standing)));
    }
    const std::string warning = LookalikeWarning(p.user_id, p.name, p.lookalikes);
    Record().Set("user_id", Hex(p.user_id)).Set("name", p.name).Set("seq", double(p.seq))
        .Set("lookalikes", absl::StrJoin(lookalikes, ","))
        .Print(g.json, absl::StrCat(Hex(p.user_id), "  ", p.name, warning.empty() ? "" : "\n",
                                    warning));
  }
  return absl::OkStatus();
}

// admit, remove and role: a moderator's action on people (admit takes
// several, who are admitted with one re-key).
absl::Status GroupMemberAction(const Globals& g, const std::string& action,
                               const std::string& group_arg,
                               const std::vector<std::string>& user_args, const std::string& role,
                               bool yes = false) {
  auto session = OpenGroup(g, group_arg);
  if (!session.ok()) return session.status();
  auto& c = session->client;
  const std::string& group_id = session->group;
  auto view = c->session().Sync(group_id);
  if (!view.ok()) return view.status();
  std::vector<std::string> users;
  for (const auto& arg : user_args) {
    auto user = ResolveUser((*view)->state(), arg);
    if (!user.ok()) return user.status();
    users.push_back(*user);
    if (action != "admit" || yes) continue;
    const std::string warning =
        LookalikeWarning(*user, (*view)->NameOf(*user), client::LookalikesOf(**view, *user));
    if (warning.empty()) continue;
    std::cerr << warning << std::endl;
    auto admit = AskYesNo("Admit them anyway?");
    if (!admit.ok()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "not admitting ", Hex(*user), ", whose name reads like someone else's: compare safety "
          "numbers first, then pass --yes"));
    }
    if (!*admit) return absl::CancelledError("nobody admitted");
  }
  absl::Status s;
  if (action == "admit") {
    s = c->groups().Admit(group_id, users);
  } else if (action == "remove") {
    s = c->groups().Remove(group_id, users[0]);
  } else if (role == "moderator" || role == "member") {
    s = c->groups().SetRole(group_id, users[0],
                            role == "moderator" ? v1::ROLE_MODERATOR : v1::ROLE_MEMBER);
  } else {
    return absl::InvalidArgumentError("ROLE is member or moderator");
  }
  if (!s.ok()) return s;
  auto after = c->session().Sync(group_id);
  if (!after.ok()) return after.status();
  for (const auto& user : users) {
    Record().Set("group_id", Hex(group_id)).Set("user_id", Hex(user)).Set("action", action)
        .Set("epoch", double((*after)->state().epoch()))
        .Print(g.json, absl::StrCat("Done: ", action, " ", Hex(user), " (group epoch now ",
                                    (*after)->state().epoch(), ")"));
  }
  return absl::OkStatus();
}

absl::Status GroupMembers(const Globals& g, const std::string& group_arg) {
  auto session = OpenGroup(g, group_arg);
  if (!session.ok()) return session.status();
  auto& c = session->client;
  auto view = c->session().Sync(session->group);
  if (!view.ok()) return view.status();
  auto verified =
      client::VerifiedContacts::Open(g.home().VerifiedPath(), c->identity().box.secret_key);
  if (!verified.ok()) return verified.status();
  const std::string me = c->identity().user_id();
  for (const auto& [id, member] : (*view)->state().members()) {
    const bool checked = id == me || verified->IsVerified(id);
    const char* seen = id == me ? "you" : checked ? "verified" : "NOT VERIFIED";
    Record().Set("user_id", Hex(id)).Set("name", member.bundle.name())
        .Set("role", RoleName(member.role)).Set("joined_ms", double(member.admitted_ms))
        .Set("verified", checked)
        .Print(g.json, absl::StrCat(member.bundle.name(), " (", Hex(id).substr(0, 8), ")  ",
                                    RoleName(member.role), ", joined ",
                                    TimeOfDay(member.admitted_ms), ", ", seen));
  }
  if (!g.json) {
    std::cout << "Names prove nothing: 'kith id verify USER' shows the safety number to compare."
              << std::endl;
  }
  return absl::OkStatus();
}

absl::Status GroupLeave(const Globals& g, const std::string& group_arg) {
  auto session = OpenGroup(g, group_arg);
  if (!session.ok()) return session.status();
  auto& c = session->client;
  const std::string& group_id = session->group;
  if (auto s = c->groups().Leave(group_id); !s.ok()) return s;
  Record().Set("group_id", Hex(group_id)).Set("left", true).Print(g.json, "You left the group.");
  return absl::OkStatus();
}

// The support groups a person is in or asked to join (`direct`: their
// direct conversations instead). Circles and the vault have their own commands.
absl::Status Groups(const Globals& g, bool direct) {
  auto c = g.home().Connect();
  if (!c.ok()) return c.status();
  auto list = (*c)->session().ListGroups();
  if (!list.ok()) return list.status();
  size_t shown = 0;
  for (const auto& gr : list->groups()) {
    const v1::GroupKind kind = gr.charter().kind();
    if (direct ? kind != v1::KIND_DIRECT : kind != v1::KIND_SUPPORT_GROUP || gr.invited()) continue;
    ++shown;
    const char* role = gr.pending() ? "pending" : RoleName(gr.role());
    Record r;
    r.Set("group_id", Hex(gr.group_id())).Set("head_seq", double(gr.head_seq()));
    if (direct) {
      r.Set("peer", Hex(gr.peer())).Print(g.json, absl::StrCat(Hex(gr.peer()), "  (kith dm ",
                                                              Hex(gr.peer()).substr(0, 8), ")"));
    } else {
      r.Set("name", gr.charter().name()).Set("role", role)
          .Print(g.json, absl::StrCat(Hex(gr.group_id()), "  ", gr.charter().name(), "  (", role, ")"));
    }
  }
  if (shown == 0 && !g.json) {
    std::cout << (direct ? "No direct conversations yet: 'kith dm USER TEXT' starts one."
                         : "No groups yet: join one with the invite code a moderator gives you.")
              << std::endl;
  }
  return absl::OkStatus();
}

struct Sent {
  uint64_t seq = 0;
  std::vector<std::string> overridden;  // rules the sender chose to send despite
};

// The nudge against `group_id`'s charter as the member verified it in the
// log (not the server's say-so), then the send. The safe word alerts the
// circle even if the message itself is refused.
absl::StatusOr<Sent> ReviewAndSend(client::Client& c, const std::string& group_id,
                                   std::string text, const crypto::Secret& safe_word, bool yes,
                                   const AskFunction& ask = AskLine) {
  auto view = c.session().Sync(group_id);
  if (!view.ok()) return view.status();
  auto overridden = ReviewBeforeSending(text, (*view)->state().charter(), yes, ask);
  if (!overridden.ok()) return overridden.status();
  auto seq = c.groups().Send(group_id, text, *overridden);
  if (ContainsSafeWord(text, safe_word)) AlertForSafeWord(c);
  if (!seq.ok()) return seq.status();
  return Sent{*seq, *std::move(overridden)};
}

// Sends to the group `target` names or, with `direct`, to the person it
// names, starting a direct conversation with them if need be.
absl::Status Send(const Globals& g, const std::string& target, std::string text, bool yes,
                  bool direct) {
  text = TextArgument(std::move(text));
  if (text.empty()) return absl::InvalidArgumentError("nothing to send");
  Home home = g.home();
  auto keystore = home.Unlock();
  if (!keystore.ok()) return keystore.status();
  auto c = home.Connect(keystore->profile().identity);
  if (!c.ok()) return c.status();
  absl::StatusOr<std::string> group_id;
  if (!direct) {
    group_id = ResolveGroup(**c, target);
  } else if (auto person = ResolvePerson(**c, target); person.ok()) {
    group_id = (*c)->groups().OpenDirect(*person, /*create=*/true);
  } else {
    group_id = person.status();
  }
  if (!group_id.ok()) return group_id.status();
  auto sent = ReviewAndSend(**c, *group_id, std::move(text), keystore->profile().safe_word, yes);
  if (!sent.ok()) return sent.status();
  Record().Set("group_id", Hex(*group_id)).Set("seq", double(sent->seq))
      .Set("overridden_rules", absl::StrJoin(sent->overridden, ","))
      .Print(g.json, absl::StrCat("Sent (", sent->seq, ")"));
  return absl::OkStatus();
}

absl::Status Read(const Globals& g, absl::StatusOr<GroupSession> session, uint64_t since) {
  if (!session.ok()) return session.status();
  auto& c = session->client;
  const std::string& group_id = session->group;
  auto view = c->session().Sync(group_id);
  if (!view.ok()) return view.status();
  // Messages and what happened around them; reports are for moderators
  // only, and the rest of the history is in 'kith mod audit'.
  PrintLog(g, **view, since);
  for (const client::FaultyRekey& f : (*view)->faulty_rekeys()) {
    if (f.seq < since) continue;
    Record().Set("seq", double(f.seq)).Set("event", "faulty-rekey").Set("author", Hex(f.author))
        .Set("problem", f.reason)
        .Print(g.json, absl::StrCat("[", f.seq, "] -- ", (*view)->NameOf(f.author),
                                    " re-keyed the group with a secret for you that does not open (",
                                    f.reason, "); what follows is unreadable to you until the group "
                                    "is re-keyed, which your client does when you next send"));
  }
  if (!g.json && (*view)->unreadable_messages() > 0) {
    std::cout << "(" << (*view)->unreadable_messages()
              << " earlier messages were sent before you joined and cannot be read)" << std::endl;
  }
  if (!g.json && (*view)->forgotten_messages() > 0) {
    std::cout << "(" << (*view)->forgotten_messages()
              << " earlier messages were sealed to keys this device no longer holds: erased "
                 "after they rotated out, or from before a restore. Nobody can read them from "
                 "this device or the server's copy)"
              << std::endl;
  }
  return absl::OkStatus();
}

absl::Status Follow(const Globals& g, const std::string& group_arg, uint64_t since) {
  auto session = OpenGroup(g, group_arg);
  if (!session.ok()) return session.status();
  auto& c = session->client;
  const std::string& group_id = session->group;
  uint64_t from = since;
  bool started = false;
  return c->session().FollowView(group_id, [&](const client::GroupView& view) {
    if (!started) {
      started = true;
      if (from == 0) from = view.state().head_seq() + 1;
      // On standard error, so what is printed on standard output stays the log.
      std::cerr << "Following from message " << from << " (Ctrl-C to stop)." << std::endl;
    }
    PrintLog(g, view, from);
    from = view.state().head_seq() + 1;
    return true;
  });
}

// A live view of a group with an input line: what arrives (messages, joins,
// moderation) prints as it comes, and each line typed is sent after the
// nudge, which asks its question on the same input. End of input leaves.
absl::Status Chat(const Globals& g, const std::string& group_arg) {
  Home home = g.home();
  auto unlocked = home.Unlock();
  if (!unlocked.ok()) return unlocked.status();
  const crypto::Secret safe_word = unlocked->profile().safe_word;
  auto keystore = std::make_shared<SharedKeystore>(*std::move(unlocked));
  // One client follows while the other sends: a Client serves one thread.
  auto sender = home.Connect(keystore);
  if (!sender.ok()) return sender.status();
  auto follower = home.Connect(keystore);
  if (!follower.ok()) return follower.status();
  auto group_id = ResolveGroup(**sender, group_arg);
  if (!group_id.ok()) return group_id.status();
  auto view = (*sender)->session().Sync(*group_id);
  if (!view.ok()) return view.status();
  std::mutex print_mu;
  uint64_t from = (*view)->state().head_seq() + 1;
  client::FollowCancel cancel;
  absl::Status followed;
  std::thread follow([&] {
    absl::Status ended = (*follower)->session().FollowView(
        *group_id,
        [&](const client::GroupView& live) {
          std::lock_guard<std::mutex> lock(print_mu);
          PrintLog(g, live, from);
          from = live.state().head_seq() + 1;
          return true;
        },
        &cancel);
    std::lock_guard<std::mutex> lock(print_mu);
    followed = ended;
    // A history that fails verification stops the view at once, loudly.
    if (!ended.ok() && !cancel.cancelled()) {
      std::cerr << "kith: the live view stopped: " << ended.message() << std::endl;
    }
  });
  std::cerr << "Chatting in " << (*view)->state().charter().name() << " as "
            << (*sender)->identity().name
            << ": type a message and press Enter; Ctrl-D (end of input) leaves." << std::endl;
  const AskFunction ask = [&](const std::string& prompt) -> absl::StatusOr<std::string> {
    std::cerr << prompt << std::flush;
    std::string answer;
    if (!std::getline(std::cin, answer)) return absl::CancelledError("not sent");
    return answer;
  };
  for (std::string line; std::getline(std::cin, line);) {
    if (line.empty()) continue;
    auto sent = ReviewAndSend(**sender, *group_id, line, safe_word, /*yes=*/false, ask);
    if (!sent.ok()) {
      std::lock_guard<std::mutex> lock(print_mu);
      std::cerr << "kith: " << sent.status().message() << std::endl;
    }
  }
  absl::Status result;
  {
    std::lock_guard<std::mutex> lock(print_mu);
    result = followed;  // before the cancel, whose own ending is no error
  }
  cancel.Cancel();
  follow.join();
  return result;
}

// Edits (insertions, deletions, substitutions) that turn `a` into `b`.
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t substituted = diagonal + (a[i - 1] != b[j - 1]);
      diagonal = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, substituted});
    }
  }
  return row[b.size()];
}

// For a first word that is no command: what to say instead of CLI11's
// "A subcommand is required", naming the nearest command if one is close.
// Empty when the first word is a command (CLI11's own message fits then).
std::string NearestCommand(const CLI::App& app, int argc, char** argv) {
  std::string word;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (!arg.starts_with("-")) {
      word = arg;
      break;
    }
    if (arg == "--home" || arg == "--secrets-fd") ++i;  // their values
  }
  if (word.empty()) return "";
  std::string nearest;
  size_t best = 3;  // more edits than this is not a typo
  for (const CLI::App* sub : app.get_subcommands({})) {
    if (sub->get_name() == word) return "";
    if (sub->get_group().empty()) continue;  // hidden
    if (const size_t d = EditDistance(word, sub->get_name()); d < best) {
      best = d;
      nearest = sub->get_name();
    }
  }
  std::string out = "'" + word + "' is not a kith command";
  if (!nearest.empty()) out += "; did you mean '" + nearest + "'?";
  return out + " ('kith --help' lists them)";
}

int Fail(const Globals& g, const absl::Status& s) {
  if (g.json) {
    Record().Set("error", absl::StatusCodeToString(s.code())).Set("message", std::string(s.message()))
        .Print(true, "");
  }
  std::cerr << "kith: " << s.message() << std::endl;
  return 1;
}

}  // namespace
}  // namespace kith::cli

int main(int argc, char** argv) {
  using namespace kith::cli;
  // gRPC's own log lines mean nothing to a person; each command says in
  // its own words what went wrong.
  gpr_set_log_function([](gpr_log_func_args*) {});
  if (auto s = kith::HardenProcess(); !s.ok()) {
    std::cerr << "kith: " << s.message() << "\n";
    return 1;
  }
  if (auto s = kith::crypto::Init(); !s.ok()) return 1;
  Globals g;
  CLI::App app{"kith: end-to-end encrypted, moderated support groups"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("kith ") + KITH_VERSION);
  app.add_option("--home", g.home_dir, "where this identity lives (default $KITH_HOME or ~/.kith)");
  app.add_flag("--json", g.json, "print one JSON object per result");
  app.add_option("--secrets-fd", g.secrets_fd,
                 "read passphrases, the safe word and the recovery code from this file "
                 "descriptor, one per line in the order asked (default: the terminal)");

  // Global options work after the command too ('kith groups --json'), and
  // every command's help page lists them (subcommands inherit both).
  app.fallthrough();
  app.footer(
      "Global options, before or after the command:\n"
      "  --home DIR        where this identity lives (default $KITH_HOME or ~/.kith)\n"
      "  --json            print one JSON object per result\n"
      "  --secrets-fd N    read passphrases and other secrets from this file descriptor");

  absl::Status status;
  std::string name, group, user, code, text, role, rules, crisis, note,
      reply_window = "24h";
  std::vector<std::string> users;
  uint64_t since = 0;
  bool accept_rules = false;

  auto* id = app.add_subcommand("id", "your identity")->require_subcommand(1);
  auto* id_create = id->add_subcommand("create", "make a new identity, encrypted with a passphrase");
  id_create->add_option("--name", name, "the name others see")->required();
  id_create->callback([&] { status = IdCreate(g, name); });
  id->add_subcommand("show", "print your user id and key fingerprint")
      ->callback([&] { status = IdShow(g); });
  auto* id_verify = id->add_subcommand("verify", "print the safety number you share with USER");
  id_verify->add_option("USER", user)->required();
  bool confirm = false;
  id_verify->add_flag("--confirm", confirm,
                      "you compared the numbers with USER and they match: remember USER as verified");
  id_verify->callback([&] { status = IdVerify(g, user, confirm); });
  auto* safe_word = id->add_subcommand("safe-word", "a word that, typed in any message, silently alerts your circle")
                        ->require_subcommand(1);
  safe_word->add_subcommand("set", "set it (asked for, never on the command line)")
      ->callback([&] { status = SafeWordSet(g); });
  safe_word->add_subcommand("off", "turn it off")->callback([&] { status = SafeWordOff(g); });
  auto* duress = id->add_subcommand("duress", "a second passphrase that opens an empty profile and silently alerts your circle")
                     ->require_subcommand(1);
  duress->add_subcommand("set", "set it (asked for, never on the command line)")
      ->callback([&] { status = DuressSet(g); });
  duress->add_subcommand("off", "remove it")->callback([&] { status = DuressOff(g); });

  ServerChoice server_choice;
  auto add_server_options = [&](CLI::App* cmd) {
    cmd->add_option("--server", server_choice.address, "HOST:PORT")->required();
    cmd->add_option("--ca", server_choice.ca_file, "the server's certificate (DATA_DIR/tls/server.crt)");
    cmd->add_option("--fingerprint", server_choice.fingerprint,
                    "without --ca: the SHA-256 fingerprint kithd printed at start");
  };
  auto* reg = app.add_subcommand("register", "publish your identity on a server and pin its certificate");
  add_server_options(reg);
  reg->callback([&] { status = Register(g, server_choice); });
  auto* restore = app.add_subcommand("restore", "rebuild this device's keystore from your recovery code");
  add_server_options(restore);
  restore->callback([&] { status = Restore(g, server_choice); });
  std::string unlock_for = "8h";
  auto* unlock = app.add_subcommand("unlock", "type your passphrase once: later commands here do "
                                              "not ask until DURATION has passed or 'kith lock'");
  unlock->add_option("--for", unlock_for, "how long, 1m to 24h")->capture_default_str();
  unlock->callback([&] { status = Unlock(g, unlock_for); });
  app.add_subcommand("lock", "end 'kith unlock' now: the next command asks for your passphrase")
      ->callback([&] { status = Lock(g); });
  app.add_subcommand("panic-wipe", "destroy every key and cache on this device now (the account stays)")
      ->callback([&] { status = PanicWipe(g); });

  auto* grp = app.add_subcommand("group", "create, join and run groups")->require_subcommand(1);
  auto* create = grp->add_subcommand("create", "start a moderated group");
  create->add_option("NAME", name)->required();
  create->add_option("--rules", rules, "comma-separated: no_contempt,no_name_calling,...");
  create->add_option("--crisis", crisis, "crisis resources shown in the charter");
  create->add_option("--reply-window", reply_window, "how fast moderators answer reports")
      ->capture_default_str();
  std::string ladder;
  create->add_option("--ladder", ladder,
                     "strike ladder, e.g. warn,pause:30m,mute:24h,remove (the default)");
  create->callback([&] { status = GroupCreate(g, name, rules, crisis, reply_window, ladder); });
  auto* charter = grp->add_subcommand("charter", "read a group's charter");
  charter->add_option("GROUP", group)->required();
  charter->callback([&] { status = GroupCharter(g, group); });
  auto* invite = grp->add_subcommand("invite", "make a single-use invite code");
  invite->add_option("GROUP", group)->required();
  invite->callback([&] { status = GroupInvite(g, group); });
  auto* join = grp->add_subcommand("join", "read the charter, accept its rules, ask to join");
  join->add_option("CODE", code)->required();
  join->add_flag("--accept-rules", accept_rules, "accept the ground rules without asking");
  join->callback([&] { status = GroupJoin(g, code, accept_rules); });
  auto* pending = grp->add_subcommand("pending", "who is waiting to be admitted");
  pending->add_option("GROUP", group)->required();
  pending->callback([&] { status = GroupPending(g, group); });
  auto* admit = grp->add_subcommand("admit", "admit people who asked to join (one re-key)");
  admit->add_option("GROUP", group)->required();
  admit->add_option("USER", users, "user ids, id prefixes or names")->required();
  bool admit_yes = false;
  admit->add_flag("--yes", admit_yes,
                  "admit even someone whose name reads like another person's (compare safety "
                  "numbers first)");
  admit->callback([&] { status = GroupMemberAction(g, "admit", group, users, "", admit_yes); });
  auto* remove = grp->add_subcommand("remove", "remove a member (re-keys the group)");
  remove->add_option("GROUP", group)->required();
  remove->add_option("USER", user)->required();
  remove->callback([&] { status = GroupMemberAction(g, "remove", group, {user}, ""); });
  auto* role_cmd = grp->add_subcommand("role", "make a member a moderator, or not (owner)");
  role_cmd->add_option("GROUP", group)->required();
  role_cmd->add_option("USER", user)->required();
  role_cmd->add_option("ROLE", role, "member or moderator")->required();
  role_cmd->callback([&] { status = GroupMemberAction(g, "role", group, {user}, role); });
  auto* members = grp->add_subcommand(
      "members", "who is in a group: role, when they joined, whether you verified them");
  members->add_option("GROUP", group)->required();
  members->callback([&] { status = GroupMembers(g, group); });
  auto* leave = grp->add_subcommand("leave", "leave a group");
  leave->add_option("GROUP", group)->required();
  leave->callback([&] { status = GroupLeave(g, group); });

  app.add_subcommand("groups", "the support groups you are in or asked to join (circles: 'kith "
                               "circle'; direct conversations: 'kith dm')")
      ->callback([&] { status = Groups(g, /*direct=*/false); });

  auto* send = app.add_subcommand("send", "send a message (TEXT '-' reads standard input)");
  send->add_option("GROUP", group)->required();
  send->add_option("TEXT", text)->required();
  bool yes = false;
  send->add_flag("--yes", yes, "send even if the message may break a ground rule (moderators see it)");
  send->callback([&] { status = Send(g, group, text, yes, /*direct=*/false); });
  auto* read = app.add_subcommand("read", "print a group's messages");
  read->add_option("GROUP", group)->required();
  read->add_option("--since", since, "first sequence number to print");
  read->callback([&] { status = Read(g, OpenGroup(g, group), since); });
  auto* dm = app.add_subcommand(
      "dm", "write to USER directly (no TEXT: read your conversation; no USER: list them)");
  dm->add_option("USER", user, "user id, or a name or id prefix from your groups");
  dm->add_option("TEXT", text, "the message ('-' reads standard input)");
  dm->add_option("--since", since, "reading: first sequence number to print");
  dm->callback([&] {
    status = user.empty()   ? Groups(g, /*direct=*/true)
             : text.empty() ? Read(g, OpenDirect(g, user), since)
                          : Send(g, user, text, /*yes=*/false, /*direct=*/true);
  });
  auto* chat = app.add_subcommand(
      "chat", "a live view of GROUP: what arrives prints as it comes, each line you type is sent");
  chat->add_option("GROUP", group)->required();
  chat->callback([&] { status = Chat(g, group); });
  auto* follow = app.add_subcommand("follow", "print messages (or, with --alerts, alerts) as they arrive");
  follow->add_option("GROUP", group);
  follow->add_option("--since", since, "start from this sequence number");
  bool follow_alerts = false;
  follow->add_flag("--alerts", follow_alerts, "alerts from every circle you are in, and answers to yours");
  follow->callback([&] {
    if (follow_alerts) {
      status = FollowAlerts(g);
    } else if (group.empty()) {
      status = absl::InvalidArgumentError("name a GROUP to follow, or pass --alerts");
    } else {
      status = Follow(g, group, since);
    }
  });

  auto* plan = app.add_subcommand("plan", "your safety plan, encrypted; share sections with your contacts")
                   ->require_subcommand(1);
  std::string section, save_dir;
  std::vector<std::string> attachments;
  auto* plan_edit = plan->add_subcommand("edit", "write a section (no SECTION: list them)");
  plan_edit->add_option("SECTION", section);
  plan_edit->add_option("TEXT", text,
                        "'-': read the section's new text from standard input (never the text "
                        "itself, which your shell would keep)");
  plan_edit->add_option("--attach", attachments, "add a document (a scan of an ID, ...)");
  plan_edit->callback([&] { status = PlanEdit(g, section, text, attachments); });
  auto* plan_show = plan->add_subcommand("show", "read your plan, or with --from what USER shares with you");
  plan_show->add_option("SECTION", section);
  plan_show->add_option("--from", user, "a contact who shares sections with you");
  plan_show->add_option("--save", save_dir, "write the attachments into this folder");
  plan_show->callback([&] { status = PlanShow(g, section, user, save_dir); });
  for (bool share : {true, false}) {
    auto* cmd = plan->add_subcommand(share ? "share" : "unshare",
                                     share ? "let USER read SECTION, now and as it changes"
                                           : "stop sharing SECTION with USER: no later version reaches them");
    cmd->add_option("SECTION", section)->required();
    cmd->add_option("--with", user, "the contact")->required();
    cmd->callback([&, share] { status = PlanShare(g, section, user, share); });
  }
  auto* plan_history = plan->add_subcommand("history", "every version, oldest first");
  plan_history->add_option("SECTION", section);
  plan_history->callback([&] { status = PlanHistory(g, section); });

  auto* boundary = app.add_subcommand("boundary", "limits on who writes to you directly, and when")
                       ->require_subcommand(1);
  std::string time_zone, window, amount;
  boundary->add_subcommand("list", "every boundary the server enforces for you")->callback([&] {
    status = BoundaryList(g);
  });
  auto* quiet = boundary->add_subcommand(
      "quiet-hours", "hold direct messages back during WINDOW, e.g. 22:00-07:00 ('off' ends it)");
  quiet->add_option("WINDOW", window)->required();
  quiet->add_option("--tz", time_zone, "your time zone, e.g. Europe/Berlin (kept; UTC until set)");
  quiet->callback([&] { status = BoundaryQuietHours(g, window, time_zone); });
  auto* limit = boundary->add_subcommand("limit", "let USER write at most N times a day, e.g. 3/day ('off' ends it)");
  limit->add_option("USER", user)->required();
  limit->add_option("LIMIT", amount)->required();
  limit->add_option("--tz", time_zone, "the time zone whose days count, e.g. Europe/Berlin");
  limit->callback([&] { status = BoundaryLimit(g, user, amount, time_zone); });
  auto* cool_off = boundary->add_subcommand("cool-off", "refuse USER's messages for DURATION, e.g. 48h ('off' ends it)");
  cool_off->add_option("USER", user)->required();
  cool_off->add_option("DURATION", amount)->required();
  cool_off->callback([&] { status = BoundaryCoolOff(g, user, amount); });
  for (bool block : {true, false}) {
    auto* cmd = app.add_subcommand(block ? "block" : "unblock",
                                   block ? "refuse USER's direct messages and circle invitations"
                                         : "accept USER's messages again");
    cmd->add_option("USER", user)->required();
    cmd->callback([&, block] { status = Block(g, user, block); });
  }

  auto* circle = app.add_subcommand("circle", "your circle of trusted contacts (alone: list it)")
                     ->require_subcommand(0, 1);
  circle->callback([&] {
    if (circle->get_subcommands().empty()) status = CircleList(g);
  });
  auto* circle_invite = circle->add_subcommand("invite", "invite USER (nothing reaches them until they accept)");
  circle_invite->add_option("USER", user, "user id, or a name or id prefix from a shared group")->required();
  circle_invite->callback([&] { status = CircleInvite(g, user); });
  for (const char* verb : {"accept", "decline"}) {
    auto* answer = circle->add_subcommand(verb, std::string(verb) + " OWNER's invitation into their circle");
    answer->add_option("OWNER", user, "their name or id prefix")->required();
    answer->callback([&, accept = std::string(verb) == "accept"] { status = CircleAnswer(g, user, accept); });
  }
  auto* circle_remove = circle->add_subcommand("remove", "take USER out of your circle (re-keys it)");
  circle_remove->add_option("USER", user)->required();
  circle_remove->callback([&] { status = CircleRemove(g, user); });

  AlertOptions alert_options;
  std::string eta, alert_id;
  auto* alert = app.add_subcommand("alert", "alert your circle (alone: raise one)")->require_subcommand(0, 1);
  alert->add_option("--level", alert_options.level, "check-on-me, come-now or call-emergency")
      ->capture_default_str();
  alert->add_option("--location", alert_options.location,
                    "where you are (sealed: only your circle reads it; '-' reads standard input)");
  alert->add_option("--note", alert_options.note,
                    "what your circle should know ('-' reads standard input)");
  alert->add_option("--realert", alert_options.realert, "sent again this often until someone answers")
      ->capture_default_str();
  alert->add_flag("--yes", alert_options.yes,
                  "send without asking (for scripts); otherwise it names who gets it and asks");
  alert->callback([&] {
    if (alert->get_subcommands().empty()) status = AlertRaise(g, alert_options);
  });
  alert->add_subcommand("test", "send a clearly marked test alert end to end")->callback([&] {
    alert_options.test = true;
    status = AlertRaise(g, alert_options);
  });
  auto* ack = alert->add_subcommand("ack", "tell the sender and the circle you have it");
  ack->add_option("ALERT", alert_id, "the alert's id as shown (default: the latest you received)");
  ack->add_option("--eta", eta, "on your way, arriving in about this long, e.g. 15m");
  ack->add_option("--note", note, "a word for them");
  ack->callback([&] { status = AlertAnswer(g, alert_id, kith::v1::Alert::ACK, eta, note); });
  auto* alert_resolve = alert->add_subcommand("resolve", "you are OK: stop the alert");
  alert_resolve->add_option("ALERT", alert_id, "the alert's id (default: your latest)");
  alert_resolve->add_option("--note", note);
  alert_resolve->callback([&] { status = AlertAnswer(g, alert_id, kith::v1::Alert::RESOLVE, "", note); });
  auto* alert_status = alert->add_subcommand("status", "who received the alert, who answered, who is coming");
  alert_status->add_option("ALERT", alert_id, "the alert's id (default: your latest)");
  alert_status->callback([&] { status = AlertStatus(g, alert_id); });
  app.add_subcommand("alerts", "alerts you received from the circles you are in")
      ->callback([&] { status = AlertsList(g); });

  auto* checkin = app.add_subcommand("checkin", "check-ins: your circle is alerted if you miss one")
                      ->require_subcommand(0, 1);
  checkin->callback([&] {
    if (checkin->get_subcommands().empty()) status = CheckinShow(g);
  });
  std::string by, in, every;
  auto* schedule = checkin->add_subcommand("schedule", "seal an alert now; the server sends it if you miss the deadline");
  schedule->add_option("--by", by, "a time of day, HH:MM (local)");
  schedule->add_option("--in", in, "a duration from now, e.g. 90m");
  schedule->add_option("--every", every, "repeat, e.g. 24h");
  schedule->add_option("--note", note,
                       "'-': read what your circle should know if you miss it from standard input");
  schedule->callback([&] { status = CheckinSchedule(g, by, in, every, note); });
  checkin->add_subcommand("ok", "check in: cancel the pending alert")->callback([&] {
    status = CheckinCancel(g, /*check_in=*/true);
  });
  checkin->add_subcommand("stop", "cancel the pending check-in and any repeats")->callback([&] {
    status = CheckinCancel(g, /*check_in=*/false);
  });

  auto* evidence = app.add_subcommand("evidence", "a dated, tamper-evident, encrypted log of what happened")
                      ->require_subcommand(1);
  std::string attach, server_key;
  auto* evidence_add = evidence->add_subcommand(
      "add", "record what happened, typed on standard input (end with Ctrl-D)");
  std::string evidence_text = "-";
  evidence_add->add_option("TEXT", evidence_text, "'-', the default: standard input");
  evidence_add->add_option("--attach", attach, "a file to keep with it (up to 512 KiB)");
  evidence_add->callback([&] { status = EvidenceAdd(g, evidence_text, attach); });
  evidence->add_subcommand("list", "every entry, oldest first")->callback([&] { status = EvidenceList(g); });
  auto* evidence_export = evidence->add_subcommand("export", "write every entry, in the clear, to a new folder");
  evidence_export->add_option("DIR", text)->required();
  evidence_export->callback([&] { status = EvidenceExport(g, text); });
  auto* evidence_verify = evidence->add_subcommand("verify", "check an export offline: order, timestamps, signatures");
  evidence_verify->add_option("DIR", text)->required();
  evidence_verify->add_option("--server-key", server_key, "the server's checkpoint key, hex, to pin");
  evidence_verify->callback([&] { status = EvidenceVerify(g, text, server_key); });

  std::string duration = "30m";
  auto* pause = app.add_subcommand("pause", "step away from a group for a while (the group sees it)");
  pause->add_option("GROUP", group)->required();
  pause->add_option("DURATION", duration, "e.g. 30m, 2h")->capture_default_str();
  pause->callback([&] { status = Moderate(g, kith::v1::Moderation::STEP_AWAY, group, "", duration, ""); });

  auto* mod = app.add_subcommand("mod", "moderators: reports, actions, the audit trail")
                  ->require_subcommand(1);
  std::string rule, action;
  uint64_t item = 0;
  bool verify = false;
  const std::pair<const char*, kith::v1::Moderation::Action> kMemberActions[] = {
      {"warn", kith::v1::Moderation::WARN},     {"pause", kith::v1::Moderation::PAUSE},
      {"mute", kith::v1::Moderation::MUTE},     {"remove", kith::v1::Moderation::REMOVE},
      {"ban", kith::v1::Moderation::BAN},       {"lift", kith::v1::Moderation::LIFT}};
  for (const auto& [verb, act] : kMemberActions) {
    const bool lift = act == kith::v1::Moderation::LIFT;
    auto* cmd = mod->add_subcommand(
        verb, lift ? "end a member's pause or mute early (no USER: end a group pause)"
                   : std::string(verb) + " a member" +
                         (act == kith::v1::Moderation::BAN ? " for good (re-keys the group)"
                          : act == kith::v1::Moderation::REMOVE ? " (re-keys the group)" : ""));
    cmd->add_option("GROUP", group)->required();
    auto* who = cmd->add_option("USER", user, "user id, id prefix or name");
    if (!lift) who->required();
    if (act == kith::v1::Moderation::PAUSE || act == kith::v1::Moderation::MUTE) {
      cmd->add_option("DURATION", duration, "e.g. 30m, 24h")->capture_default_str();
    }
    cmd->add_option("--rule", rule, "the ground rule this enforces");
    cmd->callback([&, act = act] { status = Moderate(g, act, group, user, duration, rule); });
  }
  auto* slow = mod->add_subcommand("slow", "one message per member per INTERVAL ('off' ends it)");
  slow->add_option("GROUP", group)->required();
  slow->add_option("INTERVAL", duration, "e.g. 30s, 5m, or off")->required();
  slow->callback([&] { status = Moderate(g, kith::v1::Moderation::SLOW, group, "", duration, ""); });
  auto* pause_group = mod->add_subcommand(
      "pause-group", "a cooling-off time-out: only moderators post for DURATION");
  pause_group->add_option("GROUP", group)->required();
  pause_group->add_option("DURATION", duration, "e.g. 10m")->required();
  pause_group->add_option("--rule", rule, "the ground rule the thread was breaking");
  pause_group->callback(
      [&] { status = Moderate(g, kith::v1::Moderation::PAUSE_GROUP, group, "", duration, rule); });
  auto* queue = mod->add_subcommand("queue", "open reports and overrides, oldest first");
  queue->add_option("GROUP", group)->required();
  queue->callback([&] { status = ModQueue(g, group); });
  auto* resolve = mod->add_subcommand(
      "resolve", "answer a report or override (default: the strike ladder's next step)");
  resolve->add_option("GROUP", group)->required();
  resolve->add_option("ITEM", item, "the number 'kith mod queue' shows")->required();
  resolve->add_option("--action", action, "dismiss, warn, pause[:D], mute:D, remove or ban");
  resolve->add_option("--rule", rule, "the ground rule (default: the one reported)");
  bool resolve_yes = false;
  resolve->add_flag("--yes", resolve_yes, "take the proposed step without asking");
  resolve->callback([&] { status = ModResolve(g, group, item, action, rule, resolve_yes); });
  auto* audit = mod->add_subcommand("audit", "the group's moderation and membership history");
  audit->add_option("GROUP", group)->required();
  audit->add_flag("--verify", verify,
                  "re-read the whole log, check every signature and link and the server's checkpoint");
  audit->callback([&] { status = ModAudit(g, group, verify); });

  auto* report = app.add_subcommand("report", "report a message to the group's moderators");
  report->add_option("GROUP", group)->required();
  report->add_option("SEQ", item, "the message's number, as 'kith read' shows it")->required();
  report->add_option("--rule", rule, "the ground rule it breaks, e.g. no_contempt");
  report->add_option("--note", note, "what the moderators should know (at most 1 KiB)");
  report->callback([&] { status = Report(g, group, item, rule, note); });

  auto* rules_cmd = app.add_subcommand("rules", "check text against ground rules")
                        ->require_subcommand(1);
  auto* check = rules_cmd->add_subcommand(
      "check", "which rules TEXT may break; with --json and TEXT '-', JSON Lines in and out");
  check->add_option("TEXT", text)->required();
  check->add_option("--rules", rules, "comma-separated rule names (default: all built-in rules)");
  check->callback([&] {
    // '-' is standard input: JSON Lines with --json, the text itself without.
    status = g.json && text == "-" ? RulesCheckStream(std::cin)
                                   : RulesCheck(g.json, TextArgument(text), rules);
  });
  auto* eval = rules_cmd->add_subcommand("eval", "score the engine on a labelled JSON Lines file");
  bool show_mistakes = false;
  eval->add_option("FILE", text)->required();
  eval->add_flag("--mistakes", show_mistakes, "list each message the engine got wrong");
  eval->callback([&] { status = RulesEval(g.json, text, show_mistakes); });

  // Not for people: started by every unlock (duress_relay.h) and by 'kith
  // unlock' (agent.h), so unlisted.
  app.add_subcommand(kRelayCommand, "")->group("")->callback([&] {
    RunDuressRelay(g.home().dir());
  });
  int64_t agent_until = 0;
  auto* agent = app.add_subcommand(kAgentCommand, "")->group("");
  agent->add_option("UNTIL", agent_until)->required();
  agent->callback([&] { std::exit(RunAgent(g.home().dir(), agent_until)); });

  app.footer("");  // the top level lists its options itself
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (auto near = NearestCommand(app, argc, argv); !near.empty()) {
      std::cerr << "kith: " << near << std::endl;
      return 2;
    }
    return app.exit(e);
  }
  return status.ok() ? 0 : Fail(g, status);
}
