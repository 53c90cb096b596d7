// Failover under cluster mode: etcd and two Patroni-managed PostgreSQL
// instances in synchronous mode, two kithd nodes on them, members sending
// through both. The primary is killed with SIGKILL mid-stream; Patroni
// promotes the standby; the kithd nodes carry on against it (a node that
// was committing when the primary died exits and is restarted, as its
// supervisor would); no acknowledged message is lost.
#include <atomic>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "patroni_cluster.h"
#include "test_support.h"

namespace kith::testing {
namespace {

using SteadyClock = std::chrono::steady_clock;

class ClusterHaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* d : {"/db", "/a", "/b"}) std::filesystem::create_directory(dir_.path() + d);
    ASSERT_OK(db_.Start());
    const std::vector<std::string> args = {"--store", "postgres", "--pg", db_.conninfo(), "--quiet"};
    a_ = std::make_unique<KithdProcess>(dir_.path() + "/a", args);
    b_ = std::make_unique<KithdProcess>(dir_.path() + "/b", args);
    ASSERT_OK(a_->Start());
    ASSERT_OK(ShareNodeIdentity(a_->data_dir(), b_->data_dir()));
    ASSERT_OK(b_->Start());
  }
  // The supervisor's part: a node that exited is started again.
  void Supervise(KithdProcess& node) {
    if (!node.Exited()) return;
    ++restarts_;
    while (!node.Start().ok()) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }

  TempDir dir_;
  PatroniCluster db_{dir_.path() + "/db"};
  std::unique_ptr<KithdProcess> a_, b_;
  int restarts_ = 0;
};

TEST_F(ClusterHaTest, ThePrimaryDiesPatroniPromotesTheStandbyAndNoAcknowledgedMessageIsLost) {
  auto alice = NewClient(*a_, "alice");
  auto bob = NewClient(*b_, "bob");
  const std::string group = CreateGroupWith(*alice, {bob.get()});
  ASSERT_FALSE(group.empty());

  constexpr int kEach = 150;
  std::mutex mu;
  std::vector<SteadyClock::time_point> acked_at;
  std::vector<std::string> acked_a, acked_b;
  std::atomic<int> acked{0};
  auto sender = [&](client::Client& c, const std::string& who, std::vector<std::string>* out) {
    for (int i = 0; i < kEach; ++i) {
      const std::string text = absl::StrCat(who, " ", i);
      if (SendUntilAcked(c, group, text) == 0) return;
      std::lock_guard<std::mutex> lock(mu);
      out->push_back(text);
      acked_at.push_back(SteadyClock::now());
      ++acked;
    }
  };
  std::thread alice_sends(sender, std::ref(*alice), "alice", &acked_a);
  std::thread bob_sends(sender, std::ref(*bob), "bob", &acked_b);

  while (acked < kEach / 2) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  auto old_primary = db_.Primary();
  ASSERT_OK(old_primary.status());
  ASSERT_OK(db_.Kill(*old_primary));
  const auto killed = SteadyClock::now();
  std::atomic<bool> done{false};
  std::thread supervisor([&] {
    while (!done) {
      Supervise(*a_);
      Supervise(*b_);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  auto new_primary = db_.AwaitPromotion(*old_primary, 60);
  const auto promoted = SteadyClock::now();
  alice_sends.join();
  bob_sends.join();
  done = true;
  supervisor.join();
  ASSERT_OK(new_primary.status());
  ASSERT_EQ(acked_a.size(), static_cast<size_t>(kEach));
  ASSERT_EQ(acked_b.size(), static_cast<size_t>(kEach));

  // The write stall: the longest time without an acknowledgement after the kill.
  std::sort(acked_at.begin(), acked_at.end());
  SteadyClock::duration stall{0};
  SteadyClock::time_point last = killed;
  for (const auto& t : acked_at) {
    if (t < killed) continue;
    stall = std::max(stall, t - last);
    last = t;
  }
  auto ms = [](SteadyClock::duration d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  };
  std::cout << "primary killed; standby promoted after " << ms(promoted - killed)
            << " ms; longest write stall " << ms(stall) << " ms; kithd restarts " << restarts_
            << std::endl;

  // Every acknowledged message, once, each sender's in order, read through
  // each node from the new primary.
  for (KithdProcess* node : {a_.get(), b_.get()}) {
    auto reader = client::Client::Connect({node->address(), node->certificate_pem(), ""},
                                          alice->identity());
    ASSERT_OK(reader.status());
    auto view = (*reader)->session().Sync(group);
    ASSERT_OK(view.status());
    std::vector<std::string> from_alice, from_bob;
    std::set<std::string> seen;
    for (const auto& m : (*view)->messages()) {
      EXPECT_TRUE(seen.insert(m.text).second) << "twice: " << m.text;
      (m.text.starts_with("alice ") ? from_alice : from_bob).push_back(m.text);
    }
    EXPECT_EQ(from_alice, acked_a);
    EXPECT_EQ(from_bob, acked_b);
  }
}

}  // namespace
}  // namespace kith::testing
