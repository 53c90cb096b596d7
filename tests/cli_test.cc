// The README's first session, with the real kith binary against the real
// kithd: identities, register, create, charter, invite, join with rules
// accepted, admit, talk, follow, safety numbers, remove; and the errors a
// person meets on the way.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "absl/strings/str_split.h"
#include "cli_harness.h"
#include "kith/files.h"

namespace kith::testing {
namespace {

TEST_F(CliTest, FirstSession) {
  Enroll("alice");
  Enroll("bob");
  const std::string alice_id = Field(Ok("alice", {"--json", "id", "show"}), "user_id");
  const std::string bob_id = Field(Ok("bob", {"--json", "id", "show"}), "user_id");
  EXPECT_EQ(alice_id.size(), 32u);

  const std::string group = Ok("alice", {"group", "create", "Tuesday Recovery", "--rules",
                                         "no_contempt,no_name_calling,no_yelling", "--crisis",
                                         "Crisis line: 988", "--reply-window", "24h"});
  ASSERT_EQ(group.size(), 32u) << group;
  const std::string charter = Ok("bob", {"group", "charter", group});
  EXPECT_NE(charter.find("no_name_calling"), std::string::npos);
  EXPECT_NE(charter.find("Crisis line: 988"), std::string::npos);

  const std::string code = Ok("alice", {"group", "invite", group});
  ASSERT_TRUE(code.starts_with("kith:")) << code;
  Ok("bob", {"group", "join", code, "--accept-rules"});
  const std::string pending = Ok("alice", {"--json", "group", "pending", group});
  EXPECT_EQ(Field(pending, "user_id"), bob_id);
  EXPECT_EQ(Field(pending, "name"), "bob");
  Ok("alice", {"group", "admit", group, "bob"});  // by display name

  Ok("alice", {"send", group, "welcome, bob"});
  Ok("bob", {"send", "Tuesday Recovery", "-"}, "thank you\n");  // by name, from stdin
  std::string read = Ok("bob", {"--json", "read", group});
  // The admission, then the two messages (a member does not see requests to join).
  std::vector<std::string> lines = Lines(read);
  ASSERT_EQ(lines.size(), 3u) << read;
  EXPECT_EQ(Field(lines[0], "event"), "admit");
  EXPECT_EQ(Field(lines[0], "author"), alice_id);
  EXPECT_EQ(Field(lines[1], "text"), "welcome, bob");
  EXPECT_EQ(Field(lines[1], "sender"), alice_id);
  EXPECT_EQ(Field(lines[2], "text"), "thank you");
  EXPECT_EQ(Field(lines[2], "sender_name"), "bob");
  const std::string since = Ok("alice", {"read", group, "--since",
                                         std::to_string(static_cast<int>(
                                             Json(lines[2]).fields().at("seq").number_value()))});
  EXPECT_EQ(since.find("welcome"), std::string::npos);
  EXPECT_NE(since.find("thank you"), std::string::npos);

  const std::string groups = Ok("bob", {"--json", "groups"});
  EXPECT_EQ(Field(groups, "role"), "member");
  // A direct conversation is listed under 'dm', not among the groups.
  Ok("alice", {"dm", "bob", "see you Tuesday"});
  EXPECT_EQ(Lines(Ok("alice", {"--json", "groups"})).size(), 1u);
  EXPECT_EQ(Field(Ok("alice", {"--json", "dm"}), "peer"), bob_id);

  // Both sides print the same safety number.
  const std::string a = Field(Ok("alice", {"--json", "id", "verify", bob_id}), "safety_number");
  const std::string b = Field(Ok("bob", {"--json", "id", "verify", alice_id}), "safety_number");
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.size(), 71u);
  // Alice records that the numbers matched; the member list shows whom each verified.
  Ok("alice", {"id", "verify", bob_id, "--confirm"});
  for (const std::string& line : Lines(Ok("alice", {"--json", "group", "members", group}))) {
    EXPECT_TRUE(Json(line).fields().at("verified").bool_value()) << line;
    EXPECT_EQ(Field(line, "role"), Field(line, "user_id") == alice_id ? "owner" : "member");
    EXPECT_GT(Json(line).fields().at("joined_ms").number_value(), 0) << line;
  }
  const std::string bobs = Ok("bob", {"group", "members", group});
  EXPECT_NE(bobs.find("alice (" + alice_id.substr(0, 8) + ")  owner, joined "), std::string::npos)
      << bobs;
  EXPECT_NE(bobs.find("NOT VERIFIED"), std::string::npos) << bobs;

  Ok("alice", {"group", "remove", group, bob_id});
  CliResult after = Kith("bob", {"send", group, "still here?"});
  EXPECT_EQ(after.exit_code, 1);
  EXPECT_NE(after.err.find("not a member"), std::string::npos) << after.err;

