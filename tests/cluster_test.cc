// Cluster mode against real processes on 127.0.0.1: a PostgreSQL primary
// with one synchronous standby, and two kithd nodes serving from it at
// once. Members on either node talk in one group; a node killed with
// SIGKILL mid-stream and restarted loses no acknowledged message; two
// nodes racing appends to one group never fork it.
#include <atomic>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "kith/crypto.h"
#include "kith/event_builder.h"
#include "postgres_process.h"
#include "test_support.h"

namespace kith::testing {
namespace {

class ClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* dir : {"/primary", "/standby", "/a", "/b"}) {
      std::filesystem::create_directory(dir_.path() + dir);
    }
    ASSERT_OK(primary_.Start());
    ASSERT_OK(standby_.StartStandbyOf(primary_));
    ASSERT_OK(primary_.RequireSynchronousStandby());
    const std::vector<std::string> args = {"--store", "postgres", "--pg", primary_.conninfo(),
                                           "--quiet"};
    a_ = std::make_unique<KithdProcess>(dir_.path() + "/a", args);
    b_ = std::make_unique<KithdProcess>(dir_.path() + "/b", args);
    ASSERT_OK(a_->Start());
    // The nodes of one deployment share the identity clients pin: its TLS
    // certificate and its checkpoint key.
    ASSERT_OK(ShareNodeIdentity(a_->data_dir(), b_->data_dir()));
    ASSERT_OK(b_->Start());
  }

  // Every message text of `group` in the verified log, as `reader` sees it.
  static std::vector<std::string> Texts(client::Client& reader, const std::string& group) {
    auto view = reader.session().Sync(group);
    EXPECT_OK(view.status());
    std::vector<std::string> texts;
    if (view.ok()) {
      for (const auto& m : (*view)->messages()) texts.push_back(m.text);
    }
    return texts;
  }

  TempDir dir_;
  PostgresProcess primary_{dir_.path() + "/primary"};
  PostgresProcess standby_{dir_.path() + "/standby"};
  std::unique_ptr<KithdProcess> a_, b_;
};

// Follows `group` from `from_seq` on its own thread, recording each message.
class Recorder {
 public:
  Recorder(client::Client& c, const std::string& group, uint64_t from_seq)
      : thread_([this, &c, group, from_seq] {
          status_ = c.session().Follow(
              group, from_seq,
              [this](const client::Message& m) {
                std::lock_guard<std::mutex> lock(mu_);
                seqs_.push_back(m.seq);
                texts_.push_back(m.text);
                return true;
              },
              &cancel_);
        }) {}
  ~Recorder() { Stop(); }
  // Waits up to 60 s until `n` messages have arrived.
  bool WaitFor(size_t n) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      if (std::lock_guard<std::mutex> lock(mu_); texts_.size() >= n) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
  void Stop() {
    cancel_.Cancel();
    if (thread_.joinable()) thread_.join();
  }
  std::vector<uint64_t> seqs() {
    std::lock_guard<std::mutex> lock(mu_);
    return seqs_;
  }
  std::vector<std::string> texts() {
    std::lock_guard<std::mutex> lock(mu_);
    return texts_;
  }

 private:
  std::mutex mu_;
  std::vector<uint64_t> seqs_;
  std::vector<std::string> texts_;
  client::FollowCancel cancel_;
  absl::Status status_;
  std::thread thread_;
};

