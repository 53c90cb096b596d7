// The embedded store under power cuts, a full disk and failing writes. The
// real server runs in this process on a file system that loses what was
// not synced when the power goes (fault_injection_fs.h), and clients drive
// it over gRPC on loopback.
//
// Each run draws a new seed and prints it; KITH_FAULT_SEED=<seed> replays
// a run's power cuts and losses.
#include <rocksdb/io_status.h>

#include <atomic>
#include <cstdlib>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "fault_injection_fs.h"
#include "clocked_server.h"

namespace kith::testing {
namespace {

constexpr int64_t kMinute = 60 * 1000;

v1::AlertContent CheckOnMe(const std::string& note) {
  v1::AlertContent c;
  c.set_level(v1::AlertContent::CHECK_ON_ME);
  c.set_note(note);
  return c;
}

class StorageFaultsTest : public ClockedServerTest {
 protected:
  void SetUp() override {
    uint64_t seed = std::random_device{}();
    if (const char* replay = std::getenv("KITH_FAULT_SEED")) seed = std::strtoull(replay, nullptr, 10);
    std::printf("fault seed: %llu (KITH_FAULT_SEED=%llu replays this run)\n",
                static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed));
    rng_.seed(seed);
    ClockedServerTest::SetUp();
  }
  void Configure(server::ServerOptions& options) override { options.file_system = fs_; }

  // The power goes (if it has not) while whatever runs keeps running; the
  // server is then stopped (as the machine would be), the disk loses what
  // a power cut may take, and the server starts again on what is left.
  void PowerCutAndRestart(const std::function<void()>& while_dark) {
    fs_->Crash();
    while_dark();
    server_->Shutdown();
    server_.reset();
    lost_bytes_ += fs_->LoseUnsyncedData(rng_);
    fs_->Restore();
    StartServer();
  }
  // Every acknowledged message of `group` is in the log at its seq, with
  // its text, in a history a fresh client verifies from the start.
  void ExpectAllAcknowledged(client::Client& reader, const std::string& group,
                             const std::map<uint64_t, std::string>& acknowledged,
                             const std::string& when) {
    auto view = reader.session().Sync(group);
    ASSERT_TRUE(view.ok()) << when << ": " << view.status();
    std::map<uint64_t, std::string> logged;
    for (const auto& m : (*view)->messages()) logged[m.seq] = m.text;
    for (const auto& [seq, text] : acknowledged) {
      auto it = logged.find(seq);
      ASSERT_NE(it, logged.end()) << when << ": acknowledged seq " << seq << " is lost";
      ASSERT_EQ(it->second, text) << when << ": seq " << seq << " holds another message";
    }
  }

