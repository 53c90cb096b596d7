// Bad input gets a precise status and changes nothing.
#include "kith/crypto.h"
#include "kith/event_builder.h"
#include "kith/protocol.h"
#include "test_support.h"

namespace kith::testing {
namespace {

class BadInputTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    alice_ = Client("alice");
    bob_ = Client("bob");
    group_ = CreateGroupWith(*alice_, {bob_.get()});
    ASSERT_OK(alice_->groups().Send(group_, "baseline").status());
  }

  grpc::Status Append(const v1::SignedEvent& event) {
    v1::AppendRequest req;
    *req.mutable_event() = event;
    v1::AppendReply reply;
    grpc::ClientContext ctx;
    alice_->session().Prepare(&ctx);
    return alice_->session().stub()->Append(&ctx, req, &reply);
  }

  uint64_t Head() {
    v1::ReadRequest req;
    req.set_group_id(group_);
    req.set_from_seq(1'000'000);
    v1::ReadReply reply;
    grpc::ClientContext ctx;
    alice_->session().Prepare(&ctx);
    EXPECT_TRUE(alice_->session().stub()->ReadEvents(&ctx, req, &reply).ok());
    return reply.head_seq();
  }

  v1::SignedEvent Sealed(const std::string& text) {
    auto view = alice_->session().Sync(group_);
    EXPECT_TRUE(view.ok());
    auto sealed = (*view)->SealMessage(text);
    EXPECT_TRUE(sealed.ok());
    return *sealed;
  }

  // Re-signs a message whose body `edit` changed.
  v1::SignedEvent Edited(const std::function<void(v1::EventBody&)>& edit) {
    v1::EventBody body;
    body.ParseFromString(Sealed("x").body());
    edit(body);
    return SignEvent(body, alice_->identity().sign.secret_key);
  }

  std::unique_ptr<client::Client> alice_, bob_;
  std::string group_;
};

TEST_F(BadInputTest, OversizedMessagesAreRefused) {
  const uint64_t head = Head();
  auto too_long = alice_->groups().Send(group_, std::string(kMaxTextBytes + 1, 'a'));
  EXPECT_EQ(too_long.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(too_long.status().message().find("16384"), std::string::npos) << too_long.status();
  // A client that skips its own check meets the server's.
  auto big = Append(Edited([](v1::EventBody& b) {
    b.mutable_message()->set_ciphertext(std::string(kMaxCiphertextBytes + 64, 'c'));
  }));
  EXPECT_EQ(big.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << big.error_message();
  // Past the transport's limit, gRPC itself refuses.
  v1::SignedEvent huge = Sealed("x");
  huge.set_body(std::string(2 * kMaxEventBodyBytes, 'h'));
  EXPECT_EQ(Append(huge).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(Head(), head);
  EXPECT_OK(alice_->groups().Send(group_, std::string(kMaxTextBytes, 'a')).status());
}

TEST_F(BadInputTest, UnknownGroupsAreNotFound) {
  const std::string unknown = crypto::RandomBytes(kIdBytes);
  EXPECT_EQ(alice_->groups().GetCharter(unknown).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(alice_->session().Sync(unknown).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Append(Edited([&](v1::EventBody& b) { b.set_group_id(unknown); })).error_code(),
            grpc::StatusCode::NOT_FOUND);
  v1::GroupRef bad_id;
  bad_id.set_group_id("short");
  v1::Charter charter;
  grpc::ClientContext ctx;
  alice_->session().Prepare(&ctx);
  EXPECT_EQ(alice_->session().stub()->GetCharter(&ctx, bad_id, &charter).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(BadInputTest, StaleEpochsAreAPreconditionFailure) {
  v1::SignedEvent written_before = Sealed("written before the re-key");
  ASSERT_OK(bob_->groups().Rekey(group_));
  const uint64_t head = Head();
  grpc::Status s = Append(written_before);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(s.error_message().find("stale epoch"), std::string::npos) << s.error_message();
  EXPECT_EQ(Head(), head);
  // The library re-syncs and re-encrypts on its own.
  EXPECT_OK(alice_->groups().Send(group_, "after the re-key").status());
}

TEST_F(BadInputTest, MalformedEventsAreInvalid) {
  const uint64_t head = Head();
  v1::SignedEvent garbage;
  garbage.set_body("\xff\xff\xff\xff not a protobuf");
  garbage.set_signature(std::string(64, 's'));
  EXPECT_EQ(Append(garbage).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Append(Edited([](v1::EventBody& b) { b.mutable_message()->set_nonce("short"); }))
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Append(Edited([](v1::EventBody& b) { b.clear_kind(); })).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Append(Edited([](v1::EventBody& b) { b.set_author("not an id"); })).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // A creation event sent to Append, and a plain message sent to CreateGroup.
  v1::Charter charter;
  charter.set_name("wrong door");
  EXPECT_EQ(Append(client::BuildCreate(alice_->identity(), charter).create).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  v1::CreateGroupRequest create;
  *create.mutable_create() = Sealed("x");
  v1::AppendReply reply;
  grpc::ClientContext ctx;
  alice_->session().Prepare(&ctx);
  EXPECT_EQ(alice_->session().stub()->CreateGroup(&ctx, create, &reply).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Head(), head);
}

TEST_F(BadInputTest, ReplayedMessagesAreRefused) {
  v1::SignedEvent once = Sealed("only once");
  ASSERT_TRUE(Append(once).ok());
  const uint64_t head = Head();
  grpc::Status replay = Append(once);
  EXPECT_EQ(replay.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_NE(replay.error_message().find("replay"), std::string::npos) << replay.error_message();
  EXPECT_EQ(Head(), head);
  auto view = bob_->session().Sync(group_);
  ASSERT_OK(view.status());
  EXPECT_EQ((*view)->messages().back().text, "only once");
}

}  // namespace
}  // namespace kith::testing
