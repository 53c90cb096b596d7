// Two kithd nodes in this process serving from one real PostgreSQL server,
// with one clock the test turns: a check-in scheduled through one node is
// released exactly once, by whichever node is up when it falls due, and
// boundaries and accounts set through one node hold on the other at once.
#include <chrono>
#include <filesystem>
#include <map>
#include <thread>

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "kith/checkins.h"
#include "kith/client.h"
#include "kith/protocol.h"
#include "kith/server.h"
#include "manual_clock.h"
#include "postgres_process.h"
#include "test_support.h"
#include "timer_passes.h"

namespace kith::testing {
namespace {

constexpr int64_t kMinute = 60'000;
// How long an alert may take to be released, stored and read back through
// two nodes and PostgreSQL on a busy machine.
constexpr std::chrono::seconds kPatience{5};

class ClusterNodesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directory(dir_.path() + "/pg");
    ASSERT_OK(postgres_.Start());
    a_ = StartNode("a");
    b_ = StartNodeLike("b", "a");
  }
  // A node that shares `like`'s identity, with nothing else in its data
  // directory.
  std::unique_ptr<server::Server> StartNodeLike(const std::string& name, const std::string& like) {
    EXPECT_OK(ShareNodeIdentity(dir_.path() + "/" + like, dir_.path() + "/" + name));
    return StartNode(name);
  }
  std::unique_ptr<server::Server> StartNode(const std::string& name) {
    server::ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.data_dir = dir_.path() + "/" + name;
    options.postgres = postgres_.conninfo();
    options.log_requests = false;
    options.clock = &clock_;
    options.on_timer_pass = timers_[name].Hook();
    auto server = server::Server::Start(options);
    EXPECT_TRUE(server.ok()) << server.status();
    return server.ok() ? *std::move(server) : nullptr;
  }
  // `resend_for`: see client::Session::set_resend_for.
  std::unique_ptr<client::Client> Connect(
      const server::Server& node, client::Identity identity, bool register_first = true,
      std::chrono::milliseconds resend_for = client::Session::kDefaultResendFor) {
    client::ClientOptions options;
    options.server = absl::StrCat("127.0.0.1:", node.port());
    options.ca_pem = node.certificate_pem();
    options.resend_for = resend_for;
    auto c = client::Client::Connect(options, std::move(identity));
    EXPECT_TRUE(c.ok()) << c.status();
    if (register_first) EXPECT_OK((*c)->account().Register());
    return *std::move(c);
  }
  static v1::AlertContent Missed() {
    v1::AlertContent c;
    c.set_level(v1::AlertContent::CHECK_ON_ME);
    c.set_note("Dana did not check in after the meeting");
    return c;
  }

  TempDir dir_;
  PostgresProcess postgres_{dir_.path() + "/pg"};
  ManualClock clock_;
  std::map<std::string, TimerPasses> timers_;  // by node name
  std::unique_ptr<server::Server> a_, b_;
};

TEST_F(ClusterNodesTest, ACheckInIsReleasedOnceByEitherNodeAndByTheOtherWhenOneIsGone) {
  // Through node a: the owner; through node b: the contact.
  auto owner = Connect(*a_, client::Identity::Generate("dana"));
  const client::Identity sam = client::Identity::Generate("sam");
  auto contact = Connect(*b_, sam);
  const std::string circle = CircleWith(*owner, {contact.get()});
  ASSERT_FALSE(circle.empty());

  // Both nodes up: both timers see the deadline pass; one alert goes out.
  ASSERT_OK(owner->circle().ScheduleCheckin(clock_.now_ms + 90 * kMinute, 0, Missed()).status());
  clock_.now_ms += 91 * kMinute;
  EXPECT_EQ(AlertsSeen(*contact, circle, 1, kPatience), 1u);
  ASSERT_TRUE(timers_["a"].AwaitFullPass());
  ASSERT_TRUE(timers_["b"].AwaitFullPass());
  EXPECT_EQ(AlertsSeen(*contact, circle, 1), 1u);

  // Scheduled through node a, which then goes away: node b releases it.
  ASSERT_OK(owner->circle().ScheduleCheckin(clock_.now_ms + 90 * kMinute, 0, Missed()).status());
  owner.reset();
  a_->Shutdown();
  a_.reset();
  clock_.now_ms += 91 * kMinute;
  EXPECT_EQ(AlertsSeen(*contact, circle, 2, kPatience), 2u);
  clock_.now_ms += 2 * server::Checkins::kRetryMs;
  ASSERT_TRUE(timers_["b"].AwaitFullPass());
  EXPECT_EQ(AlertsSeen(*contact, circle, 2), 2u);
}

