// Direct conversations and the boundaries the server enforces on them, on
// the real server over loopback gRPC, with a clock the test turns: blocks,
// cool-offs and daily limits refuse with one plain message; quiet hours
// hold messages back and then deliver them all, in order, across a restart.
#include <chrono>
#include <mutex>
#include <thread>

#include "clocked_server.h"
#include "kith/event_builder.h"
#include "kith/protocol.h"

namespace kith::testing {
namespace {

constexpr int64_t kMinute = 60'000;
constexpr int64_t kHour = 60 * kMinute;
// The manual clock starts at 2023-11-14 22:13:20 UTC: 23:13 in Berlin.
constexpr char kBerlin[] = "Europe/Berlin";

class BoundariesTest : public ClockedServerTest {
 protected:
  void SetUp() override {
    ClockedServerTest::SetUp();
    alice_ = Connect(alice_id_);
    bob_ = Connect(bob_id_);
  }
  std::string alice() const { return alice_id_.user_id(); }
  std::string bob() const { return bob_id_.user_id(); }

  absl::Status Change(client::Client& c, const std::function<void(v1::Boundaries&)>& change) {
    auto b = c.account().GetBoundaries();
    if (!b.ok()) return b.status();
    change(*b);
    return c.account().SetBoundaries(*b).status();
  }
  // `from` writes `text` to `to` directly.
  absl::Status Dm(client::Client& from, const std::string& to, const std::string& text) {
    auto group = from.groups().OpenDirect(to, /*create=*/true);
    if (!group.ok()) return group.status();
    return from.groups().Send(*group, text).status();
  }
  // The texts of the direct conversation with `peer`, as `c` reads them.
  std::vector<std::string> Texts(client::Client& c, const std::string& peer) {
    auto group = c.groups().OpenDirect(peer, /*create=*/false);
    EXPECT_TRUE(group.ok()) << group.status();
    if (!group.ok()) return {};
    auto view = c.session().Sync(*group);
    EXPECT_TRUE(view.ok()) << view.status();
    std::vector<std::string> out;
    if (view.ok()) {
      for (const auto& m : (*view)->messages()) out.push_back(m.text);
    }
    return out;
  }
  static void ExpectRefused(const absl::Status& s) {
    EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
    EXPECT_EQ(s.message(), kNotAccepting);
  }
  void QuietNow() {
    ASSERT_OK(Change(*bob_, [](v1::Boundaries& b) {
      b.set_time_zone(kBerlin);
      b.set_quiet(true);
      b.set_quiet_start_min(23 * 60);
      b.set_quiet_end_min(7 * 60);
    }));
  }

