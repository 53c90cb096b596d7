// The threats a person's own device faces, with the real kith binary
// against the real kithd: a seized phone after a panic wipe, a coerced
// unlock with the duress passphrase, a safe word typed in a chat, a
// restore from nothing but the recovery code, and a sender a boundary
// refuses.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <mutex>
#include <thread>

#include <gmock/gmock.h>

#include "absl/strings/str_split.h"
#include "cli_harness.h"
#include "kith/event_builder.h"
#include "kith/files.h"
#include "kith/keystore.h"
#include "kith/protocol.h"

namespace kith::testing {
namespace {

class SafetyCliTest : public CliTest {
 protected:
  // `owner` invites `member` into their circle and `member` accepts.
  void FormCircle(const std::string& owner, const std::string& member) {
    const std::string member_id = Field(Ok(member, {"--json", "id", "show"}), "user_id");
    Ok(owner, {"circle", "invite", member_id});
    Ok(member, {"circle", "accept", owner});
    Ok(owner, {"circle"});  // admits them
  }
  // The alerts `who` has received, one JSON object each.
  std::vector<std::string> Alerts(const std::string& who) {
    return absl::StrSplit(Ok(who, {"--json", "alerts"}), '\n', absl::SkipEmpty());
  }
  // Median wall time of `kith id show` under each passphrase, runs interleaved
  // so both meet the same noise.
  std::pair<double, double> MedianUnlockMs(const std::string& who, const std::string& real,
                                           const std::string& duress) const {
    constexpr int kRuns = 20;
    std::vector<double> times[2];
    for (int i = 0; i < kRuns; ++i) {
      for (int which : {0, 1}) {
        const auto start = std::chrono::steady_clock::now();
        CliResult r = Kith(who, {"id", "show"}, {which == 0 ? real : duress});
        times[which].push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
        EXPECT_EQ(r.exit_code, 0) << r.err;
      }
    }
    for (auto& v : times) std::sort(v.begin(), v.end());
    return {times[0][kRuns / 2], times[1][kRuns / 2]};
  }
  // Every file under `dir` that contains `needle`.
  static std::vector<std::string> FilesContaining(const std::string& dir, const std::string& needle) {
    std::vector<std::string> found;
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file() && ReadFile(it->path()).find(needle) != std::string::npos) {
        found.push_back(it->path());
      }
    }
    return found;
  }
};

