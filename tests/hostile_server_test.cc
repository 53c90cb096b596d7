// DESIGN.md S11 and S15 against a compromised server, on a real kithd over
// TLS on loopback. The server is the hostile proxy (hostile_proxy.h): it
// holds the real TLS and checkpoint keys, as whoever seized the machine
// would, and serves one member a history of its making, re-chained and with
// checkpoints re-signed, so that the chain itself always verifies. Each row
// is one thing such a server does; the member's client must refuse it with
// the error the row names.
#include <functional>
#include <string>

#include "kith/crypto.h"
#include "kith/event_builder.h"
#include "kith/protocol.h"
#include "proxied_server_test.h"

namespace kith::testing {
namespace {

class HostileServerTest : public ProxiedServerTest {
 protected:
  void SetUp() override {
    ProxiedServerTest::SetUp();
    if (HasFatalFailure()) return;
    alice_ = Connect(client::Identity::Generate("alice"));
    carol_ = Connect(client::Identity::Generate("carol"));
    dave_ = Connect(client::Identity::Generate("dave"));
    bob_identity_ = client::Identity::Generate("bob");
    bob_ = Connect(bob_identity_);
    ASSERT_TRUE(alice_ && bob_ && carol_ && dave_);
    group_ = CreateGroupWith(*alice_, {bob_.get(), carol_.get(), dave_.get()});
    ASSERT_FALSE(group_.empty());
  }

  // A client of `identity` whose every call goes through the hostile
  // server, remembering what it verified in bob's home (bob_memory_path_).
  std::unique_ptr<client::Client> Connect(client::Identity identity) {
    std::shared_ptr<client::LogMemory> memory;
    if (identity.user_id() == bob_identity_.user_id()) {
      auto opened = client::FileLogMemory::Open(bob_memory_path_, identity.box.secret_key);
      EXPECT_OK(opened.status());
      if (opened.ok()) memory = *std::move(opened);
    }
    return ConnectTo(proxy_->address(), std::move(identity), std::move(memory));
  }

  // Sends `text` as `c`; returns its seq.
  uint64_t Say(client::Client& c, const std::string& text) {
    auto seq = c.groups().Send(group_, text);
    EXPECT_OK(seq.status());
    return seq.ok() ? *seq : 0;
  }

  // Bob's sync through the hostile server: must fail with DATA_LOSS saying `expected`.
  void ExpectBobRefuses(const std::string& expected) {
    auto view = bob_->session().Sync(group_);
    EXPECT_EQ(view.status().code(), absl::StatusCode::kDataLoss) << view.status();
    EXPECT_NE(view.status().message().find(expected), std::string::npos)
        << "got: " << view.status() << "\nwant: " << expected;
  }

  void Rewrite(HostileProxy::Rewrite rewrite) {
    proxy_->SetRewrite(group_, bob_identity_.user_id(), std::move(rewrite));
  }

