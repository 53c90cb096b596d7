// kith: the Kith command-line client.
#include <ctime>
#include <iostream>
#include <iterator>

#include <CLI/CLI.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "home.h"
#include "kith/crypto.h"
#include "kith/duration.h"
#include "kith/files.h"
#include "kith/protocol.h"
#include "output.h"
#include "rules_commands.h"

namespace kith::cli {
namespace {

struct Globals {
  std::string home_dir;
  bool json = false;
  Home home() const { return Home(home_dir.empty() ? Home::DefaultDir() : home_dir); }
};

const char* RoleName(v1::Role role) {
  switch (role) {
    case v1::ROLE_OWNER: return "owner";
    case v1::ROLE_MODERATOR: return "moderator";
    case v1::ROLE_MEMBER: return "member";
    default: return "none";
  }
}

std::string Hex(const std::string& bytes) { return crypto::ToHex(bytes); }

std::string TimeOfDay(int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", std::localtime(&t));
  return buf;
}

// A group named by its id, a unique id prefix, or its exact name.
absl::StatusOr<std::string> ResolveGroup(client::Client& c, const std::string& arg) {
  if (arg.size() == 2 * kIdBytes) {
    if (auto id = crypto::FromHex(arg); id.ok()) return *id;
  }
  auto groups = c.Groups();
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

// A person named by user id, a unique id prefix or display name, among a
// group's members and pending joiners.
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

// A connected client and the group `group_arg` names.
struct GroupSession {
  std::unique_ptr<client::Client> client;
  std::string group;
};
absl::StatusOr<GroupSession> OpenGroup(const Globals& g, const std::string& group_arg) {
  auto c = g.home().Connect();
  if (!c.ok()) return c.status();
  auto group = ResolveGroup(**c, group_arg);
  if (!group.ok()) return group.status();
  return GroupSession{*std::move(c), *std::move(group)};
}

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
    absl::StrAppend(&text, "\nModerators answer reports within ", c.reply_window_s() / 3600, "h");
  }
  r.Print(g.json, text);
}

void PrintMessage(const Globals& g, const client::Message& m) {
  Record r;
  r.Set("seq", double(m.seq)).Set("sender", Hex(m.sender)).Set("sender_name", m.sender_name);
  r.Set("time_ms", double(m.server_time_ms)).Set("text", m.text).Set("epoch", double(m.epoch));
  const std::string overridden = absl::StrJoin(m.overridden_rules, ",");
  r.Set("overridden_rules", overridden);
  r.Print(g.json, absl::StrCat("[", m.seq, "] ", TimeOfDay(m.server_time_ms), " ", m.sender_name,
                               " (", Hex(m.sender).substr(0, 8), "): ", m.text,
                               overridden.empty() ? "" : absl::StrCat("  [sent despite ", overridden, "]")));
}

// --- commands ------------------------------------------------------------------

absl::Status IdCreate(const Globals& g, const std::string& name) {
  Home home = g.home();
  if (auto s = home.Ensure(); !s.ok()) return s;
  if (std::ifstream(home.IdentityPath())) {
    return absl::AlreadyExistsError(absl::StrCat("an identity already exists in ", home.dir(),
                                                 "; use another --home for another identity"));
  }
  if (name.empty() || name.size() > kMaxDisplayNameBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("--name must be 1 to ", kMaxDisplayNameBytes, " bytes"));
  }
  auto passphrase = ReadPassphrase("New passphrase: ", true);
  if (!passphrase.ok()) return passphrase.status();
  client::Identity id = client::Identity::Generate(name);
  auto s = client::SaveIdentity(home.IdentityPath(), id, *passphrase);
  crypto::Wipe(*passphrase);
  if (!s.ok()) return s;
  Record().Set("user_id", Hex(id.user_id())).Set("name", name).Print(
      g.json, absl::StrCat("Created identity ", name, "\nUser id: ", Hex(id.user_id()),
                           "\nKeys are encrypted in ", home.IdentityPath()));
  return absl::OkStatus();
}

