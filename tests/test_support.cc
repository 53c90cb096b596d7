#include "test_support.h"

#include <chrono>
#include <thread>

#include "kith/crypto.h"

namespace kith::testing {

std::unique_ptr<client::Client> NewClient(const KithdProcess& kithd, const std::string& name) {
  auto c = client::Client::Connect({kithd.address(), kithd.certificate_pem(), ""},
                                   client::Identity::Generate(name));
  EXPECT_TRUE(c.ok()) << c.status();
  if (!c.ok()) return nullptr;
  auto s = (*c)->account().Register();
  EXPECT_TRUE(s.ok()) << s;
  return *std::move(c);
}

std::string CreateGroupWith(client::Client& owner, const std::vector<client::Client*>& members,
                            const std::string& name) {
  v1::Charter charter;
  charter.set_name(name);
  charter.add_rules("no_contempt");
  charter.set_crisis_resources("Crisis line: 988");
  auto group = owner.groups().CreateGroup(charter);
  EXPECT_TRUE(group.ok()) << group.status();
  if (!group.ok()) return "";
  for (client::Client* m : members) {
    auto code = owner.groups().Invite(*group);
    EXPECT_TRUE(code.ok()) << code.status();
    auto read = m->groups().GetCharter(*group);
    EXPECT_TRUE(read.ok()) << read.status();
    auto joined = m->groups().Join(*code, *read);
    EXPECT_TRUE(joined.ok()) << joined;
    auto admitted = owner.groups().Admit(*group, {m->identity().user_id()});
    EXPECT_TRUE(admitted.ok()) << admitted;
  }
  return *group;
}

std::string CircleWith(client::Client& owner, const std::vector<client::Client*>& contacts) {
  for (client::Client* c : contacts) {
    EXPECT_OK(owner.circle().Invite(c->identity().user_id()));
    EXPECT_OK(c->circle().Answer(owner.identity().user_id(), /*accept=*/true));
  }
  auto circle = owner.circle().Own(false);
  EXPECT_TRUE(circle.ok()) << circle.status();
  EXPECT_OK(owner.circle().Tend(*circle).status());
  return circle.ok() ? *circle : "";
}

size_t AlertsSeen(client::Client& c, const std::string& circle, size_t want,
                  std::chrono::milliseconds patience) {
  const auto deadline = std::chrono::steady_clock::now() + patience;
  for (;;) {
    auto view = c.session().Sync(circle);
    EXPECT_TRUE(view.ok()) << view.status();
    const size_t seen = view.ok() ? (*view)->alerts().size() : 0;
    if (seen >= want || std::chrono::steady_clock::now() >= deadline) return seen;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::string LoginToken(client::Client& c) {
  v1::Challenge challenge;
  {
    grpc::ClientContext ctx;
    EXPECT_TRUE(c.session().stub()->GetChallenge(&ctx, v1::Empty(), &challenge).ok());
  }
  v1::LoginRequest req = c.identity().SignLogin(challenge.nonce());
  v1::LoginReply reply;
  grpc::ClientContext ctx;
  EXPECT_TRUE(c.session().stub()->Login(&ctx, req, &reply).ok());
  return crypto::ToHex(reply.token());
}

uint64_t SendUntilAcked(client::Client& c, const std::string& group, const std::string& text) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (;;) {
    auto seq = c.groups().Send(group, text);
    if (seq.ok()) return *seq;
    EXPECT_TRUE(absl::IsUnavailable(seq.status()) || absl::IsDeadlineExceeded(seq.status()))
        << seq.status();
    if (std::chrono::steady_clock::now() > give_up) {
      ADD_FAILURE() << "no acknowledgement for a minute: " << seq.status();
      return 0;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace kith::testing