TEST_F(SafetyCliTest, PanicWipeLeavesNothingAndTheRecoveryCodeRestores) {
  const std::string code = Field(Enroll("alice"), "recovery_code");
  ASSERT_EQ(code.size(), 44u) << code;
  Enroll("bartholomew");
  const std::string alice_id = Field(Ok("alice", {"--json", "id", "show"}), "user_id");
  const std::string group = Ok("alice", {"group", "create", "Zebra canary group"});
  Ok("bartholomew", {"group", "join", Ok("alice", {"group", "invite", group}), "--accept-rules"});
  Ok("alice", {"group", "admit", group, "bartholomew"});
  Ok("alice", {"send", group, "walrus canary message"});
  FormCircle("alice", "bartholomew");
  ASSERT_EQ(Kith("alice", {"id", "safe-word", "set"}, {kPassphrase, "lighthouse"}).exit_code, 0);
  Ok("alice", {"mod", "audit", group, "--verify"});  // leaves a pinned checkpoint behind
  ASSERT_FALSE(FilesContaining(dir_.path() + "/alice", "").empty());

  // The device is seized: the wipe needs no passphrase and no network.
  WaitForRelays();  // each unlock's, before their server goes
  kithd_->Stop();
  const auto start = std::chrono::steady_clock::now();
  CliResult wiped = Kith("alice", {"panic-wipe"}, {});
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_EQ(wiped.exit_code, 0) << wiped.err;
  EXPECT_LT(took, std::chrono::seconds(1));
  for (const std::string& canary :
       {std::string("Zebra canary"), std::string("walrus canary"), std::string("bartholomew"),
        std::string("lighthouse"), alice_id, std::string("KITHKEY"), std::string("BEGIN CERT")}) {
    EXPECT_TRUE(FilesContaining(dir_.path() + "/alice", canary).empty()) << canary;
  }
  EXPECT_FALSE(std::filesystem::exists(Home("alice") + "/identity.key"));
  CliResult locked = Kith("alice", {"groups"});
  EXPECT_EQ(locked.exit_code, 1);
  EXPECT_NE(locked.err.find("there is no identity in"), std::string::npos) << locked.err;

  // Later, on this or any device: the code alone brings the account back.
  ASSERT_OK(kithd_->Start());
  const std::vector<std::string> server = {"--server", kithd_->address(), "--ca",
                                           kithd_->data_dir() + "/tls/server.crt"};
  auto restore = [&](const std::string& typed) {
    std::vector<std::string> args = {"--json", "restore"};
    args.insert(args.end(), server.begin(), server.end());
    return Kith("alice", args, {typed, "brave otter paints nine kites"});
  };
  std::string typo = code;
  typo[0] = typo[0] == 'a' ? 'b' : 'a';
  CliResult mistyped = restore(typo);
  EXPECT_EQ(mistyped.exit_code, 1);
  EXPECT_NE(mistyped.err.find("typo"), std::string::npos) << mistyped.err;
  CliResult restored = restore(code);
  ASSERT_EQ(restored.exit_code, 0) << restored.err;
  EXPECT_EQ(Field(restored.out, "user_id"), alice_id);
  EXPECT_EQ(Field(restored.out, "name"), "alice");
  // Her groups are back, but not what was sealed to the member keys the
  // wipe erased (forward secrecy): she reads from her first message on.
  CliResult sent = Kith("alice", {"send", group, "back after the wipe"}, {"brave otter paints nine kites"});
  ASSERT_EQ(sent.exit_code, 0) << sent.err;
  const std::string read =
      Kith("alice", {"read", group}, {"brave otter paints nine kites"}).out;
  EXPECT_EQ(read.find("walrus canary message"), std::string::npos) << read;
  EXPECT_NE(read.find("back after the wipe"), std::string::npos) << read;
  EXPECT_NE(read.find("1 earlier messages were sealed to keys this device no longer holds"),
            std::string::npos) << read;
  EXPECT_NE(Ok("bartholomew", {"read", group}).find("walrus canary message"), std::string::npos);
  EXPECT_EQ(Kith("alice", {"id", "show"}, {kPassphrase}).exit_code, 1);  // the old passphrase is gone

  // A well-formed code for an account that does not exist.
  CliResult stranger = Kith("nobody", {"--json", "id", "create", "--name", "x"});
  const std::string other_code = Field(stranger.out, "recovery_code");
  std::filesystem::remove_all(Home("nobody"));
  std::vector<std::string> args = {"restore"};
  args.insert(args.end(), server.begin(), server.end());
  CliResult unknown = Kith("nobody", args, {other_code, "x"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("no account for this recovery code"), std::string::npos)
      << unknown.err;
}

TEST_F(SafetyCliTest, AnOlderKeystoreMovesToTodaysFormatAtAnUnlockThatCanSeeNoDuressProfile) {
  // Made by an earlier `kith id create` (KITHKEY2, interactive Argon2id
  // limits), passphrase "pass phrase".
  const std::string home = Home("legacy"), path = home + "/identity.key";
  std::filesystem::create_directories(home);
  std::filesystem::permissions(home, std::filesystem::perms::owner_all);
  ASSERT_OK(WriteFileAtomically(path, ReadFile(KITH_TEST_DATA_DIR "/keystore-v2.key"), 0600));
  ASSERT_EQ(Kith("legacy", {"register", "--server", kithd_->address(), "--ca",
                            kithd_->data_dir() + "/tls/server.crt"},
                 {"pass phrase"}).exit_code, 0);
  ASSERT_EQ(ReadFile(path).substr(0, 8), "KITHKEY2");

  // With a duress alarm armed, the other slot may hold the duress profile,
  // which this passphrase cannot open: the file stays, and the CLI says how to move it.
  auto opened = client::Keystore::Open(path, "pass phrase");
  ASSERT_OK(opened.status());
  auto owner = client::Client::Connect({kithd_->address(), kithd_->certificate_pem(), ""},
                                       opened->profile().identity);
  ASSERT_OK(owner.status());
  auto contact = Client("bart");
  ASSERT_OK((*owner)->circle().Invite(contact->identity().user_id()));
  ASSERT_OK(contact->circle().Answer((*owner)->identity().user_id(), /*accept=*/true));
  v1::AlertContent alarm;
  alarm.set_level(v1::AlertContent::COME_NOW);
  ASSERT_OK((*owner)->circle().ArmDuress(crypto::Secret::Random(32), {alarm}));
  CliResult kept = Kith("legacy", {"groups"}, {"pass phrase"});
  ASSERT_EQ(kept.exit_code, 0) << kept.err;
  EXPECT_NE(kept.err.find("Run 'kith id duress set' again"), std::string::npos) << kept.err;
  EXPECT_EQ(ReadFile(path).substr(0, 8), "KITHKEY2");

  // Without one, the next unlock writes the file anew under today's limits.
  ASSERT_OK((*owner)->circle().DisarmDuress());
  CliResult moved = Kith("legacy", {"groups"}, {"pass phrase"});
  ASSERT_EQ(moved.exit_code, 0) << moved.err;
  EXPECT_EQ(ReadFile(path).substr(0, 8), "KITHKEY3");
  auto reopened = client::Keystore::Open(path, "pass phrase");
  ASSERT_OK(reopened.status());
  EXPECT_EQ(reopened->params().memlimit, crypto::ModeratePwhashParams().memlimit);
  EXPECT_EQ(reopened->profile().identity.user_id(), opened->profile().identity.user_id());
  EXPECT_EQ(reopened->profile().identity.member_keys.keys().size(), 1u);
}

TEST_F(SafetyCliTest, SafeWordIsSentAsTypedAndSilentlyAlertsTheCircle) {
  Enroll("alice");
  Enroll("sam");
  FormCircle("alice", "sam");
  const std::string group = Ok("alice", {"group", "create", "Evening group"});
  const std::string plain = Ok("alice", {"send", group, "see you at the pier"});
  ASSERT_EQ(Kith("alice", {"id", "safe-word", "set"}, {kPassphrase, "Lighthouse"}).exit_code, 0);
  EXPECT_TRUE(Alerts("sam").empty());

  const std::string sent = Ok("alice", {"send", group, "meet me at the LIGHTHOUSE later"});
  EXPECT_EQ(sent.substr(0, 6), plain.substr(0, 6));  // "Sent (": nothing else shows
  EXPECT_EQ(sent.find("alert"), std::string::npos);
  const std::string read = Ok("alice", {"read", group});
  EXPECT_NE(read.find("meet me at the LIGHTHOUSE later"), std::string::npos);
  auto alerts = Alerts("sam");
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(Field(alerts[0], "level"), "come-now");
  EXPECT_EQ(Field(alerts[0], "from_name"), "alice");
  EXPECT_NE(Field(alerts[0], "note").find("safe word"), std::string::npos);

  // Turning it off, or stopping check-ins, tells the circle; nobody is asked to act.
  ASSERT_EQ(Kith("alice", {"id", "safe-word", "off"}).exit_code, 0);
  Ok("alice", {"send", group, "the lighthouse is lovely"});
  Ok("alice", {"checkin", "schedule", "--in", "1h"});
  Ok("alice", {"checkin", "stop"});
  alerts = Alerts("sam");
  ASSERT_EQ(alerts.size(), 3u);
  for (int i : {1, 2}) {
    EXPECT_EQ(Field(alerts[i], "level"), "settings-changed");
    EXPECT_TRUE(Json(alerts[i]).fields().at("resolved").bool_value());
  }
  EXPECT_NE(Field(alerts[1], "note").find("safe word was turned off"), std::string::npos);
  EXPECT_NE(Field(alerts[2], "note").find("Check-ins were stopped"), std::string::npos);
}

TEST_F(SafetyCliTest, PanicWipeAlsoRemovesExportsAndSavedFilesAndSaysWhatItCannot) {
  Enroll("alice");
  const std::string scan = dir_.path() + "/passport.jpg";
  ASSERT_OK(WriteFileAtomically(scan, "JPEG bytes of a passport", 0600));
  Ok("alice", {"evidence", "add", "-"}, "otter canary entry");
  Ok("alice", {"plan", "edit", "documents", "-", "--attach", scan}, "red folder");
  const std::string exported = dir_.path() + "/for-my-lawyer", saves = dir_.path() + "/saves";
  std::filesystem::create_directories(saves);
  Ok("alice", {"evidence", "export", exported});
  Ok("alice", {"plan", "show", "documents", "--save", saves});
  ASSERT_FALSE(FilesContaining(exported, "otter canary").empty());
  ASSERT_FALSE(FilesContaining(saves, "JPEG bytes").empty());

  CliResult wiped = Kith("alice", {"panic-wipe"}, {});
  ASSERT_EQ(wiped.exit_code, 0) << wiped.err;
  EXPECT_NE(wiped.out.find("2 export(s) and saved file(s)"), std::string::npos) << wiped.out;
  EXPECT_NE(wiped.out.find("shell's history"), std::string::npos) << wiped.out;
  EXPECT_FALSE(std::filesystem::exists(exported));
  EXPECT_TRUE(FilesContaining(saves, "JPEG bytes").empty());
  EXPECT_TRUE(std::filesystem::exists(scan));  // the person's own file, not one Kith wrote
}

TEST_F(SafetyCliTest, DuressUnlockLooksNormalAlertsOnceAndCancellingEscalates) {
  Enroll("alice");
  Enroll("sam");
  Enroll("lee");  // a keystore with no duress passphrase, to compare with
  const std::string real_id = Field(Ok("alice", {"--json", "id", "show"}), "user_id");
  CliResult no_circle = Kith("alice", {"id", "duress", "set"}, {kPassphrase, kDuressPassphrase});
  EXPECT_EQ(no_circle.exit_code, 1);
  EXPECT_NE(no_circle.err.find("circle invite"), std::string::npos) << no_circle.err;
  FormCircle("alice", "sam");
  ASSERT_EQ(Kith("alice", {"id", "duress", "set"}, {kPassphrase, kDuressPassphrase}).exit_code, 0);
  EXPECT_EQ(std::filesystem::file_size(Home("alice") + "/identity.key"),
            std::filesystem::file_size(Home("lee") + "/identity.key"));
  EXPECT_TRUE(Alerts("sam").empty());

  // Someone forces the phone open: the duress passphrase opens a profile
  // that behaves like anyone's, and the circle is told.
  const std::vector<std::string> duress = {kDuressPassphrase};
  CliResult shown = Kith("alice", {"id", "show"}, duress);
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_NE(shown.out.find("Name: alice"), std::string::npos) << shown.out;
  EXPECT_EQ(shown.out.find(real_id), std::string::npos);
  EXPECT_EQ(Kith("alice", {"groups"}, duress).out,
            "No groups yet: join one with the invite code a moderator gives you.\n");
  WaitForRelays();  // the alarm goes out from a process of its own
  auto alerts = Alerts("sam");
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(Field(alerts[0], "level"), "come-now");
  EXPECT_NE(Field(alerts[0], "note").find("duress"), std::string::npos);
  EXPECT_EQ(Kith("alice", {"groups"}, duress).exit_code, 0);
  WaitForRelays();
  EXPECT_EQ(Alerts("sam").size(), 1u);  // one alert, however often it is opened

  // 'kith unlock' with the duress passphrase answers as the real one does,
  // and every command after it opens the decoy without asking.
  CliResult unlocked = Kith("alice", {"unlock"}, duress);
  EXPECT_EQ(unlocked.exit_code, 0) << unlocked.err;
  EXPECT_TRUE(unlocked.out.starts_with("Unlocked until ")) << unlocked.out;
  CliResult decoy = Kith("alice", {"--json", "id", "show"}, {});
  ASSERT_EQ(decoy.exit_code, 0) << decoy.err;
  EXPECT_EQ(Field(decoy.out, "name"), "alice");
  EXPECT_NE(Field(decoy.out, "user_id"), real_id);
  EXPECT_EQ(Ok("alice", {"lock"}), "Locked: the next command asks for your passphrase.");
  WaitForRelays();
  EXPECT_EQ(Alerts("sam").size(), 1u);

  // Cancelling from the duress profile says it worked, and escalates.
  CliResult checked_in = Kith("alice", {"checkin", "ok"}, duress);
  EXPECT_EQ(checked_in.exit_code, 0) << checked_in.err;
  EXPECT_EQ(checked_in.out, "Checked in: your circle will not be alerted.\n");
  WaitForRelays();
  alerts = Alerts("sam");
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_EQ(Field(alerts[1], "level"), "call-emergency");
  const std::string first_alert = Field(alerts[0], "alert_id");
  CliResult resolved = Kith("alice", {"alert", "resolve", first_alert}, duress);
  EXPECT_EQ(resolved.exit_code, 0) << resolved.err;
  EXPECT_EQ(resolved.out, "Resolved: the circle knows you are OK.\n");
  EXPECT_EQ(Kith("alice", {"id", "duress", "off"}, duress).out, "Duress passphrase removed.\n");
  alerts = Alerts("sam");
  for (const auto& a : alerts) EXPECT_FALSE(Json(a).fields().at("resolved").bool_value()) << a;
  EXPECT_TRUE(Kith("alice", {"id", "show"}, duress).exit_code == 0);  // not removed by the duress profile

  // The real passphrase still opens the real profile, which can resolve.
  EXPECT_EQ(Field(Ok("alice", {"--json", "id", "show"}), "user_id"), real_id);
  Ok("alice", {"alert", "resolve", first_alert});
  Ok("alice", {"id", "duress", "off"});
  EXPECT_EQ(Kith("alice", {"id", "show"}, duress).exit_code, 1);
}

// A port that accepts connections and never answers, as a server does when
// a coercer has cut it off; counts the connections made to it.
class SilentPort {
 public:
  SilentPort() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len), 0);
    EXPECT_EQ(::listen(fd_, 64), 0);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] {
      for (int c; (c = ::accept(fd_, nullptr, nullptr)) >= 0;) {
        std::lock_guard<std::mutex> lock(mu_);
        held_.push_back(c);
      }
    });
  }
  ~SilentPort() {
    ::shutdown(fd_, SHUT_RDWR);
    acceptor_.join();
    ::close(fd_);
    for (int c : held_) ::close(c);
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  size_t connections() {
    std::lock_guard<std::mutex> lock(mu_);
    return held_.size();
  }
  // Waits (up to 10 s) for more than `n` connections.
  bool MoreThan(size_t n) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (connections() <= n && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return connections() > n;
  }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<int> held_;
};

