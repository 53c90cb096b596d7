// Forward secrecy (DESIGN.md S10) against someone who takes a member's
// device after a key rotation, keystore unlocked, and also holds everything
// the server stores. They try every key on the device against every sealed
// secret in every log, and every epoch secret that opens against every
// message, alert and plan page. What was sealed before the rotation must
// stay shut; what came after must open; other members keep their history.
#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "kith/keystore.h"
#include "kith/message_crypto.h"
#include "kith/protocol.h"
#include "stored_log.h"
#include "test_support.h"

namespace kith::testing {
namespace {

constexpr char kPassphrase[] = "correct horse battery staple, still";
// Past the member key's lifetime, counted from a key made during SetUp.
constexpr int64_t kADayLater = kMemberKeyLifetimeMs + 3600 * 1000LL;

// What opens, for someone holding `keys`, of one group's stored log: the
// seqs of every message, alert and plan page that decrypts, and its text.
std::map<uint64_t, std::string> WhatOpens(const std::vector<v1::Event>& log,
                                          const std::vector<const crypto::BoxKeyPair*>& keys) {
  std::map<uint64_t, crypto::Secret> epoch_secrets;  // by epoch
  std::map<uint64_t, std::string> opened;
  std::map<std::pair<uint64_t, std::string>, std::vector<crypto::Secret>> message_keys;
  for (const v1::Event& event : log) {
    v1::EventBody body;
    EXPECT_TRUE(body.ParseFromString(event.signed_().body()));
    const auto* sealed = body.has_create()   ? &body.create().secrets()
                         : body.has_commit() ? &body.commit().secrets()
                                             : nullptr;
    if (sealed != nullptr) {
      const uint64_t epoch = body.has_create() ? 1 : body.commit().new_epoch();
      for (const v1::SealedSecret& s : *sealed) {  // to anyone, not only this person
        for (const crypto::BoxKeyPair* key : keys) {
          auto plaintext = crypto::SealOpen(key->public_key, key->secret_key, s.sealed());
          if (!plaintext) continue;
          auto secret = ParseEpochSecretPlaintext(plaintext->view(), event.group_id(), epoch);
          if (secret.ok()) epoch_secrets[epoch] = *std::move(secret);
        }
      }
    }
    auto secret = epoch_secrets.find(body.epoch());
    if (secret == epoch_secrets.end()) continue;
    if (body.has_message()) {
      SenderChain chain(secret->second, body.author());
      while (chain.next_counter() < body.message().counter()) chain.Advance();
      MessageHeader header{event.group_id(), body.epoch(), body.author(), body.message().counter()};
      auto content = DecryptMessage(chain.Advance(), header, body.message());
      if (content.ok()) opened[event.seq()] = content->text();
    } else if (body.has_alert()) {
      auto content = OpenAlert(secret->second, body);
      if (content.ok()) opened[event.seq()] = content->note();
    } else if (body.has_plan()) {
      auto page = OpenPlan(secret->second, body);
      if (page.ok()) opened[event.seq()] = page->text();
    }
  }
  return opened;
}

class ForwardSecrecyTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    ASSERT_OK(crypto::Init());
    keystore_path_ = dir_.path() + "/alice.key";
    ASSERT_OK(client::Keystore::Create(keystore_path_,
                                       client::Profile{client::Identity::Generate("alice"), {}, {}},
                                       kPassphrase));
    alice_ = Connect();
    ASSERT_NE(alice_, nullptr);
    ASSERT_OK(alice_->account().Register());
  }

  // Alice's client as the CLI makes it: her keystore keeps her member keys,
  // and her clock is the test's.
  std::unique_ptr<client::Client> Connect() {
    auto keystore = client::Keystore::Open(keystore_path_, kPassphrase);
    EXPECT_TRUE(keystore.ok()) << keystore.status();
    if (!keystore.ok()) return nullptr;
    auto kept = std::make_shared<client::Keystore>(*std::move(keystore));
    client::ClientOptions options{kithd_->address(), kithd_->certificate_pem(), ""};
    options.keep_member_keys = [kept](const client::Session::MemberKeyChange& change) {
      return kept->UpdateMemberKeys(change);
    };
    options.clock = [this] { return now_ms_.load(); };
    auto c = client::Client::Connect(options, kept->profile().identity);
    EXPECT_TRUE(c.ok()) << c.status();
    return c.ok() ? *std::move(c) : nullptr;
  }