TEST_F(ClusterNodesTest, WhatIsAcknowledgedThroughOneNodeIsReadThroughTheOtherAtOnce) {
  // Each round reads through node b the moment node a has answered, so a
  // node that answered from memory before hearing of the change would fail
  // some round.
  constexpr int kRounds = 20;
  const client::Identity dana = client::Identity::Generate("dana");
  auto owner_on_a = Connect(*a_, dana);
  auto owner_on_b = Connect(*b_, dana, /*register_first=*/false);
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE(round);
    // The groups someone is in: an invitation into the circle.
    auto contact = Connect(*b_, client::Identity::Generate(absl::StrCat("contact", round)));
    ASSERT_OK(owner_on_a->circle().Invite(contact->identity().user_id()));
    ASSERT_OK(contact->circle().Answer(dana.user_id(), /*accept=*/true));
    if (round == 0) ASSERT_OK(owner_on_a->circle().Tend(*owner_on_a->circle().Own(false)).status());

    // A check-in: scheduled through a, seen and cancelled through b, gone on a.
    const int64_t deadline = clock_.now_ms + (90 + round) * kMinute;
    ASSERT_OK(owner_on_a->circle().ScheduleCheckin(deadline, 0, Missed()).status());
    auto seen = owner_on_b->circle().GetCheckin();
    ASSERT_OK(seen.status());
    EXPECT_TRUE(seen->scheduled());
    EXPECT_EQ(seen->deadline_ms(), deadline);
    auto cancelled = owner_on_b->circle().CancelCheckin();
    ASSERT_OK(cancelled.status());
    EXPECT_EQ(cancelled->deadline_ms(), deadline);
    auto after = owner_on_a->circle().GetCheckin();
    ASSERT_OK(after.status());
    EXPECT_FALSE(after->scheduled());

    // Boundaries: set through a, read through b.
    v1::Boundaries blocks;
    blocks.add_blocked(contact->identity().user_id());
    ASSERT_OK(owner_on_a->account().SetBoundaries(blocks).status());
    auto read = owner_on_b->account().GetBoundaries();
    ASSERT_OK(read.status());
    ASSERT_EQ(read->blocked_size(), 1);
    EXPECT_EQ(read->blocked(0), contact->identity().user_id());
  }
}