void ExpectSameTime(std::pair<double, double> medians, const std::string& where) {
  const auto [real, duress] = medians;
  const double allowed = std::max(30.0, 0.25 * std::max(real, duress));
  std::printf("%s unlock, medians of 20: real passphrase %.1f ms, duress %.1f ms\n", where.c_str(),
              real, duress);
  EXPECT_LT(std::abs(real - duress), allowed)
      << where << ": real passphrase " << real << " ms, duress " << duress << " ms (medians of 20)";
}

TEST_F(SafetyCliTest, EitherPassphraseTakesTheSameTimeAndMakesTheSameConnection) {
  Enroll("alice");
  Enroll("sam");
  FormCircle("alice", "sam");
  const std::string duress = kDuressPassphrase;
  ASSERT_EQ(Kith("alice", {"id", "duress", "set"}, {kPassphrase, duress}).exit_code, 0);

  // Online: the alarm goes out, and the unlock does not wait for it.
  ExpectSameTime(MedianUnlockMs("alice", kPassphrase, duress), "online");
  WaitForRelays();
  EXPECT_EQ(Alerts("sam").size(), 1u);

  // Offline: the server is cut off. Each unlock, under either passphrase,
  // opens one connection to it, and neither waits on it.
  SilentPort silent;
  const std::string server_file = Home("alice") + "/server";
  const std::string registered = ReadFile(server_file);
  ASSERT_OK(WriteFileAtomically(server_file, silent.address(), 0600));
  for (const std::string& passphrase : {std::string(kPassphrase), duress}) {
    const size_t before = silent.connections();
    ASSERT_EQ(Kith("alice", {"id", "show"}, {passphrase}).exit_code, 0);
    EXPECT_TRUE(silent.MoreThan(before)) << "no connection after unlocking";
  }
  ExpectSameTime(MedianUnlockMs("alice", kPassphrase, duress), "offline");
  KillRelays();
  ASSERT_OK(WriteFileAtomically(server_file, registered, 0600));
}