absl::Status IdShow(const Globals& g) {
  auto id = g.home().Unlock();
  if (!id.ok()) return id.status();
  const std::string fingerprint = Hex(id->sign.public_key);
  Record().Set("user_id", Hex(id->user_id())).Set("name", id->name).Set("fingerprint", fingerprint)
      .Print(g.json, absl::StrCat("Name: ", id->name, "\nUser id: ", Hex(id->user_id()),
                                  "\nSigning key fingerprint: ", fingerprint));
  return absl::OkStatus();
}

absl::Status IdVerify(const Globals& g, const std::string& user_hex) {
  auto user = crypto::FromHex(user_hex);
  if (!user.ok() || user->size() != kIdBytes) {
    return absl::InvalidArgumentError("USER is a 32-character user id");
  }
  auto c = g.home().Connect();
  if (!c.ok()) return c.status();
  auto bundle = (*c)->GetIdentity(*user);
  if (!bundle.ok()) return bundle.status();
  const std::string number = SafetyNumber((*c)->identity().sign.public_key, bundle->sign_pk());
  Record().Set("user_id", user_hex).Set("name", bundle->name()).Set("safety_number", number)
      .Print(g.json, absl::StrCat("Safety number with ", bundle->name(), " (", user_hex, "):\n",
                                  number,
                                  "\nCompare it with theirs in person or on a call you trust."));
  return absl::OkStatus();
}

// Upper case, no colons: fingerprints compare however they were typed.
std::string NormalFingerprint(std::string_view fp) {
  std::string out;
  for (char ch : fp) {
    if (ch != ':') out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(ch))));
  }
  return out;
}

// The certificate to pin: from --ca, or fetched on first contact and trusted
// only once its fingerprint matches what the person was told out of band.
absl::StatusOr<std::string> CertificateToPin(const Globals& g, const std::string& server,
                                             const std::string& ca_file,
                                             const std::string& fingerprint) {
  if (!ca_file.empty()) {
    auto pem = ReadFile(ca_file);
    if (!pem.ok()) return absl::InvalidArgumentError(absl::StrCat("cannot read --ca ", ca_file));
    return pem;
  }
  auto pem = client::FetchServerCertificate(server);
  if (!pem.ok()) return pem.status();
  auto presented = CertificateFingerprint(*pem);
  if (!presented.ok()) return presented.status();
  if (!fingerprint.empty()) {
    if (NormalFingerprint(fingerprint) != NormalFingerprint(*presented)) {
      return absl::PermissionDeniedError(absl::StrCat(
          "the server presents a certificate with fingerprint ", *presented,
          ", not the one you gave: someone may be in the middle; do not register"));
    }
    return pem;
  }
  std::cerr << "The server presents a TLS certificate with SHA-256 fingerprint\n  " << *presented
            << "\nCompare it with the fingerprint kithd printed when it started (or: openssl x509"
               " -noout -fingerprint -sha256 -in DATA_DIR/tls/server.crt).\n";
  auto same = AskYesNo("Do they match?");
  if (!same.ok()) {
    return absl::FailedPreconditionError(
        "cannot ask whether to trust the server: pass --ca FILE or --fingerprint FP");
  }
  if (!*same) return absl::CancelledError("not trusting this server; nothing was saved");
  return pem;
}

absl::Status Register(const Globals& g, const std::string& server, const std::string& ca_file,
                      const std::string& fingerprint) {
  Home home = g.home();
  auto certificate = CertificateToPin(g, server, ca_file, fingerprint);
  if (!certificate.ok()) return certificate.status();
  auto id = home.Unlock();
  if (!id.ok()) return id.status();
  auto c = client::Client::Connect({server, *certificate}, *std::move(id));
  if (!c.ok()) return c.status();
  if (auto s = (*c)->Register(); !s.ok()) return s;
  if (auto s = (*c)->Login(); !s.ok()) return s;
  if (auto s = home.SaveServer(server, *certificate); !s.ok()) return s;
  Record().Set("user_id", Hex((*c)->identity().user_id())).Set("server", server)
      .Print(g.json, absl::StrCat("Registered with ", server, "; its certificate is pinned in ",
                                  home.CertificatePath()));
  return absl::OkStatus();
}