  std::string bob_memory_path_ = dir_.path() + "/bob-log-heads";
  client::Identity bob_identity_;
  std::unique_ptr<client::Client> alice_, bob_, carol_, dave_;
  std::string group_;
};

TEST_F(HostileServerTest, DroppingAnEventALaterOneRefersToIsRefused) {
  Say(*alice_, "one");
  const uint64_t two = Say(*carol_, "two");
  Say(*alice_, "three");  // written after reading "two"
  Rewrite(DropSeq(two));
  ExpectBobRefuses("event " + std::to_string(two) + " rejected: the event refers to event " +
                   std::to_string(two) + ", which is not in the log before it");
}

TEST_F(HostileServerTest, ReorderingMessagesAcrossSendersIsRefused) {
  const uint64_t one = Say(*alice_, "one");
  const uint64_t two = Say(*carol_, "two");  // written after reading "one"
  Rewrite(SwapSeqs(one, two));
  ExpectBobRefuses("event " + std::to_string(one) + " rejected: the event refers to event " +
                   std::to_string(one) + ", which is not in the log before it");
}

TEST_F(HostileServerTest, DroppingWhatAMemberAlreadySawIsRefused) {
  Say(*alice_, "one");
  const uint64_t only = Say(*carol_, "carol's only message");
  ASSERT_OK(bob_->session().Sync(group_).status());
  Rewrite(DropSeq(only));
  ExpectBobRefuses("the server served two different histories of this group: you verified it up to event " +
                   std::to_string(only) + ", and it now says the log ends at " +
                   std::to_string(only - 1));
}

TEST_F(HostileServerTest, DroppingWhatAMemberSawBeforeARestartIsRefused) {
  Say(*alice_, "one");
  const uint64_t only = Say(*carol_, "carol's only message");
  ASSERT_OK(bob_->session().Sync(group_).status());
  Rewrite(DropSeq(only));
  bob_ = Connect(bob_identity_);  // a new run of bob's client: all it has is its home
  ASSERT_TRUE(bob_);
  ExpectBobRefuses("the server served two different histories of this group: you verified it up to event " +
                   std::to_string(only) + " before, and it now ends at " + std::to_string(only - 1));
}

TEST_F(HostileServerTest, AForkIsFoundAtTheFirstMessageThatCrossesIt) {
  Say(*alice_, "one");
  // Dave writes a message now, which the server keeps for bob's branch.
  const v1::SignedEvent daves = SealedNow(*dave_, group_, "dave's, only for bob");
  const uint64_t two = Say(*carol_, "two");
  Rewrite([&](std::vector<v1::Event> log) {
    for (v1::Event& e : log) {
      if (e.seq() == two) *e.mutable_signed_() = daves;  // bob's branch: dave's at "two"'s place
    }
    return log;
  });
  // Bob's branch verifies on its own: nothing crosses the fork yet.
  auto forked = bob_->session().Sync(group_);
  ASSERT_OK(forked.status());
  EXPECT_EQ((*forked)->messages().back().text, "dave's, only for bob");
  // Alice read "two" before writing, and says so in what she signs.
  const uint64_t three = Say(*alice_, "three");
  ExpectBobRefuses("event " + std::to_string(three) + " rejected: its author had verified a different event " +
                   std::to_string(two) + ": the server has shown two different histories");
}

TEST_F(HostileServerTest, AMadeUpJoinFromAnOpenInviteIsRefused) {
  auto code = alice_->groups().Invite(group_);  // open: the server sees its hash and key
  ASSERT_OK(code.status());
  client::Identity ghost = client::Identity::Generate("ghost");
  auto charter = alice_->groups().GetCharter(group_);
  ASSERT_OK(charter.status());
  // The server knows the code's hash, not its secret: it proves with a key of its own.
  v1::SignedEvent join = client::BuildJoinRequest(ghost, group_, crypto::RandomBytes(32), *charter);
  v1::EventBody body;
  body.ParseFromString(join.body());
  body.mutable_join_request()->set_code_hash(InviteCodeHash(code->secret));
  join = SignEvent(body, ghost.sign.secret_key);
  Rewrite([&](std::vector<v1::Event> log) {
    v1::Event e = log.back();
    e.set_seq(e.seq() + 1);
    *e.mutable_signed_() = join;
    log.push_back(std::move(e));
    return log;
  });
  ExpectBobRefuses("rejected: the join request does not prove it was made with the invite code");
}

// Replaying signed events at a later place, one kind per row.
class ReplayTest;
struct Replay {
  std::string kind;
  // Makes an event of this kind; returns its seq.
  std::function<uint64_t(ReplayTest&)> make;
};

void PrintTo(const Replay& replay, std::ostream* os) { *os << replay.kind; }

class ReplayTest : public HostileServerTest, public ::testing::WithParamInterface<Replay> {
 public:
  client::Client& alice() { return *alice_; }
  client::Client& carol() { return *carol_; }
  const std::string& group() const { return group_; }
  uint64_t SayAs(client::Client& c, const std::string& text) { return Say(c, text); }
};

TEST_P(ReplayTest, AnOldSignedEventServedAgainIsRefused) {
  const uint64_t original = GetParam().make(*this);
  ASSERT_NE(original, 0u);
  Say(*carol_, "something after it");
  Rewrite(ReplayAt(original));
  ExpectBobRefuses("is already in the log (a replay?)");
}

v1::Moderation Action(v1::Moderation::Action action, const std::string& target) {
  v1::Moderation m;
  m.set_action(action);
  m.set_target(target);
  return m;
}

INSTANTIATE_TEST_SUITE_P(
    EventKinds, ReplayTest,
    ::testing::Values(Replay{"message", [](ReplayTest& t) { return t.SayAs(t.carol(), "hello"); }},
                      Replay{"warning",
                             [](ReplayTest& t) {
                               auto seq = t.alice().groups().Moderate(
                                   t.group(),
                                   Action(v1::Moderation::WARN, t.carol().identity().user_id()));
                               EXPECT_OK(seq.status());
                               return seq.ok() ? *seq : 0;
                             }},
                      Replay{"promotion",
                             [](ReplayTest& t) {
                               EXPECT_OK(t.alice().groups().SetRole(
                                   t.group(), t.carol().identity().user_id(), v1::ROLE_MODERATOR));
                               EXPECT_OK(t.alice().groups().SetRole(
                                   t.group(), t.carol().identity().user_id(), v1::ROLE_MEMBER));
                               auto view = t.alice().session().Sync(t.group());
                               return view.ok() ? (*view)->state().head_seq() - 1 : 0;
                             }},
                      Replay{"rekey",
                             [](ReplayTest& t) {
                               EXPECT_OK(t.alice().groups().Rekey(t.group()));
                               auto view = t.alice().session().Sync(t.group());
                               return view.ok() ? (*view)->state().head_seq() : 0;
                             }}),
    [](const auto& info) { return info.param.kind; });

TEST_F(HostileServerTest, AWrongHashInAnAppendReplyIsFoundWhenTheLogArrives) {
  proxy_->SetAppendReplyEdit(bob_identity_.user_id(),
                             [](v1::AppendReply& r) { r.mutable_event_hash()->at(0) ^= 1; });
  const uint64_t sent = Say(*bob_, "mine");
  ExpectBobRefuses("the server served two different histories of this group: it acknowledged your event at " +
                   std::to_string(sent) + ", and its log has another event there");
}

TEST_F(HostileServerTest, AnAppendReplyAtAPlaceTheAuthorHadSeenIsRefused) {
  auto view = bob_->session().Sync(group_);
  ASSERT_OK(view.status());
  const uint64_t seen = (*view)->state().head_seq();
  proxy_->SetAppendReplyEdit(bob_identity_.user_id(), [](v1::AppendReply& r) { r.set_seq(r.seq() - 1); });
  auto sent = bob_->groups().Send(group_, "mine");
  EXPECT_EQ(sent.status().code(), absl::StatusCode::kDataLoss) << sent.status();
  EXPECT_NE(sent.status().message().find("it acknowledged your event at " + std::to_string(seen) +
                                         ", but you wrote it after event " + std::to_string(seen)),
            std::string::npos)
      << sent.status();
}

TEST_F(HostileServerTest, AnAppendReplyAheadOfTheLogIsCheckedWhenTheLogGetsThere) {
  proxy_->SetAppendReplyEdit(bob_identity_.user_id(), [](v1::AppendReply& r) { r.set_seq(r.seq() + 1); });
  const uint64_t claimed = Say(*bob_, "mine");
  Say(*carol_, "the event the server said was bob's");
  ExpectBobRefuses("it acknowledged your event at " + std::to_string(claimed) +
                   ", and its log has another event there");
}

}  // namespace
}  // namespace kith::testing