  // Every event of each group, as the server stores them.
  std::map<std::string, std::vector<v1::Event>> Seize(const std::vector<std::string>& groups) {
    std::map<std::string, std::vector<v1::Event>> out;
    WithStoppedStore(*kithd_, [&](server::RocksStore& store) {
      for (const auto& g : groups) out[g] = StoredLog(store, g);
    });
    return out;
  }

  std::string keystore_path_;
  std::atomic<int64_t> now_ms_{absl::ToUnixMillis(absl::Now())};
  std::unique_ptr<client::Client> alice_;
};

TEST_F(ForwardSecrecyTest, ASeizedDeviceAfterARotationOpensNothingSealedBeforeIt) {
  auto bob = Client("bob");
  auto carol = Client("carol");
  const std::string group = CreateGroupWith(*alice_, {bob.get()});
  const std::string circle = CircleWith(*alice_, {carol.get()});
  ASSERT_OK(alice_->groups().Send(group, "before: I am staying at my sister's").status());
  ASSERT_OK(bob->groups().Send(group, "before: bob answering").status());
  v1::AlertContent alert;
  alert.set_level(v1::AlertContent::CHECK_ON_ME);
  alert.set_note("before: he is outside");
  auto raised = alice_->circle().RaiseAlert(alert);
  ASSERT_OK(raised.status());
  ASSERT_OK(alice_->circle().AnswerAlert(circle, raised->alert_id, v1::Alert::RESOLVE, {}));
  const std::string v1_text = "before: version 1, superseded";
  const std::string v2_text = "before: version 2, still the plan";
  ASSERT_OK(alice_->vault().EditPlan("safe-places", &v1_text, {}).status());
  ASSERT_OK(alice_->vault().EditPlan("safe-places", &v2_text, {}).status());
  ASSERT_OK(alice_->vault().AddEvidence("before: evidence is kept", "", "").status());
  auto vault = alice_->vault().Own(false);
  ASSERT_OK(vault.status());
  std::map<std::string, uint64_t> head_before;
  for (const auto& g : {group, circle, *vault}) {
    auto view = alice_->session().Sync(g);
    ASSERT_OK(view.status());
    head_before[g] = (*view)->state().head_seq();
  }

  // A day later her client rotates, every group re-keys, the old key goes.
  now_ms_ += kADayLater;
  ASSERT_TRUE(alice_->keys().UpkeepDue());
  auto upkept = alice_->keys().Upkeep();
  ASSERT_OK(upkept.status());
  EXPECT_TRUE(upkept->rotated);
  EXPECT_EQ(upkept->erased, 1u);
  EXPECT_EQ(upkept->held, 1u);

  ASSERT_OK(alice_->groups().Send(group, "after: new place, new number").status());
  alert.set_note("after: he found the new place");
  ASSERT_OK(alice_->circle().RaiseAlert(alert).status());
  const std::string v3_text = "after: version 3";
  ASSERT_OK(alice_->vault().EditPlan("safe-places", &v3_text, {}).status());

  // The device: her keystore, unlocked. The server: every stored event.
  auto device = client::Keystore::Open(keystore_path_, kPassphrase);
  ASSERT_OK(device.status());
  const client::Identity& identity = device->profile().identity;
  std::vector<const crypto::BoxKeyPair*> keys = {&identity.box};
  for (const auto& key : identity.member_keys.keys()) keys.push_back(&key.pair);
  ASSERT_EQ(keys.size(), 2u) << "the long-term key and one member key";
  const auto logs = Seize({group, circle, *vault});

  std::set<std::string> texts;
  for (const auto& [g, log] : logs) {
    for (const auto& [seq, text] : WhatOpens(log, keys)) {
      EXPECT_GT(seq, head_before.at(g)) << "'" << text << "' opened from before the rotation";
      texts.insert(text);
    }
  }
  EXPECT_TRUE(texts.contains("after: new place, new number"));
  EXPECT_TRUE(texts.contains("after: he found the new place"));
  EXPECT_TRUE(texts.contains("after: version 3"));
  // The plan's latest version was carried into the new epoch; the one it
  // replaced was not.
  EXPECT_TRUE(texts.contains(v2_text));
  EXPECT_FALSE(texts.contains(v1_text));
  EXPECT_FALSE(texts.contains("before: he is outside"));

  // Her own client on that device says the same, and keeps her evidence.
  auto restarted = Connect();
  ASSERT_NE(restarted, nullptr);
  auto view = restarted->session().Sync(group);
  ASSERT_OK(view.status());
  EXPECT_EQ((*view)->forgotten_messages(), 2u);
  ASSERT_EQ((*view)->messages().size(), 1u);
  EXPECT_EQ((*view)->messages()[0].text, "after: new place, new number");
  EXPECT_TRUE((*view)->unreadable_events().empty()) << "forgotten is not faulty";
  auto evidence = restarted->vault().Evidence();
  ASSERT_OK(evidence.status());
  ASSERT_EQ(evidence->size(), 1u);
  EXPECT_EQ((*evidence)[0].text(), "before: evidence is kept");

  // Bob rotated nothing: his history is his, and he reads on.
  auto bobs = bob->session().Sync(group);
  ASSERT_OK(bobs.status());
  ASSERT_EQ((*bobs)->messages().size(), 3u);
  EXPECT_EQ((*bobs)->messages()[0].text, "before: I am staying at my sister's");
  EXPECT_EQ((*bobs)->messages()[2].text, "after: new place, new number");
}