TEST_F(SafetyCliTest, KithRunsWithCoreFilesOff) {
  Enroll("alice");
  SilentPort silent;  // keeps the relay of the next unlock running, to look at
  ASSERT_OK(WriteFileAtomically(Home("alice") + "/server", silent.address(), 0600));
  Ok("alice", {"id", "show"});
  ASSERT_TRUE(silent.MoreThan(0));
  const std::vector<pid_t> relays = Relays();
  ASSERT_FALSE(relays.empty());
  const std::string limits = ReadFile("/proc/" + std::to_string(relays[0]) + "/limits");
  EXPECT_THAT(limits, ::testing::ContainsRegex("Max core file size +0 +0 "));
  KillRelays();
}

TEST_F(SafetyCliTest, AWeakPassphraseIsRefusedSayingWhyAndHowToPickOne) {
  for (const char* weak : {"password123", "weak1", "weak1 weak1"}) {
    CliResult r = Kith("weak1", {"id", "create", "--name", "weak1"}, {weak});
    EXPECT_EQ(r.exit_code, 1) << weak;
    EXPECT_NE(r.err.find("too easy to guess"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("four or more unrelated words"), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(Home("weak1") + "/identity.key"));
  }
  EXPECT_EQ(Kith("weak1", {"id", "create", "--name", "weak1"}).exit_code, 0);
}

TEST_F(SafetyCliTest, PrivateTextIsNeverTakenAsAnArgumentExceptAnAlertsWhichWarns) {
  Enroll("alice");
  Enroll("sam");
  FormCircle("alice", "sam");
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"evidence", "add", "he hid my keys"},
        std::vector<std::string>{"plan", "edit", "safe-places", "aunt's flat"},
        std::vector<std::string>{"checkin", "schedule", "--in", "1h", "--note", "at the bar"}}) {
    CliResult r = Kith("alice", args);
    EXPECT_EQ(r.exit_code, 1) << args[0];
    EXPECT_NE(r.err.find("stays in your shell's history"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("pass '-'"), std::string::npos) << r.err;
  }
  EXPECT_TRUE(Kith("alice", {"evidence", "list"}).out.find("hid my keys") == std::string::npos);

  // An alert is never held back: its note goes out, and the person is told
  // where it now lies. Read from standard input, nothing needs saying.
  CliResult typed = Kith("alice", {"alert", "--note", "in the car park", "--yes"});
  EXPECT_EQ(typed.exit_code, 0) << typed.err;
  EXPECT_NE(typed.err.find("Your note is in this shell's history"), std::string::npos) << typed.err;
  CliResult piped = Kith("alice", {"alert", "--note", "-", "--yes"}, {kPassphrase}, "by the station\n");
  EXPECT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_EQ(piped.err.find("history"), std::string::npos) << piped.err;
  std::string notes;
  for (const auto& a : Alerts("sam")) notes += Field(a, "note") + "|";
  EXPECT_NE(notes.find("in the car park"), std::string::npos) << notes;
  EXPECT_NE(notes.find("by the station"), std::string::npos) << notes;
}