absl::Status GroupCreate(const Globals& g, const std::string& name, const std::string& rules,
                         const std::string& crisis, const std::string& reply_window) {
  v1::Charter charter;
  charter.set_name(name);
  for (absl::string_view rule : absl::StrSplit(rules, ',', absl::SkipEmpty())) {
    charter.add_rules(std::string(rule));
  }
  charter.set_crisis_resources(crisis);
  auto window = ParseDurationMs(reply_window);
  if (!window.ok()) return window.status();
  charter.set_reply_window_s(static_cast<uint32_t>(*window / 1000));
  auto c = g.home().Connect();
  if (!c.ok()) return c.status();
  auto group = (*c)->CreateGroup(charter);
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
  auto charter = c->GetCharter(group_id);
  if (!charter.ok()) return charter.status();
  PrintCharter(g, group_id, *charter);
  return absl::OkStatus();
}

absl::Status GroupInvite(const Globals& g, const std::string& group_arg) {
  auto session = OpenGroup(g, group_arg);
  if (!session.ok()) return session.status();
  auto& c = session->client;
  const std::string& group_id = session->group;
  auto code = c->Invite(group_id);
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
  auto charter = (*c)->GetCharter(code->group_id);
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
  if (auto s = (*c)->Join(*code, *charter); !s.ok()) return s;
  Record().Set("group_id", Hex(code->group_id)).Set("pending", true)
      .Print(g.json, "Asked to join; a moderator will admit you.");
  return absl::OkStatus();
}

absl::Status GroupPending(const Globals& g, const std::string& group_arg) {
  auto session = OpenGroup(g, group_arg);
  if (!session.ok()) return session.status();
  auto& c = session->client;
  const std::string& group_id = session->group;
  auto pending = c->Pending(group_id);
  if (!pending.ok()) return pending.status();
  if (pending->empty() && !g.json) std::cout << "Nobody is waiting." << std::endl;
  for (const auto& p : *pending) {
    Record().Set("user_id", Hex(p.user_id)).Set("name", p.name).Set("seq", double(p.seq))
        .Print(g.json, absl::StrCat(Hex(p.user_id), "  ", p.name));
  }
  return absl::OkStatus();
}

// admit, remove and role: a moderator's action on people (admit takes
// several, who are admitted with one re-key).
absl::Status GroupMemberAction(const Globals& g, const std::string& action,
                               const std::string& group_arg,
                               const std::vector<std::string>& user_args, const std::string& role) {
  auto session = OpenGroup(g, group_arg);
  if (!session.ok()) return session.status();
  auto& c = session->client;
  const std::string& group_id = session->group;
  auto view = c->Sync(group_id);
  if (!view.ok()) return view.status();
  std::vector<std::string> users;
  for (const auto& arg : user_args) {
    auto user = ResolveUser((*view)->state(), arg);
    if (!user.ok()) return user.status();
    users.push_back(*user);
  }
  absl::Status s;
  if (action == "admit") {
    s = c->Admit(group_id, users);
  } else if (action == "remove") {
    s = c->Remove(group_id, users[0]);
  } else if (role == "moderator" || role == "member") {
    s = c->SetRole(group_id, users[0], role == "moderator" ? v1::ROLE_MODERATOR : v1::ROLE_MEMBER);
  } else {
    return absl::InvalidArgumentError("ROLE is member or moderator");
  }
  if (!s.ok()) return s;
  auto after = c->Sync(group_id);
  if (!after.ok()) return after.status();
  for (const auto& user : users) {
    Record().Set("group_id", Hex(group_id)).Set("user_id", Hex(user)).Set("action", action)
        .Set("epoch", double((*after)->state().epoch()))
        .Print(g.json, absl::StrCat("Done: ", action, " ", Hex(user), " (group epoch now ",
                                    (*after)->state().epoch(), ")"));
  }
  return absl::OkStatus();
}

