// S8: every RPC checks the caller's session and role. One table: each RPC
// against a caller with no session, an expired session, a non-member, a
// member and a moderator, with the exact status each must get.
#include <array>
#include <thread>

#include "kith/crypto.h"
#include "kith/event_builder.h"
#include "kith/protocol.h"
#include "test_support.h"

namespace kith::testing {
namespace {

enum Caller { kNoSession, kExpired, kNonMember, kMember, kModerator, kCallers };
const char* const kCallerNames[] = {"no session", "expired session", "non-member", "member",
                                    "moderator"};
using Code = grpc::StatusCode;

constexpr int kSessionTtlSeconds = 3;

// Logs `c` in directly and returns the bearer token in hex.
class AccessTest : public ServerTest {
 protected:
  std::vector<std::string> ServerArgs() const override {
    return {"--session-ttl", std::to_string(kSessionTtlSeconds) + "s"};
  }

  void SetUp() override {
    ServerTest::SetUp();
    owner_ = Client("owner");
    moderator_ = Client("moderator");
    member_ = Client("member");
    outsider_ = Client("outsider");
    group_ = CreateGroupWith(*owner_, {moderator_.get(), member_.get()});
    ASSERT_OK(
        owner_->groups().SetRole(group_, moderator_->identity().user_id(), v1::ROLE_MODERATOR));
    ASSERT_OK(owner_->groups().Send(group_, "hello").status());
    expired_token_ = LoginToken(*member_);
    std::this_thread::sleep_for(std::chrono::milliseconds(kSessionTtlSeconds * 1000 + 300));
  }

  // The client whose identity a caller's requests carry.
  client::Client& As(Caller caller) {
    switch (caller) {
      case kNonMember: return *outsider_;
      case kModerator: return *moderator_;
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
  std::string group_;
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
  std::vector<Row> rows = {
      {"GetIdentity",
       [&](Caller c) {
         v1::GetIdentityRequest req;
         req.set_user_id(owner_->identity().user_id());
         v1::IdentityBundle reply;
         return owner_->session().stub()->GetIdentity(Context(c).get(), req, &reply).error_code();
       },
       {UNAUTH, UNAUTH, OK, OK, OK}},
      {"GetCharter",
       [&](Caller c) {
         v1::GroupRef req;
         req.set_group_id(group_);
         v1::Charter reply;
         return owner_->session().stub()->GetCharter(Context(c).get(), req, &reply).error_code();
       },
       {UNAUTH, UNAUTH, OK, OK, OK}},
      {"ListGroups",
       [&](Caller c) {
         v1::GroupList reply;
         return owner_->session()
             .stub()
             ->ListGroups(Context(c).get(), v1::Empty(), &reply)
             .error_code();
       },
       {UNAUTH, UNAUTH, OK, OK, OK}},
      {"ReadEvents",
       [&](Caller c) {
         v1::ReadRequest req;
         req.set_group_id(group_);
         v1::ReadReply reply;
         return owner_->session().stub()->ReadEvents(Context(c).get(), req, &reply).error_code();
       },
       {UNAUTH, UNAUTH, DENIED, OK, OK}},
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
       {UNAUTH, UNAUTH, DENIED, OK, OK}},
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
       {UNAUTH, UNAUTH, DENIED, OK, OK}},
      {"Append(invite)",
       [&](Caller c) {
         v1::AppendRequest req;
         *req.mutable_event() = client::BuildInvite(As(c).identity(), State(c),
                                                    crypto::RandomBytes(kInviteSecretBytes));
         v1::AppendReply reply;
         return owner_->session().stub()->Append(Context(c).get(), req, &reply).error_code();
       },
       {UNAUTH, UNAUTH, DENIED, DENIED, OK}},
      {"Append(remove owner)",
       [&](Caller c) {
         v1::AppendRequest req;
         *req.mutable_event() =
             *client::BuildCommit(As(c).identity(), State(c), {}, {owner_->identity().user_id()});
         v1::AppendReply reply;
         return owner_->session().stub()->Append(Context(c).get(), req, &reply).error_code();
       },
       {UNAUTH, UNAUTH, DENIED, DENIED, DENIED}},
      {"CreateGroup",
       [&](Caller c) {
         v1::Charter charter;
         charter.set_name("their own");
         v1::CreateGroupRequest req;
         *req.mutable_create() = client::BuildCreate(As(c).identity(), charter).create;
         v1::AppendReply reply;
         return owner_->session().stub()->CreateGroup(Context(c).get(), req, &reply).error_code();
       },
       {UNAUTH, UNAUTH, OK, OK, OK}},
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
       {UNAUTH, UNAUTH, OK, EXISTS, EXISTS}},
  };

  for (const Row& row : rows) {
    for (int c = 0; c < kCallers; ++c) {
      EXPECT_EQ(row.call(static_cast<Caller>(c)), row.expected[c])
          << row.rpc << " as " << kCallerNames[c];
    }
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