  WaitForRelays();  // each unlock's, before their server goes
  ASSERT_EQ(kithd_->Stop(), 0);
  for (const auto& entry : std::filesystem::recursive_directory_iterator(kithd_->data_dir())) {
    if (!entry.is_regular_file()) continue;
    const std::string bytes = ReadFile(entry.path());
    EXPECT_EQ(bytes.find("welcome, bob"), std::string::npos) << entry.path();
    EXPECT_EQ(bytes.find("thank you"), std::string::npos) << entry.path();
  }
}

TEST_F(CliTest, FollowPrintsMessagesAsTheyArrive) {
  Enroll("alice");
  Enroll("bob");
  const std::string group = Ok("alice", {"group", "create", "Live"});
  Ok("bob", {"group", "join", Ok("alice", {"group", "invite", group}), "--accept-rules"});
  Ok("alice", {"group", "admit", group, "bob"});
  const std::string out = Home("follower") + ".out";
  pid_t follower = Spawn("bob", {"follow", group}, {kPassphrase}, "", out, out + ".err");
  ASSERT_TRUE(WaitForText(out + ".err", "Following from message")) << ReadFile(out + ".err");
  Ok("alice", {"send", group, "are you there?"});
  EXPECT_TRUE(WaitForText(out, "are you there?")) << ReadFile(out);
  // Joins and moderation show as they happen, not only messages.
  Enroll("cara");
  Ok("cara", {"group", "join", Ok("alice", {"group", "invite", group}), "--accept-rules"});
  Ok("alice", {"group", "admit", group, "cara"});
  Ok("alice", {"mod", "warn", group, "bob"});
  EXPECT_TRUE(WaitForText(out, ") warned bob (")) << ReadFile(out);
  const std::string seen = ReadFile(out);
  kill(follower, SIGTERM);
  waitpid(follower, nullptr, 0);
  EXPECT_NE(seen.find("alice"), std::string::npos) << seen;
  EXPECT_NE(seen.find("are you there?"), std::string::npos) << seen;
  EXPECT_NE(seen.find(") admitted cara ("), std::string::npos) << seen;
  // Requests to join are for moderators' eyes.
  EXPECT_EQ(seen.find("asked to join"), std::string::npos) << seen;
}

TEST_F(CliTest, SendPausesOnALikelyRuleBreakAndRecordsAnOverride) {
  Enroll("alice");
  Enroll("bob");
  const std::string group = Ok("alice", {"group", "create", "Nudged", "--rules",
                                         "no_name_calling,no_yelling", "--crisis", "Call 988"});
  Ok("bob", {"group", "join", Ok("alice", {"group", "invite", group}), "--accept-rules"});
  Ok("alice", {"group", "admit", group, "bob"});

  // No terminal to ask on and no --yes: nothing is sent, and the person is
  // told which rule, which words, and what to do.
  CliResult paused = Kith("bob", {"send", group, "you're a total j3rk"});
  EXPECT_EQ(paused.exit_code, 1);
  EXPECT_NE(paused.err.find("no_name_calling rule: \"j3rk\""), std::string::npos) << paused.err;
  EXPECT_NE(paused.err.find("--yes"), std::string::npos) << paused.err;
  EXPECT_EQ(MessageLines(Ok("alice", {"--json", "read", group})), std::vector<std::string>{});

  // A rule the group does not carry does not pause anything.
  Ok("bob", {"send", group, "nobody asked"});
  // --yes sends, and the moderators' clients show the override, which
  // travels inside the encryption.
  Ok("bob", {"send", group, "you're a total j3rk", "--yes"});
  const auto read = MessageLines(Ok("alice", {"--json", "read", group}));
  ASSERT_EQ(read.size(), 2u);
  EXPECT_EQ(Field(read[1], "text"), "you're a total j3rk");
  EXPECT_EQ(Field(read[1], "overridden_rules"), "no_name_calling");
  EXPECT_EQ(Field(read[0], "overridden_rules"), "");
  EXPECT_NE(Ok("alice", {"read", group}).find("[sent despite no_name_calling]"), std::string::npos);
  // A member's client does not show it.
  const std::string members = Ok("bob", {"read", group});
  EXPECT_NE(members.find("you're a total j3rk"), std::string::npos) << members;
  EXPECT_EQ(members.find("sent despite"), std::string::npos) << members;
  EXPECT_FALSE(Json(MessageLines(Ok("bob", {"--json", "read", group}))[1]).fields().contains(
      "overridden_rules"));

  // A crisis is never blocked: it shows the group's crisis resources.
  CliResult crisis = Kith("bob", {"send", group, "I don't want to be here anymore"});
  EXPECT_EQ(crisis.exit_code, 0) << crisis.err;
  EXPECT_NE(crisis.err.find("Call 988"), std::string::npos) << crisis.err;
}

TEST_F(CliTest, ReportQueueResolveAndAuditAcrossThreePeople) {
  Enroll("alice");  // owner
  Enroll("bob");    // crosses a line
  Enroll("cara");   // reports it
  const std::string group = Ok("alice", {"group", "create", "Thursday", "--rules", "no_contempt",
                                         "--reply-window", "24h", "--ladder", "warn,mute:2h,ban"});
  EXPECT_NE(Ok("bob", {"group", "charter", group}).find("warn, then mute:2h, then ban"),
            std::string::npos);
  for (const char* who : {"bob", "cara"}) {
    Ok(who, {"group", "join", Ok("alice", {"group", "invite", group}), "--accept-rules"});
  }
  Ok("alice", {"group", "admit", group, "bob", "cara"});
  const std::string sent = Ok("bob", {"--json", "send", group, "go away cara, seriously"});
  const int seq = static_cast<int>(Json(sent).fields().at("seq").number_value());

  Ok("cara", {"report", group, std::to_string(seq), "--rule", "no_contempt", "--note",
              "this keeps happening"});
  CliResult not_moderator = Kith("bob", {"mod", "queue", group});
  EXPECT_EQ(not_moderator.exit_code, 1);
  EXPECT_NE(not_moderator.err.find("only the group's moderators"), std::string::npos);

  const std::string queued = Ok("alice", {"--json", "mod", "queue", group});
  ASSERT_EQ(queued.find('\n'), std::string::npos) << queued;  // exactly one item
  const auto item = Json(queued).fields();
  EXPECT_EQ(item.at("kind").string_value(), "report");
  EXPECT_TRUE(item.at("verified").bool_value());
  EXPECT_EQ(item.at("text").string_value(), "go away cara, seriously");
  EXPECT_EQ(item.at("note").string_value(), "this keeps happening");
  EXPECT_EQ(item.at("rules").string_value(), "no_contempt");
  EXPECT_EQ(item.at("reporter_name").string_value(), "cara");
  EXPECT_EQ(item.at("accused_name").string_value(), "bob");
  EXPECT_EQ(item.at("proposed").string_value(), "warn");
  EXPECT_FALSE(item.at("overdue").bool_value());
  EXPECT_EQ(item.at("reply_window_ms").number_value(), 24 * 3600 * 1000.0);
  const std::string human = Ok("alice", {"mod", "queue", group});
  EXPECT_NE(human.find("left to answer"), std::string::npos) << human;

  // Without a terminal the proposed step needs --yes; with it, the ladder's
  // first step (warn) is taken and the report closes.
  const std::string report = std::to_string(static_cast<int>(item.at("item").number_value()));
  CliResult unasked = Kith("alice", {"mod", "resolve", group, report});
  EXPECT_EQ(unasked.exit_code, 1);
  EXPECT_NE(unasked.err.find("--yes"), std::string::npos) << unasked.err;
  Ok("alice", {"mod", "resolve", group, report, "--yes"});
  EXPECT_EQ(Ok("alice", {"mod", "queue", group}), "Nothing waiting.");

  // The next confirmed report takes the next step: a two-hour mute.
  const int again = static_cast<int>(
      Json(Ok("bob", {"--json", "send", group, "cara, just stop talking forever"})).fields().at("seq").number_value());
  Ok("cara", {"report", group, std::to_string(again), "--rule", "no_contempt"});
  const auto second = Json(Ok("alice", {"--json", "mod", "queue", group})).fields();
  EXPECT_EQ(second.at("proposed").string_value(), "mute for 2h");
  EXPECT_NE(second.at("history").string_value().find("warn no_contempt"), std::string::npos);
  Ok("alice", {"mod", "resolve", group,
               std::to_string(static_cast<int>(second.at("item").number_value())), "--yes"});
  CliResult muted = Kith("bob", {"send", group, "hello?"});
  EXPECT_EQ(muted.exit_code, 1);
  EXPECT_NE(muted.err.find("muted"), std::string::npos) << muted.err;
  EXPECT_NE(muted.err.find("appeal"), std::string::npos) << muted.err;

  // Slow mode and a group pause, seen by everyone in 'kith read'.
  Ok("alice", {"mod", "slow", group, "1m"});
  Ok("alice", {"mod", "pause-group", group, "10m"});
  CliResult paused = Kith("cara", {"send", group, "wait"});
  EXPECT_NE(paused.err.find("paused the whole group"), std::string::npos) << paused.err;
  Ok("alice", {"mod", "lift", group});
  Ok("alice", {"mod", "slow", group, "off"});
  const std::string read = Ok("cara", {"read", group});
  // Everyone in these lines shows with their short id.
  const std::string alice = "alice (" + Field(Ok("alice", {"--json", "id", "show"}), "user_id").substr(0, 8) + ")";
  const std::string bob = "bob (" + Field(Ok("bob", {"--json", "id", "show"}), "user_id").substr(0, 8) + ")";
  const std::string cara = "cara (" + Field(Ok("cara", {"--json", "id", "show"}), "user_id").substr(0, 8) + ")";
  EXPECT_NE(read.find(alice + " warned " + bob + " under no_contempt"), std::string::npos) << read;
  EXPECT_NE(read.find(alice + " muted " + bob + " for 2h under no_contempt"), std::string::npos) << read;
  EXPECT_NE(read.find(alice + " paused the whole group for 10m"), std::string::npos) << read;
  EXPECT_EQ(read.find("filed a report"), std::string::npos) << read;

  // The audit trail verifies end to end, and again once more has happened.
  const std::string audit = Ok("alice", {"mod", "audit", group, "--verify"});
  EXPECT_NE(audit.find(cara + " filed a report"), std::string::npos) << audit;
  EXPECT_NE(audit.find("Verified: all"), std::string::npos) << audit;
  Ok("alice", {"mod", "ban", group, "bob", "--rule", "no_contempt"});
  const std::string after_ban = Ok("alice", {"mod", "audit", group, "--verify"});
  EXPECT_NE(after_ban.find(alice + " banned " + bob + " under no_contempt"), std::string::npos)
      << after_ban;
  CliResult rejoin = Kith("bob", {"group", "join", Ok("alice", {"group", "invite", group}),
                                  "--accept-rules"});
  EXPECT_EQ(rejoin.exit_code, 1);
  EXPECT_NE(rejoin.err.find("banned"), std::string::npos) << rejoin.err;
}

TEST_F(CliTest, NobodyAnswersForTheirOwnMessageAndAuthorityIsCheckedBeforeAnyQuestion) {
  Enroll("alice");  // owner
  Enroll("bob");
  Enroll("cara");
  const std::string group = Ok("alice", {"group", "create", "Tuesday Recovery", "--rules", "no_yelling"});
  for (const char* who : {"bob", "cara"}) {
    Ok(who, {"group", "join", Ok("alice", {"group", "invite", group}), "--accept-rules"});
  }
  Ok("alice", {"group", "admit", group, "bob", "cara"});
  const int seq = static_cast<int>(
      Json(Ok("alice", {"--json", "send", group, "I AM SO DONE WITH ALL OF YOU", "--yes"}))
          .fields().at("seq").number_value());

  // The owner's own override is in her queue, marked as hers to leave alone.
  const auto own = Json(Ok("alice", {"--json", "mod", "queue", "Tuesday Recovery"})).fields();
  EXPECT_TRUE(own.at("about_you").bool_value());
  const std::string item = std::to_string(static_cast<int>(own.at("item").number_value()));
  CliResult self = Kith("alice", {"mod", "resolve", group, item, "--action", "dismiss"});
  EXPECT_EQ(self.exit_code, 1);
  EXPECT_NE(self.err.find("about your own message"), std::string::npos) << self.err;

  // Nobody else moderates: a report about her has nowhere to go, and says so.
  CliResult nowhere = Kith("bob", {"report", group, std::to_string(seq), "--rule", "no_yelling"});
  EXPECT_EQ(nowhere.exit_code, 1);
  EXPECT_NE(nowhere.err.find("needs a second moderator"), std::string::npos) << nowhere.err;

  // With cara a moderator, the report and the override are one item for her.
  Ok("alice", {"group", "role", group, "cara", "moderator"});
  Ok("bob", {"report", group, std::to_string(seq), "--rule", "no_yelling"});
  const std::string queue = Ok("cara", {"mod", "queue", "Tuesday Recovery"});
  EXPECT_NE(queue.find("who sent it despite the rules engine's warning"), std::string::npos) << queue;
  EXPECT_NE(queue.find("nobody here can restrict them"), std::string::npos) << queue;
  // The hint pastes as is: the group's name is quoted.
  EXPECT_NE(queue.find("kith mod resolve 'Tuesday Recovery' " + item + " --action dismiss"),
            std::string::npos) << queue;
  EXPECT_EQ(Lines(Ok("cara", {"--json", "mod", "queue", group})).size(), 1u);
  // Taking the ladder's step on the owner is refused before any question.
  CliResult step = Kith("cara", {"mod", "resolve", group, item});
  EXPECT_EQ(step.exit_code, 1);
  EXPECT_NE(step.err.find("whom nobody moderates"), std::string::npos) << step.err;
  EXPECT_EQ(step.err.find("Take this step"), std::string::npos) << step.err;
  Ok("cara", {"mod", "resolve", "Tuesday Recovery", item, "--action", "dismiss"});
  EXPECT_EQ(Ok("cara", {"mod", "queue", group}), "Nothing waiting.");
  EXPECT_EQ(Ok("alice", {"mod", "queue", group}), "Nothing waiting.");
}

TEST_F(CliTest, AJoinerUsingABannedMembersNameIsFlaggedBeforeAdmission) {
  Enroll("alice");
  Enroll("bob");
  const std::string bob_id = Field(Ok("bob", {"--json", "id", "show"}), "user_id");
  const std::string group = Ok("alice", {"group", "create", "Wednesday"});
  Ok("bob", {"group", "join", Ok("alice", {"group", "invite", group}), "--accept-rules"});
  Ok("alice", {"group", "admit", group, "bob"});
  Ok("alice", {"mod", "ban", group, "bob"});

  // Someone else calls themselves "B0b" and asks to join.
  Enroll("impostor", "B0b");
  const std::string impostor_id = Field(Ok("impostor", {"--json", "id", "show"}), "user_id");
  Ok("impostor", {"group", "join", Ok("alice", {"group", "invite", group}), "--accept-rules"});
  const std::string pending = Ok("alice", {"group", "pending", group});
  EXPECT_NE(pending.find("WARNING: B0b (" + impostor_id + ") goes by the name of"),
            std::string::npos) << pending;
  EXPECT_NE(pending.find("bob (" + bob_id + "), banned"), std::string::npos) << pending;
  EXPECT_NE(pending.find("kith id verify " + impostor_id), std::string::npos) << pending;
  EXPECT_EQ(Field(Ok("alice", {"--json", "group", "pending", group}), "lookalikes"),
            bob_id + ":banned");

  // Admitting them takes a decision: refused until --yes, and nothing changes meanwhile.
  CliResult refused = Kith("alice", {"group", "admit", group, impostor_id});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("reads like someone else's"), std::string::npos) << refused.err;
  EXPECT_EQ(Field(Ok("alice", {"--json", "group", "pending", group}), "user_id"), impostor_id);
  Ok("alice", {"group", "admit", group, impostor_id, "--yes"});
  // What they write shows under their own short id, not the banned bob's.
  Ok("impostor", {"send", group, "hi it's bob, I'm back"});
  const std::string read = Ok("alice", {"read", group});
  EXPECT_NE(read.find("B0b (" + impostor_id.substr(0, 8) + "): hi it's bob"), std::string::npos)
      << read;
}

