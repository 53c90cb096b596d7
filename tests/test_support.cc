#include "test_support.h"

namespace kith::testing {

std::unique_ptr<client::Client> NewClient(const KithdProcess& kithd, const std::string& name) {
  auto c = client::Client::Connect({kithd.address(), kithd.certificate_pem(), ""},
                                   client::Identity::Generate(name));
  EXPECT_TRUE(c.ok()) << c.status();
  if (!c.ok()) return nullptr;
  auto s = (*c)->Register();
  EXPECT_TRUE(s.ok()) << s;
  return *std::move(c);
}

std::string CreateGroupWith(client::Client& owner, const std::vector<client::Client*>& members,
                            const std::string& name) {
  v1::Charter charter;
  charter.set_name(name);
  charter.add_rules("no_contempt");
  charter.set_crisis_resources("Crisis line: 988");
  auto group = owner.CreateGroup(charter);
  EXPECT_TRUE(group.ok()) << group.status();
  if (!group.ok()) return "";
  for (client::Client* m : members) {
    auto code = owner.Invite(*group);
    EXPECT_TRUE(code.ok()) << code.status();
    auto read = m->GetCharter(*group);
    EXPECT_TRUE(read.ok()) << read.status();
    auto joined = m->Join(*code, *read);
    EXPECT_TRUE(joined.ok()) << joined;
    auto admitted = owner.Admit(*group, {m->identity().user_id()});
    EXPECT_TRUE(admitted.ok()) << admitted;
  }
  return *group;
}

}  // namespace kith::testing