TEST_F(ClusterNodesTest, ANodeStartedEmptyServesAtOnceAndListsGroupsOnlyOnceItHasThemAll) {
  const client::Identity kim = client::Identity::Generate("kim");
  auto owner = Connect(*a_, client::Identity::Generate("rosa"));
  auto member = Connect(*a_, kim);
  const std::string group = CreateGroupWith(*owner, {member.get()}, "Thursday");
  for (int i = 0; i < 5; ++i)
    ASSERT_OK(owner->groups().Send(group, absl::StrCat("before ", i)).status());

  // A group whose log ends before its head: a node that starts now can
  // never finish loading every group.
  ASSERT_OK(postgres_.Query(absl::StrCat("INSERT INTO kith_heads VALUES (decode('",
                                         std::string(32, 'e'), "', 'hex'), 5)"))
                .status());
  auto c = StartNodeLike("c", "a");
  ASSERT_NE(c, nullptr);
  // Refusals that say "retry" come back at once, not after the resends.
  auto member_on_c =
      Connect(*c, kim, /*register_first=*/false, /*resend_for=*/std::chrono::milliseconds(0));
  // It serves a group as soon as it is asked for it: reads, and sends.
  auto view = member_on_c->session().Sync(group);
  ASSERT_OK(view.status());
  ASSERT_EQ((*view)->messages().size(), 5u);
  EXPECT_EQ((*view)->messages().back().text, "before 4");
  ASSERT_OK(member_on_c->groups().Send(group, "through c").status());
  // What spans every group waits, rather than answer from part of them.
  const absl::Status listed = member_on_c->session().ListGroups().status();
  EXPECT_EQ(listed.code(), absl::StatusCode::kUnavailable) << listed;
  EXPECT_EQ(listed.message(), "this node has just started and is still loading groups; retry in a moment");
  const absl::Status opened =
      member_on_c->groups().OpenDirect(owner->identity().user_id(), true).status();
  EXPECT_EQ(opened.code(), absl::StatusCode::kUnavailable) << opened;

  // Once a node has loaded every group, it lists them.
  ASSERT_OK(postgres_.Query("DELETE FROM kith_heads WHERE group_id NOT IN (SELECT group_id FROM kith_events)")
                .status());
  auto d = StartNodeLike("d", "a");
  ASSERT_NE(d, nullptr);
  auto groups = Connect(*d, kim, /*register_first=*/false)->session().ListGroups();
  ASSERT_OK(groups.status());
  ASSERT_EQ(groups->groups_size(), 1);
  EXPECT_EQ(groups->groups(0).group_id(), group);
  EXPECT_EQ(owner->session().Sync(group).value()->messages().back().text, "through c");
}

TEST_F(ClusterNodesTest, ARestartedNodeServesFromItsCacheWhatTheDatabaseStillHolds) {
  const client::Identity kim = client::Identity::Generate("kim");
  auto owner = Connect(*a_, client::Identity::Generate("rosa"));
  auto member = Connect(*b_, kim);
  const std::string group = CreateGroupWith(*owner, {member.get()}, "Thursday");
  for (int i = 1; i <= 4; ++i)
    ASSERT_OK(owner->groups().Send(group, absl::StrCat("message ", i)).status());
  auto texts = [&](server::Server& node) {
    std::vector<std::string> out;
    auto reader = Connect(node, kim, /*register_first=*/false);
    auto view = reader->session().Sync(group);
    EXPECT_OK(view.status());
    if (view.ok()) {
      for (const auto& m : (*view)->messages()) out.push_back(m.text);
    }
    return out;
  };
  ASSERT_EQ(texts(*b_).size(), 4u);  // node b has applied, and cached, them all
  member.reset();

  // Stopped, it misses two messages; restarted, it has all six in order.
  b_->Shutdown();
  b_.reset();
  EXPECT_FALSE(std::filesystem::is_empty(dir_.path() + "/b/cache"));
  for (int i = 5; i <= 6; ++i)
    ASSERT_OK(owner->groups().Send(group, absl::StrCat("message ", i)).status());
  b_ = StartNode("b");
  ASSERT_NE(b_, nullptr);
  EXPECT_EQ(texts(*b_), (std::vector<std::string>{"message 1", "message 2", "message 3",
                                                  "message 4", "message 5", "message 6"}));

  // The database goes back to an older state (restored from a backup taken
  // before the last three messages): node b's cache is ahead of it, so the
  // node drops it and serves what the database holds.
  b_->Shutdown();
  b_.reset();
  a_->Shutdown();
  a_.reset();
  const std::string head = *postgres_.Query("SELECT max(head) FROM kith_heads");
  const int kept = std::stoi(head) - 3;
  ASSERT_OK(postgres_.Query(absl::StrCat("DELETE FROM kith_events WHERE seq > ", kept)).status());
  ASSERT_OK(postgres_.Query(absl::StrCat("UPDATE kith_heads SET head = ", kept, " WHERE head = ", head))
                .status());
  b_ = StartNode("b");
  ASSERT_NE(b_, nullptr);
  EXPECT_EQ(texts(*b_), (std::vector<std::string>{"message 1", "message 2", "message 3"}));
}

