// The trusted-contact circle on a real kithd: nobody is in a circle without
// accepting; alerts reach members who are online (live) and offline (at
// their next read), sealed end to end; acknowledgements and resolution are
// visible to everyone in the circle and bounded by role; removal and
// departure re-key before the next alert; and an unanswered alert is sent
// again by the server on the clock's schedule, exactly once per attempt,
// across a restart.
#include <thread>

#include <gmock/gmock.h>

#include "kith/checkins.h"
#include "kith/rocks_store.h"
#include "kith/server.h"
#include "clocked_server.h"
#include "stored_log.h"
#include "test_support.h"

namespace kith::testing {
namespace {

using client::AlertRecord;
using client::GroupView;

v1::AlertContent Content(v1::AlertContent::Level level, const std::string& note,
                         const std::string& location = "") {
  v1::AlertContent c;
  c.set_level(level);
  c.set_note(note);
  c.set_location(location);
  return c;
}

v1::AlertContent Ack(uint64_t eta_ms, const std::string& note) {
  v1::AlertContent c;
  c.set_eta_ms(eta_ms);
  c.set_note(note);
  return c;
}

// Appends a hand-built event with `c`'s session, as a modified client could.
grpc::StatusCode AppendRaw(client::Client& c, const v1::SignedEvent& event) {
  grpc::ClientContext ctx;
  c.session().Prepare(&ctx);
  v1::AppendRequest req;
  *req.mutable_event() = event;
  v1::AppendReply reply;
  return c.session().stub()->Append(&ctx, req, &reply).error_code();
}

const AlertRecord* OnlyAlert(client::Client& c, const std::string& circle) {
  auto view = c.session().Sync(circle);
  EXPECT_TRUE(view.ok()) << view.status();
  if (!view.ok() || (*view)->alerts().size() != 1) return nullptr;
  return &(*view)->alerts().front();
}

class CircleTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    owner_ = Client("dana");
    friend_ = Client("sam");
    sister_ = Client("ruth");
    invited_ = Client("lee");
  }
  std::string id(const std::unique_ptr<client::Client>& c) { return c->identity().user_id(); }

  std::unique_ptr<client::Client> owner_, friend_, sister_, invited_;
};

