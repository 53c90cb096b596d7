// DESIGN.md's security properties S1 to S5 and S7, on a real kithd over TLS
// on loopback. Where a test plays a malicious server, it stops kithd and
// rewrites its RocksDB store directly, then restarts it: exactly what an
// operator with the machine could do.
#include <filesystem>
#include <algorithm>
#include <functional>

#include "kith/crypto.h"
#include "kith/event_builder.h"
#include "kith/protocol.h"
#include "stored_log.h"
#include "test_support.h"

namespace kith::testing {
namespace {

class SecurityTest : public ServerTest {
 protected:
  // Runs `fn` on the stopped server's store, then restarts the server.
  void WithStore(const std::function<void(server::RocksStore&)>& fn) {
    WithStoppedStore(*kithd_, fn);
  }

  // Appends `signed_event` to the stored log as the server would have.
  void Inject(server::RocksStore& store, const std::string& group,
              const v1::SignedEvent& signed_event) {
    auto log = StoredLog(store, group);
    ASSERT_FALSE(log.empty());
    v1::Event event;
    event.set_group_id(group);
    event.set_seq(log.back().seq() + 1);
    event.set_prev_hash(EventHash(log.back()));
    event.set_server_time_ms(log.back().server_time_ms() + 1);
    *event.mutable_signed_() = signed_event;
    ASSERT_OK(store.Append({&event}));
  }

