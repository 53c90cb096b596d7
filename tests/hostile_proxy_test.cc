// The hostile proxy (hostile_proxy.h) in front of the real kithd on
// loopback, with real clients connected through it: it passes a log through
// untouched, serves a rewritten log whose chain and checkpoint still verify,
// edits append replies, forwards refusals with their details, and streams
// the rewritten log live. Then the rewrite helpers on their own.
#include "hostile_proxy.h"
#include "proxied_server_test.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "kith/protocol.h"
#include "test_support.h"

namespace kith::testing {
namespace {

class HostileProxyTest : public ProxiedServerTest {
 protected:
  // A registered client whose every call goes through the proxy.
  std::unique_ptr<client::Client> Proxied(const std::string& name) {
    return ConnectTo(proxy_->address(), client::Identity::Generate(name));
  }
  // A client of the real kithd, as `identity`: what is really stored.
  std::unique_ptr<client::Client> Direct(const client::Identity& identity) {
    return ConnectTo(kithd_->address(), identity);
  }

  // Alice's group with bob and carol in it, all three through the proxy.
  struct GroupOfThree {
    std::unique_ptr<client::Client> alice, bob, carol;
    std::string group;
  };
  GroupOfThree ThreeInAGroup() {
    GroupOfThree t{Proxied("alice"), Proxied("bob"), Proxied("carol"), ""};
    if (t.alice && t.bob && t.carol) t.group = CreateGroupWith(*t.alice, {t.bob.get(), t.carol.get()});
    return t;
  }
};

// Appends `event`, sealed earlier, as `c`; returns its seq (0 on failure).
uint64_t AppendSealed(client::Client& c, const v1::SignedEvent& event) {
  v1::AppendRequest req;
  *req.mutable_event() = event;
  v1::AppendReply reply;
  grpc::ClientContext ctx;
  c.session().Prepare(&ctx);
  grpc::Status s = c.session().stub()->Append(&ctx, req, &reply);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return s.ok() ? reply.seq() : 0;
}

std::vector<std::string> Texts(const client::GroupView& view) {
  std::vector<std::string> texts;
  for (const client::Message& m : view.messages()) texts.push_back(m.text);
  return texts;
}

TEST_F(HostileProxyTest, PassesAnUntouchedLogThrough) {
  auto alice = Proxied("alice");
  auto bob = Proxied("bob");
  ASSERT_TRUE(alice && bob);
  const std::string group = CreateGroupWith(*alice, {bob.get()});
  ASSERT_FALSE(group.empty());
  ASSERT_OK(alice->groups().Send(group, "one").status());
  ASSERT_OK(alice->groups().Send(group, "two").status());

  auto view = bob->session().Sync(group);
  ASSERT_OK(view.status());
  EXPECT_EQ(Texts(**view), (std::vector<std::string>{"one", "two"}));
  // Signed by the proxy, checked against the real key (fetched through it).
  auto served = bob->session().Checkpoint(group);
  ASSERT_OK(served.status());
  // Without a rewrite the proxy serves the very chain kithd stores.
  auto real = Direct(bob->identity())->session().Checkpoint(group);
  ASSERT_OK(real.status());
  EXPECT_EQ(served->seq(), real->seq());
  EXPECT_EQ(served->head_hash(), real->head_hash());
}

TEST_F(HostileProxyTest, RechainsWhatItServes) {
  GroupOfThree people = ThreeInAGroup();
  ASSERT_FALSE(people.group.empty());
  auto& [alice, bob, carol, group] = people;
  ASSERT_OK(alice->groups().Send(group, "one").status());
  // Alice writes "three" before she reads "two", and carol sends nothing
  // after "two": nothing later refers to it, so dropping it breaks no rule
  // a client can check. Only the re-chaining and re-signing are on trial.
  const v1::SignedEvent three = SealedNow(*alice, group, "three");
  auto dropped = carol->groups().Send(group, "two");
  ASSERT_OK(dropped.status());
  auto last = std::optional<uint64_t>(AppendSealed(*alice, three));
  ASSERT_NE(*last, 0u);

  proxy_->SetRewrite(group, bob->identity().user_id(), DropSeq(*dropped));
  auto view = bob->session().Sync(group);
  ASSERT_OK(view.status());
  EXPECT_EQ(Texts(**view), (std::vector<std::string>{"one", "three"}));
  EXPECT_EQ((*view)->messages().back().seq, *last - 1);  // renumbered, and linked to "one"
  EXPECT_EQ((*view)->state().head_seq(), *last - 1);
  auto checkpoint = bob->session().Checkpoint(group);
  ASSERT_OK(checkpoint.status());
  EXPECT_EQ(checkpoint->seq(), *last - 1);

  // Served per caller: alice, with no rewrite, is shown everything.
  auto alices = alice->session().Sync(group);
  ASSERT_OK(alices.status());
  EXPECT_EQ(Texts(**alices), (std::vector<std::string>{"one", "two", "three"}));
}

TEST_F(HostileProxyTest, EditsAppendReplies) {
  auto alice = Proxied("alice");
  ASSERT_TRUE(alice);
  const std::string group = CreateGroupWith(*alice, {});
  ASSERT_FALSE(group.empty());
  proxy_->SetAppendReplyEdit(alice->identity().user_id(),
                             [](v1::AppendReply& reply) { reply.set_seq(reply.seq() + 5); });

  auto seq = alice->groups().Send(group, "hello");
  ASSERT_OK(seq.status());
  // Stored upstream as sent, at the seq the reply should have named.
  auto direct = Direct(alice->identity());
  auto stored = direct->session().Sync(group);
  ASSERT_OK(stored.status());
  ASSERT_EQ(Texts(**stored), std::vector<std::string>{"hello"});
  EXPECT_EQ(*seq, (*stored)->messages().back().seq + 5);
}

TEST_F(HostileProxyTest, ForwardsRefusalsWithTheirDetails) {
  auto alice = Proxied("alice");
  ASSERT_TRUE(alice);
  const std::string group = CreateGroupWith(*alice, {});
  ASSERT_FALSE(group.empty());
  auto seq = alice->groups().Send(group, "hello");
  ASSERT_OK(seq.status());
  v1::ReadRequest read;
  read.set_group_id(group);
  read.set_from_seq(*seq);
  read.set_limit(1);
  v1::ReadReply events;
  {
    grpc::ClientContext ctx;
    alice->session().Prepare(&ctx);
    ASSERT_TRUE(alice->session().stub()->ReadEvents(&ctx, read, &events).ok());
  }
  ASSERT_EQ(events.events_size(), 1);

  // A resend: refused, with the first append's answer in the details.
  v1::AppendRequest again;
  *again.mutable_event() = events.events(0).signed_();
  v1::AppendReply ignored;
  grpc::ClientContext ctx;
  alice->session().Prepare(&ctx);
  grpc::Status s = alice->session().stub()->Append(&ctx, again, &ignored);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS) << s.error_message();
  v1::AppendReply first;
  ASSERT_TRUE(first.ParseFromString(s.error_details()));
  EXPECT_EQ(first.seq(), *seq);
  EXPECT_EQ(first.event_hash(), EventHash(events.events(0)));
}

TEST_F(HostileProxyTest, FollowStreamsTheRewrittenLog) {
  GroupOfThree people = ThreeInAGroup();
  ASSERT_FALSE(people.group.empty());
  auto& [alice, bob, carol, group] = people;
  auto head = alice->session().Sync(group);
  ASSERT_OK(head.status());
  const uint64_t first = (*head)->state().head_seq() + 1;  // the true seq "one" will get
  // The middle message is carol's, and alice writes "three" before reading
  // it: dropping an event someone later refers to, or one of alice's own
  // between two others (a counter gap), is what clients refuse.
  proxy_->SetRewrite(group, bob->identity().user_id(), DropSeq(first + 1));

  std::mutex mu;
  std::condition_variable changed;
  std::vector<std::string> seen;
  bool ended = false;
  absl::Status followed;
  client::FollowCancel cancel;
  std::thread follow([&] {
    absl::Status s = bob->session().Follow(
        group, 1,
        [&](const client::Message& m) {
          std::lock_guard<std::mutex> lock(mu);
          seen.push_back(m.text);
          changed.notify_all();
          return true;
        },
        &cancel);
    std::lock_guard<std::mutex> lock(mu);
    followed = s;
    ended = true;
    changed.notify_all();
  });

  // Not ASSERTs: the follower thread must be joined below.
  auto one = alice->groups().Send(group, "one");
  EXPECT_OK(one.status());
  const v1::SignedEvent three = SealedNow(*alice, group, "three");
  auto two = carol->groups().Send(group, "two");
  EXPECT_OK(two.status());
  EXPECT_EQ(two.ok() ? *two : 0, first + 1) << "the dropped event is not the one meant";
  EXPECT_EQ(AppendSealed(*alice, three), first + 2);
  {
    // Served in order, so once "three" is here "two" would have been too.
    std::unique_lock<std::mutex> lock(mu);
    changed.wait_for(lock, std::chrono::seconds(30),
                     [&] { return ended || (!seen.empty() && seen.back() == "three"); });
    EXPECT_EQ(seen, (std::vector<std::string>{"one", "three"}));
  }
  cancel.Cancel();
  follow.join();
  EXPECT_OK(followed);
}

// The rewrite helpers work on true seqs, whatever order the log is in.
TEST(HostileProxyRewrites, DropSwapAndReplayNameEventsByTrueSeq) {
  std::vector<v1::Event> log(4);
  for (uint64_t seq = 1; seq <= 4; ++seq) {
    log[seq - 1].set_seq(seq);
    log[seq - 1].mutable_signed_()->set_signature("signature " + std::to_string(seq));
  }
  auto seqs = [](const std::vector<v1::Event>& events) {
    std::vector<uint64_t> out;
    for (const v1::Event& e : events) out.push_back(e.seq());
    return out;
  };
  EXPECT_EQ(seqs(DropSeq(2)(log)), (std::vector<uint64_t>{1, 3, 4}));
  EXPECT_EQ(seqs(SwapSeqs(4, 2)(log)), (std::vector<uint64_t>{1, 4, 3, 2}));
  EXPECT_EQ(seqs(DropSeq(3)(SwapSeqs(1, 4)(log))), (std::vector<uint64_t>{4, 2, 1}));
  std::vector<v1::Event> replayed = ReplayAt(2)(log);
  EXPECT_EQ(seqs(replayed), (std::vector<uint64_t>{1, 2, 3, 4, 2}));
  EXPECT_EQ(replayed.back().signed_().signature(), "signature 2");
  // A seq not in the log changes nothing.
  EXPECT_EQ(seqs(DropSeq(9)(log)), seqs(log));
  EXPECT_EQ(seqs(SwapSeqs(1, 9)(log)), seqs(log));
  EXPECT_EQ(seqs(ReplayAt(9)(log)), seqs(log));
}

}  // namespace
}  // namespace kith::testing