TEST_F(CliTest, GlobalOptionsWorkAfterTheCommandAndEveryHelpPageListsThem) {
  Enroll("alice");
  const std::string group = Ok("alice", {"group", "create", "Evenings"});
  // --json after the command, even after a nested one.
  EXPECT_EQ(Field(Ok("alice", {"groups", "--json"}), "group_id"), group);
  EXPECT_EQ(Field(Ok("alice", {"group", "charter", group, "--json"}), "name"), "Evenings");
  for (const std::vector<std::string>& help :
       {std::vector<std::string>{"groups", "--help"}, {"group", "admit", "--help"}}) {
    CliResult page = Kith("alice", help, {});
    EXPECT_EQ(page.exit_code, 0) << help[0];
    for (const char* option : {"--home DIR", "--json", "--secrets-fd N"}) {
      EXPECT_NE(page.out.find(option), std::string::npos) << help[0] << ": " << page.out;
    }
  }
}

TEST_F(CliTest, ReusingAnInviteSaysItWasUsed) {
  Enroll("alice");
  Enroll("bob");
  Enroll("cara");
  const std::string group = Ok("alice", {"group", "create", "Once"});
  const std::string code = Ok("alice", {"group", "invite", group});
  Ok("bob", {"group", "join", code, "--accept-rules"});
  CliResult again = Kith("bob", {"group", "join", code, "--accept-rules"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("you already asked to join this group"), std::string::npos) << again.err;
  EXPECT_NE(again.err.find("a moderator will admit you"), std::string::npos) << again.err;
  CliResult other = Kith("cara", {"group", "join", code, "--accept-rules"});
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_NE(other.err.find("was already used"), std::string::npos) << other.err;
}

TEST_F(CliTest, AServerThatCannotBeReachedIsNamedAsRefusedOrTimedOutWithinSeconds) {
  Enroll("alice");
  // A port nobody listens on, and one whose listener never answers.
  auto bound = [](bool listening) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    socklen_t size = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &size);
    if (listening) {
      EXPECT_EQ(::listen(fd, 16), 0);
    }
    return std::pair<int, int>(fd, ntohs(addr.sin_port));
  };
  const auto [closed_fd, closed_port] = bound(false);
  const auto [silent_fd, silent_port] = bound(true);
  const std::pair<int, const char*> cases[] = {{closed_port, "(connection refused)"},
                                               {silent_port, "(timed out)"}};
  for (const auto& [port, reason] : cases) {
    const std::string address = "127.0.0.1:" + std::to_string(port);
    WriteFileAtomically(Home("alice") + "/server", address, 0600).IgnoreError();
    const auto start = std::chrono::steady_clock::now();
    CliResult r = Kith("alice", {"groups"});
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find(address + " " + reason), std::string::npos) << r.err;
    // The goal is 2 s; the bound allows for this shared machine's noise
    // and the passphrase's key derivation, against 10 s and more before.
    EXPECT_LT(took, std::chrono::seconds(6)) << reason;
  }
  ::close(closed_fd);
  ::close(silent_fd);
  KillRelays();  // each unlock's relay is left trying the wrong address
}