absl::Status GroupLeave(const Globals& g, const std::string& group_arg) {
  auto session = OpenGroup(g, group_arg);
  if (!session.ok()) return session.status();
  auto& c = session->client;
  const std::string& group_id = session->group;
  if (auto s = c->Leave(group_id); !s.ok()) return s;
  Record().Set("group_id", Hex(group_id)).Set("left", true).Print(g.json, "You left the group.");
  return absl::OkStatus();
}

absl::Status Groups(const Globals& g) {
  auto c = g.home().Connect();
  if (!c.ok()) return c.status();
  auto list = (*c)->Groups();
  if (!list.ok()) return list.status();
  if (list->groups().empty() && !g.json) std::cout << "No groups yet." << std::endl;
  for (const auto& gr : list->groups()) {
    const char* role = gr.pending() ? "pending" : RoleName(gr.role());
    Record().Set("group_id", Hex(gr.group_id())).Set("name", gr.charter().name())
        .Set("role", role).Set("head_seq", double(gr.head_seq()))
        .Print(g.json, absl::StrCat(Hex(gr.group_id()), "  ", gr.charter().name(), "  (", role, ")"));
  }
  return absl::OkStatus();
}

absl::Status Send(const Globals& g, const std::string& group_arg, std::string text, bool yes) {
  if (text == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    while (!text.empty() && text.back() == '\n') text.pop_back();
  }
  if (text.empty()) return absl::InvalidArgumentError("nothing to send");
  auto session = OpenGroup(g, group_arg);
  if (!session.ok()) return session.status();
  auto& c = session->client;
  const std::string& group_id = session->group;
  // The rules the member verified in the log and accepted, not the server's
  // say-so; syncing here costs Send nothing, as it reuses the view.
  auto view = c->Sync(group_id);
  if (!view.ok()) return view.status();
  auto overridden = ReviewBeforeSending(text, (*view)->state().charter(), yes);
  if (!overridden.ok()) return overridden.status();
  auto seq = c->Send(group_id, text, *overridden);
  if (!seq.ok()) return seq.status();
  Record().Set("group_id", Hex(group_id)).Set("seq", double(*seq))
      .Set("overridden_rules", absl::StrJoin(*overridden, ","))
      .Print(g.json, absl::StrCat("Sent (", *seq, ")"));
  return absl::OkStatus();
}

absl::Status Read(const Globals& g, const std::string& group_arg, uint64_t since) {
  auto session = OpenGroup(g, group_arg);
  if (!session.ok()) return session.status();
  auto& c = session->client;
  const std::string& group_id = session->group;
  auto view = c->Sync(group_id);
  if (!view.ok()) return view.status();
  for (const auto& m : (*view)->messages()) {
    if (m.seq >= since) PrintMessage(g, m);
  }
  if (!g.json && (*view)->unreadable_messages() > 0) {
    std::cout << "(" << (*view)->unreadable_messages()
              << " earlier messages were sent before you joined and cannot be read)" << std::endl;
  }
  return absl::OkStatus();
}

absl::Status Follow(const Globals& g, const std::string& group_arg, uint64_t since) {
  auto session = OpenGroup(g, group_arg);
  if (!session.ok()) return session.status();
  auto& c = session->client;
  const std::string& group_id = session->group;
  uint64_t from = since;
  if (from == 0) {
    auto view = c->Sync(group_id);
    if (!view.ok()) return view.status();
    from = (*view)->state().head_seq() + 1;
  }
  return c->Follow(group_id, from, [&](const client::Message& m) {
    PrintMessage(g, m);
    return true;
  });
}