  std::shared_ptr<FaultInjectionFs> fs_ = std::make_shared<FaultInjectionFs>();
  std::mt19937_64 rng_;
  uint64_t lost_bytes_ = 0;
};

// Fifty power cuts at random moments while four people write in two groups
// and a circle's check-in falls due. After each, every acknowledged event
// is where it was acknowledged, in a log the clients verify, and every
// check-in has been released once: none lost, none twice.
TEST_F(StorageFaultsTest, PowerCutsLoseNothingAcknowledgedAndReleaseEachCheckInOnce) {
  constexpr int kCycles = 50;
  const client::Identity dana = client::Identity::Generate("dana");
  const client::Identity ash = client::Identity::Generate("ash");
  const client::Identity bo = client::Identity::Generate("bo");
  const client::Identity sam = client::Identity::Generate("sam");
  std::string support, pair, circle;
  {
    auto d = Connect(dana), a = Connect(ash), b = Connect(bo), s = Connect(sam);
    support = CreateGroupWith(*d, {a.get(), b.get()}, "Tuesday group");
    pair = CreateGroupWith(*a, {b.get()}, "Walks");
    circle = CircleWith(*d, {s.get()});
    ASSERT_FALSE(support.empty() || pair.empty() || circle.empty());
  }
  struct Writer {
    const client::Identity* who;
    const std::string* group;
  };
  const std::vector<Writer> writers = {
      {&dana, &support}, {&ash, &support}, {&bo, &support}, {&ash, &pair}, {&bo, &pair}};

  std::mutex mu;
  std::map<std::string, std::map<uint64_t, std::string>> acknowledged;  // group -> seq -> text
  size_t checked = 0;
  for (int cycle = 0; cycle < kCycles; ++cycle) {
    const std::string when = absl::StrCat("after power cut ", cycle + 1);
    std::vector<std::unique_ptr<client::Client>> clients;
    // Each send is tried once: one cut off by the power stays unacknowledged.
    for (const Writer& w : writers) clients.push_back(Connect(*w.who, std::chrono::milliseconds(0)));
    auto owner = Connect(dana);
    ASSERT_NE(owner, nullptr);
    auto scheduled = owner->circle().ScheduleCheckin(clock_.now_ms + kMinute, 0,
                                                     CheckOnMe(absl::StrCat("check-in ", cycle)));
    ASSERT_TRUE(scheduled.ok()) << scheduled.status();

    std::atomic<bool> dark{false};
    std::vector<std::thread> threads;
    for (size_t w = 0; w < writers.size(); ++w) {
      threads.emplace_back([&, w] {
        for (int i = 0; !dark; ++i) {
          const std::string text = absl::StrCat("cycle ", cycle, " writer ", w, " #", i);
          auto seq = clients[w]->groups().Send(*writers[w].group, text);
          if (absl::IsResourceExhausted(seq.status())) continue;  // over the rate limit
          if (!seq.ok()) return;  // the power is off
          std::lock_guard<std::mutex> lock(mu);
          EXPECT_TRUE(acknowledged[*writers[w].group].emplace(*seq, text).second)
              << "seq " << *seq << " acknowledged twice";
        }
      });
    }
    // The check-in falls due while they write; the timer may release it
    // before the cut, during it, or only after the restart. The power goes
    // between some append and its sync.
    clock_.now_ms += 2 * kMinute;
    fs_->CrashAfterAppends(std::uniform_int_distribution<int>(1, 200)(rng_));
    ASSERT_TRUE(fs_->AwaitCrash(std::chrono::seconds(60))) << "the writers stopped writing";
    PowerCutAndRestart([&] {
      dark = true;
      for (auto& t : threads) t.join();
      clients.clear();
      owner.reset();
    });
    if (HasFatalFailure()) return;

    std::lock_guard<std::mutex> lock(mu);
    for (const auto& [group, messages] : acknowledged) {
      auto reader = Connect(group == pair ? ash : dana);  // verifies from the start
      ASSERT_NE(reader, nullptr);
      ExpectAllAcknowledged(*reader, group, messages, when);
      if (HasFatalFailure()) return;
    }
    // Each check-in so far released exactly once, this one included.
    auto contact = Connect(sam);
    ASSERT_NE(contact, nullptr);
    ASSERT_EQ(AlertsSeen(*contact, circle, cycle + 1, std::chrono::seconds(20)),
              static_cast<size_t>(cycle + 1))
        << when;
    auto view = contact->session().Sync(circle);
    ASSERT_TRUE(view.ok()) << view.status();
    std::map<std::string, int> released;
    for (const auto& alert : (*view)->alerts()) ++released[alert.content.note()];
    for (int c = 0; c <= cycle; ++c) {
      ASSERT_EQ(released[absl::StrCat("check-in ", c)], 1) << when << ": check-in " << c;
    }
  }
  for (const auto& [group, messages] : acknowledged) checked += messages.size();
  std::printf("%d power cuts, %zu acknowledged messages checked after each, %llu unsynced bytes lost\n",
              kCycles, checked, static_cast<unsigned long long>(lost_bytes_));
  EXPECT_GT(checked, static_cast<size_t>(kCycles));
  EXPECT_GT(lost_bytes_, 0u) << "no power cut took anything: the test proved nothing";
}

// A disk that fills, then one that fails: appends are refused with a status
// that says so, what is stored stays readable and whole, the server keeps
// running, and it takes appends again by itself once the disk works.
TEST_F(StorageFaultsTest, AFullOrFailingDiskRefusesAppendsAndTheServerRecoversByItself) {
  const client::Identity dana = client::Identity::Generate("dana");
  auto owner = Connect(dana);
  auto member = Connect(client::Identity::Generate("ash"), std::chrono::milliseconds(0));
  const std::string group = CreateGroupWith(*owner, {member.get()});
  std::map<uint64_t, std::string> acknowledged;
  for (int i = 0; i < 5; ++i) {
    auto seq = member->groups().Send(group, absl::StrCat("before #", i));
    ASSERT_TRUE(seq.ok()) << seq.status();
    acknowledged[*seq] = absl::StrCat("before #", i);
  }

  struct Fault {
    rocksdb::IOStatus error;
    absl::StatusCode code;  // of a refused append
    const char* says;
    absl::StatusCode write_code;  // of any other write refused
    const char* write_says;
  };
  for (const Fault& fault :
       {Fault{rocksdb::IOStatus::NoSpace("no space left on device"),
              absl::StatusCode::kResourceExhausted, "disk is full",
              absl::StatusCode::kResourceExhausted, "disk is full"},
        Fault{rocksdb::IOStatus::IOError("input/output error"), absl::StatusCode::kUnavailable,
              "could not write to its storage", absl::StatusCode::kInternal, "request id "}}) {
    SCOPED_TRACE(fault.says);
    fs_->FailWrites(fault.error);
    for (int i = 0; i < 3; ++i) {
      auto refused = member->groups().Send(group, "while the disk fails");
      ASSERT_FALSE(refused.ok());
      EXPECT_EQ(refused.status().code(), fault.code) << refused.status();
      EXPECT_NE(refused.status().message().find(fault.says), std::string::npos)
          << refused.status();
    }
    // What was stored is still read, whole.
    ExpectAllAcknowledged(*owner, group, acknowledged, "while the disk fails");
    // Someone new cannot register; they are told why in words of the
    // server's, never the storage engine's.
    auto newcomer = client::Client::Connect(
        {absl::StrCat("127.0.0.1:", server_->port()), server_->certificate_pem(), ""},
        client::Identity::Generate("newcomer"));
    ASSERT_TRUE(newcomer.ok()) << newcomer.status();
    const absl::Status registered = (*newcomer)->account().Register();
    EXPECT_EQ(registered.code(), fault.write_code) << registered;
    EXPECT_NE(registered.message().find(fault.write_says), std::string::npos) << registered;
    EXPECT_EQ(registered.message().find("IO error"), std::string::npos) << registered;

    // The disk works again; nobody restarts the server.
    fs_->FailWrites(rocksdb::IOStatus::OK());
    const std::string text = absl::StrCat("after ", fault.says);
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    absl::StatusOr<uint64_t> seq = member->groups().Send(group, text);
    while (!seq.ok() && seq.status().code() == fault.code &&
           std::chrono::steady_clock::now() < give_up) {
      seq = member->groups().Send(group, text);  // refused while recovery backs off
    }
    ASSERT_TRUE(seq.ok()) << seq.status();
    acknowledged[*seq] = text;
    ExpectAllAcknowledged(*owner, group, acknowledged, "once the disk works");
  }
  // And across a restart on what the disk holds, read by a fresh client.
  Restart();
  auto reader = Connect(dana);
  ASSERT_NE(reader, nullptr);
  ExpectAllAcknowledged(*reader, group, acknowledged, "after a restart");
}

}  // namespace
}  // namespace kith::testing