  client::Identity alice_id_ = client::Identity::Generate("alice");
  client::Identity bob_id_ = client::Identity::Generate("bob");
  std::unique_ptr<client::Client> alice_, bob_;
};

TEST_F(BoundariesTest, ADirectConversationIsTheTwoPeoplesAloneAndThereIsOnePerPair) {
  ASSERT_OK(Dm(*alice_, bob(), "hello bob"));
  ASSERT_OK(Dm(*bob_, alice(), "hello alice"));
  EXPECT_EQ(Texts(*bob_, alice()), (std::vector<std::string>{"hello bob", "hello alice"}));
  EXPECT_EQ(Texts(*alice_, bob()), (std::vector<std::string>{"hello bob", "hello alice"}));

  auto group = alice_->groups().OpenDirect(bob(), false);
  ASSERT_OK(group.status());
  auto carol = Connect(client::Identity::Generate("carol"));
  EXPECT_EQ(carol->session().Sync(*group).status().code(), absl::StatusCode::kPermissionDenied);
  auto peer = bob_->session().GetIdentity(alice());
  ASSERT_OK(peer.status());
  client::NewGroup second = client::BuildDirectCreate(bob_id_, *peer);
  v1::CreateGroupRequest req;
  *req.mutable_create() = second.create;
  v1::AppendReply reply;
  grpc::ClientContext ctx;
  bob_->session().Prepare(&ctx);
  EXPECT_EQ(bob_->session().stub()->CreateGroup(&ctx, req, &reply).error_code(),
            grpc::ALREADY_EXISTS);
  // Nothing but messages: nobody else is ever invited in.
  EXPECT_EQ(alice_->groups().Invite(*group).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(BoundariesTest, BlocksAndCoolOffsRefuseWithOnePlainMessageAndEndWhenLifted) {
  ASSERT_OK(Dm(*alice_, bob(), "first"));
  ASSERT_OK(Change(*bob_, [&](v1::Boundaries& b) { b.add_blocked(alice()); }));
  ExpectRefused(Dm(*alice_, bob(), "are you there"));
  ASSERT_OK(Change(*bob_, [&](v1::Boundaries& b) {
    b.clear_blocked();
    auto* c = b.add_cool_offs();
    c->set_user(alice());
    c->set_until_ms(clock_.NowMs() + 48 * kHour);
  }));
  ExpectRefused(Dm(*alice_, bob(), "please answer"));
  clock_.now_ms += 48 * kHour + 1;
  ASSERT_OK(Dm(*alice_, bob(), "after the cool-off"));
  EXPECT_EQ(Texts(*bob_, alice()), (std::vector<std::string>{"first", "after the cool-off"}));
  // The expired cool-off is dropped the next time boundaries are set.
  ASSERT_OK(Change(*bob_, [](v1::Boundaries&) {}));
  EXPECT_EQ(bob_->account().GetBoundaries()->cool_offs_size(), 0);

  // A blocked person cannot open a conversation, or invite into a circle.
  auto dana = Connect(client::Identity::Generate("dana"));
  ASSERT_OK(Change(*bob_, [&](v1::Boundaries& b) { b.add_blocked(dana->identity().user_id()); }));
  ExpectRefused(Dm(*dana, bob(), "hi"));
  ExpectRefused(dana->circle().Invite(bob()));
  EXPECT_OK(Dm(*dana, alice(), "hi alice"));
}

TEST_F(BoundariesTest, ALimitCountsOneSendersMessagesPerDayInTheRecipientsTimeZone) {
  ASSERT_OK(Change(*bob_, [&](v1::Boundaries& b) {
    b.set_time_zone(kBerlin);
    auto* limit = b.add_limits();
    limit->set_user(alice());
    limit->set_per_day(2);
  }));
  ASSERT_OK(Dm(*alice_, bob(), "one"));
  ASSERT_OK(Dm(*alice_, bob(), "two"));
  ExpectRefused(Dm(*alice_, bob(), "three"));
  auto carol = Connect(client::Identity::Generate("carol"));
  for (const char* text : {"a", "b", "c"}) ASSERT_OK(Dm(*carol, bob(), text));
  // 50 minutes on it is a new day in Berlin, though not yet in UTC.
  clock_.now_ms += 50 * kMinute;
  ASSERT_OK(Dm(*alice_, bob(), "new day"));
  ASSERT_OK(Dm(*alice_, bob(), "again"));
  ExpectRefused(Dm(*alice_, bob(), "too many"));
  EXPECT_EQ(Texts(*bob_, alice()), (std::vector<std::string>{"one", "two", "new day", "again"}));
}

TEST_F(BoundariesTest, QuietHoursHoldTheLiveStreamThenDeliverEverythingInOrder) {
  ASSERT_OK(Dm(*alice_, bob(), "before"));
  auto group = bob_->groups().OpenDirect(alice(), false);
  ASSERT_OK(group.status());
  std::mutex mu;
  std::vector<std::string> seen;
  std::vector<int64_t> seen_at;  // the server's clock when each arrived
  client::FollowCancel cancel;
  auto follower = Connect(bob_id_);
  std::thread follow([&] {
    (void)follower->session().Follow(
        *group, 1,
        [&](const client::Message& m) {
          std::lock_guard<std::mutex> lock(mu);
          seen.push_back(m.text);
          seen_at.push_back(clock_.now_ms);
          return true;
        },
        &cancel);
  });
  auto seen_now = [&] {
    std::lock_guard<std::mutex> lock(mu);
    return seen;
  };
  auto wait_for = [&](size_t n) {
    for (int i = 0; i < 250 && seen_now().size() < n; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return seen_now();
  };
  EXPECT_EQ(wait_for(1), std::vector<std::string>{"before"});

  QuietNow();
  for (const char* text : {"one", "two", "three"}) ASSERT_OK(Dm(*alice_, bob(), text));
  // The sender sees everything; the recipient reads nothing new.
  EXPECT_EQ(Texts(*alice_, bob()).size(), 4u);
  EXPECT_EQ(Texts(*bob_, alice()), std::vector<std::string>{"before"});

  const int64_t quiet_end = clock_.now_ms + 8 * kHour;  // 07:13 in Berlin
  clock_.now_ms = quiet_end;
  EXPECT_EQ(wait_for(4), (std::vector<std::string>{"before", "one", "two", "three"}));
  cancel.Cancel();
  follow.join();
  // None of the held messages reached the live stream before then.
  for (size_t i = 1; i < seen_at.size(); ++i) {
    EXPECT_GE(seen_at[i], quiet_end) << seen[i] << " arrived in quiet hours";
  }
}

TEST_F(BoundariesTest, HeldMessagesStayHeldAcrossARestartAndNoneIsLost) {
  ASSERT_OK(Dm(*alice_, bob(), "before"));
  clock_.now_ms += kMinute;
  QuietNow();
  for (const char* text : {"one", "two"}) ASSERT_OK(Dm(*alice_, bob(), text));
  Restart();
  alice_ = Connect(alice_id_);
  bob_ = Connect(bob_id_);
  EXPECT_EQ(Texts(*bob_, alice()), std::vector<std::string>{"before"});
  ASSERT_OK(Dm(*alice_, bob(), "three"));

  // Turning quiet hours off releases at once, as their end would.
  ASSERT_OK(Change(*bob_, [](v1::Boundaries& b) { b.set_quiet(false); }));
  std::vector<std::string> texts;
  for (int i = 0; i < 100 && texts.size() < 4; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    texts = Texts(*bob_, alice());
  }
  EXPECT_EQ(texts, (std::vector<std::string>{"before", "one", "two", "three"}));
}

TEST_F(BoundariesTest, BoundariesThatCannotHoldAreRefusedPrecisely) {
  auto set = [&](const std::function<void(v1::Boundaries&)>& change) {
    v1::Boundaries b;
    change(b);
    return bob_->account().SetBoundaries(b).status();
  };
  EXPECT_EQ(set([](v1::Boundaries& b) { b.set_time_zone("Mars/Olympus"); }).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(set([](v1::Boundaries& b) { b.set_time_zone("../../etc/passwd"); }).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(set([](v1::Boundaries& b) {
              b.set_quiet(true);
              b.set_quiet_start_min(600);
              b.set_quiet_end_min(600);
            }).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(set([&](v1::Boundaries& b) {
              auto* limit = b.add_limits();
              limit->set_user(alice());
              limit->set_per_day(0);
            }).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(set([&](v1::Boundaries& b) {
              b.add_blocked(alice());
              b.add_blocked(alice());
            }).code(),
            absl::StatusCode::kInvalidArgument);
  // Nothing refused was kept.
  EXPECT_EQ(bob_->account().GetBoundaries()->ByteSizeLong(), 0u);
}

}  // namespace
}  // namespace kith::testing