TEST_F(ClusterNodesTest, ABlockSetThroughOneNodeHoldsOnTheOther) {
  const client::Identity alice_id = client::Identity::Generate("alice");
  auto alice = Connect(*a_, alice_id);
  auto bob = Connect(*b_, client::Identity::Generate("bob"));
  const std::string bob_id = bob->identity().user_id();
  auto dm = alice->groups().OpenDirect(bob_id, /*create=*/true);
  ASSERT_OK(dm.status());
  ASSERT_OK(alice->groups().Send(*dm, "hello").status());

  v1::Boundaries blocks;
  blocks.add_blocked(alice_id.user_id());
  ASSERT_OK(bob->account().SetBoundaries(blocks).status());
  // Acknowledged through node b, so it holds for the very next send through
  // node a: the writer reads the addressee's boundaries afresh.
  for (const char* text : {"are you there", "please"}) {
    const absl::Status refused = alice->groups().Send(*dm, text).status();
    EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition) << refused;
    EXPECT_EQ(refused.message(), kNotAccepting);
  }
  // Lifted through node b: alice's next message is accepted through node a.
  ASSERT_OK(bob->account().SetBoundaries(v1::Boundaries()).status());
  EXPECT_OK(alice->groups().Send(*dm, "thank you").status());
}

TEST_F(ClusterNodesTest, TwoPeopleOpeningTheirConversationAtOnceThroughTwoNodesShareOne) {
  // Each round, two people open their direct conversation at the same
  // moment, one through each node: both must end up in the same one, and
  // the cluster must hold only that one.
  for (int round = 0; round < 8; ++round) {
    auto alice = Connect(*a_, client::Identity::Generate("alice"));
    auto bob = Connect(*b_, client::Identity::Generate("bob"));
    const std::string alice_id = alice->identity().user_id(), bob_id = bob->identity().user_id();
    absl::StatusOr<std::string> from_alice, from_bob;
    std::thread opens_b([&] { from_bob = bob->groups().OpenDirect(alice_id, /*create=*/true); });
    from_alice = alice->groups().OpenDirect(bob_id, /*create=*/true);
    opens_b.join();
    ASSERT_OK(from_alice.status());
    ASSERT_OK(from_bob.status());
    EXPECT_EQ(*from_alice, *from_bob) << "round " << round;
    for (auto* person : {alice.get(), bob.get()}) {
      auto groups = person->session().ListGroups();
      ASSERT_OK(groups.status());
      int direct = 0;
      for (const v1::GroupSummary& g : groups->groups()) direct += g.charter().kind() == v1::KIND_DIRECT;
      EXPECT_EQ(direct, 1) << "round " << round;
    }
  }
}

TEST_F(ClusterNodesTest, SomeoneRegisteredThroughOneNodeLogsInAndIsFoundThroughTheOther) {
  const client::Identity carol = client::Identity::Generate("carol");
  auto on_a = Connect(*a_, carol);
  auto on_b = Connect(*b_, carol, /*register_first=*/false);
  auto groups = on_b->session().ListGroups();  // logs in through node b
  EXPECT_OK(groups.status());
  auto found =
      Connect(*b_, client::Identity::Generate("erin"))->session().GetIdentity(carol.user_id());
  ASSERT_OK(found.status());
  EXPECT_EQ(found->sign_pk(), carol.Bundle().sign_pk());
}

}  // namespace
}  // namespace kith::testing
