// Writes the group-log fuzzer's seed corpus: a real group's log, built and
// signed by the client's own event builders and checked by GroupState, cut
// at every length, once to be verified and once trusted. Run it again
// when the event format changes:
//   build/tests/fuzz/make_seeds tests/fuzz/corpus/group_log
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "fuzz_input.h"
#include "kith/crypto.h"
#include "kith/event_builder.h"
#include "kith/group_state.h"
#include "kith/protocol.h"

namespace kith::fuzz {
namespace {

int Main(const std::string& dir) {
  if (!crypto::Init().ok()) return 1;
  const client::Identity alice = client::Identity::Generate("alice");
  const client::Identity bob = client::Identity::Generate("bob");
  const client::Identity carol = client::Identity::Generate("carol");
  v1::Charter charter;
  charter.set_name("Tuesday group");
  charter.add_rules("no_contempt");
  const client::NewGroup group = client::BuildCreate(alice, charter);

  GroupState state;
  std::vector<std::string> log;
  int64_t now = 1'700'000'000'000;
  auto append = [&](const v1::SignedEvent& signed_event) {
    v1::Event event;
    event.set_group_id(group.group_id);
    event.set_seq(state.head_seq() + 1);
    event.set_prev_hash(state.created() ? state.head_hash() : GenesisPrevHash());
    event.set_server_time_ms(now += 60'000);
    *event.mutable_signed_() = signed_event;
    auto applied = state.ApplyLogged(event, SignatureCheck::kVerify);
    if (!applied.ok()) {
      std::fprintf(stderr, "seed event %zu refused: %s\n", log.size() + 1,
                   applied.status().ToString().c_str());
      return false;
    }
    log.push_back(event.SerializeAsString());
    return true;
  };
  auto admit = [&](const client::Identity& who) {
    const std::string secret = crypto::RandomBytes(kInviteSecretBytes);
    if (!append(client::BuildInvite(alice, state, secret))) return false;
    if (!append(client::BuildJoinRequest(who, group.group_id, secret, state.charter()))) return false;
    auto commit = client::BuildCommit(alice, state, {who.user_id()}, {});
    return commit.ok() && append(*commit);
  };
  v1::Moderation warn;
  warn.set_action(v1::Moderation::WARN);
  warn.set_target(carol.user_id());
  warn.set_rule("no_contempt");
  const bool built = append(group.create) && admit(bob) && admit(carol) &&
                     append(client::BuildRoleChange(alice, state, bob.user_id(), v1::ROLE_MODERATOR)) &&
                     append(client::BuildModeration(bob, state, warn)) &&
                     append(client::BuildLeave(carol, state));
  if (!built) return 1;
  for (size_t n = 1; n <= log.size(); ++n) {
    const std::vector<std::string> prefix(log.begin(), log.begin() + n);
    for (uint8_t flags : {uint8_t{0}, kVerifySignatures}) {
      const std::string path = dir + "/log-" + std::to_string(n) + (flags ? "-verified" : "-trusted");
      std::ofstream(path, std::ios::binary) << EncodeLog(flags, prefix);
    }
  }
  std::printf("%zu events, %zu seeds in %s\n", log.size(), 2 * log.size(), dir.c_str());
  return 0;
}

}  // namespace
}  // namespace kith::fuzz

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_seeds DIR\n");
    return 2;
  }
  return kith::fuzz::Main(argv[1]);
}