TEST_F(ForwardSecrecyTest, AnOldKeyIsKeptWhileAGroupStillNeedsItAndErasedOnceItMovesOn) {
  auto bob = Client("bob");
  // A circle of bob's: only bob, its owner, re-keys it.
  ASSERT_OK(bob->circle().Invite(alice_->identity().user_id()));
  ASSERT_OK(alice_->circle().Answer(bob->identity().user_id(), /*accept=*/true));
  auto circle = bob->circle().Own(false);
  ASSERT_OK(circle.status());
  ASSERT_OK(bob->circle().Tend(*circle).status());

  now_ms_ += kADayLater;
  auto upkept = alice_->keys().Upkeep();
  ASSERT_OK(upkept.status());
  EXPECT_TRUE(upkept->rotated);
  EXPECT_EQ(upkept->erased, 0u) << "bob's circle is still sealed to her old key";
  EXPECT_EQ(upkept->held, 2u);
  EXPECT_TRUE(alice_->keys().UpkeepDue());

  // Bob's client re-keys (his circle seals to her old key), and her next upkeep erases.
  auto bobs = bob->session().RefreshKeys(*circle, client::Keys::kEagerRekeyMembers);
  ASSERT_OK(bobs.status());
  upkept = alice_->keys().Upkeep();
  ASSERT_OK(upkept.status());
  EXPECT_EQ(upkept->erased, 1u);
  EXPECT_EQ(upkept->held, 1u);
  EXPECT_FALSE(alice_->keys().UpkeepDue());
  auto view = alice_->session().Sync(*circle);
  ASSERT_OK(view.status());
  EXPECT_TRUE(view.ok() && (*view)->HasEpochSecret((*view)->state().epoch()));
}

TEST_F(ForwardSecrecyTest, ARestoredIdentityRejoinsTheCurrentEpochButNotThePast) {
  auto bob = Client("bob");
  const std::string group = CreateGroupWith(*alice_, {bob.get()});
  ASSERT_OK(bob->groups().Send(group, "said before the phone was lost").status());
  // Bob's device is gone; he restores his identity, which brings no member key back.
  client::Identity restored = bob->identity();
  restored.member_keys = client::MemberKeyRing();
  restored.member_keys.Rotate(absl::ToUnixMillis(absl::Now()) + 1000);
  auto again = client::Client::Connect({kithd_->address(), kithd_->certificate_pem(), ""},
                                       std::move(restored));
  ASSERT_OK(again.status());
  // His first message publishes his new key and re-keys the group to it.
  ASSERT_OK((*again)->groups().Send(group, "back, on a new phone").status());
  auto view = (*again)->session().Sync(group);
  ASSERT_OK(view.status());
  ASSERT_EQ((*view)->messages().size(), 1u);
  EXPECT_EQ((*view)->messages()[0].text, "back, on a new phone");
  EXPECT_EQ((*view)->forgotten_messages(), 1u);
  auto alices = alice_->session().Sync(group);
  ASSERT_OK(alices.status());
  ASSERT_EQ((*alices)->messages().size(), 2u);
  EXPECT_EQ((*alices)->messages()[1].text, "back, on a new phone");
}


