// The hostile server in process: the session's stub is wrapped
// (ClientOptions::wrap_stub), so a test changes one answer of a real kithd
// on loopback and leaves every other call as the server made it. Each test
// is one lie or one lost answer, against what the client must do.
#include <gmock/gmock.h>

#include <memory>
#include <string>

#include "absl/time/clock.h"
#include "kith_mock.grpc.pb.h"
#include "test_support.h"

namespace kith::testing {
namespace {

using ::testing::_;

// Every call goes to the real server unless a test says otherwise.
class WrappedStub : public ::testing::NiceMock<v1::MockKithStub> {
 public:
  explicit WrappedStub(std::unique_ptr<v1::Kith::StubInterface> real) : real_(std::move(real)) {
#define KITH_FORWARD(Rpc)                                                                      \
  ON_CALL(*this, Rpc(_, _, _)).WillByDefault([this](auto* ctx, const auto& req, auto* reply) { \
    return real_->Rpc(ctx, req, reply);                                                        \
  })
    KITH_FORWARD(GetChallenge);
    KITH_FORWARD(Register);
    KITH_FORWARD(Login);
    KITH_FORWARD(Logout);
    KITH_FORWARD(GetIdentity);
    KITH_FORWARD(CreateGroup);
    KITH_FORWARD(GetCharter);
    KITH_FORWARD(JoinGroup);
    KITH_FORWARD(Append);
    KITH_FORWARD(ReadEvents);
    KITH_FORWARD(ListGroups);
    KITH_FORWARD(GetServerKey);
    KITH_FORWARD(GetCheckpoint);
    KITH_FORWARD(GetDelivery);
    KITH_FORWARD(ScheduleCheckin);
    KITH_FORWARD(CancelCheckin);
    KITH_FORWARD(GetCheckin);
    KITH_FORWARD(ArmDuress);
    KITH_FORWARD(DisarmDuress);
    KITH_FORWARD(GetDuress);
    KITH_FORWARD(TriggerDuress);
    KITH_FORWARD(GetTimestamp);
    KITH_FORWARD(GetBoundaries);
    KITH_FORWARD(SetBoundaries);
#undef KITH_FORWARD
    ON_CALL(*this, FollowRaw(_, _)).WillByDefault([this](auto* ctx, const auto& req) {
      return real_->Follow(ctx, req).release();
    });
  }

  v1::Kith::StubInterface& real() { return *real_; }

 private:
  std::unique_ptr<v1::Kith::StubInterface> real_;
};

class HostileStubTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    if (HasFatalFailure()) return;
    alice_ = Client("alice");
    auto bob = client::Client::Connect({kithd_->address(), kithd_->certificate_pem(), "", nullptr,
                                        [this](std::unique_ptr<v1::Kith::StubInterface> real) {
                                          auto wrapped =
                                              std::make_unique<WrappedStub>(std::move(real));
                                          bobs_stub_ = wrapped.get();
                                          return wrapped;
                                        }},
                                       client::Identity::Generate("bob"));
    ASSERT_OK(bob.status());
    bob_ = *std::move(bob);
    ASSERT_OK(bob_->account().Register());
    ASSERT_TRUE(alice_ && bobs_stub_ != nullptr);
    group_ = CreateGroupWith(*alice_, {bob_.get()});
    ASSERT_FALSE(group_.empty());
  }

  // The readable messages of the group as a fresh client of alice's sees them.
  std::vector<std::string> TextsAsAliceSees() {
    auto view = alice_->session().Sync(group_);
    EXPECT_OK(view.status());
    std::vector<std::string> texts;
    if (view.ok()) {
      for (const client::Message& m : (*view)->messages()) texts.push_back(m.text);
    }
    return texts;
  }

  std::unique_ptr<client::Client> alice_, bob_;
  WrappedStub* bobs_stub_ = nullptr;  // owned by bob_'s session
  std::string group_;
};

TEST_F(HostileStubTest, AnAppendReplyNamingAnotherGroupIsRefused) {
  EXPECT_CALL(*bobs_stub_, Append(_, _, _))
      .WillOnce([this](auto* ctx, const auto& req, v1::AppendReply* reply) {
        grpc::Status s = bobs_stub_->real().Append(ctx, req, reply);
        reply->set_group_id(std::string(reply->group_id().size(), 'x'));
        return s;
      });
  auto sent = bob_->groups().Send(group_, "hello");
  EXPECT_EQ(sent.status().code(), absl::StatusCode::kDataLoss) << sent.status();
  EXPECT_THAT(std::string(sent.status().message()),
              ::testing::HasSubstr("it acknowledged your event as another group's"));
}

TEST_F(HostileStubTest, AnAppendWhoseAnswerWasLostLandsOnceAtTheFirstSeq) {
  uint64_t stored_at = 0;
  EXPECT_CALL(*bobs_stub_, Append(_, _, _))
      .WillOnce([&](auto* ctx, const auto& req, v1::AppendReply* reply) {
        grpc::Status s = bobs_stub_->real().Append(ctx, req, reply);
        EXPECT_TRUE(s.ok()) << s.error_message();
        stored_at = reply->seq();
        return grpc::Status(grpc::StatusCode::UNAVAILABLE, "connection reset");
      })
      .WillRepeatedly([this](auto* ctx, const auto& req, v1::AppendReply* reply) {
        return bobs_stub_->real().Append(ctx, req, reply);
      });
  auto sent = bob_->groups().Send(group_, "only once");
  ASSERT_OK(sent.status());
  EXPECT_NE(stored_at, 0u);
  EXPECT_EQ(*sent, stored_at);
  EXPECT_EQ(TextsAsAliceSees(), std::vector<std::string>{"only once"});
}

TEST_F(HostileStubTest, AnAlertSomeoneElseSealedIsNeverSignedAgainAsTheOwners) {
  // Bob owns a circle with alice in it and has a check-in scheduled.
  const std::string circle = CircleWith(*bob_, {alice_.get()});
  ASSERT_FALSE(circle.empty());
  v1::AlertContent content;
  content.set_note("missed my check-in");
  const int64_t in_an_hour = absl::ToUnixMillis(absl::Now()) + 3'600'000;
  ASSERT_OK(bob_->circle().ScheduleCheckin(in_an_hour, 0, content).status());
  // Alice seals an alert of her own for later, and the circle re-keys.
  auto alices_view = alice_->session().Sync(circle);
  ASSERT_OK(alices_view.status());
  v1::AlertContent hers;
  hers.set_note("written by alice");
  auto planted = (*alices_view)->SealAlert(v1::Alert::RAISE, std::string(16, 'a'), 0, hers,
                                           /*for_later=*/true);
  ASSERT_OK(planted.status());
  ASSERT_OK(bob_->groups().Rekey(circle));

  // The server serves hers as bob's check-in: bob's client reseals nothing.
  ON_CALL(*bobs_stub_, GetCheckin(_, _, _))
      .WillByDefault([&](auto* ctx, const auto& req, v1::Checkin* reply) {
        grpc::Status s = bobs_stub_->real().GetCheckin(ctx, req, reply);
        *reply->mutable_alert() = *planted;
        return s;
      });
  EXPECT_CALL(*bobs_stub_, ScheduleCheckin(_, _, _)).Times(0);
  ASSERT_OK(bob_->circle().Tend(circle).status());
}

}  // namespace
}  // namespace kith::testing
