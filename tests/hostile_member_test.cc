// DESIGN.md S13 and S14 against a hostile member, on a real kithd over TLS
// on loopback: one member's client seals what the real library seals, then
// corrupts it, signs it as its own and places it correctly (reference and
// counters), so that only its content is wrong. Whatever it sends, the
// others must still read what comes after, send, see the bad event offered
// to moderators, remove the sender, and (in a circle) raise and receive
// alerts.
#include <functional>
#include <string>

#include "kith/crypto.h"
#include "kith/event_builder.h"
#include "kith/message_crypto.h"
#include "kith/protocol.h"
#include "test_support.h"

namespace kith::testing {
namespace {

enum class Corruption {
  kCiphertext,        // the AEAD does not open
  kCommitment,        // the key commitment does not match (an "invisible salamander")
  kVersion,           // opens, but its version byte is unknown
  kCutShort,          // opens, but its MessageContent is cut short
  kFranking,          // opens, but its franking tag does not commit to its text
  kRekeyToOneMember,  // a re-key sealing one member a secret the group does not confirm
};

const char* Name(Corruption c) {
  switch (c) {
    case Corruption::kCiphertext: return "ciphertext";
    case Corruption::kCommitment: return "commitment";
    case Corruption::kVersion: return "version";
    case Corruption::kCutShort: return "cut_short";
    case Corruption::kFranking: return "franking";
    case Corruption::kRekeyToOneMember: return "rekey_to_one_member";
  }
  return "?";
}

// The member's own client, turned: it writes with the real library, then
// corrupts its output after sealing, and signs and appends it itself.
class HostileMember {
 public:
  explicit HostileMember(client::Client* c) : c_(c) {}

  // Sends a message whose content is broken as `corruption` says, or (for
  // kRekeyToOneMember) re-keys with a secret for `victim` that the group's
  // confirmation does not match. Returns the event's seq.
  absl::StatusOr<uint64_t> Send(const std::string& group, Corruption corruption,
                                const std::string& victim) {
    auto view = c_->session().Sync(group);
    if (!view.ok()) return view.status();
    const GroupState& state = (*view)->state();
    const client::Identity& me = c_->identity();
    v1::EventBody body;
    if (corruption == Corruption::kRekeyToOneMember) {
      auto commit = client::BuildCommit(me, state, {}, {});
      if (!commit.ok()) return commit.status();
      body.ParseFromString(commit->body());
      for (auto& sealed : *body.mutable_commit()->mutable_secrets()) {
        if (sealed.member() != victim) continue;
        const auto& bundle = state.members().at(victim).bundle;
        sealed.set_sealed(crypto::Seal(
            bundle.box_pk(), EpochSecretPlaintext(group, body.commit().new_epoch(),
                                                  crypto::Secret::Random(crypto::kKeyBytes))));
      }
    } else {
      auto secret = EpochSecret(group, state.epoch());
      if (!secret.ok()) return secret.status();
      SenderChain chain(*secret, me.user_id());
      while (chain.next_counter() < state.NextCounter(me.user_id())) chain.Advance();
      const MessageHeader header{group, state.epoch(), me.user_id(), chain.next_counter()};
      const crypto::Secret key = chain.Advance();
      v1::MessageContent content;
      content.set_text("poison");
      auto message = EncryptMessage(key, header, content);
      if (!message.ok()) return message.status();
      Corrupt(corruption, key, header, &*message);
      body.set_group_id(group);
      body.set_author(me.user_id());
      body.set_epoch(state.epoch());
      *body.mutable_message() = *std::move(message);
      state.StampPosition(&body);
    }
    v1::AppendRequest req;
    *req.mutable_event() = SignEvent(body, me.sign.secret_key);
    v1::AppendReply reply;
    grpc::ClientContext ctx;
    c_->session().Prepare(&ctx);
    if (auto s = client::FromGrpc(c_->session().stub()->Append(&ctx, req, &reply)); !s.ok())
      return s;
    return reply.seq();
  }