// `kith pause GROUP DURATION` (user_arg empty: the caller steps away) and
// `kith mod warn|pause|mute|lift GROUP USER [DURATION]`.
absl::Status Moderate(const Globals& g, v1::Moderation::Action action, const std::string& group_arg,
                      const std::string& user_arg, const std::string& duration,
                      const std::string& rule) {
  auto session = OpenGroup(g, group_arg);
  if (!session.ok()) return session.status();
  auto& c = session->client;
  v1::Moderation m;
  m.set_action(action);
  m.set_rule(rule);
  if (action == v1::Moderation::STEP_AWAY || action == v1::Moderation::PAUSE ||
      action == v1::Moderation::MUTE) {
    auto ms = ParseDurationMs(duration);
    if (!ms.ok()) return ms.status();
    m.set_duration_ms(*ms);
  }
  std::string who = "you";
  if (user_arg.empty()) {
    m.set_target(c->identity().user_id());
  } else {
    auto view = c->Sync(session->group);
    if (!view.ok()) return view.status();
    auto user = ResolveUser((*view)->state(), user_arg);
    if (!user.ok()) return user.status();
    m.set_target(*user);
    who = user_arg;
  }
  auto seq = c->Moderate(session->group, m);
  if (!seq.ok()) return seq.status();
  std::string text;
  switch (action) {
    case v1::Moderation::STEP_AWAY: text = absl::StrCat("Stepped away for ", duration, "; the group sees when you will be back."); break;
    case v1::Moderation::WARN: text = absl::StrCat("Warned ", who, "."); break;
    case v1::Moderation::PAUSE: text = absl::StrCat("Paused ", who, " for ", duration, "."); break;
    case v1::Moderation::MUTE: text = absl::StrCat("Muted ", who, " for ", duration, "."); break;
    default: text = absl::StrCat("Lifted any pause or mute on ", who, "."); break;
  }
  Record().Set("group_id", Hex(session->group)).Set("seq", double(*seq)).Set("target", Hex(m.target()))
      .Print(g.json, text);
  return absl::OkStatus();
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
  if (auto s = kith::crypto::Init(); !s.ok()) return 1;
  Globals g;
  CLI::App app{"kith: end-to-end encrypted, moderated support groups"};
  app.require_subcommand(1);
  app.add_option("--home", g.home_dir, "where this identity lives (default $KITH_HOME or ~/.kith)");
  app.add_flag("--json", g.json, "print one JSON object per result");

  absl::Status status;
  std::string name, server, ca, fingerprint, group, user, code, text, role, rules, crisis,
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
  id_verify->callback([&] { status = IdVerify(g, user); });

  auto* reg = app.add_subcommand("register", "publish your identity on a server and pin its certificate");
  reg->add_option("--server", server, "HOST:PORT")->required();
  reg->add_option("--ca", ca, "the server's certificate (DATA_DIR/tls/server.crt)");
  reg->add_option("--fingerprint", fingerprint,
                  "without --ca: the SHA-256 fingerprint kithd printed at start");
  reg->callback([&] { status = Register(g, server, ca, fingerprint); });

  auto* grp = app.add_subcommand("group", "create, join and run groups")->require_subcommand(1);
  auto* create = grp->add_subcommand("create", "start a moderated group");
  create->add_option("NAME", name)->required();
  create->add_option("--rules", rules, "comma-separated: no_contempt,no_name_calling,...");
  create->add_option("--crisis", crisis, "crisis resources shown in the charter");
  create->add_option("--reply-window", reply_window, "how fast moderators answer reports")
      ->capture_default_str();
  create->callback([&] { status = GroupCreate(g, name, rules, crisis, reply_window); });
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
  admit->callback([&] { status = GroupMemberAction(g, "admit", group, users, ""); });
  auto* remove = grp->add_subcommand("remove", "remove a member (re-keys the group)");
  remove->add_option("GROUP", group)->required();
  remove->add_option("USER", user)->required();
  remove->callback([&] { status = GroupMemberAction(g, "remove", group, {user}, ""); });
  auto* role_cmd = grp->add_subcommand("role", "make a member a moderator, or not (owner)");
  role_cmd->add_option("GROUP", group)->required();
  role_cmd->add_option("USER", user)->required();
  role_cmd->add_option("ROLE", role, "member or moderator")->required();
  role_cmd->callback([&] { status = GroupMemberAction(g, "role", group, {user}, role); });
  auto* leave = grp->add_subcommand("leave", "leave a group");
  leave->add_option("GROUP", group)->required();
  leave->callback([&] { status = GroupLeave(g, group); });

  app.add_subcommand("groups", "list your groups")->callback([&] { status = Groups(g); });

  auto* send = app.add_subcommand("send", "send a message (TEXT '-' reads standard input)");
  send->add_option("GROUP", group)->required();
  send->add_option("TEXT", text)->required();
  bool yes = false;
  send->add_flag("--yes", yes, "send even if the message may break a ground rule (moderators see it)");
  send->callback([&] { status = Send(g, group, text, yes); });
  auto* read = app.add_subcommand("read", "print a group's messages");
  read->add_option("GROUP", group)->required();
  read->add_option("--since", since, "first sequence number to print");
  read->callback([&] { status = Read(g, group, since); });
  auto* follow = app.add_subcommand("follow", "print messages as they arrive");
  follow->add_option("GROUP", group)->required();
  follow->add_option("--since", since, "start from this sequence number");
  follow->callback([&] { status = Follow(g, group, since); });

  std::string duration = "30m";
  auto* pause = app.add_subcommand("pause", "step away from a group for a while (the group sees it)");
  pause->add_option("GROUP", group)->required();
  pause->add_option("DURATION", duration, "e.g. 30m, 2h")->capture_default_str();
  pause->callback([&] { status = Moderate(g, kith::v1::Moderation::STEP_AWAY, group, "", duration, ""); });

  auto* mod = app.add_subcommand("mod", "moderators: warn, pause, mute, lift")->require_subcommand(1);
  std::string rule;
  const std::pair<const char*, kith::v1::Moderation::Action> kModActions[] = {
      {"warn", kith::v1::Moderation::WARN}, {"pause", kith::v1::Moderation::PAUSE},
      {"mute", kith::v1::Moderation::MUTE}, {"lift", kith::v1::Moderation::LIFT}};
  for (const auto& [verb, action] : kModActions) {
    auto* cmd = mod->add_subcommand(verb, std::string(verb) + " a member");
    cmd->add_option("GROUP", group)->required();
    cmd->add_option("USER", user)->required();
    if (action == kith::v1::Moderation::PAUSE || action == kith::v1::Moderation::MUTE) {
      cmd->add_option("DURATION", duration, "e.g. 30m, 24h")->capture_default_str();
    }
    cmd->add_option("--rule", rule, "the ground rule this enforces");
    cmd->callback([&, action = action] { status = Moderate(g, action, group, user, duration, rule); });
  }

  auto* rules_cmd = app.add_subcommand("rules", "check text against ground rules")
                        ->require_subcommand(1);
  auto* check = rules_cmd->add_subcommand(
      "check", "which rules TEXT may break; with --json and TEXT '-', JSON Lines in and out");
  check->add_option("TEXT", text)->required();
  check->add_option("--rules", rules, "comma-separated rule names (default: all built-in rules)");
  check->callback([&] {
    status = g.json && text == "-" ? RulesCheckStream(std::cin) : RulesCheck(g.json, text, rules);
  });
  auto* eval = rules_cmd->add_subcommand("eval", "score the engine on a labelled JSON Lines file");
  bool show_mistakes = false;
  eval->add_option("FILE", text)->required();
  eval->add_flag("--mistakes", show_mistakes, "list each message the engine got wrong");
  eval->callback([&] { status = RulesEval(g.json, text, show_mistakes); });

  CLI11_PARSE(app, argc, argv);
  return status.ok() ? 0 : Fail(g, status);
}
