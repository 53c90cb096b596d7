// Moderation on a real kithd: who may do what (an authorization matrix over
// every action and role), the server refusing a paused or muted member's
// messages with a message that says why and until when, expiries that hold
// across a restart and end on time, a member stepping away, the report flow
// across three clients with its forgeries refused, and the audit trail
// catching an operator who rewrites the stored log.
#include <thread>

#include "kith/event_builder.h"
#include "kith/group_state.h"
#include "kith/protocol.h"
#include "clocked_server.h"
#include "stored_log.h"
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
    banned_ = Client("banned");
    outsider_ = Client("outsider");
    group_ = CreateGroupWith(*owner_, {moderator_.get(), member_.get(), other_.get(), removed_.get(),
                                       banned_.get()});
    ASSERT_OK(
        owner_->groups().SetRole(group_, moderator_->identity().user_id(), v1::ROLE_MODERATOR));
    ASSERT_OK(owner_->groups().Remove(group_, removed_->identity().user_id()));
    ASSERT_OK(owner_->groups().Moderate(group_, Action(v1::Moderation::BAN, id(banned_))).status());
  }
  std::string id(const std::unique_ptr<client::Client>& c) { return c->identity().user_id(); }
  absl::StatusCode Mute(client::Client& by, const std::string& target) {
    return by.groups()
        .Moderate(group_, Action(v1::Moderation::MUTE, target, kHour))
        .status()
        .code();
  }
  const MemberInfo& Info(client::Client& viewer, const std::string& who) {
    auto view = viewer.session().Sync(group_);
    EXPECT_TRUE(view.ok()) << view.status();
    view_ = *view;
    return view_->state().members().at(who);
  }

  // Appends a hand-built event with `c`'s session, as a modified client could.
  absl::StatusOr<uint64_t> AppendRaw(client::Client& c, const v1::SignedEvent& event) {
    grpc::ClientContext ctx;
    c.session().Prepare(&ctx);
    v1::AppendRequest req;
    *req.mutable_event() = event;
    v1::AppendReply reply;
    if (auto s = client::FromGrpc(c.session().stub()->Append(&ctx, req, &reply)); !s.ok()) return s;
    return reply.seq();
  }

  std::unique_ptr<client::Client> owner_, moderator_, member_, other_, removed_, banned_, outsider_;
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
  EXPECT_EQ(member_->groups()
                .Moderate(group_, Action(v1::Moderation::STEP_AWAY, id(other_), kHour))
                .status()
                .code(),
            StatusCode::kPermissionDenied);
  // Malformed actions are INVALID_ARGUMENT, and change nothing.
  EXPECT_EQ(owner_->groups()
                .Moderate(group_, Action(v1::Moderation::PAUSE, id(other_), 10))
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(owner_->groups()
                .Moderate(group_, Action(v1::Moderation::WARN, id(other_), 0, "no_spam"))
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Info(*other_, id(other_)).strikes, 0u);
}

TEST_F(ModerationTest, MutedMemberIsRefusedUntilLiftedAndItSurvivesRestart) {
  ASSERT_OK(member_->groups().Send(group_, "before").status());
  ASSERT_OK(
      moderator_->groups()
          .Moderate(group_, Action(v1::Moderation::MUTE, id(member_), 24 * kHour, "no_contempt"))
          .status());
  auto refused = member_->groups().Send(group_, "muted words");
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  const std::string why(refused.status().message());
  EXPECT_NE(why.find("muted"), std::string::npos) << why;
  EXPECT_NE(why.find("no_contempt"), std::string::npos) << why;
  EXPECT_NE(why.find("UTC"), std::string::npos) << why;
  EXPECT_NE(why.find("appeal"), std::string::npos) << why;
  EXPECT_OK(other_->groups().Send(group_, "others still talk").status());

  // The mute is in the log, so it holds after a restart.
  EXPECT_EQ(kithd_->Stop(), 0);
  ASSERT_OK(kithd_->Start());
  EXPECT_EQ(member_->groups().Send(group_, "after restart").status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Info(*other_, id(member_)).strikes, 1u);

  ASSERT_OK(
      moderator_->groups().Moderate(group_, Action(v1::Moderation::LIFT, id(member_))).status());
  EXPECT_OK(member_->groups().Send(group_, "thank you").status());
}