TEST_F(CliTest, UnlockOnceAndCommandsDoNotAskUntilLockOrPanicWipe) {
  Enroll("alice");
  const std::string group = Ok("alice", {"group", "create", "Mornings"});
  // Nothing unlocked: with no passphrase to read, a command fails.
  EXPECT_EQ(Kith("alice", {"groups"}, {}).exit_code, 1);
  const std::string unlocked = Ok("alice", {"unlock", "--for", "1h"});
  EXPECT_NE(unlocked.find("Unlocked until"), std::string::npos) << unlocked;
  ASSERT_EQ(Agents().size(), 1u);
  // The agent's socket is its owner's alone.
  struct stat socket_stat {};
  ASSERT_EQ(::stat((Home("alice") + "/agent.sock").c_str(), &socket_stat), 0);
  EXPECT_EQ(socket_stat.st_mode & 0777, 0600u);
  // Now no passphrase is read, and the command works as if it were typed.
  CliResult groups = Kith("alice", {"--json", "groups"}, {});
  EXPECT_EQ(groups.exit_code, 0) << groups.err;
  EXPECT_EQ(Field(groups.out, "group_id"), group);
  Ok("alice", {"send", group, "good morning"});

  EXPECT_EQ(Ok("alice", {"lock"}), "Locked: the next command asks for your passphrase.");
  EXPECT_TRUE(Agents().empty());
  EXPECT_EQ(Kith("alice", {"groups"}, {}).exit_code, 1);
  EXPECT_EQ(Ok("alice", {"lock"}), "Nothing was unlocked.");

  // A panic wipe ends the agent before it wipes.
  Ok("alice", {"unlock"});
  ASSERT_EQ(Agents().size(), 1u);
  Ok("alice", {"panic-wipe"});
  EXPECT_TRUE(Agents().empty());
  EXPECT_FALSE(std::filesystem::exists(Home("alice")));
}