TEST_F(ForwardSecrecyTest, ADirectConversationLeavesThePeersLongTermKeyAtTheirFirstWrite) {
  auto bob = Client("bob");
  // Alice cannot know bob's member key yet: epoch 1 is sealed to his long-term key.
  auto direct = alice_->groups().OpenDirect(bob->identity().user_id(), /*create=*/true);
  ASSERT_OK(direct.status());
  ASSERT_OK(alice_->groups().Send(*direct, "first words").status());
  ASSERT_OK(bob->groups().Send(*direct, "hello back").status());
  ASSERT_OK(alice_->groups().Send(*direct, "and again").status());
  auto logs = Seize({*direct});
  // Bob's long-term key (his recovery code) opens only what came before his first write.
  const auto opened = WhatOpens(logs.at(*direct), {&bob->identity().box});
  ASSERT_EQ(opened.size(), 1u);
  EXPECT_EQ(opened.begin()->second, "first words");
  auto view = bob->session().Sync(*direct);
  ASSERT_OK(view.status());
  EXPECT_EQ((*view)->messages().size(), 3u);
}


TEST_F(ForwardSecrecyTest, ACommandStartedBeforeAnotherRotatedReadsOnWithTheNewKey) {
  auto bob = Client("bob");
  const std::string group = CreateGroupWith(*alice_, {bob.get()});
  // A long-running command (a follow) holds the keys as they were when it started.
  auto follower = Connect();
  ASSERT_NE(follower, nullptr);
  ASSERT_OK(follower->session().Sync(group).status());
  // Another command rotates, re-keys and erases the old key.
  now_ms_ += kADayLater;
  auto upkept = alice_->keys().Upkeep();
  ASSERT_OK(upkept.status());
  ASSERT_EQ(upkept->erased, 1u);
  ASSERT_OK(bob->groups().Send(group, "sealed to her new key").status());
  auto view = follower->session().Sync(group);
  ASSERT_OK(view.status());
  ASSERT_FALSE((*view)->messages().empty());
  EXPECT_EQ((*view)->messages().back().text, "sealed to her new key");
  // Its own writes publish nothing older over the new key.
  ASSERT_OK(follower->groups().Send(group, "from the follower").status());
  auto bobs = bob->session().Sync(group);
  ASSERT_OK(bobs.status());
  EXPECT_EQ((*bobs)->state().members().at(alice_->identity().user_id()).member_key.id(),
            follower->identity().member_keys.Current()->id);
  // Both kept the one ring the keystore holds.
  auto device = client::Keystore::Open(keystore_path_, kPassphrase);
  ASSERT_OK(device.status());
  EXPECT_EQ(device->profile().identity.member_keys.keys().size(), 1u);
}

TEST_F(ForwardSecrecyTest, AReaderKeepsTheKeyToASharedPlanUntilItsOwnerCarriesItOn) {
  auto bob = Client("bob");
  const std::string first = "the spare key is under the mat";
  ASSERT_OK(alice_->vault().EditPlan("safe-places", &first, {}).status());
  ASSERT_OK(alice_->vault().SharePlan("safe-places", bob->identity().user_id(), true).status());
  // Bob's first write seals their conversation to his member key; the
  // next version of the page is sealed under that epoch.
  auto direct = alice_->groups().OpenDirect(bob->identity().user_id(), /*create=*/false);
  ASSERT_OK(direct.status());
  ASSERT_OK(bob->groups().Send(*direct, "got it").status());
  const std::string text = "the spare key is with my aunt";
  ASSERT_OK(alice_->vault().EditPlan("safe-places", &text, {}).status());
  // Bob rotates; his client re-keys their conversation, but alice's page is
  // sealed under the epoch before, so he keeps that key.
  auto upkept = bob->keys().Upkeep(/*rotate_now=*/true);
  ASSERT_OK(upkept.status());
  EXPECT_TRUE(upkept->rotated);
  EXPECT_EQ(upkept->erased, 0u);
  // Alice's client carries the page on; then bob's old key can go.
  ASSERT_OK(alice_->vault().CarryPlan(*direct));
  upkept = bob->keys().Upkeep();
  ASSERT_OK(upkept.status());
  EXPECT_EQ(upkept->erased, 1u);
  auto shared = bob->vault().SharedPlan(alice_->identity().user_id());
  ASSERT_OK(shared.status());
  ASSERT_EQ(shared->size(), 1u);
  EXPECT_EQ((*shared)[0].section.text(), text);
}

}  // namespace
}  // namespace kith::testing
