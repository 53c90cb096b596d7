// Durability: kithd is killed with SIGKILL at random moments while members
// send, ten times. After each restart on the same data directory, every
// acknowledged message is in the log at the sequence number it was
// acknowledged with, and the log verifies: in order, no gap, no duplicate.
#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "test_support.h"

namespace kith::testing {
namespace {

constexpr int kRounds = 10;
constexpr int kSenders = 3;

class DurabilityTest : public ServerTest {};

TEST_F(DurabilityTest, AcknowledgedEventsSurviveSigkill) {
  auto owner = Client("owner");
  std::vector<std::unique_ptr<client::Client>> senders;
  std::vector<client::Client*> members;
  for (int i = 0; i < kSenders; ++i) {
    senders.push_back(Client("sender" + std::to_string(i)));
    members.push_back(senders.back().get());
  }
  const std::string group = CreateGroupWith(*owner, members);
  ASSERT_FALSE(group.empty());

  std::mt19937 rng(std::random_device{}());
  std::mutex mu;
  std::map<uint64_t, std::string> acknowledged;  // seq -> text
  for (int round = 0; round < kRounds; ++round) {
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (int s = 0; s < kSenders; ++s) {
      threads.emplace_back([&, s] {
        for (int i = 0; !stop; ++i) {
          std::string text =
              "round " + std::to_string(round) + " sender " + std::to_string(s) + " #" +
              std::to_string(i);
          auto seq = senders[s]->groups().Send(group, text);
          if (!seq.ok()) {
            if (!stop) std::this_thread::sleep_for(std::chrono::milliseconds(10));
            continue;
          }
          std::lock_guard<std::mutex> lock(mu);
          EXPECT_TRUE(acknowledged.emplace(*seq, text).second) << "seq acknowledged twice";
        }
      });
    }
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(50, 400)(rng)));
    kithd_->Kill();
    // Restarted at once: a send cut off by the kill is resent by the client
    // (the same signed event), and acknowledged once it is in the log.
    const absl::Status restarted = kithd_->Start();
    stop = true;
    for (auto& t : threads) t.join();
    ASSERT_OK(restarted);

    // A fresh client verifies the whole log from the creation event.
    auto auditor = client::Client::Connect({kithd_->address(), kithd_->certificate_pem(), ""},
                                           owner->identity());
    ASSERT_OK(auditor.status());
    auto view = (*auditor)->session().Sync(group);
    ASSERT_OK(view.status());
    std::map<uint64_t, std::string> logged;
    for (const auto& m : (*view)->messages()) logged[m.seq] = m.text;
    std::lock_guard<std::mutex> lock(mu);
    for (const auto& [seq, text] : acknowledged) {
      auto it = logged.find(seq);
      ASSERT_NE(it, logged.end()) << "round " << round << ": acknowledged seq " << seq << " lost";
      EXPECT_EQ(it->second, text);
    }
  }
  EXPECT_GT(acknowledged.size(), static_cast<size_t>(kRounds));
}

}  // namespace
}  // namespace kith::testing