 private:
  // Rewrites `m`'s ciphertext as `corruption` says, under the right key, so
  // that everything but the broken part checks out.
  static void Corrupt(Corruption corruption, const crypto::Secret& key, const MessageHeader& header,
                      v1::GroupMessage* m) {
    auto reseal = [&](const std::string& plaintext) {
      m->set_ciphertext(crypto::AeadEncrypt(key, m->nonce(), MessageAssociatedData(header),
                                            crypto::Pad(plaintext, kPadBlockBytes)));
      // docs/protocol.md section 8: KH(mk, "kith/v1/key-commitment", nonce || tag).
      m->set_commitment(crypto::KeyedHash(
          key, "kith/v1/key-commitment",
          m->nonce() + m->ciphertext().substr(m->ciphertext().size() - crypto::kAeadTagBytes)));
    };
    v1::MessageContent content;
    content.set_text("poison");
    content.set_franking_key(crypto::RandomBytes(crypto::kKeyBytes));
    const std::string encoded = content.SerializeAsString();
    switch (corruption) {
      case Corruption::kCiphertext: m->mutable_ciphertext()->at(0) ^= 1; break;
      case Corruption::kCommitment: m->mutable_commitment()->at(0) ^= 1; break;
      case Corruption::kVersion: reseal(std::string(1, '\x07') + encoded); break;
      case Corruption::kCutShort: reseal(std::string(1, '\x02') + encoded.substr(0, encoded.size() / 2)); break;
      case Corruption::kFranking: m->set_franking_tag(crypto::RandomBytes(crypto::kHashBytes)); break;
      case Corruption::kRekeyToOneMember: break;
    }
  }

  // The secret of `epoch` sealed to this member, read from the log as any
  // client written from docs/protocol.md would.
  absl::StatusOr<crypto::Secret> EpochSecret(const std::string& group, uint64_t epoch) {
    v1::ReadRequest req;
    req.set_group_id(group);
    v1::ReadReply reply;
    grpc::ClientContext ctx;
    c_->session().Prepare(&ctx);
    if (auto s = client::FromGrpc(c_->session().stub()->ReadEvents(&ctx, req, &reply)); !s.ok())
      return s;
    const client::Identity& me = c_->identity();
    for (const v1::Event& e : reply.events()) {
      v1::EventBody body;
      body.ParseFromString(e.signed_().body());
      const auto& secrets = body.has_create() ? body.create().secrets() : body.commit().secrets();
      const uint64_t sealed_epoch = body.has_create() ? 1 : body.commit().new_epoch();
      if (!(body.has_create() || body.has_commit()) || sealed_epoch != epoch) continue;
      for (const auto& s : secrets) {
        if (s.member() != me.user_id()) continue;
        const client::MemberKeyRing::Key* key = me.member_keys.Find(s.key_id());
        const crypto::BoxKeyPair& pair = key != nullptr ? key->pair : me.box;
        auto plaintext = crypto::SealOpen(pair.public_key, pair.secret_key, s.sealed());
        if (!plaintext) return absl::DataLossError("my own epoch secret does not open");
        return ParseEpochSecretPlaintext(plaintext->view(), group, epoch);
      }
    }
    return absl::NotFoundError("no secret of this epoch is sealed to me");
  }

  client::Client* c_;
};

class HostileMemberTest : public ServerTest, public ::testing::WithParamInterface<Corruption> {
 protected:
  std::string id(const client::Client& c) const { return c.identity().user_id(); }