TEST_F(CliTest, TheUnlockAgentEndsAtItsDeadline) {
  Enroll("alice");
  Ok("alice", {"unlock", "--for", "1m"});
  ASSERT_EQ(Agents().size(), 1u);
  // The agent itself, started as 'kith unlock' starts it, with a deadline
  // a moment away: it exits then, by itself, and takes its socket along.
  Ok("alice", {"lock"});
  const std::string until = std::to_string(
      std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now().time_since_epoch()).count() + 1500);
  const std::string out = Home("agent") + ".out";
  pid_t agent = Spawn("alice", {"agent-serve", until}, {}, std::string(64, 'a') + "\n", out,
                      out + ".err");
  ASSERT_TRUE(WaitForText(out, "ready")) << ReadFile(out + ".err");
  EXPECT_TRUE(std::filesystem::exists(Home("alice") + "/agent.sock"));
  int status = 0;
  ASSERT_EQ(waitpid(agent, &status, 0), agent);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_FALSE(std::filesystem::exists(Home("alice") + "/agent.sock"));
}

TEST_F(CliTest, ChatShowsWhatArrivesAndSendsWhatIsTypedAfterTheNudge) {
  Enroll("alice");
  Enroll("bob");
  const std::string group = Ok("alice", {"group", "create", "Live room", "--rules", "no_name_calling"});
  Ok("bob", {"group", "join", Ok("alice", {"group", "invite", group}), "--accept-rules"});
  Ok("alice", {"group", "admit", group, "bob"});

  // Bob's typing arrives through a pipe held open, as a terminal would be.
  const std::string typed = Home("typed"), out = Home("chat") + ".out";
  ASSERT_EQ(::mkfifo(typed.c_str(), 0600), 0);
  // Close-on-exec, so the chat holds no writer of its own input: closing
  // this one is its end of input.
  const int keyboard = ::open(typed.c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(keyboard, 0);
  pid_t chat = SpawnReading("bob", {"chat", "Live room"}, {kPassphrase}, typed, out, out + ".err");
  auto type = [&](const std::string& line) {
    ASSERT_EQ(::write(keyboard, (line + "\n").data(), line.size() + 1),
              static_cast<ssize_t>(line.size() + 1));
  };
  ASSERT_TRUE(WaitForText(out + ".err", "Chatting in Live room as bob")) << ReadFile(out + ".err");

  // What arrives prints as it comes: a message, a join, a moderator's action.
  Ok("alice", {"send", group, "hello bob"});
  EXPECT_TRUE(WaitForText(out, "alice (")) << ReadFile(out);
  EXPECT_TRUE(WaitForText(out, "hello bob")) << ReadFile(out);
  Enroll("cara");
  Ok("cara", {"group", "join", Ok("alice", {"group", "invite", group}), "--accept-rules"});
  Ok("alice", {"group", "admit", group, "cara"});
  EXPECT_TRUE(WaitForText(out, ") admitted cara (")) << ReadFile(out);

  // A line typed is sent, and shows in the view like any other.
  type("hi alice");
  EXPECT_TRUE(WaitForText(out, "bob (")) << ReadFile(out);
  EXPECT_TRUE(WaitForText(out, "hi alice")) << ReadFile(out);
  // The nudge asks on the same input: cancelled, nothing goes out; then
  // edited, the new wording goes.
  type("you're a total j3rk");
  EXPECT_TRUE(WaitForText(out + ".err", "Edit, send anyway, or cancel?")) << ReadFile(out + ".err");
  type("c");
  type("you're being unkind");
  EXPECT_TRUE(WaitForText(out, "you're being unkind")) << ReadFile(out);
  ::close(keyboard);  // end of input: bob leaves the chat
  int status = 0;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (waitpid(chat, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > give_up) {
      kill(chat, SIGKILL);
      waitpid(chat, &status, 0);
      FAIL() << "kith chat did not leave at the end of its input";
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << ReadFile(out + ".err");
  const std::string read = Ok("alice", {"read", group});
  EXPECT_NE(read.find("hi alice"), std::string::npos) << read;
  EXPECT_EQ(read.find("j3rk"), std::string::npos) << read;
  EXPECT_NE(ReadFile(out + ".err").find("no_name_calling rule: \"j3rk\""), std::string::npos);
}

TEST_F(CliTest, ATypoNamesTheNearestCommandAndVersionIsPrinted) {
  CliResult typo = Kith("anyone", {"sned", "group", "hi"}, {});
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.err.find("'sned' is not a kith command; did you mean 'send'?"), std::string::npos)
      << typo.err;
  CliResult far = Kith("anyone", {"xyzzy"}, {});
  EXPECT_NE(far.exit_code, 0);
  EXPECT_NE(far.err.find("'xyzzy' is not a kith command ('kith --help' lists them)"),
            std::string::npos) << far.err;
  CliResult version = Kith("anyone", {"--version"}, {});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_TRUE(version.out.starts_with("kith " KITH_VERSION)) << version.out;
}

TEST_F(CliTest, RulesCheckReadsStandardInputWithoutJsonToo) {
  CliResult r = Kith("anyone", {"rules", "check", "-"}, {}, "I AM SO DONE WITH ALL OF YOU\n");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("May break no_yelling"), std::string::npos) << r.out;
}

TEST_F(CliTest, RulesCheckStreamsJsonLinesAndEvaluates) {
  CliResult r = Kith("anyone", {"--json", "rules", "check", "-"}, {},
                     "{\"text\": \"“Quoted” – then: YOU ARE A CLOWN\"}\n"
                     "not json\n"
                     "{\"text\": \"SHUT UP\", \"rules\": [\"no_contempt\"]}\n");
  EXPECT_EQ(r.exit_code, 1);  // one line could not be read
  std::vector<std::string> lines = absl::StrSplit(r.out, '\n', absl::SkipEmpty());
  ASSERT_GE(lines.size(), 3u) << r.out;
  const auto first = Json(lines[0]).fields().at("violations").list_value();
  bool clown = false;
  for (const auto& v : first.values()) {
    const auto& f = v.struct_value().fields();
    if (f.at("rule").string_value() != "no_name_calling") continue;
    clown = true;
    // Spans count code points: “ and – are one each.
    EXPECT_EQ(f.at("span").list_value().values(0).number_value(), 27);
    EXPECT_EQ(f.at("span").list_value().values(1).number_value(), 32);
  }
  EXPECT_TRUE(clown) << lines[0];
  EXPECT_NE(Field(lines[1], "error").find("line 2"), std::string::npos);
  const auto third = Json(lines[2]).fields().at("violations").list_value();
  ASSERT_EQ(third.values_size(), 1);
  EXPECT_EQ(third.values(0).struct_value().fields().at("rule").string_value(), "no_contempt");

  const std::string eval = Ok("anyone", {"rules", "eval", KITH_TEST_DATA_DIR "/ground-rules-dev.jsonl"});
  EXPECT_NE(eval.find("macro"), std::string::npos) << eval;
  EXPECT_NE(eval.find("Hard negatives flagged: 0 of 58"), std::string::npos) << eval;
  CliResult bad = Kith("anyone", {"rules", "eval", "/nonexistent.jsonl"});
  EXPECT_EQ(bad.exit_code, 1);
}

TEST_F(CliTest, WrongPassphraseIsAClearError) {
  Enroll("alice");
  CliResult r = Kith("alice", {"id", "show"}, {"not the pass phrase"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("wrong passphrase"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
  CliResult json = Kith("alice", {"--json", "id", "show"}, {"not the pass phrase"});
  EXPECT_EQ(Field(json.out, "error"), "PERMISSION_DENIED");

  // At a terminal a mistyped passphrase is asked for again, three tries in all.
  std::string shown;
  CliResult third = AtTerminal("alice", {"--json", "id", "show"},
                               {"not it", "nor this", kPassphrase}, &shown);
  EXPECT_EQ(third.exit_code, 0) << third.err << shown;
  EXPECT_EQ(Field(third.out, "name"), "alice");
  EXPECT_NE(third.err.find("wrong passphrase (or the keystore was altered); try again."),
            std::string::npos) << third.err;
  CliResult fourth = AtTerminal("alice", {"id", "show"}, {"one", "two", "three", kPassphrase}, &shown);
  EXPECT_EQ(fourth.exit_code, 1);
  EXPECT_NE(fourth.err.find("wrong passphrase"), std::string::npos) << fourth.err;
  size_t prompts = 0;
  for (size_t at = 0; (at = shown.find("Passphrase: ", at)) != std::string::npos; ++at) ++prompts;
  EXPECT_EQ(prompts, 3u) << shown;
}

TEST_F(CliTest, JoiningWithoutAcceptingTheRulesDoesNothing) {
  Enroll("alice");
  Enroll("bob");
  const std::string group = Ok("alice", {"group", "create", "Rules first", "--rules", "no_yelling"});
  CliResult r = Kith("bob", {"group", "join", Ok("alice", {"group", "invite", group})});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--accept-rules"), std::string::npos) << r.err;
  EXPECT_EQ(Ok("alice", {"group", "pending", group}), "Nobody is waiting.");
}

TEST_F(CliTest, FirstContactPinsOnlyTheFingerprintKithdPrinted) {
  const std::string& banner = kithd_->start_line();
  const size_t at = banner.find("fingerprint ");
  ASSERT_NE(at, std::string::npos) << banner;
  std::string printed = banner.substr(at + 12);
  while (!printed.empty() && std::isspace(static_cast<unsigned char>(printed.back()))) {
    printed.pop_back();
  }
  ASSERT_EQ(printed.size(), 32u * 3 - 1) << printed;
  ASSERT_EQ(Kith("dana", {"id", "create", "--name", "dana"}).exit_code, 0);

  std::string wrong = printed;
  wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
  CliResult refused = Kith("dana", {"register", "--server", kithd_->address(), "--fingerprint", wrong});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("do not register"), std::string::npos) << refused.err;
  EXPECT_FALSE(std::filesystem::exists(Home("dana") + "/server.crt"));

  CliResult unasked = Kith("dana", {"register", "--server", kithd_->address()});
  EXPECT_EQ(unasked.exit_code, 1);
  EXPECT_NE(unasked.err.find("--fingerprint"), std::string::npos) << unasked.err;

  // Lower case without colons is the same fingerprint.
  std::string typed;
  for (char ch : printed) {
    if (ch != ':') typed.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
  }
  Ok("dana", {"register", "--server", kithd_->address(), "--fingerprint", typed});
  EXPECT_EQ(ReadFile(Home("dana") + "/server.crt"), kithd_->certificate_pem());
  Ok("dana", {"group", "create", "Pinned"});
}

TEST_F(CliTest, CommandsBeforeSetupSayWhatToDo) {
  // An empty home says there is no identity there, and where to point --home.
  CliResult no_id = Kith("carol", {"groups"});
  EXPECT_EQ(no_id.exit_code, 1);
  EXPECT_NE(no_id.err.find("there is no identity in " + Home("carol")), std::string::npos)
      << no_id.err;
  EXPECT_NE(no_id.err.find("--home"), std::string::npos) << no_id.err;
  ASSERT_EQ(Kith("carol", {"id", "create", "--name", "carol"}).exit_code, 0);
  CliResult unregistered = Kith("carol", {"groups"});
  EXPECT_EQ(unregistered.exit_code, 1);
  EXPECT_NE(unregistered.err.find("kith register"), std::string::npos) << unregistered.err;
  CliResult again = Kith("carol", {"id", "create", "--name", "carol"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("already exists"), std::string::npos);
  CliResult bad_rule = Kith("carol", {"register", "--server", kithd_->address()});
  EXPECT_EQ(bad_rule.exit_code, 1);
  EXPECT_NE(bad_rule.err.find("--ca"), std::string::npos) << bad_rule.err;
}

TEST_F(CliTest, CircleInviteAnswerAlertAcknowledgeAndStatus) {
  for (const char* who : {"dana", "sam", "lee"}) Enroll(who);
  const std::string sam_id = Field(Ok("sam", {"--json", "id", "show"}), "user_id");
  const std::string lee_id = Field(Ok("lee", {"--json", "id", "show"}), "user_id");
  Ok("dana", {"circle", "invite", sam_id});
  Ok("dana", {"circle", "invite", lee_id});
  EXPECT_NE(Ok("sam", {"circle"}).find("dana invited you"), std::string::npos);
  Ok("sam", {"circle", "accept", "dana"});
  Ok("lee", {"circle", "decline", "dana"});
  EXPECT_EQ(Ok("dana", {"groups"}), "No groups yet: join one with the invite code a moderator gives you.");
  const std::string circle = Ok("dana", {"circle"});
  EXPECT_NE(circle.find("sam (" + sam_id.substr(0, 8) + "): in your circle"), std::string::npos)
      << circle;
  EXPECT_NE(circle.find("lee (" + lee_id.substr(0, 8) + "): declined"), std::string::npos) << circle;

  // A desktop's notify-send, standing in: it writes down what it was asked to show.
  const std::string bin = Home("bin"), notified = Home("notified");
  std::filesystem::create_directories(bin);
  WriteFileAtomically(bin + "/notify-send", "#!/bin/sh\necho \"$@\" >> " + notified + "\n", 0700)
      .IgnoreError();
  const std::string path = std::getenv("PATH");
  setenv("PATH", (bin + ":" + path).c_str(), 1);
  const std::string out = Home("sam-follow") + ".out";
  pid_t follower = Spawn("sam", {"follow", "--alerts"}, {kPassphrase}, "", out, out + ".err");
  setenv("PATH", path.c_str(), 1);
  ASSERT_TRUE(WaitForText(out + ".err", "for alerts")) << ReadFile(out + ".err");
  // No alert goes out without naming who gets it and asking; a script says --yes.
  CliResult unasked = Kith("dana", {"alert", "--level", "come-now"});
  EXPECT_EQ(unasked.exit_code, 1);
  EXPECT_NE(unasked.err.find("this would send an alert (come-now) to sam (" + sam_id.substr(0, 8) +
                             ")"), std::string::npos) << unasked.err;
  EXPECT_NE(unasked.err.find("--yes"), std::string::npos) << unasked.err;
  EXPECT_EQ(Ok("sam", {"alerts"}), "No alerts.");
  const std::string alert_id = Field(
      Ok("dana", {"--json", "alert", "--level", "come-now", "--note", "please come",
                  "--location", "the library", "--yes"}),
      "alert_id");
  EXPECT_TRUE(WaitForText(out, "please come")) << ReadFile(out);
  EXPECT_TRUE(WaitForText(notified, "Kith: ALERT from dana")) << ReadFile(notified);
  const std::string live = ReadFile(out);
  kill(follower, SIGTERM);
  waitpid(follower, nullptr, 0);
  EXPECT_NE(live.find("ALERT [" + alert_id.substr(0, 8) + "] from dana: come-now"),
            std::string::npos) << live << ReadFile(out + ".err");
  EXPECT_NE(live.find("where: the library"), std::string::npos) << live;
  // The desktop shows who and how urgent, never the note or the location.
  const std::string shown = ReadFile(notified);
  EXPECT_NE(shown.find("--urgency=critical"), std::string::npos) << shown;
  EXPECT_NE(shown.find("come-now [" + alert_id.substr(0, 8) + "]"), std::string::npos) << shown;
  EXPECT_EQ(shown.find("library"), std::string::npos) << shown;
  EXPECT_EQ(shown.find("please come"), std::string::npos) << shown;

  const google::protobuf::Struct received = Json(Ok("sam", {"--json", "alerts"}));
  EXPECT_EQ(received.fields().at("level").string_value(), "come-now");
  EXPECT_EQ(received.fields().at("note").string_value(), "please come");
  EXPECT_FALSE(received.fields().at("acknowledged").bool_value());
  // The sender is spoken to as the sender: nothing for her to acknowledge.
  const std::string waiting = Ok("dana", {"alert", "status", alert_id.substr(0, 8)});
  EXPECT_NE(waiting.find("nobody has acknowledged it yet"), std::string::npos) << waiting;
  EXPECT_EQ(waiting.find("kith alert ack"), std::string::npos) << waiting;
  Ok("sam", {"alert", "ack", alert_id.substr(0, 8), "--eta", "15m", "--note", "leaving now"});
  const std::string status = Ok("dana", {"alert", "status", alert_id.substr(0, 8)});
  EXPECT_NE(status.find("acknowledged by sam (on the way, about 15m): leaving now"),
            std::string::npos) << status;
  EXPECT_NE(status.find("  sam: acknowledged"), std::string::npos) << status;
  Ok("dana", {"alert", "resolve", alert_id.substr(0, 8)});
  Ok("dana", {"alert", "test", "--yes"});
  const std::string all = Ok("sam", {"alerts"});
  EXPECT_NE(all.find("resolved by its sender"), std::string::npos) << all;
  EXPECT_NE(all.find("TEST ALERT (no action needed)"), std::string::npos) << all;
  EXPECT_EQ(Ok("lee", {"alerts"}), "No alerts.");
  CliResult stranger = Kith("lee", {"alert", "ack", alert_id.substr(0, 8)});
  EXPECT_EQ(stranger.exit_code, 1);
  EXPECT_NE(stranger.err.find("no alert"), std::string::npos) << stranger.err;

  // A check-in: scheduled, shown, checked in (and the repeat scheduled).
  const std::string scheduled = Ok("dana", {"checkin", "schedule", "--in", "90m", "--every", "24h"});
  EXPECT_NE(scheduled.find("repeats every"), std::string::npos) << scheduled;
  EXPECT_NE(Ok("dana", {"checkin"}).find("Next check-in due by"), std::string::npos);
  const double deadline = Json(Ok("dana", {"--json", "checkin"})).fields().at("deadline_ms").number_value();
  // Checking in moves the deadline one period on, and says so once.
  const std::string ok = Ok("dana", {"checkin", "ok"});
  EXPECT_TRUE(ok.starts_with("Checked in. Next: Check in with 'kith checkin ok' by ")) << ok;
  EXPECT_EQ(ok.find(" by "), ok.rfind(" by ")) << ok;
  EXPECT_EQ(ok.find("will not be alerted"), std::string::npos) << ok;
  EXPECT_NE(ok.find("repeats every"), std::string::npos) << ok;
  EXPECT_EQ(Json(Ok("dana", {"--json", "checkin"})).fields().at("deadline_ms").number_value(),
            deadline + 24 * 3600 * 1000.0);
  EXPECT_NE(Ok("dana", {"checkin", "stop"}).find("No more check-ins"), std::string::npos);
  CliResult none = Kith("dana", {"checkin", "ok"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find("no check-in is scheduled"), std::string::npos) << none.err;
  CliResult member = Kith("sam", {"checkin", "schedule", "--in", "1h"});
  EXPECT_EQ(member.exit_code, 1);
  EXPECT_NE(member.err.find("no circle yet"), std::string::npos) << member.err;
}

TEST_F(CliTest, SafetyPlanSectionsAreWrittenSharedUnsharedAndVersioned) {
  Enroll("alice");
  Enroll("bob");
  const std::string bob_id = Field(Ok("bob", {"--json", "id", "show"}), "user_id");
  EXPECT_NE(Ok("alice", {"plan", "edit"}).find("reasons-for-living"), std::string::npos);
  Ok("alice", {"dm", bob_id, "can I share my plan with you?"});
  Ok("alice", {"plan", "edit", "safe-places", "-"}, "the library on Main St");
  Ok("alice", {"plan", "share", "safe-places", "--with", "bob"});
  const std::string shared = Ok("bob", {"plan", "show", "--from", "alice"});
  EXPECT_NE(shared.find("Safe places"), std::string::npos) << shared;
  EXPECT_NE(shared.find("the library on Main St"), std::string::npos) << shared;

  Ok("alice", {"plan", "unshare", "safe-places", "--with", "bob"});
  Ok("alice", {"plan", "edit", "safe-places", "-"}, "Aunt Jo's flat");
  EXPECT_NE(Ok("bob", {"plan", "show", "--from", "alice"}).find("Nothing is shared"), std::string::npos);
  const std::string mine = Ok("alice", {"plan", "show", "safe-places"});
  EXPECT_NE(mine.find("Aunt Jo's flat"), std::string::npos) << mine;
  EXPECT_NE(mine.find("version 4"), std::string::npos) << mine;
  const std::string history = Ok("alice", {"plan", "history", "safe-places"});
  EXPECT_NE(history.find("version 1"), std::string::npos);
  EXPECT_NE(history.find("shared with: bob"), std::string::npos) << history;

  const std::string scan = dir_.path() + "/id-card.txt";
  ASSERT_OK(WriteFileAtomically(scan, "ID 12345", 0600));
  Ok("alice", {"plan", "edit", "documents", "-", "--attach", scan}, "ID card: in the red folder");
  const std::string out_dir = dir_.path() + "/saved";
  std::filesystem::create_directories(out_dir);
  EXPECT_NE(Ok("alice", {"plan", "show", "documents", "--save", out_dir}).find("id-card.txt"),
            std::string::npos);
  EXPECT_EQ(ReadFile(out_dir + "/documents-id-card.txt"), "ID 12345");
}

}  // namespace
}  // namespace kith::testing