TEST_F(SafetyCliTest, SecretsComeOnlyFromTheTerminalOrADescriptor) {
  Enroll("alice");
  CliResult none = Kith("alice", {"id", "show"}, {});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find("--secrets-fd"), std::string::npos) << none.err;
  CliResult argument = Kith("alice", {"id", "show", "--passphrase", "pass phrase"});
  EXPECT_NE(argument.exit_code, 0);
}

TEST_F(SafetyCliTest, EvidenceIsTimestampedUnreadByTheServerAndAnExportShowsTampering) {
  Enroll("alice");
  const std::string photo = Home("alice") + ".photo";
  {
    FILE* f = fopen(photo.c_str(), "wb");
    fputs("JPEG bytes of a bruise", f);
    fclose(f);
  }
  Ok("alice", {"evidence", "add", "--attach", photo}, "He took my phone and read my messages (canary-1)");
  Ok("alice", {"evidence", "add", "-"}, "He turned up at my work uninvited (canary-2)\n");
  Ok("alice", {"evidence", "add", "-"}, "Voicemail threatening to take the kids (canary-3)");
  const std::string list = Ok("alice", {"evidence", "list"});
  EXPECT_NE(list.find("[2] "), std::string::npos) << list;
  EXPECT_NE(list.find("uninvited (canary-2)"), std::string::npos) << list;
  EXPECT_NE(list.find("(attached: alice.photo)"), std::string::npos) << list;

  const std::string out = dir_.path() + "/export";
  Ok("alice", {"evidence", "export", out});
  EXPECT_EQ(ReadFile(out + "/attachments/1-alice.photo"), "JPEG bytes of a bruise");
  EXPECT_EQ(std::filesystem::status(out + "/evidence.jsonl").permissions() &
                std::filesystem::perms::others_read,
            std::filesystem::perms::none);
  // Offline: nothing but the folder (no identity, no server).
  auto verify = [&](const std::string& dir) { return Kith("nobody", {"evidence", "verify", dir}, {}); };
  CliResult intact = verify(out);
  EXPECT_EQ(intact.exit_code, 0) << intact.out << intact.err;
  EXPECT_NE(intact.out.find("Intact: 3 entries"), std::string::npos) << intact.out;

  // Each kind of tampering is named.
  auto tampered = [&](const std::string& name, const std::function<void(std::vector<std::string>&)>& edit,
                      const std::string& attachment = "JPEG bytes of a bruise") {
    const std::string dir = dir_.path() + "/" + name;
    std::filesystem::create_directories(dir + "/attachments");
    std::filesystem::copy_file(out + "/head.json", dir + "/head.json");
    std::vector<std::string> lines = absl::StrSplit(ReadFile(out + "/evidence.jsonl"), '\n', absl::SkipEmpty());
    edit(lines);
    std::string joined;
    for (const auto& l : lines) joined += l + "\n";
    FILE* f = fopen((dir + "/evidence.jsonl").c_str(), "wb");
    fputs(joined.c_str(), f);
    fclose(f);
    f = fopen((dir + "/attachments/1-alice.photo").c_str(), "wb");
    fputs(attachment.c_str(), f);
    fclose(f);
    CliResult r = verify(dir);
    EXPECT_EQ(r.exit_code, 1) << name;
    return r.out;
  };
  auto replace = [](std::string& s, const std::string& from, const std::string& to) {
    s.replace(s.find(from), from.size(), to);
  };
  EXPECT_NE(tampered("edited", [&](auto& l) { replace(l[1], "at my work", "at my home"); })
                .find("entry 2 was edited"), std::string::npos);
  EXPECT_NE(tampered("removed", [](auto& l) { l.erase(l.begin() + 1); }).find("entry 2 was removed"),
            std::string::npos);
  EXPECT_NE(tampered("cut", [](auto& l) { l.pop_back(); }).find("cut from the end"),
            std::string::npos);
  EXPECT_NE(tampered("photo", [](auto&) {}, "a different picture").find("entry 1 was edited"),
            std::string::npos);

  // The server stored and timestamped the entries without reading them.
  WaitForRelays();
  kithd_->Stop();
  for (const char* canary : {"canary-1", "canary-2", "canary-3", "JPEG bytes"}) {
    EXPECT_TRUE(FilesContaining(kithd_->data_dir(), canary).empty()) << canary;
  }
}