  // The texts `c` reads in `group`, readable or not ("" for unreadable).
  std::vector<std::string> Texts(client::Client& c, const std::string& group) {
    auto view = c.session().Sync(group);
    EXPECT_OK(view.status());
    std::vector<std::string> out;
    if (view.ok()) {
      for (const auto& m : (*view)->messages()) out.push_back(m.unreadable.empty() ? m.text : "");
    }
    return out;
  }
};

TEST_P(HostileMemberTest, OneBadEventDoesNotTakeTheGroupFromTheOthers) {
  auto alice = Client("alice");  // the owner
  auto carol = Client("carol");
  auto mallory = Client("mallory");
  const std::string group = CreateGroupWith(*alice, {carol.get(), mallory.get()});
  ASSERT_OK(alice->groups().Send(group, "before").status());

  auto bad = HostileMember(mallory.get()).Send(group, GetParam(), id(*carol));
  ASSERT_OK(bad.status());

  // Everyone else reads on, and is told exactly what happened where.
  for (client::Client* reader : {alice.get(), carol.get()}) {
    auto view = reader->session().Sync(group);
    ASSERT_OK(view.status());
    if (GetParam() == Corruption::kRekeyToOneMember) continue;
    ASSERT_EQ((*view)->unreadable_events().size(), 1u);
    EXPECT_EQ((*view)->unreadable_events()[0].seq, *bad);
    EXPECT_EQ((*view)->unreadable_events()[0].author, id(*mallory));
    const client::Message* shown = (*view)->FindMessage(*bad);
    ASSERT_NE(shown, nullptr);
    EXPECT_TRUE(shown->text.empty());
    EXPECT_FALSE(shown->unreadable.empty());
  }
  if (GetParam() == Corruption::kRekeyToOneMember) {
    // Carol was sealed a faulty secret: her client names it, and re-keys
    // only when she next sends (reading alone would tell mallory she is on).
    auto view = carol->session().Sync(group);
    ASSERT_OK(view.status());
    ASSERT_EQ((*view)->faulty_rekeys().size(), 1u);
    EXPECT_EQ((*view)->faulty_rekeys()[0].seq, *bad);
    EXPECT_EQ((*view)->faulty_rekeys()[0].author, id(*mallory));
    EXPECT_TRUE((*view)->NeedsHealing());
    EXPECT_EQ((*view)->state().head_seq(), *bad) << "no re-key on reading";
  } else {
    // Offered to the moderators as evidence: the signed event itself.
    auto queue = alice->groups().ModerationQueue(group);
    ASSERT_OK(queue.status());
    ASSERT_EQ(queue->size(), 1u);
    EXPECT_EQ(queue->front().kind, client::QueueItem::Kind::kUnreadable);
    EXPECT_EQ(queue->front().seq, *bad);
    EXPECT_EQ(queue->front().accused, id(*mallory));
  }

  // Both can still send, and read each other.
  ASSERT_OK(carol->groups().Send(group, "after, from carol").status());
  ASSERT_OK(alice->groups().Send(group, "after, from alice").status());
  if (GetParam() == Corruption::kRekeyToOneMember) {
    auto view = carol->session().Sync(group);
    ASSERT_OK(view.status());
    EXPECT_FALSE((*view)->NeedsHealing());
    EXPECT_GT((*view)->state().epoch(), (*view)->faulty_rekeys()[0].epoch);
  }
  EXPECT_EQ(Texts(*carol, group).back(), "after, from alice");
  auto alices = Texts(*alice, group);
  ASSERT_GE(alices.size(), 2u);
  EXPECT_EQ(alices[alices.size() - 2], "after, from carol");

  // The owner removes the sender, and the group goes on without them.
  ASSERT_OK(alice->groups().Remove(group, id(*mallory)));
  ASSERT_OK(alice->groups().Send(group, "after removal").status());
  EXPECT_EQ(Texts(*carol, group).back(), "after removal");
}

INSTANTIATE_TEST_SUITE_P(Corruptions, HostileMemberTest,
                         ::testing::Values(Corruption::kCiphertext, Corruption::kCommitment,
                                           Corruption::kVersion, Corruption::kCutShort,
                                           Corruption::kFranking, Corruption::kRekeyToOneMember),
                         [](const auto& info) { return std::string(Name(info.param)); });

class HostileContactTest : public HostileMemberTest {};

TEST_P(HostileContactTest, OneBadEventDoesNotStopACirclesAlerts) {
  auto alice = Client("alice");  // the circle's owner
  auto carol = Client("carol");
  auto mallory = Client("mallory");
  const std::string circle = CircleWith(*alice, {carol.get(), mallory.get()});
  ASSERT_FALSE(circle.empty());

  auto bad = HostileMember(mallory.get()).Send(circle, GetParam(), id(*carol));
  if (GetParam() == Corruption::kRekeyToOneMember) {
    // Only the owner re-keys a circle, so no contact can keep another
    // from reading alerts by sealing them faulty secrets.
    EXPECT_EQ(bad.status().code(), absl::StatusCode::kPermissionDenied) << bad.status();
  } else {
    ASSERT_OK(bad.status());
  }

  v1::AlertContent help;
  help.set_level(v1::AlertContent::COME_NOW);
  help.set_note("at the library");
  auto raised = alice->circle().RaiseAlert(help);
  ASSERT_OK(raised.status());
  ASSERT_EQ(AlertsSeen(*carol, circle, 1), 1u);
  auto view = carol->session().Sync(circle);
  ASSERT_OK(view.status());
  const client::AlertRecord* alert = (*view)->FindAlert(raised->alert_id);
  ASSERT_NE(alert, nullptr);
  EXPECT_TRUE(alert->readable);
  EXPECT_EQ(alert->content.note(), "at the library");
  ASSERT_OK(
      carol->circle().AnswerAlert(circle, raised->alert_id, v1::Alert::ACK, v1::AlertContent()));

  // The owner takes the sender out, and alerts still reach the others.
  ASSERT_OK(alice->circle().Remove(id(*mallory)));
  ASSERT_OK(alice->circle().RaiseAlert(help).status());
  EXPECT_EQ(AlertsSeen(*carol, circle, 2), 2u);
}

INSTANTIATE_TEST_SUITE_P(Corruptions, HostileContactTest,
                         ::testing::Values(Corruption::kCiphertext, Corruption::kVersion,
                                           Corruption::kRekeyToOneMember),
                         [](const auto& info) { return std::string(Name(info.param)); });

// A direct conversation's other person sends a plan page that does not open:
// the conversation goes on.
TEST_F(HostileMemberTest, AnUnreadablePlanPageInADirectConversationIsContained) {
  auto alice = Client("alice");
  auto mallory = Client("mallory");
  // They share a group, so each can find the other's identity.
  CreateGroupWith(*alice, {mallory.get()});
  auto dm = mallory->groups().OpenDirect(id(*alice), /*create=*/true);
  ASSERT_OK(dm.status());
  auto view = mallory->session().Sync(*dm);
  ASSERT_OK(view.status());
  auto page = (*view)->SealPlan(v1::PlanSection());
  ASSERT_OK(page.status());
  v1::EventBody body;
  body.ParseFromString(page->body());
  body.mutable_plan()->mutable_ciphertext()->at(0) ^= 1;
  v1::AppendRequest req;
  *req.mutable_event() = SignEvent(body, mallory->identity().sign.secret_key);
  v1::AppendReply reply;
  grpc::ClientContext ctx;
  mallory->session().Prepare(&ctx);
  ASSERT_TRUE(mallory->session().stub()->Append(&ctx, req, &reply).ok());

  ASSERT_OK(mallory->groups().Send(*dm, "still talking").status());
  auto alices = alice->session().Sync(*dm);
  ASSERT_OK(alices.status());
  ASSERT_EQ((*alices)->unreadable_events().size(), 1u);
  EXPECT_EQ((*alices)->unreadable_events()[0].what, "plan page");
  EXPECT_EQ((*alices)->messages().back().text, "still talking");
  ASSERT_OK(alice->groups().Send(*dm, "I read you").status());
}

}  // namespace
}  // namespace kith::testing
