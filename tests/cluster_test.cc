// kithd on PostgreSQL, against a real PostgreSQL server and real kithd
// processes on 127.0.0.1. A second kithd on the same database waits while
// the first serves; when the first is killed mid-stream, the second takes
// over with every acknowledged message present exactly once, in order.
#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <iostream>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "postgres_process.h"
#include "test_support.h"

namespace kith::testing {
namespace {

class ClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(postgres_.Start());
    const std::vector<std::string> args = {"--store", "postgres", "--pg", postgres_.conninfo(),
                                           "--quiet"};
    for (const char* node : {"/first", "/second"}) std::filesystem::create_directory(dir_.path() + node);
    first_ = std::make_unique<KithdProcess>(dir_.path() + "/first", args);
    second_ = std::make_unique<KithdProcess>(dir_.path() + "/second", args);
    ASSERT_OK(first_->Start());
    // The nodes of one deployment share the identity clients pin: its TLS
    // certificate and its checkpoint key.
    std::filesystem::copy(first_->data_dir(), second_->data_dir(),
                          std::filesystem::copy_options::recursive);
  }
  std::unique_ptr<client::Client> Reconnect(const KithdProcess& node, client::Identity identity) {
    auto c = client::Client::Connect({node.address(), node.certificate_pem(), ""}, std::move(identity));
    EXPECT_TRUE(c.ok()) << c.status();
    return c.ok() ? *std::move(c) : nullptr;
  }

  TempDir dir_;
  PostgresProcess postgres_{dir_.path()};
  std::unique_ptr<KithdProcess> first_, second_;
};

TEST_F(ClusterTest, ASecondNodeWaitsThenTakesOverWithEveryAcknowledgedMessage) {
  auto alice = NewClient(*first_, "alice");
  auto bob = NewClient(*first_, "bob");
  const std::string group = CreateGroupWith(*alice, {bob.get()});
  const client::Identity alice_id = alice->identity(), bob_id = bob->identity();

  auto taking_over = std::async(std::launch::async, [&] { return second_->Start(); });
  EXPECT_EQ(taking_over.wait_for(std::chrono::milliseconds(800)), std::future_status::timeout)
      << "a second node served beside the first";

  // Acknowledged sends, and a kill -9 in the middle of them.
  std::vector<std::string> acknowledged;
  std::atomic<bool> stop{false};
  std::thread sender([&] {
    for (int i = 0; !stop; ++i) {
      const std::string text = absl::StrCat("message ", i);
      if (!alice->Send(group, text).ok()) break;
      acknowledged.push_back(text);
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  first_->Kill();
  const auto killed = std::chrono::steady_clock::now();
  ASSERT_EQ(taking_over.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  ASSERT_OK(taking_over.get());
  const auto stall = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - killed);
  stop = true;
  sender.join();
  ASSERT_GT(acknowledged.size(), 5u);
  std::cout << "the second node served " << stall.count() << " ms after the first was killed; "
            << acknowledged.size() << " sends were acknowledged before" << std::endl;
  auto bob_again = Reconnect(*second_, bob_id);
  ASSERT_NE(bob_again, nullptr);
  auto view = bob_again->Sync(group);
  ASSERT_OK(view.status());
  std::vector<std::string> texts;
  for (const auto& m : (*view)->messages()) texts.push_back(m.text);
  // Every acknowledged message, once, in the order sent; at most one more
  // (committed as the first node died, before its answer went out).
  ASSERT_GE(texts.size(), acknowledged.size());
  EXPECT_LE(texts.size(), acknowledged.size() + 1);
  EXPECT_TRUE(std::equal(acknowledged.begin(), acknowledged.end(), texts.begin()));
  EXPECT_EQ(std::set<std::string>(texts.begin(), texts.end()).size(), texts.size());

  // The group goes on from the new node.
  auto alice_again = Reconnect(*second_, alice_id);
  ASSERT_NE(alice_again, nullptr);
  ASSERT_OK(alice_again->Send(group, "still here").status());
  view = bob_again->Sync(group);
  ASSERT_OK(view.status());
  EXPECT_EQ((*view)->messages().back().text, "still here");
}

}  // namespace
}  // namespace kith::testing