TEST_F(ClusterTest, MembersOnBothNodesTalkAndAKilledNodeLosesNoAcknowledgedMessage) {
  auto alice = NewClient(*a_, "alice");  // writes through node a, which is killed
  auto bob = NewClient(*b_, "bob");      // writes through node b
  auto carol = NewClient(*a_, "carol");  // follows on node a
  auto dan = NewClient(*b_, "dan");      // follows on node b
  // Invitations, joins and admissions cross nodes: each is ordered against
  // the whole log, whichever node takes it.
  const std::string group = CreateGroupWith(*alice, {bob.get(), carol.get(), dan.get()});
  ASSERT_FALSE(group.empty());
  const uint64_t start = (*alice->session().Sync(group))->state().head_seq() + 1;
  Recorder on_a(*carol, group, start), on_b(*dan, group, start);

  constexpr int kEach = 60;
  std::vector<std::string> acked_a, acked_b;
  std::atomic<int> sent_a{0};
  std::thread alice_sends([&] {
    for (int i = 0; i < kEach; ++i) {
      // A send cut off by the kill is sent again: the client resends the
      // same event when an append's answer was lost, so it lands once.
      const std::string text = absl::StrCat("alice ", i);
      if (SendUntilAcked(*alice, group, text) == 0) return;
      acked_a.push_back(text);
      ++sent_a;
    }
  });
  std::thread bob_sends([&] {
    for (int i = 0; i < kEach; ++i) {
      const std::string text = absl::StrCat("bob ", i);
      auto seq = bob->groups().Send(group, text);
      ASSERT_TRUE(seq.ok()) << "bob's send " << i << " was never acknowledged: " << seq.status();
      acked_b.push_back(text);
    }
  });
  while (sent_a < kEach / 3) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  a_->Kill();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_OK(a_->Start());
  alice_sends.join();
  bob_sends.join();
  ASSERT_EQ(acked_a.size(), static_cast<size_t>(kEach));
  ASSERT_EQ(acked_b.size(), static_cast<size_t>(kEach));

  // The truth, read through node b: every acknowledged message exactly once
  // (alice's resends landed once), each sender's in the order sent.
  const std::vector<std::string> log = Texts(*bob, group);
  ASSERT_EQ(log.size(), 2u * kEach);
  EXPECT_EQ(std::set<std::string>(log.begin(), log.end()).size(), log.size());
  for (const auto* acked : {&acked_a, &acked_b}) {
    std::vector<std::string> theirs;
    const std::string who = acked->front().substr(0, acked->front().find(' '));
    for (const auto& t : log) {
      if (t.starts_with(who + " ")) theirs.push_back(t);
    }
    EXPECT_EQ(theirs, *acked);
  }
  // A follower on each node (carol's reconnected after the kill) got the
  // whole log, once, in order, with no gap.
  for (Recorder* r : {&on_a, &on_b}) {
    ASSERT_TRUE(r->WaitFor(log.size()));
    r->Stop();
    EXPECT_EQ(r->texts(), log);
    const std::vector<uint64_t> seqs = r->seqs();
    for (size_t i = 1; i < seqs.size(); ++i) EXPECT_EQ(seqs[i], seqs[i - 1] + 1);
  }
  // Acknowledged meant on the synchronous standby too.
  EXPECT_EQ(*primary_.Query("SELECT sync_state FROM pg_stat_replication"), "sync");
  const std::string count_sql = absl::StrCat(
      "SELECT count(*) FROM kith_events WHERE group_id = decode('", crypto::ToHex(group), "', 'hex')");
  const std::string on_primary = *primary_.Query(count_sql);
  std::string on_standby;
  for (int i = 0; i < 100 && on_standby != on_primary; ++i) {  // replay may trail the flush
    on_standby = *standby_.Query(count_sql);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(on_standby, on_primary);
}

TEST_F(ClusterTest, TwoNodesRacingAppendsToOneGroupNeverForkIt) {
  constexpr int kEach = 1000;
  auto alice = NewClient(*a_, "alice");
  auto bob = NewClient(*b_, "bob");
  const std::string group = CreateGroupWith(*alice, {bob.get()});
  ASSERT_FALSE(group.empty());
  const uint64_t first = (*alice->session().Sync(group))->state().head_seq() + 1;
  std::vector<uint64_t> seqs_a, seqs_b;
  const auto started = std::chrono::steady_clock::now();
  std::thread through_a([&] {
    for (int i = 0; i < kEach; ++i) {
      auto seq = alice->groups().Send(group, absl::StrCat("a ", i));
      ASSERT_OK(seq.status());
      seqs_a.push_back(*seq);
    }
  });
  std::thread through_b([&] {
    for (int i = 0; i < kEach; ++i) {
      auto seq = bob->groups().Send(group, absl::StrCat("b ", i));
      ASSERT_OK(seq.status());
      seqs_b.push_back(*seq);
    }
  });
  through_a.join();
  through_b.join();
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  std::cout << 2 * kEach << " racing sends through two nodes took " << took.count() << " ms"
            << std::endl;

  // Acknowledged sequence numbers: distinct, from first on.
  std::set<uint64_t> all(seqs_a.begin(), seqs_a.end());
  all.insert(seqs_b.begin(), seqs_b.end());
  ASSERT_EQ(all.size(), 2u * kEach);
  EXPECT_EQ(*all.begin(), first);
  // Both nodes serve the same verified log (a client checks the hash chain
  // and every signature), with each message once, where it was acknowledged.
  const std::vector<std::string> via_a = Texts(*alice, group), via_b = Texts(*bob, group);
  ASSERT_EQ(via_a.size(), 2u * kEach);
  EXPECT_EQ(via_a, via_b);
  EXPECT_EQ(std::set<std::string>(via_a.begin(), via_a.end()).size(), via_a.size());
  const client::GroupView& view = **bob->session().Sync(group);
  std::map<uint64_t, std::string> at;
  for (const auto& m : view.messages()) at[m.seq] = m.text;
  for (size_t i = 0; i < seqs_a.size(); ++i) EXPECT_EQ(at[seqs_a[i]], absl::StrCat("a ", i));
  for (size_t i = 0; i < seqs_b.size(); ++i) EXPECT_EQ(at[seqs_b[i]], absl::StrCat("b ", i));
  // Nothing else between them but the re-key the 1,001st message's sender
  // wrote first (GroupState::RekeyDue), and perhaps a racing second one.
  size_t rekeys = 0;
  for (const auto& entry : view.audit()) rekeys += entry.seq >= first && entry.action == "rekey";
  EXPECT_GE(rekeys, 1u);
  EXPECT_EQ(view.state().head_seq(), first + 2 * kEach - 1 + rekeys);
}

TEST_F(ClusterTest, AnAppendSentAgainThroughTheOtherNodeLandsOnce) {
  auto alice = NewClient(*a_, "alice");
  const std::string group = CreateGroupWith(*alice, {});
  ASSERT_FALSE(group.empty());
  auto alice_on_b =
      client::Client::Connect({b_->address(), b_->certificate_pem(), ""}, alice->identity());
  ASSERT_OK(alice_on_b.status());
  auto view = alice->session().Sync(group);
  ASSERT_OK(view.status());
  v1::AppendRequest req;
  *req.mutable_event() =
      client::BuildInvite(alice->identity(), (*view)->state(), crypto::RandomBytes(32));
  // As a client does when an answer is lost: the same signed event again,
  // through the other node and then the first. Stored once; each resend is
  // refused with the first answer in its details.
  v1::AppendReply first;
  std::vector<client::Client*> through = {alice.get(), alice_on_b->get(), alice.get()};
  for (size_t i = 0; i < through.size(); ++i) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + LoginToken(*through[i]));
    v1::AppendReply reply;
    const grpc::Status s = through[i]->session().stub()->Append(&ctx, req, &reply);
    if (i == 0) {
      ASSERT_TRUE(s.ok()) << s.error_message();
      first = reply;
      continue;
    }
    EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
    v1::AppendReply earlier;
    ASSERT_TRUE(earlier.ParseFromString(s.error_details()));
    EXPECT_EQ(earlier.seq(), first.seq());
    EXPECT_EQ(earlier.event_hash(), first.event_hash());
  }
  view = alice->session().Sync(group);
  ASSERT_OK(view.status());
  EXPECT_EQ((*view)->state().head_seq(), first.seq());
}

}  // namespace
}  // namespace kith::testing
