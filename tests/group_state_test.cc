// The rules every group log obeys, as both the server and clients enforce
// them: who may do what, epochs, counters, rules acceptance, and the chain.
#include "kith/group_state.h"

#include <gtest/gtest.h>

#include <functional>

#include "kith/event_builder.h"
#include "kith/group_view.h"
#include "kith/protocol.h"
#include "kith/strike_ladder.h"

namespace kith {
namespace {

using client::BuildCommit;
using client::BuildCreate;
using client::BuildInvite;
using client::BuildJoinRequest;
using client::BuildLeave;
using client::BuildMemberKey;
using client::BuildModeration;
using client::BuildReport;
using client::BuildRoleChange;
using client::Identity;

// Sequences events as the server's appender does, and keeps the log.
class Ledger {
 public:
  absl::Status Append(const v1::SignedEvent& signed_event) {
    now_ms_ += 1000;
    auto body = state_.Check(signed_event, SignatureCheck::kVerify, now_ms_);
    if (!body.ok()) return body.status();
    v1::Event event;
    event.set_group_id(body->group_id());
    event.set_seq(state_.head_seq() + 1);
    event.set_prev_hash(state_.created() ? state_.head_hash() : GenesisPrevHash());
    event.set_server_time_ms(now_ms_);
    *event.mutable_signed_() = signed_event;
    state_.Apply(*body, event, EventHash(event));
    log_.push_back(event);
    return absl::OkStatus();
  }
  const GroupState& state() const { return state_; }
  const std::vector<v1::Event>& log() const { return log_; }
  // Server time passes: each append takes a second, and this much more.
  void Wait(int64_t ms) { now_ms_ += ms; }

 private:
  int64_t now_ms_ = 0;
  GroupState state_;
  std::vector<v1::Event> log_;
};

class GroupStateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(crypto::Init().ok());
    v1::Charter charter;
    charter.set_name("Tuesday");
    charter.add_rules("no_contempt");
    auto group = BuildCreate(owner_, charter);
    group_id_ = group.group_id;
    ASSERT_TRUE(ledger_.Append(group.create).ok());
  }

  // Invites, joins and admits `who`.
  void Admit(const Identity& who) {
    const std::string secret = crypto::RandomBytes(kInviteSecretBytes);
    ASSERT_TRUE(ledger_.Append(BuildInvite(owner_, ledger_.state(), secret)).ok());
    ASSERT_TRUE(ledger_.Append(BuildJoinRequest(who, group_id_, secret, ledger_.state().charter())).ok());
    auto commit = BuildCommit(owner_, ledger_.state(), {who.user_id()}, {});
    ASSERT_TRUE(commit.ok());
    ASSERT_TRUE(ledger_.Append(*commit).ok());
  }

  absl::StatusOr<v1::SignedEvent> Message(const Identity& who, const std::string& text) {
    client::GroupView view(&who);
    for (const auto& e : ledger_.log()) {
      if (auto s = view.Apply(e); !s.ok()) return s;
    }
    return view.SealMessage(text);
  }

  absl::Status Moderate(const Identity& who, v1::Moderation::Action action,
                        const Identity* target = nullptr, uint64_t duration_ms = 0,
                        uint64_t resolves = 0) {
    v1::Moderation m;
    m.set_action(action);
    if (target != nullptr) m.set_target(target->user_id());
    m.set_duration_ms(duration_ms);
    m.set_resolves(resolves);
    return ledger_.Append(BuildModeration(who, ledger_.state(), m));
  }

  absl::Status Post(const Identity& who, const std::string& text) {
    auto message = Message(who, text);
    if (!message.ok()) return message.status();
    return ledger_.Append(*message);
  }

  Identity owner_ = Identity::Generate("owner");
  Identity alice_ = Identity::Generate("alice");
  Identity bob_ = Identity::Generate("bob");
  std::string group_id_;
  Ledger ledger_;
};

TEST_F(GroupStateTest, CreatorOwnsANewGroupAtEpochOne) {
  EXPECT_EQ(ledger_.state().RoleOf(owner_.user_id()), v1::ROLE_OWNER);
  EXPECT_EQ(ledger_.state().epoch(), 1u);
  EXPECT_EQ(ledger_.state().charter().rules_version(), 1u);
}

