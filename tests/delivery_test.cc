// Ordered, gap-free delivery: 20 members follow a group while 5 members send
// concurrently, and the server is killed and restarted in the middle. Every
// follower receives every message exactly once, in sequence order.
#include <atomic>
#include <mutex>
#include <thread>

#include "test_support.h"

namespace kith::testing {
namespace {

constexpr int kFollowers = 20;
constexpr int kSenders = 5;
constexpr int kMessagesPerSender = 30;

class DeliveryTest : public ServerTest {};

TEST_F(DeliveryTest, EveryFollowerGetsEveryMessageOnceInOrderAcrossARestart) {
  auto owner = Client("owner");
  std::vector<std::unique_ptr<client::Client>> followers, senders;
  std::vector<client::Client*> members;
  for (int i = 0; i < kFollowers; ++i) {
    followers.push_back(Client("follower" + std::to_string(i)));
    members.push_back(followers.back().get());
  }
  for (int i = 1; i < kSenders; ++i) {
    senders.push_back(Client("sender" + std::to_string(i)));
    members.push_back(senders.back().get());
  }
  const std::string group = CreateGroupWith(*owner, members);
  ASSERT_FALSE(group.empty());
  std::vector<client::Client*> sending = {owner.get()};
  for (auto& s : senders) sending.push_back(s.get());

  // Followers start from the next event; record every message they see.
  const uint64_t start = (*owner->session().Sync(group))->state().head_seq() + 1;
  std::mutex mu;
  std::vector<std::vector<uint64_t>> received(kFollowers);
  std::vector<client::FollowCancel> cancels(kFollowers);
  std::vector<std::thread> follow_threads;
  std::vector<absl::Status> follow_status(kFollowers);
  for (int i = 0; i < kFollowers; ++i) {
    follow_threads.emplace_back([&, i] {
      follow_status[i] = followers[i]->session().Follow(
          group, start,
          [&, i](const client::Message& m) {
            std::lock_guard<std::mutex> lock(mu);
            received[i].push_back(m.seq);
            return true;
          },
          &cancels[i]);
    });
  }

  std::atomic<int> acked{0};
  std::vector<std::vector<uint64_t>> acked_seqs(kSenders);
  std::vector<std::thread> send_threads;
  for (int s = 0; s < kSenders; ++s) {
    send_threads.emplace_back([&, s] {
      for (int i = 0; i < kMessagesPerSender; ++i) {
        uint64_t seq = SendUntilAcked(*sending[s], group,
                                      "sender " + std::to_string(s) + " #" + std::to_string(i));
        if (seq == 0) return;  // SendUntilAcked has reported why
        acked_seqs[s].push_back(seq);
        ++acked;
      }
    });
  }
  // Force every follower to reconnect halfway through.
  while (acked < kSenders * kMessagesPerSender / 2) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  kithd_->Kill();
  const absl::Status restarted = kithd_->Start();
  EXPECT_OK(restarted);
  for (auto& t : send_threads) t.join();
  if (!restarted.ok()) {
    for (auto& c : cancels) c.Cancel();
    for (auto& t : follow_threads) t.join();
    return;
  }

  // The truth: every message in the verified log.
  auto final_view = owner->session().Sync(group);
  ASSERT_OK(final_view.status());
  std::vector<uint64_t> expected;
  for (const auto& m : (*final_view)->messages()) {
    if (m.seq >= start) expected.push_back(m.seq);
  }
  ASSERT_GE(expected.size(), static_cast<size_t>(kSenders * kMessagesPerSender));
  for (const auto& seqs : acked_seqs) {
    for (uint64_t seq : seqs) {
      EXPECT_TRUE(std::binary_search(expected.begin(), expected.end(), seq)) << seq;
    }
  }

  // Wait for every follower to catch up, then stop them.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (;;) {
    bool done = true;
    {
      std::lock_guard<std::mutex> lock(mu);
      for (const auto& r : received) done = done && r.size() >= expected.size();
    }
    if (done || std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (auto& c : cancels) c.Cancel();
  for (auto& t : follow_threads) t.join();
  for (int i = 0; i < kFollowers; ++i) {
    EXPECT_OK(follow_status[i]);
    EXPECT_EQ(received[i], expected) << "follower " << i;
  }
}

TEST_F(DeliveryTest, AFollowerFarBehindGetsTheBacklogFromStorageInOrder) {
  auto alice = Client("alice");
  auto bob = Client("bob");
  const std::string group = CreateGroupWith(*alice, {bob.get()});
  // Well past what a group keeps in memory, so the start comes from storage.
  constexpr int kMessages = 400;
  for (int i = 0; i < kMessages; ++i) {
    ASSERT_OK(alice->groups().Send(group, std::to_string(i) + std::string(1000, '.')).status());
  }
  const uint64_t head = (*alice->session().Sync(group))->state().head_seq();

  grpc::ClientContext ctx;
  bob->session().Prepare(&ctx, /*with_deadline=*/false);
  v1::FollowRequest req;
  req.set_group_id(group);
  req.set_from_seq(1);
  auto stream = bob->session().stub()->Follow(&ctx, req);
  client::GroupView view(&bob->identity());
  v1::EventBatch batch;
  int batches = 0;
  while (view.state().head_seq() < head && stream->Read(&batch)) {
    ++batches;
    for (const auto& event : batch.events()) ASSERT_OK(view.Apply(event));
  }
  ctx.TryCancel();
  stream->Finish();
  EXPECT_EQ(view.state().head_seq(), head);
  ASSERT_EQ(view.messages().size(), static_cast<size_t>(kMessages));
  for (int i = 0; i < kMessages; ++i) {
    EXPECT_TRUE(view.messages()[i].text.starts_with(std::to_string(i) + ".")) << i;
  }
  EXPECT_LT(batches, static_cast<int>(head) / 4) << "a follower behind gets events in batches";
}

}  // namespace
}  // namespace kith::testing
