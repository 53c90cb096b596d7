// S8: every RPC checks the caller's session and role. One table: each RPC
// in proto/kith.proto against a caller with no session, an expired
// session, a non-member, a member, a moderator and the owner, with the
// exact status each must get. The server runs in this process on a clock
// the test turns, so a session expires when the test says.
#include <array>
#include <set>

#include <google/protobuf/descriptor.h>

#include "clocked_server.h"
#include "kith/crypto.h"
#include "kith/event_builder.h"
#include "kith/protocol.h"
#include "test_support.h"

namespace kith::testing {
namespace {

enum Caller { kNoSession, kExpired, kNonMember, kMember, kModerator, kOwner, kCallers };
const char* const kCallerNames[] = {"no session", "expired session", "non-member",
                                    "member",     "moderator",       "owner"};
using Code = grpc::StatusCode;

class AccessTest : public ClockedServerTest {
 protected:
  void SetUp() override {
    ClockedServerTest::SetUp();
    owner_ = Connect(client::Identity::Generate("owner"));
    moderator_ = Connect(client::Identity::Generate("moderator"));
    member_ = Connect(client::Identity::Generate("member"));
    outsider_ = Connect(client::Identity::Generate("outsider"));
    group_ = CreateGroupWith(*owner_, {moderator_.get(), member_.get()});
    ASSERT_OK(
        owner_->groups().SetRole(group_, moderator_->identity().user_id(), v1::ROLE_MODERATOR));
    ASSERT_OK(owner_->groups().Send(group_, "hello").status());
    // The owner's circle, with the member and the moderator as contacts.
    circle_ = CircleWith(*owner_, {member_.get(), moderator_.get()});
    ASSERT_FALSE(circle_.empty());
    expired_token_ = LoginToken(*member_);
    clock_.now_ms += server::ServerOptions().session_ttl_ms + 1;
  }

  // The client whose identity a caller's requests carry.
  client::Client& As(Caller caller) {
    switch (caller) {
      case kNonMember: return *outsider_;
      case kModerator: return *moderator_;
      case kOwner: return *owner_;
      default: return *member_;
    }
  }

  // A context carrying `caller`'s session, fresh for every call.
  std::unique_ptr<grpc::ClientContext> Context(Caller caller) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    if (caller == kExpired) ctx->AddMetadata("authorization", "Bearer " + expired_token_);
    if (caller >= kNonMember) ctx->AddMetadata("authorization", "Bearer " + LoginToken(As(caller)));
    return ctx;
  }

  // The caller's current view of the group (members only).
  const GroupState& State(Caller caller) {
    auto view = (caller == kNonMember ? *member_ : As(caller)).session().Sync(group_);
    EXPECT_TRUE(view.ok()) << view.status();
    return (*view)->state();
  }