// On the server's clock, turned by hand: the pause holds across a restart
// up to its last millisecond, and ends then.
class ClockedModerationTest : public ClockedServerTest {};

TEST_F(ClockedModerationTest, APauseEndsOnTimeEvenAcrossARestart) {
  constexpr int64_t kPause = 10 * 60 * 1000;
  const client::Identity owner_id = client::Identity::Generate("owner");
  const client::Identity member_id = client::Identity::Generate("member");
  auto owner = Connect(owner_id);
  auto member = Connect(member_id);
  const std::string group = CreateGroupWith(*owner, {member.get()});
  ASSERT_OK(owner->groups()
                .Moderate(group, Action(v1::Moderation::PAUSE, member_id.user_id(), kPause))
                .status());
  EXPECT_EQ(member->groups().Send(group, "too soon").status().code(),
            absl::StatusCode::kFailedPrecondition);

  owner.reset();
  member.reset();
  Restart();
  member = Connect(member_id);
  clock_.now_ms += kPause - 1000;
  EXPECT_EQ(member->groups().Send(group, "still paused").status().code(),
            absl::StatusCode::kFailedPrecondition);
  clock_.now_ms += 1000;
  EXPECT_OK(member->groups().Send(group, "back").status());
}

TEST_F(ModerationTest, SteppingAwayIsVisibleAndDoesNotSilence) {
  ASSERT_OK(member_->groups()
                .Moderate(group_, Action(v1::Moderation::STEP_AWAY, id(member_), 30 * 60 * 1000))
                .status());
  const MemberInfo& seen = Info(*other_, id(member_));
  EXPECT_GT(seen.away_until_ms, 0);
  EXPECT_EQ(seen.strikes, 0u);
  EXPECT_OK(member_->groups().Send(group_, "popping in").status());
}