  // A GroupState replayed from the stored log, without checking signatures
  // (the view of a server that trusts its own store).
  GroupState ServerView(server::RocksStore& store, const std::string& group) {
    GroupState state;
    for (const auto& e : StoredLog(store, group)) {
      EXPECT_OK(state.ApplyLogged(e, SignatureCheck::kTrustStored).status());
    }
    return state;
  }
};

TEST_F(SecurityTest, S1_ServerDataAndLogsHoldNoPlaintext) {
  auto alice = Client("alice");
  auto bob = Client("bob");
  const std::string group = CreateGroupWith(*alice, {bob.get()});
  const std::string canary = "canary " + crypto::ToHex(crypto::RandomBytes(8));
  auto seq = alice->groups().Send(group, canary);
  ASSERT_OK(seq.status());
  auto view = bob->session().Sync(group);
  ASSERT_OK(view.status());
  ASSERT_FALSE((*view)->messages().empty());
  EXPECT_EQ((*view)->messages().back().text, canary);
  ASSERT_EQ(kithd_->Stop(), 0);  // flushes memtables too
  EXPECT_EQ(FilesContaining(kithd_->data_dir(), canary), std::vector<std::string>{});
  EXPECT_EQ(ReadFile(kithd_->log_path()).find(canary), std::string::npos);
  EXPECT_NE(ReadFile(kithd_->log_path()).find("Append"), std::string::npos)
      << "the request log should exist and be searched";
}

TEST_F(SecurityTest, S2_RemovedMemberCannotReadAnythingAfterTheRekey) {
  auto alice = Client("alice");
  auto bob = Client("bob");
  auto carol = Client("carol");
  const std::string group = CreateGroupWith(*alice, {bob.get(), carol.get()});
  ASSERT_OK(alice->groups().Send(group, "before removal").status());
  ASSERT_OK(carol->session().Sync(group).status());
  ASSERT_OK(alice->groups().Remove(group, carol->identity().user_id()));
  const std::string secret_text = "after removal " + crypto::ToHex(crypto::RandomBytes(8));
  ASSERT_OK(alice->groups().Send(group, secret_text).status());
  ASSERT_OK(bob->groups().Send(group, secret_text + " (bob)").status());

  // The server refuses her, and her stream ends at her removal.
  auto read = carol->session().Sync(group);
  ASSERT_OK(read.status());  // readable up to the event that removed her
  EXPECT_FALSE((*read)->state().IsMember(carol->identity().user_id()));
  v1::ReadRequest req;
  req.set_group_id(group);
  req.set_from_seq((*read)->state().head_seq() + 1);
  v1::ReadReply reply;
  grpc::ClientContext ctx;
  carol->session().Prepare(&ctx);
  EXPECT_EQ(carol->session().stub()->ReadEvents(&ctx, req, &reply).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // Even holding everything the server stores, nothing after the re-key opens.
  const client::Identity& carol_id = carol->identity();
  client::GroupView everything(&carol_id);
  WithStore([&](server::RocksStore& store) {
    for (const auto& e : StoredLog(store, group)) {
      ASSERT_OK(everything.Apply(e));
      v1::EventBody body;
      body.ParseFromString(e.signed_().body());
      if (body.has_commit() && e.seq() > (*read)->state().head_seq()) {
        for (const auto& sealed : body.commit().secrets()) {
          EXPECT_FALSE(crypto::SealOpen(carol_id.box.public_key, carol_id.box.secret_key,
                                        sealed.sealed()));
        }
      }
    }
  });
  EXPECT_FALSE(everything.HasEpochSecret(everything.state().epoch()));
  EXPECT_EQ(everything.unreadable_messages(), 2u);
  for (const auto& m : everything.messages()) {
    EXPECT_EQ(m.text.find("after removal"), std::string::npos);
  }
}

TEST_F(SecurityTest, S2_MemberWhoLeftCannotReadWhatFollows) {
  auto alice = Client("alice");
  auto bob = Client("bob");
  auto carol = Client("carol");
  const std::string group = CreateGroupWith(*alice, {bob.get(), carol.get()});
  ASSERT_OK(carol->groups().Leave(group));
  const uint64_t epoch_at_leave = (*alice->session().Sync(group))->state().epoch();
  // The next sender re-keys first, without being asked to.
  auto seq = bob->groups().Send(group, "after carol left");
  ASSERT_OK(seq.status());
  auto view = alice->session().Sync(group);
  ASSERT_OK(view.status());
  EXPECT_EQ((*view)->state().epoch(), epoch_at_leave + 1);
  ASSERT_FALSE((*view)->messages().empty());
  EXPECT_EQ((*view)->messages().back().text, "after carol left");
  EXPECT_EQ((*view)->messages().back().seq, *seq);

  const client::Identity& carol_id = carol->identity();
  client::GroupView everything(&carol_id);
  WithStore([&](server::RocksStore& store) {
    for (const auto& e : StoredLog(store, group)) ASSERT_OK(everything.Apply(e));
  });
  EXPECT_FALSE(everything.HasEpochSecret(epoch_at_leave + 1));
  EXPECT_EQ(everything.unreadable_messages(), 1u);
}

TEST_F(SecurityTest, S3_NewMemberCannotReadWhatCameBefore) {
  auto alice = Client("alice");
  auto bob = Client("bob");
  const std::string group = CreateGroupWith(*alice, {bob.get()});
  ASSERT_OK(alice->groups().Send(group, "before dave").status());
  ASSERT_OK(bob->groups().Send(group, "also before dave").status());
  auto dave = Client("dave");
  auto code = alice->groups().Invite(group);
  ASSERT_OK(code.status());
  ASSERT_OK(dave->groups().Join(*code, *alice->groups().GetCharter(group)));
  ASSERT_OK(alice->groups().Admit(group, {dave->identity().user_id()}));
  ASSERT_OK(alice->groups().Send(group, "after dave").status());

  auto view = dave->session().Sync(group);
  ASSERT_OK(view.status());
  ASSERT_EQ((*view)->messages().size(), 1u);
  EXPECT_EQ((*view)->messages()[0].text, "after dave");
  EXPECT_EQ((*view)->unreadable_messages(), 2u);
  for (uint64_t epoch = 1; epoch < (*view)->state().epoch(); ++epoch) {
    EXPECT_FALSE((*view)->HasEpochSecret(epoch)) << "epoch " << epoch;
  }
}

TEST_F(SecurityTest, S4_NobodyCanSendAsSomeoneElse) {
  auto alice = Client("alice");
  auto bob = Client("bob");
  auto carol = Client("carol");
  const std::string group = CreateGroupWith(*alice, {bob.get(), carol.get()});
  auto bob_view = bob->session().Sync(group);
  ASSERT_OK(bob_view.status());

  // Bob names Alice as the author of his message: the server refuses it.
  auto sealed = (*bob_view)->SealMessage("pretending to be alice");
  ASSERT_OK(sealed.status());
  v1::EventBody body;
  body.ParseFromString(sealed->body());
  body.set_author(alice->identity().user_id());
  v1::AppendRequest req;
  *req.mutable_event() = SignEvent(body, bob->identity().sign.secret_key);
  v1::AppendReply reply;
  {
    grpc::ClientContext ctx;
    bob->session().Prepare(&ctx);
    EXPECT_EQ(bob->session().stub()->Append(&ctx, req, &reply).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  // A broken signature is refused too.
  *req.mutable_event() = *sealed;
  req.mutable_event()->mutable_signature()->at(3) ^= 1;
  {
    grpc::ClientContext ctx;
    bob->session().Prepare(&ctx);
    EXPECT_EQ(bob->session().stub()->Append(&ctx, req, &reply).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
  }

  // The server itself rewrites Bob's stored message to come from Alice.
  ASSERT_OK(bob->groups().Send(group, "from bob").status());
  uint64_t forged_seq = 0;
  WithStore([&](server::RocksStore& store) {
    v1::Event last = StoredLog(store, group).back();
    v1::EventBody b;
    b.ParseFromString(last.signed_().body());
    ASSERT_TRUE(b.has_message());
    b.set_author(alice->identity().user_id());
    // Covering its tracks: the counter Alice's next event would carry.
    b.set_author_counter(ServerView(store, group).NextAuthorCounter(alice->identity().user_id()));
    *last.mutable_signed_() = SignEvent(b, crypto::GenerateSigningKeyPair().secret_key);
    forged_seq = last.seq();
    ASSERT_OK(store.Append({&last}));
  });
  auto fresh = client::Client::Connect({kithd_->address(), kithd_->certificate_pem(), ""},
                                       carol->identity());
  ASSERT_OK(fresh.status());
  auto view = (*fresh)->session().Sync(group);
  EXPECT_EQ(view.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(view.status().message().find("event " + std::to_string(forged_seq) + " rejected"),
            std::string::npos)
      << view.status();
}

// S5: the "ghost member" attack. The server adds a member, changes a role or
// re-keys on its own; it holds no moderator's key, so it signs with its own.
class ForgedMembershipTest : public SecurityTest,
                             public ::testing::WithParamInterface<std::string> {};

TEST_P(ForgedMembershipTest, S5_ClientsRefuseWhatNoModeratorSigned) {
  auto alice = Client("alice");
  auto bob = Client("bob");
  const std::string group = CreateGroupWith(*alice, {bob.get()});
  ASSERT_OK(alice->groups().Invite(group).status());  // an open invite the server can see
  ASSERT_OK(alice->groups().Send(group, "hello").status());
  ASSERT_OK(bob->session().Sync(group).status());

  client::Identity ghost = client::Identity::Generate("ghost");
  const crypto::SigningKeyPair server_key = crypto::GenerateSigningKeyPair();
  uint64_t forged_seq = 0;
  WithStore([&](server::RocksStore& store) {
    GroupState state = ServerView(store, group);
    // Re-signs `event` as if by Alice, with a key that is not hers.
    auto as_alice = [&](const v1::SignedEvent& event) {
      v1::EventBody body;
      body.ParseFromString(event.body());
      body.set_author(alice->identity().user_id());
      body.set_author_counter(state.NextAuthorCounter(alice->identity().user_id()));
      return SignEvent(body, server_key.secret_key);
    };
    v1::SignedEvent forged;
    if (GetParam() == "admission") {
      // The ghost "asks to join" with the open invite's hash, signed honestly
      // by the ghost; but only the invite code's key proves the request, so
      // clients refuse it there. The admission is not signed by Alice either.
      std::string code_hash;
      for (const auto& e : StoredLog(store, group)) {
        v1::EventBody b;
        b.ParseFromString(e.signed_().body());
        if (b.has_invite()) code_hash = b.invite().code_hash();
      }
      v1::EventBody join;
      join.set_group_id(group);
      join.set_author(ghost.user_id());
      *join.mutable_join_request()->mutable_member() = ghost.Bundle();
      join.mutable_join_request()->set_code_hash(code_hash);
      join.mutable_join_request()->set_rules_version(state.charter().rules_version());
      join.mutable_join_request()->set_rules_hash(CharterHash(state.charter()));
      Inject(store, group, SignEvent(join, ghost.sign.secret_key));
      forged_seq = StoredLog(store, group).back().seq();
      state = ServerView(store, group);
      auto commit = client::BuildCommit(ghost, state, {ghost.user_id()}, {});
      ASSERT_OK(commit.status());
      forged = as_alice(*commit);
    } else if (GetParam() == "role change") {
      forged = as_alice(client::BuildRoleChange(ghost, state, bob->identity().user_id(),
                                                v1::ROLE_MODERATOR));
    } else {
      auto commit = client::BuildCommit(ghost, state, {}, {});
      ASSERT_OK(commit.status());
      forged = as_alice(*commit);
    }
    Inject(store, group, forged);
    if (forged_seq == 0) forged_seq = StoredLog(store, group).back().seq();
  });
  const std::string refusal =
      GetParam() == "admission"
          ? " rejected: the join request does not prove it was made with the invite code"
          : " rejected: event signature does not verify";

  // The server replayed the forgery happily; every client refuses it.
  for (auto* member : {alice.get(), bob.get()}) {
    auto fresh = client::Client::Connect({kithd_->address(), kithd_->certificate_pem(), ""},
                                         member->identity());
    ASSERT_OK(fresh.status());
    auto view = (*fresh)->session().Sync(group);
    EXPECT_EQ(view.status().code(), absl::StatusCode::kDataLoss) << GetParam();
    EXPECT_NE(view.status().message().find("event " + std::to_string(forged_seq) + refusal),
              std::string::npos)
        << view.status();
  }
  // The clients that had already synced refuse it in the same way.
  EXPECT_EQ(bob->session().Sync(group).status().code(), absl::StatusCode::kDataLoss);
}

INSTANTIATE_TEST_SUITE_P(Forgeries, ForgedMembershipTest,
                         ::testing::Values("admission", "role change", "rekey"),
                         [](const auto& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), ' ', '_');
                           return name;
                         });

// S5 again, with honest signatures: a member signs, with their own key,
// what only a moderator may (admitting someone who asked to join, making
// themselves a moderator), or a genuine admission is sent again. The server
// refuses each at the door, and a server that serves it anyway as the next
// event finds the rules every client applies refusing it, for the same
// reason.
class MisusedRightTest : public SecurityTest, public ::testing::WithParamInterface<std::string> {};

TEST_P(MisusedRightTest, S5_ARightfullySignedEventFromSomeoneWithoutTheRightIsRefused) {
  auto alice = Client("alice");
  auto bob = Client("bob");
  auto ghost = Client("ghost");
  const std::string group = CreateGroupWith(*alice, {bob.get()});
  // The ghost asks to join with a real invite; nobody with the right admits them.
  auto code = alice->groups().Invite(group);
  ASSERT_OK(code.status());
  auto charter = ghost->groups().GetCharter(group);
  ASSERT_OK(charter.status());
  ASSERT_OK(ghost->groups().Join(*code, *charter));
  ASSERT_OK(alice->groups().Send(group, "hello").status());
  auto view = bob->session().Sync(group);
  ASSERT_OK(view.status());
  const GroupState& state = (*view)->state();

  v1::SignedEvent misused;
  client::Client* sender = bob.get();  // the one who signed it
  absl::StatusCode at_the_door = absl::StatusCode::kPermissionDenied;
  std::string refusal;
  if (GetParam() == "member admits") {
    auto commit = client::BuildCommit(bob->identity(), state, {ghost->identity().user_id()}, {});
    ASSERT_OK(commit.status());
    misused = *commit;
    refusal = "only moderators can admit or remove members";
  } else if (GetParam() == "member makes themself a moderator") {
    misused = client::BuildRoleChange(bob->identity(), state, bob->identity().user_id(),
                                      v1::ROLE_MODERATOR);
    refusal = "only the owner can change roles";
  } else {
    // Alice's genuine admission of Bob, sent again.
    sender = alice.get();
    at_the_door = absl::StatusCode::kAlreadyExists;
    WithStore([&](server::RocksStore& store) {
      for (const v1::Event& e : StoredLog(store, group)) {
        v1::EventBody body;
        body.ParseFromString(e.signed_().body());
        if (body.has_commit() && body.commit().add_size() > 0) misused = e.signed_();
      }
    });
    ASSERT_FALSE(misused.signature().empty());
    refusal = "already in the log";
  }

  // An honest server refuses it.
  v1::AppendRequest req;
  *req.mutable_event() = misused;
  v1::AppendReply reply;
  grpc::ClientContext ctx;
  sender->session().Prepare(&ctx);
  const absl::Status sent = client::FromGrpc(sender->session().stub()->Append(&ctx, req, &reply));
  EXPECT_EQ(sent.code(), at_the_door) << sent;
  EXPECT_NE(sent.message().find(refusal), std::string::npos) << sent;

  // A server that serves it anyway, as the next event: the rules every
  // client applies to what it is served refuse it.
  v1::Event served;
  served.set_group_id(group);
  served.set_seq(state.head_seq() + 1);
  served.set_prev_hash(state.head_hash());
  served.set_server_time_ms(absl::ToUnixMillis(absl::Now()));
  *served.mutable_signed_() = misused;
  GroupState client_state = state;
  auto applied = client_state.ApplyLogged(served, SignatureCheck::kVerify);
  ASSERT_FALSE(applied.ok()) << GetParam();
  EXPECT_NE(applied.status().message().find(refusal), std::string::npos) << applied.status();
  EXPECT_EQ(client_state.head_seq(), state.head_seq());
}

INSTANTIATE_TEST_SUITE_P(Misuses, MisusedRightTest,
                         ::testing::Values("member admits", "member makes themself a moderator",
                                           "admission replayed"),
                         [](const auto& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), ' ', '_');
                           return name;
                         });

TEST_F(SecurityTest, S7_ServerCannotSwapAKeyUnderAKnownId) {
  auto alice = Client("alice");
  auto bob = Client("bob");
  const std::string bob_id = bob->identity().user_id();
  auto bundle = alice->session().GetIdentity(bob_id);
  ASSERT_OK(bundle.status());
  EXPECT_EQ(bundle->sign_pk(), bob->identity().sign.public_key);
  EXPECT_EQ(UserIdFor(bundle->sign_pk()), bob_id);

  WithStore([&](server::RocksStore& store) {
    ASSERT_OK(store.PutAccount(bob_id, client::Identity::Generate("bob").Bundle()));
  });
  auto swapped = alice->session().GetIdentity(bob_id);
  EXPECT_EQ(swapped.status().code(), absl::StatusCode::kDataLoss) << swapped.status();
}

}  // namespace
}  // namespace kith::testing