  std::unique_ptr<client::Client> owner_, moderator_, member_, outsider_;
  std::string group_, circle_;
  std::string expired_token_;
};

TEST_F(AccessTest, S8_EveryRpcChecksSessionAndRole) {
  struct Row {
    const char* rpc;
    std::function<Code(Caller)> call;
    std::array<Code, kCallers> expected;
  };
  const Code UNAUTH = Code::UNAUTHENTICATED, OK = Code::OK, DENIED = Code::PERMISSION_DENIED,
             EXISTS = Code::ALREADY_EXISTS;
  // A check-in and a duress alarm the owner armed, whose sealed alerts the
  // rows below send again under each caller's session.
  v1::AlertContent content;
  content.set_level(v1::AlertContent::CHECK_ON_ME);
  content.set_note("missed");
  ASSERT_OK(owner_->circle().ScheduleCheckin(clock_.now_ms + 60 * 60 * 1000, 0, content).status());
  auto checkin_or = owner_->circle().GetCheckin();
  ASSERT_OK(checkin_or.status());
  const v1::Checkin checkin = *checkin_or;
  ASSERT_OK(owner_->circle().ArmDuress(crypto::Secret::Random(crypto::kKeyBytes), {content}));
  v1::DuressAlarm alarm;
  {
    v1::GroupRef ref;
    ref.set_group_id(circle_);
    grpc::ClientContext ctx;
    owner_->session().Prepare(&ctx);
    ASSERT_TRUE(owner_->session().stub()->GetDuress(&ctx, ref, &alarm).ok());
  }
  std::vector<Row> rows = {
      {"GetIdentity",
       [&](Caller c) {
         v1::GetIdentityRequest req;
         req.set_user_id(owner_->identity().user_id());
         v1::IdentityBundle reply;
         return owner_->session().stub()->GetIdentity(Context(c).get(), req, &reply).error_code();
       },
       {UNAUTH, UNAUTH, OK, OK, OK, OK}},
      {"GetCharter",
       [&](Caller c) {
         v1::GroupRef req;
         req.set_group_id(group_);
         v1::Charter reply;
         return owner_->session().stub()->GetCharter(Context(c).get(), req, &reply).error_code();
       },
       {UNAUTH, UNAUTH, OK, OK, OK, OK}},
      {"ListGroups",
       [&](Caller c) {
         v1::GroupList reply;
         return owner_->session()
             .stub()
             ->ListGroups(Context(c).get(), v1::Empty(), &reply)
             .error_code();
       },
       {UNAUTH, UNAUTH, OK, OK, OK, OK}},
      {"ReadEvents",
       [&](Caller c) {
         v1::ReadRequest req;
         req.set_group_id(group_);
         v1::ReadReply reply;
         return owner_->session().stub()->ReadEvents(Context(c).get(), req, &reply).error_code();
       },
       {UNAUTH, UNAUTH, DENIED, OK, OK, OK}},
      {"Follow",
       [&](Caller c) {
         v1::FollowRequest req;
         req.set_group_id(group_);
         auto ctx = Context(c);
         auto reader = owner_->session().stub()->Follow(ctx.get(), req);
         v1::EventBatch batch;
         if (reader->Read(&batch)) {
           ctx->TryCancel();
           reader->Finish();
           return OK;
         }
         return reader->Finish().error_code();
       },
       {UNAUTH, UNAUTH, DENIED, OK, OK, OK}},
      {"Append(message)",
       [&](Caller c) {
         v1::AppendRequest req;
         if (c == kNonMember) {
           // An outsider cannot seal a real message; the author check comes first.
           v1::EventBody body;
           body.set_group_id(group_);
           body.set_author(outsider_->identity().user_id());
           body.set_epoch(State(kMember).epoch());
           body.mutable_message()->set_counter(1);
           *req.mutable_event() = SignEvent(body, outsider_->identity().sign.secret_key);
         } else {
           auto view = As(c).session().Sync(group_);
           *req.mutable_event() = *(*view)->SealMessage("table");
         }
         v1::AppendReply reply;
         return owner_->session().stub()->Append(Context(c).get(), req, &reply).error_code();
       },
       {UNAUTH, UNAUTH, DENIED, OK, OK, OK}},
      {"Append(invite)",
       [&](Caller c) {
         v1::AppendRequest req;
         *req.mutable_event() = client::BuildInvite(As(c).identity(), State(c),
                                                    crypto::RandomBytes(kInviteSecretBytes));
         v1::AppendReply reply;
         return owner_->session().stub()->Append(Context(c).get(), req, &reply).error_code();
       },
       {UNAUTH, UNAUTH, DENIED, DENIED, OK, OK}},
      {"Append(remove owner)",
       [&](Caller c) {
         v1::AppendRequest req;
         *req.mutable_event() =
             *client::BuildCommit(As(c).identity(), State(c), {}, {owner_->identity().user_id()});
         v1::AppendReply reply;
         return owner_->session().stub()->Append(Context(c).get(), req, &reply).error_code();
       },
       {UNAUTH, UNAUTH, DENIED, DENIED, DENIED, DENIED}},
      {"CreateGroup",
       [&](Caller c) {
         v1::Charter charter;
         charter.set_name("their own");
         v1::CreateGroupRequest req;
         *req.mutable_create() = client::BuildCreate(As(c).identity(), charter).create;
         v1::AppendReply reply;
         return owner_->session().stub()->CreateGroup(Context(c).get(), req, &reply).error_code();
       },
       {UNAUTH, UNAUTH, OK, OK, OK, OK}},
      {"JoinGroup",
       [&](Caller c) {
         auto code = owner_->groups().Invite(group_);
         EXPECT_TRUE(code.ok());
         v1::JoinGroupRequest req;
         req.set_group_id(group_);
         *req.mutable_request() = client::BuildJoinRequest(As(c).identity(), group_, code->secret,
                                                           State(kMember).charter());
         v1::AppendReply reply;
         return owner_->session().stub()->JoinGroup(Context(c).get(), req, &reply).error_code();
       },
       {UNAUTH, UNAUTH, OK, EXISTS, EXISTS, EXISTS}},
      // Before a session: anyone may ask for a challenge, register and log in.
      {"GetChallenge",
       [&](Caller c) {
         v1::Challenge reply;
         return owner_->session().stub()->GetChallenge(Context(c).get(), v1::Empty(), &reply)
             .error_code();
       },
       {OK, OK, OK, OK, OK, OK}},
      {"Register",
       [&](Caller c) {
         v1::RegisterRequest req;
         *req.mutable_bundle() = client::Identity::Generate("newcomer").Bundle();
         v1::RegisterReply reply;
         return owner_->session().stub()->Register(Context(c).get(), req, &reply).error_code();
       },
       {OK, OK, OK, OK, OK, OK}},
      {"Login",
       [&](Caller c) {
         v1::Challenge challenge;
         {
           grpc::ClientContext ctx;
           EXPECT_TRUE(owner_->session().stub()->GetChallenge(&ctx, v1::Empty(), &challenge).ok());
         }
         const client::Identity& who = As(c).identity();
         v1::LoginRequest req;
         req.set_user_id(who.user_id());
         req.set_nonce(challenge.nonce());
         req.set_signature(crypto::Sign(who.sign.secret_key, kLoginLabel,
                                        LoginSigningInput(challenge.nonce(), who.user_id())));
         v1::LoginReply reply;
         return owner_->session().stub()->Login(Context(c).get(), req, &reply).error_code();
       },
       {OK, OK, OK, OK, OK, OK}},
      {"Logout",
       [&](Caller c) {
         v1::Empty reply;
         return owner_->session().stub()->Logout(Context(c).get(), v1::Empty(), &reply)
             .error_code();
       },
       {UNAUTH, UNAUTH, OK, OK, OK, OK}},
      // The key clients check checkpoints with is public.
      {"GetServerKey",
       [&](Caller c) {
         v1::ServerKey reply;
         return owner_->session().stub()->GetServerKey(Context(c).get(), v1::Empty(), &reply)
             .error_code();
       },
       {OK, OK, OK, OK, OK, OK}},
      {"GetCheckpoint",
       [&](Caller c) {
         v1::GroupRef req;
         req.set_group_id(group_);
         v1::Checkpoint reply;
         return owner_->session().stub()->GetCheckpoint(Context(c).get(), req, &reply)
             .error_code();
       },
       {UNAUTH, UNAUTH, DENIED, OK, OK, OK}},
      {"GetTimestamp",
       [&](Caller c) {
         v1::TimestampRequest req;
         req.set_hash(crypto::RandomBytes(crypto::kHashBytes));
         v1::Timestamp reply;
         return owner_->session().stub()->GetTimestamp(Context(c).get(), req, &reply)
             .error_code();
       },
       {UNAUTH, UNAUTH, OK, OK, OK, OK}},
      // Boundaries are always the caller's own.
      {"GetBoundaries",
       [&](Caller c) {
         v1::Boundaries reply;
         return owner_->session().stub()->GetBoundaries(Context(c).get(), v1::Empty(), &reply)
             .error_code();
       },
       {UNAUTH, UNAUTH, OK, OK, OK, OK}},
      {"SetBoundaries",
       [&](Caller c) {
         v1::Boundaries req, reply;
         req.set_time_zone("Europe/Berlin");
         return owner_->session().stub()->SetBoundaries(Context(c).get(), req, &reply)
             .error_code();
       },
       {UNAUTH, UNAUTH, OK, OK, OK, OK}},
      // A circle's check-ins, duress alarm and deliveries are its owner's
      // alone; the member and the moderator are contacts in it.
      {"GetDelivery",
       [&](Caller c) {
         v1::DeliveryRequest req;
         req.set_group_id(circle_);
         req.set_seq(1);
         v1::DeliveryReply reply;
         return owner_->session().stub()->GetDelivery(Context(c).get(), req, &reply)
             .error_code();
       },
       {UNAUTH, UNAUTH, DENIED, DENIED, DENIED, OK}},
      {"ScheduleCheckin",
       [&](Caller c) {
         v1::CheckinRequest req;
         req.set_group_id(circle_);
         req.set_deadline_ms(clock_.now_ms + 60 * 60 * 1000);
         *req.mutable_alert() = checkin.alert();  // the owner's own
         v1::Checkin reply;
         return owner_->session().stub()->ScheduleCheckin(Context(c).get(), req, &reply)
             .error_code();
       },
       {UNAUTH, UNAUTH, DENIED, DENIED, DENIED, OK}},
      {"GetCheckin",
       [&](Caller c) {
         v1::GroupRef req;
         req.set_group_id(circle_);
         v1::Checkin reply;
         return owner_->session().stub()->GetCheckin(Context(c).get(), req, &reply).error_code();
       },
       {UNAUTH, UNAUTH, DENIED, DENIED, DENIED, OK}},
      {"CancelCheckin",
       [&](Caller c) {
         v1::GroupRef req;
         req.set_group_id(circle_);
         v1::Checkin reply;
         return owner_->session().stub()->CancelCheckin(Context(c).get(), req, &reply)
             .error_code();
       },
       {UNAUTH, UNAUTH, DENIED, DENIED, DENIED, OK}},
      {"ArmDuress",
       [&](Caller c) {
         v1::DuressAlarm req = alarm;  // the owner's own
         req.set_released(0);
         v1::Empty reply;
         return owner_->session().stub()->ArmDuress(Context(c).get(), req, &reply).error_code();
       },
       {UNAUTH, UNAUTH, DENIED, DENIED, DENIED, OK}},
      {"GetDuress",
       [&](Caller c) {
         v1::GroupRef req;
         req.set_group_id(circle_);
         v1::DuressAlarm reply;
         return owner_->session().stub()->GetDuress(Context(c).get(), req, &reply).error_code();
       },
       {UNAUTH, UNAUTH, DENIED, DENIED, DENIED, OK}},
      {"DisarmDuress",
       [&](Caller c) {
         v1::GroupRef req;
         req.set_group_id(circle_);
         v1::Empty reply;
         return owner_->session().stub()->DisarmDuress(Context(c).get(), req, &reply)
             .error_code();
       },
       {UNAUTH, UNAUTH, DENIED, DENIED, DENIED, OK}},
      // The token is the capability: no session is asked for, and an unknown
      // token is answered as a known one is, so nobody learns which exist.
      {"TriggerDuress",
       [&](Caller c) {
         v1::DuressTrigger req;
         req.set_token(crypto::RandomBytes(crypto::kKeyBytes));
         v1::Empty reply;
         return owner_->session().stub()->TriggerDuress(Context(c).get(), req, &reply)
             .error_code();
       },
       {OK, OK, OK, OK, OK, OK}},
  };

  std::set<std::string> covered;
  for (const Row& row : rows) {
    for (int c = 0; c < kCallers; ++c) {
      EXPECT_EQ(row.call(static_cast<Caller>(c)), row.expected[c])
          << row.rpc << " as " << kCallerNames[c];
      covered.insert(std::string(row.rpc).substr(0, std::string(row.rpc).find('(')));
    }
  }
  // No RPC of the service is left out of the table.
  const auto* service = google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
      v1::Kith::service_full_name());
  ASSERT_NE(service, nullptr);
  for (int m = 0; m < service->method_count(); ++m) {
    EXPECT_TRUE(covered.contains(service->method(m)->name()))
        << service->method(m)->name() << " is not in the table";
  }
}