TEST_F(SafetyCliTest, AVaultTakesOnlyItsOwnersEvidence) {
  auto alice = Client("alice");
  auto mallory = Client("mallory");
  auto entry = alice->vault().AddEvidence("first", "", "");
  ASSERT_TRUE(entry.ok()) << entry.status();
  auto vault = alice->vault().Own(false);
  ASSERT_TRUE(vault.ok());
  auto append = [](client::Client& c, const v1::SignedEvent& event) {
    grpc::ClientContext ctx;
    c.session().Prepare(&ctx);
    v1::AppendRequest req;
    *req.mutable_event() = event;
    v1::AppendReply reply;
    return c.session().stub()->Append(&ctx, req, &reply).error_code();
  };
  // Nobody else reads it, and nobody can be invited into it.
  EXPECT_EQ(mallory->session().Sync(*vault).status().code(), absl::StatusCode::kPermissionDenied);
  auto view = alice->session().Sync(*vault);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(append(*alice, client::BuildAddressedInvite(alice->identity(), (*view)->state(),
                                                        mallory->identity().user_id())),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ((*view)->evidence().size(), 1u);
  EXPECT_EQ((*view)->state().members().size(), 1u);
  // An evidence entry anywhere but a vault is refused, by the client and the server.
  const std::string group = CreateGroupWith(*alice, {});
  auto group_view = alice->session().Sync(group);
  ASSERT_TRUE(group_view.ok());
  EXPECT_EQ((*group_view)->SealEvidence(*entry).status().code(), absl::StatusCode::kFailedPrecondition);
  v1::EventBody body;
  body.set_group_id(group);
  body.set_author(alice->identity().user_id());
  body.set_epoch((*group_view)->state().epoch());
  body.mutable_evidence()->set_ciphertext("sealed elsewhere");
  (*group_view)->state().StampPosition(&body);
  EXPECT_EQ(append(*alice, SignEvent(body, alice->identity().sign.secret_key)),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(SafetyCliTest, ABoundaryTellsTheRefusedSenderNothingMore) {
  Enroll("alice");
  Enroll("bob");
  const std::string bob_id = Field(Ok("bob", {"--json", "id", "show"}), "user_id");
  Ok("alice", {"dm", bob_id, "hello bob"});
  EXPECT_NE(Ok("bob", {"dm", "alice"}).find("hello bob"), std::string::npos);

  auto expect_refused = [&](const CliResult& r) {
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find("not accepting messages from you right now"), std::string::npos) << r.err;
    for (const char* hint : {"block", "cool", "limit", "quiet", "boundar"}) {
      EXPECT_EQ(r.err.find(hint), std::string::npos) << r.err;
    }
  };
  Ok("bob", {"block", "alice"});
  EXPECT_NE(Ok("bob", {"boundary", "list"}).find("Blocked: alice"), std::string::npos);
  expect_refused(Kith("alice", {"dm", bob_id, "why"}));
  Ok("bob", {"unblock", "alice"});
  Ok("bob", {"boundary", "cool-off", "alice", "48h"});
  expect_refused(Kith("alice", {"dm", bob_id, "-"}, {kPassphrase}, "please"));
  Ok("bob", {"boundary", "cool-off", "alice", "off"});
  Ok("bob", {"boundary", "limit", "alice", "2/day", "--tz", "Europe/Berlin"});
  Ok("alice", {"dm", bob_id, "-"}, "second");
  expect_refused(Kith("alice", {"dm", bob_id, "third"}));
  Ok("bob", {"boundary", "quiet-hours", "22:00-07:00"});

  const std::string list = Ok("bob", {"boundary", "list"});
  EXPECT_NE(list.find("Quiet hours 22:00-07:00 (Europe/Berlin)"), std::string::npos) << list;
  EXPECT_NE(list.find("Limit: alice"), std::string::npos) << list;
  EXPECT_NE(list.find("2 times a day"), std::string::npos) << list;
  EXPECT_EQ(list.find("Cool-off"), std::string::npos) << list;
  EXPECT_EQ(list.find("Blocked"), std::string::npos) << list;
  const CliResult bad = Kith("bob", {"boundary", "quiet-hours", "7pm-7am"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("HH:MM-HH:MM"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace kith::testing