TEST_F(CircleTest, NobodyIsInACircleWithoutAccepting) {
  ASSERT_OK(owner_->circle().Invite(id(friend_)));
  ASSERT_OK(owner_->circle().Invite(id(invited_)));
  ASSERT_OK(owner_->circle().Invite(id(sister_)));
  EXPECT_EQ(owner_->circle().Invite(id(friend_)).code(), absl::StatusCode::kAlreadyExists);
  ASSERT_OK(friend_->circle().Answer(id(owner_), true));
  ASSERT_OK(sister_->circle().Answer(id(owner_), false));
  EXPECT_EQ(sister_->circle().Answer(id(owner_), true).code(), absl::StatusCode::kNotFound);

  // The invitation shows for the person who has not answered, and only the
  // circle's name and owner travel with it.
  auto circles = invited_->circle().List();
  ASSERT_TRUE(circles.ok()) << circles.status();
  const auto* pending = &circles->joined;
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_TRUE(pending->front().invited());
  EXPECT_EQ(pending->front().owner(), id(owner_));

  auto raised = owner_->circle().RaiseAlert(Content(v1::AlertContent::COME_NOW, "at the station"));
  ASSERT_TRUE(raised.ok()) << raised.status();
  const AlertRecord* got = OnlyAlert(*friend_, raised->circle_id);
  ASSERT_NE(got, nullptr);
  EXPECT_TRUE(got->readable);
  EXPECT_EQ(got->content.note(), "at the station");
  // Neither the one who has not answered nor the one who declined can read
  // the circle at all.
  EXPECT_EQ(invited_->session().Sync(raised->circle_id).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(sister_->session().Sync(raised->circle_id).status().code(),
            absl::StatusCode::kPermissionDenied);
  auto view = owner_->session().Sync(raised->circle_id);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ((*view)->state().members().size(), 2u);
  EXPECT_TRUE((*view)->state().IsInvited(id(invited_)));
  EXPECT_FALSE((*view)->state().IsInvited(id(sister_)));
}

TEST_F(CircleTest, AnAlertReachesOnlineMembersLiveAndOfflineMembersLater) {
  const std::string circle = CircleWith(*owner_, {friend_.get(), sister_.get()});
  std::atomic<bool> following{false};
  v1::AlertContent live;
  std::thread follower([&] {
    auto s = friend_->session().FollowView(circle, [&](const GroupView& view) {
      following = true;
      if (view.alerts().empty()) return true;
      live = view.alerts().front().content;
      return false;
    });
    EXPECT_OK(s);
  });
  while (!following) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  auto raised = owner_->circle().RaiseAlert(
      Content(v1::AlertContent::CALL_EMERGENCY, "he is outside", "12 Elm St, flat 3"));
  ASSERT_TRUE(raised.ok()) << raised.status();
  follower.join();
  EXPECT_EQ(live.level(), v1::AlertContent::CALL_EMERGENCY);
  EXPECT_EQ(live.location(), "12 Elm St, flat 3");

  // The sister was offline; the owner sees who the alert has reached. The
  // server records a stream's write once it completes, which may be just
  // after the follower read it, so look for up to a second.
  auto reached = owner_->circle().DeliveredTo(circle, raised->seq);
  for (int i = 0; i < 50 && reached.ok() &&
                  std::count(reached->begin(), reached->end(), id(friend_)) == 0;
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    reached = owner_->circle().DeliveredTo(circle, raised->seq);
  }
  ASSERT_TRUE(reached.ok()) << reached.status();
  EXPECT_EQ(std::count(reached->begin(), reached->end(), id(friend_)), 1);
  EXPECT_EQ(std::count(reached->begin(), reached->end(), id(sister_)), 0);
  const AlertRecord* later = OnlyAlert(*sister_, circle);
  ASSERT_NE(later, nullptr);
  EXPECT_EQ(later->content.note(), "he is outside");
  reached = owner_->circle().DeliveredTo(circle, raised->seq);
  ASSERT_TRUE(reached.ok());
  EXPECT_EQ(std::count(reached->begin(), reached->end(), id(sister_)), 1);
  EXPECT_EQ(friend_->circle().DeliveredTo(circle, raised->seq).status().code(),
            absl::StatusCode::kPermissionDenied);

  // The server holds the alert but not its words.
  kithd_->Stop();
  EXPECT_TRUE(FilesContaining(kithd_->data_dir(), "12 Elm St").empty());
  EXPECT_TRUE(FilesContaining(kithd_->data_dir(), "he is outside").empty());
}

TEST_F(CircleTest, AcknowledgementsAndResolutionAreSeenByEveryoneAndBoundedByRole) {
  const std::string circle = CircleWith(*owner_, {friend_.get(), sister_.get()});
  auto raised = owner_->circle().RaiseAlert(Content(v1::AlertContent::CHECK_ON_ME, "rough night"));
  ASSERT_TRUE(raised.ok()) << raised.status();
  const std::string hex = crypto::ToHex(raised->alert_id).substr(0, 8);
  ASSERT_OK(
      friend_->circle().AnswerAlert(circle, hex, v1::Alert::ACK, Ack(15 * 60 * 1000, "on my way")));
  EXPECT_EQ(owner_->circle().AnswerAlert(circle, hex, v1::Alert::ACK, Ack(0, "")).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(sister_->circle().AnswerAlert(circle, hex, v1::Alert::RESOLVE, Ack(0, "")).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(friend_->circle().AnswerAlert(circle, "ffffffffff", v1::Alert::ACK, Ack(0, "")).code(),
            absl::StatusCode::kNotFound);
  for (auto* c : {owner_.get(), sister_.get()}) {
    const AlertRecord* a = OnlyAlert(*c, circle);
    ASSERT_NE(a, nullptr);
    ASSERT_EQ(a->acks.size(), 1u);
    EXPECT_EQ(a->acks[0].member, id(friend_));
    EXPECT_EQ(a->acks[0].eta_ms, 15u * 60 * 1000);
    EXPECT_EQ(a->acks[0].note, "on my way");
  }
  ASSERT_OK(owner_->circle().AnswerAlert(circle, hex, v1::Alert::RESOLVE, Ack(0, "safe now")));
  EXPECT_EQ(sister_->circle().AnswerAlert(circle, hex, v1::Alert::ACK, Ack(0, "")).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(OnlyAlert(*sister_, circle)->resolved);

  // Only the owner raises alerts in their circle, even with a well-formed event.
  auto view = sister_->session().Sync(circle);
  ASSERT_TRUE(view.ok());
  auto forged = (*view)->SealAlert(v1::Alert::RAISE, crypto::RandomBytes(kIdBytes), 60'000,
                                   Content(v1::AlertContent::COME_NOW, "fake"));
  ASSERT_TRUE(forged.ok()) << forged.status();
  EXPECT_EQ(AppendRaw(*sister_, *forged), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(CircleTest, RemovalAndDepartureReKeyBeforeTheNextAlert) {
  const std::string circle = CircleWith(*owner_, {friend_.get(), sister_.get(), invited_.get()});
  ASSERT_OK(owner_->circle().Remove(id(friend_)));
  ASSERT_OK(sister_->groups().Leave(circle));
  // The owner's next alert goes out under a new epoch that neither holds.
  auto raised =
      owner_->circle().RaiseAlert(Content(v1::AlertContent::COME_NOW, "after the change"));
  ASSERT_TRUE(raised.ok()) << raised.status();
  ASSERT_NE(OnlyAlert(*invited_, circle), nullptr);
  EXPECT_TRUE(OnlyAlert(*invited_, circle)->readable);
  for (auto* gone : {friend_.get(), sister_.get()}) {
    auto view = gone->session().Sync(circle);
    ASSERT_TRUE(view.ok()) << view.status();  // a former member reads up to their exit
    EXPECT_TRUE((*view)->alerts().empty());
    EXPECT_LT((*view)->state().head_seq(), raised->seq);
  }
  auto view = owner_->session().Sync(circle);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ((*view)->state().members().size(), 2u);
  EXPECT_FALSE((*view)->state().needs_rekey());
}

TEST_F(CircleTest, CirclesRefuseWhatSupportGroupsDo) {
  const std::string circle = CircleWith(*owner_, {friend_.get()});
  EXPECT_EQ(owner_->groups().Invite(circle).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(owner_->groups().SetRole(circle, id(friend_), v1::ROLE_MODERATOR).code(),
            absl::StatusCode::kFailedPrecondition);
  // An alert in a support group is refused.
  const std::string group = CreateGroupWith(*owner_, {friend_.get()});
  auto view = owner_->session().Sync(group);
  ASSERT_TRUE(view.ok());
  auto alert = (*view)->SealAlert(v1::Alert::RAISE, crypto::RandomBytes(kIdBytes), 60'000,
                                  Content(v1::AlertContent::COME_NOW, "x"));
  ASSERT_TRUE(alert.ok());
  EXPECT_EQ(AppendRaw(*owner_, *alert), grpc::StatusCode::INVALID_ARGUMENT);
}

constexpr int64_t kMinute = 60'000;

// Re-alerts and check-ins, with kithd in this process on a clock the test turns.
class ClockedCircleTest : public ClockedServerTest {
 protected:
  // The alert's attempts as `c` reads them, once they reach `want` or after
  // a second of real time.
  uint32_t AttemptsSeen(client::Client& c, const std::string& circle, uint32_t want) {
    uint32_t seen = 0;
    for (int i = 0; i < 50; ++i) {
      const AlertRecord* a = OnlyAlert(c, circle);
      seen = a ? a->attempts : 0;
      if (seen >= want) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return seen;
  }
};

TEST_F(ClockedCircleTest, AnUnansweredAlertIsSentAgainOnScheduleOnceEachTimeAcrossARestart) {
  const client::Identity owner_id = client::Identity::Generate("dana");
  const client::Identity friend_id = client::Identity::Generate("sam");
  auto owner = Connect(owner_id);
  auto contact = Connect(friend_id);
  const std::string circle = CircleWith(*owner, {contact.get()});
  auto raised =
      owner->circle().RaiseAlert(Content(v1::AlertContent::COME_NOW, "please"), 5 * kMinute);
  ASSERT_TRUE(raised.ok()) << raised.status();

  clock_.now_ms += 4 * kMinute;
  EXPECT_EQ(AttemptsSeen(*contact, circle, 2), 1u) << "re-sent before it was due";
  clock_.now_ms += kMinute;
  EXPECT_EQ(AttemptsSeen(*contact, circle, 2), 2u);
  // Due again five minutes after the last send, not after the raise.
  clock_.now_ms += 4 * kMinute;
  EXPECT_EQ(AttemptsSeen(*contact, circle, 3), 2u);

  // A restart resumes the schedule from the log.
  owner.reset();
  contact.reset();
  Restart();
  owner = Connect(owner_id);
  contact = Connect(friend_id);
  clock_.now_ms += kMinute;
  EXPECT_EQ(AttemptsSeen(*contact, circle, 3), 3u);

  // Once acknowledged, it stops, however long the owner is away.
  const std::string hex = crypto::ToHex(raised->alert_id);
  ASSERT_OK(contact->circle().AnswerAlert(circle, hex, v1::Alert::ACK, Ack(0, "calling you")));
  clock_.now_ms += 60 * kMinute;
  EXPECT_EQ(AttemptsSeen(*contact, circle, 4), 3u);

  // Every re-alert in the log is a distinct attempt, each signed by the
  // server's key the clients checked.
  auto view = owner->session().Sync(circle);
  ASSERT_TRUE(view.ok()) << view.status();
  int realerts = 0;
  for (const auto& n : (*view)->alert_notices()) realerts += n.realert;
  EXPECT_EQ(realerts, 2);
}

TEST_F(ClockedCircleTest, AMissedCheckInIsReleasedOnceEvenWithTheDeviceGoneAndAcrossRestarts) {
  const client::Identity friend_id = client::Identity::Generate("sam");
  auto owner = Connect(client::Identity::Generate("dana"));
  auto contact = Connect(friend_id);
  const std::string circle = CircleWith(*owner, {contact.get()});
  auto scheduled = owner->circle().ScheduleCheckin(
      clock_.now_ms + 90 * kMinute, 0,
      Content(v1::AlertContent::CHECK_ON_ME, "Dana did not check in after the meeting"));
  ASSERT_TRUE(scheduled.ok()) << scheduled.status();
  EXPECT_TRUE(scheduled->scheduled());
  clock_.now_ms += 89 * kMinute;
  EXPECT_EQ(AlertsSeen(*contact, circle, 1), 0u) << "released before the deadline";

  // The device is destroyed; the server restarts across the deadline.
  owner.reset();
  contact.reset();
  server_->Shutdown();
  server_.reset();
  v1::CheckinRequest stored;
  ASSERT_OK(WithStore([&](server::RocksStore& store) {
    return store.ForEachCheckin([&](const v1::CheckinRequest& c) { stored = c; });
  }));
  EXPECT_EQ(stored.deadline_ms(), scheduled->deadline_ms());
  clock_.now_ms += 2 * kMinute;
  StartServer();
  contact = Connect(friend_id);
  ASSERT_EQ(AlertsSeen(*contact, circle, 1), 1u);
  const AlertRecord* a = OnlyAlert(*contact, circle);
  ASSERT_NE(a, nullptr);
  EXPECT_TRUE(a->readable);
  EXPECT_EQ(a->content.note(), "Dana did not check in after the meeting");

  // Released once: not again after a crash that lost the check-in's
  // deletion (the store holds it again), nor later.
  contact.reset();
  server_->Shutdown();
  server_.reset();
  ASSERT_OK(WithStore([&](server::RocksStore& store) { return store.PutCheckin(stored); }));
  StartServer();
  contact = Connect(friend_id);
  clock_.now_ms += 2 * server::Checkins::kRetryMs;
  ASSERT_TRUE(timer_.AwaitFullPass());
  EXPECT_EQ(AlertsSeen(*contact, circle, 1), 1u);
}

TEST_F(ClockedCircleTest, CheckingInCancelsAndOnlyTheOwnerSchedules) {
  auto owner = Connect(client::Identity::Generate("dana"));
  auto contact = Connect(client::Identity::Generate("sam"));
  const std::string circle = CircleWith(*owner, {contact.get()});
  const auto content = Content(v1::AlertContent::CHECK_ON_ME, "missed");
  EXPECT_EQ(owner->circle().ScheduleCheckin(clock_.now_ms + 10'000, 0, content).status().code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_OK(owner->circle()
                .ScheduleCheckin(clock_.now_ms + 30 * kMinute, 24 * 60 * kMinute, content)
                .status());
  auto checkin = owner->circle().GetCheckin();
  ASSERT_TRUE(checkin.ok()) << checkin.status();
  EXPECT_EQ(checkin->every_ms(), 24u * 60 * kMinute);

  // A member cannot schedule, cancel or read the owner's check-in.
  v1::GroupRef ref;
  ref.set_group_id(circle);
  v1::Checkin reply;
  grpc::ClientContext ctx;
  contact->session().Prepare(&ctx);
  EXPECT_EQ(contact->session().stub()->CancelCheckin(&ctx, ref, &reply).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  auto cancelled = owner->circle().CancelCheckin();
  ASSERT_TRUE(cancelled.ok()) << cancelled.status();
  EXPECT_TRUE(cancelled->scheduled());
  EXPECT_FALSE(owner->circle().GetCheckin()->scheduled());
  clock_.now_ms += 60 * kMinute;
  ASSERT_TRUE(timer_.AwaitFullPass());
  EXPECT_EQ(AlertsSeen(*contact, circle, 0), 0u);
}

TEST_F(ClockedCircleTest, ACheckInSealedBeforeAReKeyIsStillReleased) {
  auto owner = Connect(client::Identity::Generate("dana"));
  auto stays = Connect(client::Identity::Generate("sam"));
  auto removed = Connect(client::Identity::Generate("alex"));
  const std::string circle = CircleWith(*owner, {stays.get(), removed.get()});
  ASSERT_OK(owner->circle()
                .ScheduleCheckin(clock_.now_ms + 5 * kMinute, 0,
                                 Content(v1::AlertContent::COME_NOW, "sealed earlier"))
                .status());
  ASSERT_OK(owner->circle().Remove(removed->identity().user_id()));
  clock_.now_ms += 6 * kMinute;
  ASSERT_EQ(AlertsSeen(*stays, circle, 1), 1u);
  EXPECT_EQ(OnlyAlert(*stays, circle)->content.note(), "sealed earlier");
  // The removed contact is no longer served the circle's log.
  auto view = removed->session().Sync(circle);
  ASSERT_TRUE(view.ok());
  EXPECT_TRUE((*view)->alerts().empty());
}

// What the server holds sealed for later in `owner`'s circle: the check-in's
// alert, then the duress alarm's.
std::vector<v1::SignedEvent> SealedForLater(client::Client& owner, const std::string& circle) {
  v1::GroupRef ref;
  ref.set_group_id(circle);
  v1::Checkin checkin;
  v1::DuressAlarm alarm;
  EXPECT_OK(owner.session().Call(
      [&](auto* ctx) { return owner.session().stub()->GetCheckin(ctx, ref, &checkin); }));
  EXPECT_OK(owner.session().Call(
      [&](auto* ctx) { return owner.session().stub()->GetDuress(ctx, ref, &alarm); }));
  std::vector<v1::SignedEvent> sealed = {checkin.alert()};
  sealed.insert(sealed.end(), alarm.alerts().begin(), alarm.alerts().end());
  return sealed;
}

TEST_F(ClockedCircleTest, WhatIsSealedForLaterFollowsTheCircleAsItChanges) {
  auto owner = Connect(client::Identity::Generate("dana"));
  auto stays = Connect(client::Identity::Generate("sam"));
  auto removed = Connect(client::Identity::Generate("alex"));
  auto later = Connect(client::Identity::Generate("lee"));
  const std::string circle = CircleWith(*owner, {stays.get(), removed.get()});
  const crypto::Secret token = crypto::Secret::Random(32);
  ASSERT_OK(owner->circle()
                .ScheduleCheckin(clock_.now_ms + 10 * kMinute, 0,
                                 Content(v1::AlertContent::CHECK_ON_ME, "missed my check-in"))
                .status());
  ASSERT_OK(owner->circle().ArmDuress(token, {Content(v1::AlertContent::COME_NOW, "forced open"),
                                              Content(v1::AlertContent::CALL_EMERGENCY, "worse")}));
  const std::vector<v1::SignedEvent> before = SealedForLater(*owner, circle);
  ASSERT_EQ(before.size(), 3u);
  auto removed_view = removed->session().Sync(circle);
  ASSERT_OK(removed_view.status());
  EXPECT_OK((*removed_view)->OpenSealedAlert(before[0]).status());  // a contact until now

  // One contact removed, another added, as the owner's next actions do it.
  ASSERT_OK(owner->circle().Remove(removed->identity().user_id()));
  ASSERT_OK(owner->circle().Invite(later->identity().user_id()));
  ASSERT_OK(later->circle().Answer(owner->identity().user_id(), /*accept=*/true));
  ASSERT_OK(owner->circle().Tend(circle).status());

  // Everything the server now holds is sealed to the circle as it is: the
  // removed contact, with every key they ever had, opens none of it; the
  // new one opens all of it.
  const std::vector<v1::SignedEvent> after = SealedForLater(*owner, circle);
  ASSERT_EQ(after.size(), 3u);
  removed_view = removed->session().Sync(circle);
  ASSERT_OK(removed_view.status());
  auto later_view = later->session().Sync(circle);
  ASSERT_OK(later_view.status());
  for (const v1::SignedEvent& sealed : after) {
    EXPECT_EQ((*removed_view)->OpenSealedAlert(sealed).status().code(), absl::StatusCode::kNotFound);
    EXPECT_OK((*later_view)->OpenSealedAlert(sealed).status());
  }

  // And released, the new contact reads them.
  ASSERT_OK(owner->circle().TriggerDuress(token, false));
  clock_.now_ms += 11 * kMinute;
  ASSERT_EQ(AlertsSeen(*later, circle, 2), 2u);
  auto seen = later->session().Sync(circle);
  ASSERT_OK(seen.status());
  std::vector<std::string> notes;
  for (const AlertRecord& a : (*seen)->alerts()) {
    EXPECT_TRUE(a.readable);
    notes.push_back(a.content.note());
  }
  EXPECT_THAT(notes, ::testing::UnorderedElementsAre("forced open", "missed my check-in"));
}

TEST_F(ClockedCircleTest, ADuressAlarmReleasesOnceAcrossRestartsAndEachEscalationOnce) {
  const client::Identity friend_id = client::Identity::Generate("sam");
  const client::Identity device_id = client::Identity::Generate("dana");
  auto owner = Connect(client::Identity::Generate("dana"));
  auto contact = Connect(friend_id);
  const std::string circle = CircleWith(*owner, {contact.get()});
  const crypto::Secret token = crypto::Secret::Random(32);
  ASSERT_OK(
      owner->circle().ArmDuress(token, {Content(v1::AlertContent::COME_NOW, "forced open"),
                                        Content(v1::AlertContent::CALL_EMERGENCY, "escalated")}));

  // Only the owner arms, and only with sealed alerts.
  v1::DuressAlarm stolen;
  stolen.set_group_id(circle);
  stolen.set_token_hash(std::string(32, 'x'));
  v1::Empty empty;
  {
    grpc::ClientContext ctx;
    contact->session().Prepare(&ctx);
    EXPECT_EQ(contact->session().stub()->ArmDuress(&ctx, stolen, &empty).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  {
    grpc::ClientContext ctx;
    owner->session().Prepare(&ctx);
    EXPECT_EQ(owner->session().stub()->ArmDuress(&ctx, stolen, &empty).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);  // no alerts
  }
  EXPECT_EQ(contact->circle().TriggerDuress(crypto::Secret::FromString("short"), false).code(),
            absl::StatusCode::kInvalidArgument);
  // A wrong token releases nothing, and is answered no differently.
  EXPECT_OK(contact->circle().TriggerDuress(crypto::Secret::Random(32), true));
  EXPECT_EQ(AlertsSeen(*contact, circle, 1), 0u);

  // Armed before a restart, fired after it from another session.
  owner.reset();
  contact.reset();
  Restart();
  auto device = Connect(device_id);
  contact = Connect(friend_id);
  ASSERT_OK(device->circle().TriggerDuress(token, false));
  ASSERT_OK(device->circle().TriggerDuress(token, false));
  ASSERT_EQ(AlertsSeen(*contact, circle, 1), 1u);
  EXPECT_EQ(OnlyAlert(*contact, circle)->content.note(), "forced open");

  // Released once, even after a crash that lost the record of it.
  device.reset();
  contact.reset();
  server_->Shutdown();
  server_.reset();
  ASSERT_OK(WithStore([&](server::RocksStore& store) {
    v1::DuressAlarm alarm;
    auto s = store.ForEachDuress([&](const v1::DuressAlarm& a) { alarm = a; });
    if (!s.ok()) return s;
    EXPECT_EQ(alarm.released(), 1u);
    alarm.set_released(0);
    return store.PutDuress(alarm);
  }));
  StartServer();
  device = Connect(device_id);
  contact = Connect(friend_id);
  ASSERT_OK(device->circle().TriggerDuress(token, false));
  EXPECT_EQ(AlertsSeen(*contact, circle, 2), 1u);

  // Each escalation releases the next alert, until there are none.
  ASSERT_OK(device->circle().TriggerDuress(token, true));
  ASSERT_OK(device->circle().TriggerDuress(token, true));
  ASSERT_OK(device->circle().TriggerDuress(token, true));
  ASSERT_EQ(AlertsSeen(*contact, circle, 3), 2u);
  auto view = contact->session().Sync(circle);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ((*view)->alerts().back().content.level(), v1::AlertContent::CALL_EMERGENCY);
}

}  // namespace
}  // namespace kith::testing