TEST_F(GroupStateTest, GroupIdMustDeriveFromTheCreatorsKey) {
  v1::Charter charter;
  charter.set_name("x");
  auto group = BuildCreate(alice_, charter);
  v1::EventBody body;
  body.ParseFromString(group.create.body());
  body.set_group_id(std::string(kIdBytes, 'x'));
  GroupState fresh;
  auto checked = fresh.Check(SignEvent(body, alice_.sign.secret_key), SignatureCheck::kVerify, 0);
  EXPECT_EQ(checked.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(GroupStateTest, UnknownRulesAreRefused) {
  v1::Charter charter;
  charter.set_name("x");
  charter.add_rules("no_fun");
  GroupState fresh;
  auto checked = fresh.Check(BuildCreate(alice_, charter).create, SignatureCheck::kVerify, 0);
  EXPECT_EQ(checked.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(GroupStateTest, OnlyModeratorsInviteAndAdmit) {
  Admit(alice_);
  const std::string secret = crypto::RandomBytes(kInviteSecretBytes);
  EXPECT_EQ(ledger_.Append(BuildInvite(alice_, ledger_.state(), secret)).code(),
            absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(ledger_.Append(BuildInvite(owner_, ledger_.state(), secret)).ok());
  ASSERT_TRUE(ledger_.Append(BuildJoinRequest(bob_, group_id_, secret, ledger_.state().charter())).ok());
  auto by_member = BuildCommit(alice_, ledger_.state(), {bob_.user_id()}, {});
  ASSERT_TRUE(by_member.ok());
  EXPECT_EQ(ledger_.Append(*by_member).code(), absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(ledger_.Append(BuildRoleChange(owner_, ledger_.state(), alice_.user_id(),
                                             v1::ROLE_MODERATOR)).ok());
  auto by_moderator = BuildCommit(alice_, ledger_.state(), {bob_.user_id()}, {});
  ASSERT_TRUE(by_moderator.ok());
  EXPECT_TRUE(ledger_.Append(*by_moderator).ok());
  EXPECT_TRUE(ledger_.state().IsMember(bob_.user_id()));
}

TEST_F(GroupStateTest, JoinNeedsAnOpenInviteAndTheCurrentCharter) {
  const std::string secret = crypto::RandomBytes(kInviteSecretBytes);
  EXPECT_EQ(ledger_.Append(BuildJoinRequest(alice_, group_id_, secret, ledger_.state().charter())).code(),
            absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(ledger_.Append(BuildInvite(owner_, ledger_.state(), secret)).ok());
  v1::Charter edited = ledger_.state().charter();
  edited.add_rules("no_yelling");
  EXPECT_EQ(ledger_.Append(BuildJoinRequest(alice_, group_id_, secret, edited)).code(),
            absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(ledger_.Append(BuildJoinRequest(alice_, group_id_, secret, ledger_.state().charter())).ok());
  // Single use.
  EXPECT_EQ(ledger_.Append(BuildJoinRequest(bob_, group_id_, secret, ledger_.state().charter())).code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(GroupStateTest, AdmittingSomeoneWhoNeverAskedIsRefused) {
  // The "ghost member": a commit adding a person with no join request.
  auto ghost = Identity::Generate("ghost");
  v1::EventBody body;
  body.set_group_id(group_id_);
  body.set_author(owner_.user_id());
  body.set_epoch(1);
  body.mutable_commit()->add_add(ghost.user_id());
  body.mutable_commit()->set_new_epoch(2);
  ledger_.state().StampPosition(&body);
  EXPECT_EQ(ledger_.Append(SignEvent(body, owner_.sign.secret_key)).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(GroupStateTest, ACommitSignedByAnotherKeyIsRefused) {
  const std::string secret = crypto::RandomBytes(kInviteSecretBytes);
  ASSERT_TRUE(ledger_.Append(BuildInvite(owner_, ledger_.state(), secret)).ok());
  ASSERT_TRUE(ledger_.Append(BuildJoinRequest(alice_, group_id_, secret, ledger_.state().charter())).ok());
  // Names the owner as author, but is signed by someone else's key.
  auto commit = BuildCommit(owner_, ledger_.state(), {alice_.user_id()}, {});
  ASSERT_TRUE(commit.ok());
  v1::EventBody body;
  body.ParseFromString(commit->body());
  auto forged = SignEvent(body, crypto::GenerateSigningKeyPair().secret_key);
  EXPECT_EQ(ledger_.Append(forged).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(ledger_.state().IsMember(alice_.user_id()));
}

TEST_F(GroupStateTest, CommitMustSealASecretForEveryMember) {
  Admit(alice_);
  auto commit = BuildCommit(owner_, ledger_.state(), {}, {});
  ASSERT_TRUE(commit.ok());
  v1::EventBody body;
  body.ParseFromString(commit->body());
  body.mutable_commit()->mutable_secrets()->RemoveLast();
  EXPECT_EQ(ledger_.Append(SignEvent(body, owner_.sign.secret_key)).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(GroupStateTest, OwnerCannotBeRemovedAndOnlyOwnerChangesRoles) {
  Admit(alice_);
  ASSERT_TRUE(ledger_.Append(BuildRoleChange(owner_, ledger_.state(), alice_.user_id(),
                                             v1::ROLE_MODERATOR)).ok());
  auto remove_owner = BuildCommit(alice_, ledger_.state(), {}, {owner_.user_id()});
  ASSERT_TRUE(remove_owner.ok());
  EXPECT_EQ(ledger_.Append(*remove_owner).code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(ledger_.Append(BuildRoleChange(alice_, ledger_.state(), owner_.user_id(),
                                           v1::ROLE_MEMBER)).code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(GroupStateTest, MessagesNeedTheCurrentEpochAndTheNextCounter) {
  Admit(alice_);
  auto first = Message(alice_, "one");
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(ledger_.Append(*first).ok());
  // The same event again is a replay.
  EXPECT_EQ(ledger_.Append(*first).code(), absl::StatusCode::kAlreadyExists);
  // A message written in an epoch the group has left is stale.
  auto stale = Message(alice_, "two");
  ASSERT_TRUE(stale.ok());
  ASSERT_TRUE(ledger_.Append(*BuildCommit(owner_, ledger_.state(), {}, {})).ok());
  EXPECT_EQ(ledger_.Append(*stale).code(), absl::StatusCode::kFailedPrecondition);
  // A counter that skips ahead is refused before any key is derived.
  auto fresh = Message(alice_, "three");
  ASSERT_TRUE(fresh.ok());
  v1::EventBody body;
  body.ParseFromString(fresh->body());
  body.mutable_message()->set_counter(1'000'000);
  EXPECT_EQ(ledger_.Append(SignEvent(body, alice_.sign.secret_key)).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(ledger_.Append(*fresh).ok());
}

TEST_F(GroupStateTest, AfterALeaveNobodyPostsUntilARekey) {
  Admit(alice_);
  Admit(bob_);
  ASSERT_TRUE(ledger_.Append(BuildLeave(bob_, ledger_.state())).ok());
  EXPECT_TRUE(ledger_.state().needs_rekey());
  auto blocked = Message(alice_, "hi");
  ASSERT_TRUE(blocked.ok());
  EXPECT_EQ(ledger_.Append(*blocked).code(), absl::StatusCode::kFailedPrecondition);
  // Any member may re-key; the leaver gets no secret.
  ASSERT_TRUE(ledger_.Append(*BuildCommit(alice_, ledger_.state(), {}, {})).ok());
  auto after = Message(alice_, "hi");
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(ledger_.Append(*after).ok());
}

TEST_F(GroupStateTest, ReplayedLogDetectsGapsAndBrokenChains) {
  Admit(alice_);
  std::vector<v1::Event> log = ledger_.log();
  GroupState replay;
  for (const auto& e : log) ASSERT_TRUE(replay.ApplyLogged(e, SignatureCheck::kVerify).ok());
  EXPECT_EQ(replay.head_hash(), ledger_.state().head_hash());

  GroupState gap;
  ASSERT_TRUE(gap.ApplyLogged(log[0], SignatureCheck::kVerify).ok());
  EXPECT_EQ(gap.ApplyLogged(log[2], SignatureCheck::kVerify).status().code(), absl::StatusCode::kDataLoss);

  GroupState altered;
  ASSERT_TRUE(altered.ApplyLogged(log[0], SignatureCheck::kVerify).ok());
  v1::Event moved = log[1];
  moved.set_server_time_ms(moved.server_time_ms() + 1);  // changes event 1's successor hash
  ASSERT_TRUE(altered.ApplyLogged(moved, SignatureCheck::kVerify).ok());
  EXPECT_EQ(altered.ApplyLogged(log[2], SignatureCheck::kVerify).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST_F(GroupStateTest, ABannedPersonIsRemovedAndCannotAskToJoinAgain) {
  Admit(alice_);
  Admit(bob_);
  ASSERT_TRUE(Moderate(owner_, v1::Moderation::BAN, &alice_).ok());
  EXPECT_FALSE(ledger_.state().IsMember(alice_.user_id()));
  EXPECT_TRUE(ledger_.state().IsBanned(alice_.user_id()));
  // Like a departure: nobody posts under the key the banned person holds.
  EXPECT_TRUE(ledger_.state().needs_rekey());
  ASSERT_TRUE(ledger_.Append(*BuildCommit(owner_, ledger_.state(), {}, {})).ok());
  const std::string secret = crypto::RandomBytes(kInviteSecretBytes);
  ASSERT_TRUE(ledger_.Append(BuildInvite(owner_, ledger_.state(), secret)).ok());
  auto again = ledger_.Append(BuildJoinRequest(alice_, group_id_, secret, ledger_.state().charter()));
  EXPECT_EQ(again.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(again.message().find("banned"), std::string::npos);
  // A removal is not a ban: bob may be invited back.
  ASSERT_TRUE(Moderate(owner_, v1::Moderation::REMOVE, &bob_).ok());
  ASSERT_TRUE(ledger_.Append(*BuildCommit(owner_, ledger_.state(), {}, {})).ok());
  EXPECT_TRUE(ledger_.Append(BuildJoinRequest(bob_, group_id_, secret, ledger_.state().charter())).ok());
}

TEST_F(GroupStateTest, SlowModeSpacesEachMembersMessagesButNotModerators) {
  Admit(alice_);
  ASSERT_TRUE(Moderate(owner_, v1::Moderation::SLOW, nullptr, 60'000).ok());
  ASSERT_TRUE(Post(alice_, "first").ok());
  auto second = Post(alice_, "second");
  EXPECT_EQ(second.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(second.message().find("slow mode"), std::string::npos);
  EXPECT_TRUE(Post(owner_, "moderators are not slowed").ok());
  ledger_.Wait(60'000);
  EXPECT_TRUE(Post(alice_, "second, a minute later").ok());
  ASSERT_TRUE(Moderate(owner_, v1::Moderation::SLOW, nullptr, 0).ok());
  EXPECT_TRUE(Post(alice_, "slow mode is off").ok());
  EXPECT_EQ(Moderate(owner_, v1::Moderation::SLOW, nullptr, 2 * 86'400'000).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(GroupStateTest, AGroupPauseLetsOnlyModeratorsPostUntilItEndsOrIsLifted) {
  Admit(alice_);
  EXPECT_EQ(Moderate(alice_, v1::Moderation::PAUSE_GROUP, nullptr, 600'000).code(),
            absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(Moderate(owner_, v1::Moderation::PAUSE_GROUP, nullptr, 600'000).ok());
  auto blocked = Post(alice_, "but I was saying");
  EXPECT_EQ(blocked.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(blocked.message().find("only moderators post until"), std::string::npos);
  EXPECT_TRUE(Post(owner_, "let's take ten minutes").ok());
  ASSERT_TRUE(Moderate(owner_, v1::Moderation::LIFT).ok());
  EXPECT_TRUE(Post(alice_, "thanks").ok());
  ASSERT_TRUE(Moderate(owner_, v1::Moderation::PAUSE_GROUP, nullptr, 600'000).ok());
  ledger_.Wait(600'000);
  EXPECT_TRUE(Post(alice_, "the pause ended on its own").ok());
}

TEST_F(GroupStateTest, AReportIsSealedToEveryModeratorAndResolvedOnce) {
  Admit(alice_);
  Admit(bob_);
  v1::ReportContent content;
  content.set_message_seq(1);
  // Sealed to the owner only, then bob becomes a moderator: the report no
  // longer reaches every moderator.
  v1::SignedEvent stale = BuildReport(alice_, ledger_.state(), content);
  ASSERT_TRUE(ledger_.Append(BuildRoleChange(owner_, ledger_.state(), bob_.user_id(),
                                             v1::ROLE_MODERATOR)).ok());
  EXPECT_EQ(ledger_.Append(stale).code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(ledger_.Append(BuildReport(alice_, ledger_.state(), content)).ok());
  const uint64_t report = ledger_.state().head_seq();
  EXPECT_FALSE(ledger_.state().IsResolved(report));
  EXPECT_EQ(Moderate(alice_, v1::Moderation::DISMISS, nullptr, 0, report).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Moderate(bob_, v1::Moderation::DISMISS).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Moderate(bob_, v1::Moderation::DISMISS, nullptr, 0, report + 5).code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(Moderate(bob_, v1::Moderation::WARN, &alice_, 0, report).ok());
  EXPECT_TRUE(ledger_.state().IsResolved(report));
  EXPECT_EQ(ledger_.state().members().at(alice_.user_id()).strikes, 1u);
  EXPECT_EQ(Moderate(owner_, v1::Moderation::DISMISS, nullptr, 0, report).code(),
            absl::StatusCode::kAlreadyExists);
}

TEST_F(GroupStateTest, TheStrikeLadderIsCheckedAtCreationAndProposesInOrder) {
  v1::Charter charter;
  charter.set_name("ladder");
  charter.add_strike_ladder("warn");
  charter.add_strike_ladder("explode");
  GroupState fresh;
  EXPECT_EQ(fresh.Check(BuildCreate(alice_, charter).create, SignatureCheck::kVerify, 0)
                .status().code(),
            absl::StatusCode::kInvalidArgument);

  // The default ladder: warn, pause 30 minutes, mute a day, remove; the
  // last step repeats.
  const v1::Charter plain = ledger_.state().charter();
  EXPECT_EQ(NextStrikeStep(plain, 0).action, v1::Moderation::WARN);
  EXPECT_EQ(NextStrikeStep(plain, 1).action, v1::Moderation::PAUSE);
  EXPECT_EQ(NextStrikeStep(plain, 1).duration_ms, 30u * 60 * 1000);
  EXPECT_EQ(NextStrikeStep(plain, 2).duration_ms, 24u * 3600 * 1000);
  EXPECT_EQ(NextStrikeStep(plain, 3).action, v1::Moderation::REMOVE);
  EXPECT_EQ(NextStrikeStep(plain, 9).action, v1::Moderation::REMOVE);

  v1::Charter strict;
  strict.add_strike_ladder("mute:2h");
  strict.add_strike_ladder("ban");
  EXPECT_TRUE(ValidateStrikeLadder(strict).ok());
  EXPECT_EQ(NextStrikeStep(strict, 0).duration_ms, 2u * 3600 * 1000);
  EXPECT_EQ(NextStrikeStep(strict, 1).action, v1::Moderation::BAN);
  EXPECT_FALSE(ParseStrikeStep("mute").ok());
  EXPECT_FALSE(ParseStrikeStep("warn:5m").ok());
}

// --- Position (DESIGN.md S15): every signed event says where it belongs ---

// `signed_event`'s body, edited and signed again by `who`.
v1::SignedEvent Resigned(const v1::SignedEvent& signed_event, const Identity& who,
                         const std::function<void(v1::EventBody&)>& edit) {
  v1::EventBody body;
  EXPECT_TRUE(body.ParseFromString(signed_event.body()));
  edit(body);
  return SignEvent(body, who.sign.secret_key);
}

TEST_F(GroupStateTest, AnEventAlreadyInTheLogCannotBeServedAgainLater) {
  Admit(alice_);
  auto promote = BuildRoleChange(owner_, ledger_.state(), alice_.user_id(), v1::ROLE_MODERATOR);
  ASSERT_TRUE(ledger_.Append(promote).ok());
  ASSERT_TRUE(ledger_.Append(BuildRoleChange(owner_, ledger_.state(), alice_.user_id(),
                                             v1::ROLE_MEMBER)).ok());
  // The promotion, appended again as it was signed: its author counter is spent.
  EXPECT_EQ(ledger_.Append(promote).code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(ledger_.state().RoleOf(alice_.user_id()), v1::ROLE_MEMBER);
}

TEST_F(GroupStateTest, AnAuthorsCounterRunsOverEveryKindOfEventWithoutGaps) {
  Admit(alice_);
  const uint64_t next = ledger_.state().NextAuthorCounter(owner_.user_id());
  EXPECT_GT(next, 1u);  // the creation, the invitation and the admission counted
  auto skips = Resigned(BuildLeave(alice_, ledger_.state()), alice_,
                        [](v1::EventBody& b) { b.set_author_counter(b.author_counter() + 1); });
  EXPECT_EQ(ledger_.Append(skips).code(), absl::StatusCode::kInvalidArgument);
  auto post = Message(alice_, "hello");
  ASSERT_TRUE(post.ok());
  ASSERT_TRUE(ledger_.Append(*post).ok());
  EXPECT_EQ(ledger_.state().NextAuthorCounter(alice_.user_id()), 2u);
}

TEST_F(GroupStateTest, AReferenceMustNameTheVerifiedLogBeforeTheEvent) {
  Admit(alice_);
  auto post = Message(alice_, "hello");
  ASSERT_TRUE(post.ok());
  // A hash the log does not hold at the referenced place: the author saw
  // another history (a fork), or forged the reference.
  auto forked = Resigned(*post, alice_, [](v1::EventBody& b) { b.set_ref_hash(std::string(32, 'f')); });
  EXPECT_EQ(ledger_.Append(forked).code(), absl::StatusCode::kInvalidArgument);
  auto future = Resigned(*post, alice_, [&](v1::EventBody& b) { b.set_ref_seq(ledger_.state().head_seq() + 1); });
  EXPECT_EQ(ledger_.Append(future).code(), absl::StatusCode::kInvalidArgument);
  auto none = Resigned(*post, alice_, [](v1::EventBody& b) { b.set_ref_seq(0); b.clear_ref_hash(); });
  EXPECT_EQ(ledger_.Append(none).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(ledger_.Append(*post).ok());
}

TEST_F(GroupStateTest, AReferenceOlderThanTheRefWindowIsRefused) {
  Admit(alice_);
  auto early = Message(alice_, "written long ago");
  ASSERT_TRUE(early.ok());
  // Long after: the reference is too old to check, so a server holding the
  // event back this long could carry it across a fork. It is refused.
  for (uint64_t i = 0; i < kRefWindow; ++i) {
    ASSERT_TRUE(ledger_.Append(BuildInvite(owner_, ledger_.state(), crypto::RandomBytes(32))).ok());
  }
  EXPECT_TRUE(ledger_.state().RecentHash(ledger_.state().head_seq() - kRefWindow).empty());
  EXPECT_FALSE(ledger_.state().RecentHash(ledger_.state().head_seq() - kRefWindow + 1).empty());
  EXPECT_EQ(ledger_.state().RecentHash(ledger_.state().head_seq()), ledger_.state().head_hash());
  EXPECT_EQ(ledger_.Append(*early).code(), absl::StatusCode::kFailedPrecondition);
  auto fresh = Message(alice_, "written again, now");
  ASSERT_TRUE(fresh.ok());
  EXPECT_TRUE(ledger_.Append(*fresh).ok());
}

TEST_F(GroupStateTest, AJoinByCodeMustProveItHoldsTheCode) {
  const std::string secret = crypto::RandomBytes(kInviteSecretBytes);
  ASSERT_TRUE(ledger_.Append(BuildInvite(owner_, ledger_.state(), secret)).ok());
  // Someone who saw only the log (the server) knows the code's hash and key,
  // not the secret: a request with its own proof key does not pass.
  auto made_up = Resigned(BuildJoinRequest(alice_, group_id_, crypto::RandomBytes(32),
                                           ledger_.state().charter()),
                          alice_, [&](v1::EventBody& b) {
                            b.mutable_join_request()->set_code_hash(InviteCodeHash(secret));
                          });
  EXPECT_EQ(ledger_.Append(made_up).code(), absl::StatusCode::kPermissionDenied);
  // A proof is bound to its joiner: bob's proof does not admit alice.
  auto bobs = BuildJoinRequest(bob_, group_id_, secret, ledger_.state().charter());
  auto stolen = Resigned(BuildJoinRequest(alice_, group_id_, secret, ledger_.state().charter()),
                         alice_, [&](v1::EventBody& b) {
                           v1::EventBody bob_body;
                           bob_body.ParseFromString(bobs.body());
                           b.mutable_join_request()->set_code_proof(bob_body.join_request().code_proof());
                         });
  EXPECT_EQ(ledger_.Append(stolen).code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(ledger_.Append(BuildJoinRequest(alice_, group_id_, secret, ledger_.state().charter())).ok());
}

TEST_F(GroupStateTest, AnAnswerToAnAddressedInvitationNamesThatInvitation) {
  ASSERT_TRUE(ledger_.Append(client::BuildAddressedInvite(owner_, ledger_.state(), alice_.user_id())).ok());
  const uint64_t first = ledger_.state().InviteSeqOf(alice_.user_id());
  ASSERT_EQ(first, ledger_.state().head_seq());
  auto yes = BuildJoinRequest(alice_, group_id_, "", ledger_.state().charter(), first);
  auto no = client::BuildDecline(alice_, group_id_, first);
  ASSERT_TRUE(ledger_.Append(no).ok());
  // Invited again: her old "yes" to the first invitation does not answer this one.
  ASSERT_TRUE(ledger_.Append(client::BuildAddressedInvite(owner_, ledger_.state(), alice_.user_id())).ok());
  EXPECT_EQ(ledger_.Append(yes).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_FALSE(ledger_.state().IsPending(alice_.user_id()));
  EXPECT_TRUE(ledger_.Append(BuildJoinRequest(alice_, group_id_, "", ledger_.state().charter(),
                                              ledger_.state().InviteSeqOf(alice_.user_id()))).ok());
  EXPECT_TRUE(ledger_.state().IsPending(alice_.user_id()));
}

// --- Containment (DESIGN.md S14) ---

TEST_F(GroupStateTest, AMessageThatDoesNotOpenIsShownUnreadableAndTheLogGoesOn) {
  Admit(alice_);
  auto good = Message(alice_, "fine");
  ASSERT_TRUE(good.ok());
  // Signed and in its place, but its ciphertext is not what its key opens.
  auto bad = Resigned(*good, alice_, [](v1::EventBody& b) {
    std::string c = b.message().ciphertext();
    c[0] ^= 1;
    b.mutable_message()->set_ciphertext(c);
  });
  ASSERT_TRUE(ledger_.Append(bad).ok());
  ASSERT_TRUE(Post(alice_, "after").ok());
  ASSERT_TRUE(Post(owner_, "still here").ok());
  client::GroupView view(&owner_);
  for (const auto& e : ledger_.log()) ASSERT_TRUE(view.Apply(e).ok());
  ASSERT_EQ(view.messages().size(), 3u);
  EXPECT_FALSE(view.messages()[0].unreadable.empty());
  EXPECT_TRUE(view.messages()[0].text.empty());
  EXPECT_EQ(view.messages()[1].text, "after");
  EXPECT_EQ(view.messages()[2].text, "still here");
  ASSERT_EQ(view.unreadable_events().size(), 1u);
  EXPECT_EQ(view.unreadable_events()[0].author, alice_.user_id());
}

TEST_F(GroupStateTest, AFaultyRekeyIsNamedAndHealsWithAFreshOne) {
  Admit(alice_);
  Admit(bob_);
  // Alice seals bob a secret that differs from the one the group confirms.
  auto commit = BuildCommit(alice_, ledger_.state(), {}, {});
  ASSERT_TRUE(commit.ok());
  auto faulty = Resigned(*commit, alice_, [&](v1::EventBody& b) {
    for (auto& sealed : *b.mutable_commit()->mutable_secrets()) {
      if (sealed.member() != bob_.user_id()) continue;
      sealed.set_sealed(crypto::Seal(bob_.box.public_key,
                                     EpochSecretPlaintext(group_id_, b.commit().new_epoch(),
                                                          crypto::Secret::Random(32))));
    }
  });
  ASSERT_TRUE(ledger_.Append(faulty).ok());
  client::GroupView bobs(&bob_);
  for (const auto& e : ledger_.log()) ASSERT_TRUE(bobs.Apply(e).ok());
  ASSERT_EQ(bobs.faulty_rekeys().size(), 1u);
  EXPECT_EQ(bobs.faulty_rekeys()[0].author, alice_.user_id());
  EXPECT_EQ(bobs.faulty_rekeys()[0].seq, ledger_.state().head_seq());
  EXPECT_TRUE(bobs.NeedsHealing());
  // Any member may re-key; bob's own re-key gives everyone a good secret.
  auto heal = BuildCommit(bob_, bobs.state(), {}, {});
  ASSERT_TRUE(heal.ok());
  ASSERT_TRUE(ledger_.Append(*heal).ok());
  ASSERT_TRUE(bobs.Apply(ledger_.log().back()).ok());
  EXPECT_FALSE(bobs.NeedsHealing());
  ASSERT_TRUE(Post(alice_, "after healing").ok());
  ASSERT_TRUE(bobs.Apply(ledger_.log().back()).ok());
  EXPECT_EQ(bobs.messages().back().text, "after healing");
}

TEST_F(GroupStateTest, EvidenceIndexesAndPlanVersionsOnlyIncrease) {
  v1::Charter vault;
  vault.set_name("vault");
  vault.set_kind(v1::KIND_VAULT);
  Ledger ledger;
  ASSERT_TRUE(ledger.Append(BuildCreate(owner_, vault).create).ok());
  client::GroupView view(&owner_);
  auto append = [&](absl::StatusOr<v1::SignedEvent> sealed) {
    ASSERT_TRUE(sealed.ok()) << sealed.status();
    ASSERT_TRUE(ledger.Append(*sealed).ok());
    ASSERT_TRUE(view.Apply(ledger.log().back()).ok());
  };
  ASSERT_TRUE(view.Apply(ledger.log().back()).ok());
  v1::EvidenceEntry first;
  first.set_index(1);
  first.set_prev_hash(GenesisPrevHash());
  first.set_salt(crypto::RandomBytes(32));
  first.set_text("he came to my work");
  append(view.SealEvidence(first));
  // The same entry sealed again, at a later place: it does not extend the chain.
  append(view.SealEvidence(first));
  EXPECT_EQ(view.evidence().size(), 1u);
  v1::PlanSection section;
  section.set_section("safe-places");
  section.set_version(2);
  append(view.SealPlan(section));
  section.set_version(1);  // an older version after a newer one
  append(view.SealPlan(section));
  EXPECT_EQ(view.plan().size(), 1u);
  ASSERT_EQ(view.unreadable_events().size(), 2u);
  EXPECT_EQ(view.unreadable_events()[0].what, "evidence entry");
  EXPECT_EQ(view.unreadable_events()[1].what, "plan page");
}


TEST_F(GroupStateTest, AMemberKeyIsNewAndUnhurriedAndARekeySealsOnlyToTheLatest) {
  Admit(alice_);
  const uint64_t first = alice_.member_keys.Current()->id;
  EXPECT_EQ(ledger_.state().members().at(alice_.user_id()).member_key.id(), first);
  // Alice's device rotates; the copy that did not is her old device.
  Identity rotated = alice_;
  rotated.member_keys.Rotate(0);
  ASSERT_TRUE(ledger_.Append(BuildMemberKey(rotated, ledger_.state())).ok());
  // The same key again changes nothing, and is refused.
  EXPECT_EQ(ledger_.Append(BuildMemberKey(rotated, ledger_.state())).code(),
            absl::StatusCode::kAlreadyExists);
  // Keys published without pause would keep every re-key from landing.
  Identity spinning = rotated;
  spinning.member_keys.Rotate(0);
  EXPECT_EQ(ledger_.Append(BuildMemberKey(spinning, ledger_.state())).code(),
            absl::StatusCode::kResourceExhausted);
  // Nobody outside the group publishes a key in it.
  EXPECT_EQ(ledger_.Append(BuildMemberKey(bob_, ledger_.state())).code(),
            absl::StatusCode::kPermissionDenied);
  // A re-key sealing her secret to the old key is refused...
  auto commit = BuildCommit(owner_, ledger_.state(), {}, {});
  ASSERT_TRUE(commit.ok());
  auto to_old_key = Resigned(*commit, owner_, [&](v1::EventBody& b) {
    for (auto& sealed : *b.mutable_commit()->mutable_secrets()) {
      if (sealed.member() == alice_.user_id()) sealed.set_key_id(first);
    }
  });
  EXPECT_EQ(ledger_.Append(to_old_key).code(), absl::StatusCode::kFailedPrecondition);
  // ...and the one sealing to the new key is read by the rotated device only.
  ASSERT_TRUE(ledger_.Append(*commit).ok());
  ASSERT_TRUE(Post(owner_, "after her rotation").ok());
  client::GroupView now(&rotated), old(&alice_);
  for (const auto& e : ledger_.log()) {
    ASSERT_TRUE(now.Apply(e).ok());
    ASSERT_TRUE(old.Apply(e).ok());
  }
  ASSERT_EQ(now.messages().size(), 1u);
  EXPECT_EQ(now.messages()[0].text, "after her rotation");
  EXPECT_TRUE(old.messages().empty());
  EXPECT_EQ(old.forgotten_messages(), 1u);
  EXPECT_TRUE(old.faulty_rekeys().empty()) << "a key not held is not a faulty re-key";
  EXPECT_EQ(now.MemberKeysInUse(0).current, rotated.member_keys.Current()->id);
  EXPECT_TRUE(now.MemberKeysInUse(0).held.empty());
}

TEST_F(GroupStateTest, ARekeyFallsDueAfterADayOrAThousandMessages) {
  Admit(alice_);
  const GroupState& state = ledger_.state();
  EXPECT_FALSE(state.RekeyDue());
  // A day passes in server time, whatever the writers' clocks say.
  ledger_.Wait(kRekeyIntervalMs - 2000);
  ASSERT_TRUE(Post(owner_, "nearly a day later").ok());
  EXPECT_FALSE(state.RekeyDue());
  ASSERT_TRUE(Post(owner_, "a day later").ok());
  EXPECT_TRUE(state.RekeyDue());
  auto rekey = BuildCommit(alice_, state, {}, {});
  ASSERT_TRUE(rekey.ok());
  ASSERT_TRUE(ledger_.Append(*rekey).ok());
  EXPECT_FALSE(state.RekeyDue());
  // Or a thousand messages.
  client::GroupView view(&alice_);
  for (const auto& e : ledger_.log()) ASSERT_TRUE(view.Apply(e).ok());
  std::vector<v1::MessageContent> contents(kRekeyMessages);
  for (auto& content : contents) content.set_text("hello");
  auto messages = view.SealMessages(contents);
  ASSERT_TRUE(messages.ok()) << messages.status();
  for (size_t i = 0; i + 1 < messages->size(); ++i) ASSERT_TRUE(ledger_.Append((*messages)[i]).ok());
  EXPECT_FALSE(state.RekeyDue());
  ASSERT_TRUE(ledger_.Append(messages->back()).ok());
  EXPECT_TRUE(state.RekeyDue());
  // Any member may re-key it; nobody outside it.
  EXPECT_TRUE(state.MayRekey(alice_.user_id()));
  EXPECT_FALSE(state.MayRekey(bob_.user_id()));
}

TEST_F(GroupStateTest, AReportIsWithheldOnlyFromAModeratorAndOneActionClosesSeveral) {
  Admit(alice_);
  Admit(bob_);
  ASSERT_TRUE(ledger_.Append(BuildRoleChange(owner_, ledger_.state(), bob_.user_id(),
                                             v1::ROLE_MODERATOR)).ok());
  v1::ReportContent content;
  content.set_message_seq(1);
  // Withheld from a member who moderates nothing: refused.
  EXPECT_EQ(ledger_.Append(Resigned(BuildReport(owner_, ledger_.state(), content), owner_,
                                    [&](v1::EventBody& b) {
                                      b.mutable_report()->set_withheld_from(alice_.user_id());
                                    })).code(),
            absl::StatusCode::kFailedPrecondition);
  // Withheld from bob, who cannot resolve it; the owner can.
  ASSERT_TRUE(ledger_.Append(BuildReport(alice_, ledger_.state(), content, bob_.user_id())).ok());
  const uint64_t about_bob = ledger_.state().head_seq();
  EXPECT_EQ(ledger_.state().ReportWithheldFrom(about_bob), bob_.user_id());
  EXPECT_EQ(Moderate(bob_, v1::Moderation::DISMISS, nullptr, 0, about_bob).code(),
            absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(ledger_.Append(BuildReport(alice_, ledger_.state(), content)).ok());
  const uint64_t plain = ledger_.state().head_seq();

  auto resolve = [&](const Identity& who, uint64_t resolves, std::vector<uint64_t> also) {
    v1::Moderation m;
    m.set_action(v1::Moderation::DISMISS);
    m.set_resolves(resolves);
    for (uint64_t seq : also) m.add_also_resolves(seq);
    return ledger_.Append(BuildModeration(who, ledger_.state(), m));
  };
  EXPECT_EQ(resolve(owner_, 0, {plain}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(resolve(owner_, about_bob, {plain, plain}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(resolve(owner_, about_bob, {0}).code(), absl::StatusCode::kInvalidArgument);
  // bob may not close, among others, the report withheld from him.
  EXPECT_EQ(resolve(bob_, plain, {about_bob}).code(), absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(resolve(owner_, about_bob, {plain, 1}).ok());
  for (uint64_t seq : {about_bob, plain, uint64_t{1}}) EXPECT_TRUE(ledger_.state().IsResolved(seq));
  EXPECT_EQ(resolve(bob_, plain, {}).code(), absl::StatusCode::kAlreadyExists);
}

}  // namespace
}  // namespace kith