TEST_F(ModerationTest, AuthorizationMatrixOverEveryActionAndRole) {
  using absl::StatusCode;
  using M = v1::Moderation;
  auto message = other_->groups().Send(group_, "something to report");
  ASSERT_OK(message.status());
  auto report = member_->groups().Report(group_, *message, "no_contempt", "");
  ASSERT_OK(report.status());
  // Every action a moderator can take, aimed at an ordinary member.
  const std::vector<std::pair<std::string, M>> actions = {
      {"warn", Action(M::WARN, id(other_))},
      {"pause", Action(M::PAUSE, id(other_), kHour)},
      {"mute", Action(M::MUTE, id(other_), kHour)},
      {"lift", Action(M::LIFT, id(other_))},
      {"remove", Action(M::REMOVE, id(other_))},
      {"ban", Action(M::BAN, id(other_))},
      {"slow", Action(M::SLOW, "", 10'000)},
      {"pause-group", Action(M::PAUSE_GROUP, "", kHour)},
      {"resolve", [&] { M m = Action(M::DISMISS, ""); m.set_resolves(*report); return m; }()},
  };
  struct Actor {
    const char* role;
    client::Client* client;
  };
  // Members, removed and banned people and outsiders may take none of them,
  // may not read checkpoints unless members, and may report only as members.
  for (const Actor& actor : {Actor{"member", member_.get()}, Actor{"removed", removed_.get()},
                             Actor{"banned", banned_.get()}, Actor{"non-member", outsider_.get()}}) {
    const bool member = actor.client == member_.get();
    for (const auto& [name, action] : actions) {
      EXPECT_EQ(actor.client->groups().Moderate(group_, action).status().code(),
                StatusCode::kPermissionDenied)
          << actor.role << " " << name;
    }
    EXPECT_EQ(actor.client->session().Checkpoint(group_).status().code(),
              member ? StatusCode::kOk : StatusCode::kPermissionDenied)
        << actor.role;
    if (!member) {
      EXPECT_EQ(actor.client->groups().Report(group_, *message, "", "").status().code(),
                StatusCode::kPermissionDenied)
          << actor.role;
    }
  }
  // Nobody acts on the owner; only the owner acts on moderators; a banned
  // person is no longer there to act on.
  for (const auto& [name, action] : actions) {
    if (action.target().empty()) continue;
    M on_owner = action, on_moderator = action, on_banned = action;
    on_owner.set_target(id(owner_));
    on_moderator.set_target(id(moderator_));
    on_banned.set_target(id(banned_));
    EXPECT_EQ(moderator_->groups().Moderate(group_, on_owner).status().code(),
              StatusCode::kPermissionDenied)
        << name;
    EXPECT_EQ(moderator_->groups().Moderate(group_, on_banned).status().code(),
              StatusCode::kFailedPrecondition)
        << name;
    if (name != "remove" && name != "ban") {
      EXPECT_EQ(owner_->groups().Moderate(group_, on_moderator).status().code(), StatusCode::kOk)
          << name;
    }
  }
  EXPECT_EQ(moderator_->groups().Moderate(group_, Action(M::WARN, id(moderator_))).status().code(),
            StatusCode::kPermissionDenied);
  // A moderator takes every action on a member, in this order; the last two
  // end the member's membership.
  for (const auto& [name, action] : actions) {
    if (name == "remove" || name == "ban") continue;
    EXPECT_EQ(moderator_->groups().Moderate(group_, action).status().code(), StatusCode::kOk)
        << name;
  }
  EXPECT_EQ(moderator_->groups().Moderate(group_, Action(M::LIFT, "")).status().code(),
            StatusCode::kOk);
  EXPECT_EQ(moderator_->groups().Moderate(group_, actions[8].second).status().code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(moderator_->groups().Moderate(group_, Action(M::BAN, id(other_))).status().code(),
            StatusCode::kOk);
  EXPECT_EQ(moderator_->groups().Moderate(group_, Action(M::REMOVE, id(other_))).status().code(),
            StatusCode::kFailedPrecondition);
  // A banned identity cannot come back, even with a fresh invite.
  auto invite = owner_->groups().Invite(group_);
  ASSERT_OK(invite.status());
  auto charter = other_->groups().GetCharter(group_);
  ASSERT_OK(charter.status());
  EXPECT_EQ(other_->groups().Join(*invite, *charter).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(other_->groups().Send(group_, "still here?").status().code(),
            StatusCode::kPermissionDenied);
}

TEST_F(ModerationTest, ReportFlowAcrossThreeClients) {
  const std::string abuse = "you are pathetic and everyone here knows it";
  auto message = member_->groups().Send(group_, abuse);
  ASSERT_OK(message.status());
  const std::string note = "third time this week; I felt awful";
  auto report = other_->groups().Report(group_, *message, "no_contempt", note);
  ASSERT_OK(report.status());

  // The moderator reads the report, checked against the sender's franking
  // tag and the server's checkpoint.
  auto queue = moderator_->groups().ModerationQueue(group_);
  ASSERT_OK(queue.status());
  ASSERT_EQ(queue->size(), 1u);
  const client::QueueItem& item = queue->front();
  EXPECT_OK(item.verified);
  EXPECT_EQ(item.kind, client::QueueItem::Kind::kReport);
  EXPECT_EQ(item.seq, *report);
  EXPECT_EQ(item.message_seq, *message);
  EXPECT_EQ(item.text, abuse);
  EXPECT_EQ(item.note, note);
  EXPECT_EQ(item.reporter, id(other_));
  EXPECT_EQ(item.accused, id(member_));
  EXPECT_EQ(item.rules, std::vector<std::string>{"no_contempt"});
  // Members cannot read the queue; the accused never learns who reported.
  EXPECT_EQ(member_->groups().ModerationQueue(group_).status().code(),
            absl::StatusCode::kPermissionDenied);

  // The server relays the report and learns neither the text nor the note.
  EXPECT_EQ(FilesContaining(kithd_->data_dir(), abuse), std::vector<std::string>{});
  EXPECT_EQ(FilesContaining(kithd_->data_dir(), note), std::vector<std::string>{});

  // Confirming it warns the member (a strike) and closes the report.
  v1::Moderation warn = Action(v1::Moderation::WARN, item.accused, 0, "no_contempt");
  warn.set_resolves(item.seq);
  ASSERT_OK(moderator_->groups().Moderate(group_, warn).status());
  EXPECT_EQ(Info(*owner_, id(member_)).strikes, 1u);
  auto after = owner_->groups().ModerationQueue(group_);
  ASSERT_OK(after.status());
  EXPECT_TRUE(after->empty());
}

TEST_F(ModerationTest, AMessageSentAnywayAndReportedTwiceIsOneItemAndEarnsOneStrike) {
  auto message = member_->groups().Send(group_, "you are all pathetic", {"no_contempt"});
  ASSERT_OK(message.status());
  auto first = other_->groups().Report(group_, *message, "no_contempt", "again");
  ASSERT_OK(first.status());
  auto second = owner_->groups().Report(group_, *message, "no_name_calling", "");
  ASSERT_OK(second.status());

  auto queue = moderator_->groups().ModerationQueue(group_);
  ASSERT_OK(queue.status());
  ASSERT_EQ(queue->size(), 1u);
  const client::QueueItem item = queue->front();
  EXPECT_EQ(item.kind, client::QueueItem::Kind::kReport);
  EXPECT_TRUE(item.overridden);
  EXPECT_EQ(item.seq, *message);  // the override came first
  EXPECT_EQ(item.also, (std::vector<uint64_t>{*first, *second}));
  EXPECT_EQ(item.reporters, (std::vector<std::string>{id(other_), id(owner_)}));
  EXPECT_EQ(item.rules, (std::vector<std::string>{"no_contempt", "no_name_calling"}));
  EXPECT_EQ(item.accused, id(member_));

  v1::Moderation warn = Action(v1::Moderation::WARN, item.accused, 0, "no_contempt");
  client::SetResolves(item, &warn);
  ASSERT_OK(moderator_->groups().Moderate(group_, warn).status());
  EXPECT_EQ(Info(*owner_, id(member_)).strikes, 1u);
  // Another moderator answering the same report again is refused: one strike.
  v1::Moderation again = Action(v1::Moderation::WARN, item.accused);
  again.set_resolves(*second);
  EXPECT_EQ(owner_->groups().Moderate(group_, again).status().code(),
            absl::StatusCode::kAlreadyExists);
  auto after = owner_->groups().ModerationQueue(group_);
  ASSERT_OK(after.status());
  EXPECT_TRUE(after->empty());

  // A report filed after the resolution is shown as such, and only a
  // dismissal closes it: the message's own seq is already resolved.
  auto late = other_->groups().Report(group_, *message, "no_contempt", "still upset");
  ASSERT_OK(late.status());
  auto later = owner_->groups().ModerationQueue(group_);
  ASSERT_OK(later.status());
  ASSERT_EQ(later->size(), 1u);
  EXPECT_TRUE(later->front().already_resolved);
  EXPECT_EQ(later->front().seq, *late);
  EXPECT_TRUE(later->front().also.empty());
  v1::Moderation dismiss = Action(v1::Moderation::DISMISS, "");
  client::SetResolves(later->front(), &dismiss);
  ASSERT_OK(owner_->groups().Moderate(group_, dismiss).status());
  EXPECT_EQ(Info(*owner_, id(member_)).strikes, 1u);
}

TEST_F(ModerationTest, AReportAboutAModeratorIsWithheldFromThemAndOnlyTheOthersAnswerIt) {
  auto message = moderator_->groups().Send(group_, "nobody cares what you think");
  ASSERT_OK(message.status());
  auto report = member_->groups().Report(group_, *message, "no_contempt", "from a moderator!");
  ASSERT_OK(report.status());

  // The accused moderator's queue does not hold it; the owner's does.
  auto theirs = moderator_->groups().ModerationQueue(group_);
  ASSERT_OK(theirs.status());
  EXPECT_TRUE(theirs->empty());
  auto owners = owner_->groups().ModerationQueue(group_);
  ASSERT_OK(owners.status());
  ASSERT_EQ(owners->size(), 1u);
  EXPECT_OK(owners->front().verified);
  EXPECT_EQ(owners->front().accused, id(moderator_));

  // A modified client of the accused dismisses it by its number: the server
  // refuses, since the report was withheld from them.
  v1::Moderation dismiss = Action(v1::Moderation::DISMISS, "");
  dismiss.set_resolves(*report);
  auto refused = moderator_->groups().Moderate(group_, dismiss);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(refused.status().message().find("withheld from you"), std::string::npos)
      << refused.status();
  // Nor may anyone moderate themselves, not even with a warning.
  EXPECT_EQ(moderator_->groups().Moderate(group_, Action(v1::Moderation::WARN, id(moderator_)))
                .status().code(),
            absl::StatusCode::kPermissionDenied);
  // The owner answers it.
  v1::Moderation warn = Action(v1::Moderation::WARN, id(moderator_), 0, "no_contempt");
  client::SetResolves(owners->front(), &warn);
  ASSERT_OK(owner_->groups().Moderate(group_, warn).status());
  EXPECT_EQ(Info(*member_, id(moderator_)).strikes, 1u);

  // About the owner, with the moderator demoted: nobody else moderates, so
  // the report has nowhere to go, and the reporter is told what would help.
  ASSERT_OK(owner_->groups().SetRole(group_, id(moderator_), v1::ROLE_MEMBER));
  auto owners_message = owner_->groups().Send(group_, "you're all whiners");
  ASSERT_OK(owners_message.status());
  auto nowhere = member_->groups().Report(group_, *owners_message, "no_contempt", "");
  EXPECT_EQ(nowhere.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(nowhere.status().message().find("needs a second moderator"), std::string::npos)
      << nowhere.status();
}

TEST_F(ModerationTest, AReportWithAlteredTextOrAForgedBindingIsRejected) {
  auto message = member_->groups().Send(group_, "see you at the meeting");
  ASSERT_OK(message.status());
  auto checkpoint = other_->session().Checkpoint(group_);
  ASSERT_OK(checkpoint.status());
  auto view = other_->session().Sync(group_);
  ASSERT_OK(view.status());
  auto honest = client::BuildReportContent(**view, *checkpoint, *message, "no_threats", "");
  ASSERT_OK(honest.status());

  v1::ReportContent altered = *honest;
  altered.set_text("see you at the meeting, and you will regret it");
  v1::ReportContent forged_signature = *honest;
  forged_signature.mutable_checkpoint()->mutable_signature()->at(5) ^= 1;
  // A checkpoint signed by a key that is not the server's.
  v1::ReportContent forged_signer = *honest;
  crypto::SigningKeyPair impostor = crypto::GenerateSigningKeyPair();
  forged_signer.mutable_checkpoint()->set_signature(crypto::Sign(
      impostor.secret_key, kCheckpointLabel, CheckpointSigningInput(honest->checkpoint())));
  for (const v1::ReportContent* content : {&altered, &forged_signature, &forged_signer, &*honest}) {
    auto view_now = other_->session().Sync(group_);
    ASSERT_OK(view_now.status());
    ASSERT_OK(AppendRaw(*other_, client::BuildReport(other_->identity(), (*view_now)->state(), *content))
                  .status());
  }
  auto queue = moderator_->groups().ModerationQueue(group_);
  ASSERT_OK(queue.status());
  ASSERT_EQ(queue->size(), 4u);
  EXPECT_EQ((*queue)[0].verified.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE((*queue)[0].verified.message().find("not what the sender sent"), std::string::npos)
      << (*queue)[0].verified;
  EXPECT_EQ((*queue)[1].verified.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE((*queue)[1].verified.message().find("forged"), std::string::npos);
  EXPECT_EQ((*queue)[2].verified.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_OK((*queue)[3].verified);
  EXPECT_EQ((*queue)[3].accused, id(member_));
}

TEST_F(ModerationTest, AuditVerificationNamesAnEntryTheOperatorRewrote) {
  auto mute = moderator_->groups().Moderate(
      group_, Action(v1::Moderation::MUTE, id(member_), 24 * kHour, "no_name_calling"));
  ASSERT_OK(mute.status());
  ASSERT_OK(other_->groups().Send(group_, "later").status());
  auto before = owner_->session().Audit(group_);
  ASSERT_OK(before.status());
  const v1::Checkpoint pinned = before->checkpoint;

  // An operator shortens the mute in the stored log and re-links the chain
  // so their own server still starts.
  WithStoppedStore(*kithd_, [&](server::RocksStore& store) {
    RewriteAndRelink(store, group_, *mute, [](v1::Event& event) {
      v1::EventBody body;
      ASSERT_TRUE(body.ParseFromString(event.signed_().body()));
      body.mutable_moderation()->set_duration_ms(1000);
      event.mutable_signed_()->set_body(body.SerializeAsString());
    });
  });
  auto audited = owner_->session().Audit(group_);
  EXPECT_EQ(audited.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(audited.status().message().find(absl::StrCat("event ", *mute, " rejected")),
            std::string::npos)
      << audited.status();

  // Rewriting what no author signed (the server's timestamp) keeps every
  // signature valid, but no longer matches the checkpoint signed before.
  WithStoppedStore(*kithd_, [&](server::RocksStore& store) {
    RewriteAndRelink(store, group_, *mute, [&](v1::Event& event) {
      v1::EventBody body;
      ASSERT_TRUE(body.ParseFromString(event.signed_().body()));
      body.mutable_moderation()->set_duration_ms(24 * kHour);
      event.mutable_signed_()->set_body(body.SerializeAsString());
    });
  });
  auto restored = owner_->session().Audit(group_);
  ASSERT_OK(restored.status());
  // Rewriting what no author signed (the server's timestamp) keeps every
  // signature valid. The next event's author had verified the event as it
  // was, and their signed reference to it no longer matches.
  WithStoppedStore(*kithd_, [&](server::RocksStore& store) {
    RewriteAndRelink(store, group_, *mute,
                     [](v1::Event& event) { event.set_server_time_ms(event.server_time_ms() - kHour); });
  });
  auto referenced = owner_->session().Audit(group_);
  EXPECT_EQ(referenced.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(referenced.status().message().find(absl::StrCat(
                "event ", *mute + 1, " rejected: its author had verified a different event ", *mute)),
            std::string::npos)
      << referenced.status();
  // The last event, which nothing refers to yet, no longer matches the
  // checkpoint signed before.
  WithStoppedStore(*kithd_, [&](server::RocksStore& store) {
    RewriteAndRelink(store, group_, *mute,
                     [](v1::Event& event) { event.set_server_time_ms(event.server_time_ms() + kHour); });
    RewriteAndRelink(store, group_, pinned.seq(),
                     [](v1::Event& event) { event.set_server_time_ms(event.server_time_ms() - kHour); });
  });
  auto rewritten = owner_->session().Audit(group_);
  ASSERT_OK(rewritten.status());
  auto key = owner_->session().ServerKey();
  ASSERT_OK(key.status());
  auto mismatch = client::VerifyCheckpointAgainst(*rewritten->view, *key, pinned);
  EXPECT_EQ(mismatch.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(mismatch.message().find(absl::StrCat("event ", pinned.seq())), std::string::npos)
      << mismatch;
}

}  // namespace
}  // namespace kith::testing
