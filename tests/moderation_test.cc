// Moderation events on a real kithd: who may act on whom (an authorization
// matrix over roles), the server refusing a paused or muted member's
// messages with a message that says why and until when, expiries that hold
// across a restart and end on time, and a member stepping away.
#include <thread>

#include "kith/group_state.h"
#include "test_support.h"

namespace kith::testing {
namespace {

v1::Moderation Action(v1::Moderation::Action action, const std::string& target,
                      uint64_t duration_ms = 0, const std::string& rule = "") {
  v1::Moderation m;
  m.set_action(action);
  m.set_target(target);
  m.set_duration_ms(duration_ms);
  m.set_rule(rule);
  return m;
}

constexpr uint64_t kHour = 3600 * 1000;

class ModerationTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    owner_ = Client("owner");
    moderator_ = Client("moderator");
    member_ = Client("member");
    other_ = Client("other");
    removed_ = Client("removed");
    outsider_ = Client("outsider");
    group_ = CreateGroupWith(*owner_, {moderator_.get(), member_.get(), other_.get(), removed_.get()});
    ASSERT_OK(owner_->SetRole(group_, moderator_->identity().user_id(), v1::ROLE_MODERATOR));
    ASSERT_OK(owner_->Remove(group_, removed_->identity().user_id()));
  }
  std::string id(const std::unique_ptr<client::Client>& c) { return c->identity().user_id(); }
  absl::StatusCode Mute(client::Client& by, const std::string& target) {
    return by.Moderate(group_, Action(v1::Moderation::MUTE, target, kHour)).status().code();
  }
  const MemberInfo& Info(client::Client& viewer, const std::string& who) {
    auto view = viewer.Sync(group_);
    EXPECT_TRUE(view.ok()) << view.status();
    view_ = *view;
    return view_->state().members().at(who);
  }

  std::unique_ptr<client::Client> owner_, moderator_, member_, other_, removed_, outsider_;
  const client::GroupView* view_ = nullptr;  // owned by its client
  std::string group_;
};

TEST_F(ModerationTest, AuthorizationMatrix) {
  using absl::StatusCode;
  // Members, removed members and outsiders cannot act on anyone.
  EXPECT_EQ(Mute(*member_, id(other_)), StatusCode::kPermissionDenied);
  EXPECT_EQ(Mute(*removed_, id(other_)), StatusCode::kPermissionDenied);
  EXPECT_EQ(Mute(*outsider_, id(other_)), StatusCode::kPermissionDenied);
  // Moderators act on members, not on the owner or each other.
  EXPECT_EQ(Mute(*moderator_, id(owner_)), StatusCode::kPermissionDenied);
  EXPECT_EQ(Mute(*moderator_, id(removed_)), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Mute(*moderator_, id(member_)), StatusCode::kOk);
  // The owner acts on moderators too.
  EXPECT_EQ(Mute(*owner_, id(moderator_)), StatusCode::kOk);
  // Stepping away is only ever about oneself.
  EXPECT_EQ(member_->Moderate(group_, Action(v1::Moderation::STEP_AWAY, id(other_), kHour))
                .status().code(),
            StatusCode::kPermissionDenied);
  // Malformed actions are INVALID_ARGUMENT, and change nothing.
  EXPECT_EQ(owner_->Moderate(group_, Action(v1::Moderation::PAUSE, id(other_), 10)).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(owner_->Moderate(group_, Action(v1::Moderation::WARN, id(other_), 0, "no_spam"))
                .status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Info(*other_, id(other_)).strikes, 0u);
}

TEST_F(ModerationTest, MutedMemberIsRefusedUntilLiftedAndItSurvivesRestart) {
  ASSERT_OK(member_->Send(group_, "before").status());
  ASSERT_OK(moderator_->Moderate(group_, Action(v1::Moderation::MUTE, id(member_), 24 * kHour,
                                                "no_contempt")).status());
  auto refused = member_->Send(group_, "muted words");
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  const std::string why(refused.status().message());
  EXPECT_NE(why.find("muted"), std::string::npos) << why;
  EXPECT_NE(why.find("no_contempt"), std::string::npos) << why;
  EXPECT_NE(why.find("UTC"), std::string::npos) << why;
  EXPECT_NE(why.find("appeal"), std::string::npos) << why;
  EXPECT_OK(other_->Send(group_, "others still talk").status());

  // The mute is in the log, so it holds after a restart.
  EXPECT_EQ(kithd_->Stop(), 0);
  ASSERT_OK(kithd_->Start());
  EXPECT_EQ(member_->Send(group_, "after restart").status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Info(*other_, id(member_)).strikes, 1u);

  ASSERT_OK(moderator_->Moderate(group_, Action(v1::Moderation::LIFT, id(member_))).status());
  EXPECT_OK(member_->Send(group_, "thank you").status());
}

TEST_F(ModerationTest, APauseEndsOnTimeEvenAcrossARestart) {
  ASSERT_OK(moderator_->Moderate(group_, Action(v1::Moderation::PAUSE, id(member_), 2000)).status());
  EXPECT_EQ(member_->Send(group_, "too soon").status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(kithd_->Stop(), 0);
  ASSERT_OK(kithd_->Start());
  const int64_t until = Info(*other_, id(member_)).paused_until_ms;
  ASSERT_GT(until, 0);
  const auto deadline = std::chrono::system_clock::time_point(std::chrono::milliseconds(until));
  if (std::chrono::system_clock::now() < deadline) {
    EXPECT_EQ(member_->Send(group_, "still paused").status().code(),
              absl::StatusCode::kFailedPrecondition);
    std::this_thread::sleep_until(deadline + std::chrono::milliseconds(50));
  }
  EXPECT_OK(member_->Send(group_, "back").status());
}

TEST_F(ModerationTest, SteppingAwayIsVisibleAndDoesNotSilence) {
  ASSERT_OK(member_->Moderate(group_, Action(v1::Moderation::STEP_AWAY, id(member_), 30 * 60 * 1000))
                .status());
  const MemberInfo& seen = Info(*other_, id(member_));
  EXPECT_GT(seen.away_until_ms, 0);
  EXPECT_EQ(seen.strikes, 0u);
  EXPECT_OK(member_->Send(group_, "popping in").status());
}

}  // namespace
}  // namespace kith::testing