TEST_F(AccessTest, S8_NonMemberLearnsOnlyThePublicCharter) {
  auto groups = outsider_->session().ListGroups();
  ASSERT_OK(groups.status());
  EXPECT_EQ(groups->groups_size(), 0);
  auto charter = outsider_->groups().GetCharter(group_);
  ASSERT_OK(charter.status());
  EXPECT_EQ(charter->name(), "Test group");
  EXPECT_EQ(outsider_->session().Sync(group_).status().code(), absl::StatusCode::kPermissionDenied);
}

TEST_F(AccessTest, LoginNeedsAFreshChallengeAndTheRightKey) {
  v1::Challenge challenge;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(member_->session().stub()->GetChallenge(&ctx, v1::Empty(), &challenge).ok());
  }
  v1::LoginRequest req;
  req.set_user_id(member_->identity().user_id());
  req.set_nonce(challenge.nonce());
  // Signed by the wrong key.
  req.set_signature(crypto::Sign(outsider_->identity().sign.secret_key, kLoginLabel,
                                 LoginSigningInput(challenge.nonce(), req.user_id())));
  v1::LoginReply reply;
  {
    grpc::ClientContext ctx;
    EXPECT_EQ(member_->session().stub()->Login(&ctx, req, &reply).error_code(),
              Code::UNAUTHENTICATED);
  }
  // The challenge was used up by that attempt, even though it failed.
  req.set_signature(crypto::Sign(member_->identity().sign.secret_key, kLoginLabel,
                                 LoginSigningInput(challenge.nonce(), req.user_id())));
  grpc::ClientContext ctx;
  EXPECT_EQ(member_->session().stub()->Login(&ctx, req, &reply).error_code(),
            Code::UNAUTHENTICATED);
}

}  // namespace
}  // namespace kith::testing
