// What forward secrecy costs (docs/protocol.md section 7): making a member
// key, writing a re-key for a group of 50 and of 1,000 (one sealed secret
// per member), and what each member does on reading it (verify the
// commit, open their own secret). The commit's size is reported as
// `bytes`, which every member downloads once per re-key.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "kith/crypto.h"
#include "kith/event_builder.h"
#include "kith/group_state.h"
#include "kith/group_view.h"
#include "kith/identity.h"
#include "kith/protocol.h"

namespace {

using kith::client::Identity;

// A group of `size` members, admitted in one commit, as the server
// sequences it; and the owner's and one member's identities.
struct Group {
  Identity owner = Identity::Generate("owner");
  std::vector<Identity> members;
  std::vector<kith::v1::Event> log;
  kith::GroupState state;
  int64_t now_ms = 1;

  void Append(const kith::v1::SignedEvent& signed_event) {
    auto body = state.Check(signed_event, kith::SignatureCheck::kVerify, ++now_ms);
    if (!body.ok()) std::abort();
    kith::v1::Event event;
    event.set_group_id(body->group_id());
    event.set_seq(state.head_seq() + 1);
    event.set_prev_hash(state.created() ? state.head_hash() : kith::GenesisPrevHash());
    event.set_server_time_ms(now_ms);
    *event.mutable_signed_() = signed_event;
    state.Apply(*body, event, kith::EventHash(event));
    log.push_back(std::move(event));
  }

  explicit Group(int size) {
    kith::v1::Charter charter;
    charter.set_name("bench");
    Append(kith::client::BuildCreate(owner, charter).create);
    std::vector<std::string> ids;
    for (int i = 1; i < size; ++i) {
      members.push_back(Identity::Generate("member"));
      const std::string secret = kith::crypto::RandomBytes(kith::kInviteSecretBytes);
      Append(kith::client::BuildInvite(owner, state, secret));
      Append(kith::client::BuildJoinRequest(members.back(), state.group_id(), secret,
                                            state.charter()));
      ids.push_back(members.back().user_id());
    }
    auto admit = kith::client::BuildCommit(owner, state, ids, {});
    if (!admit.ok()) std::abort();
    Append(*admit);
  }
};

void BM_MakeMemberKey(benchmark::State& state) {
  (void)kith::crypto::Init();
  for (auto _ : state) {
    kith::client::MemberKeyRing ring;
    benchmark::DoNotOptimize(ring.Rotate(1).id);
  }
}
BENCHMARK(BM_MakeMemberKey)->Unit(benchmark::kMicrosecond);

// The member who re-keys: a fresh secret sealed to every member's key.
void BM_WriteRekey(benchmark::State& state) {
  (void)kith::crypto::Init();
  Group group(static_cast<int>(state.range(0)));
  size_t bytes = 0;
  for (auto _ : state) {
    auto commit = kith::client::BuildCommit(group.owner, group.state, {}, {});
    if (!commit.ok()) std::abort();
    bytes = commit->ByteSizeLong();
    benchmark::DoNotOptimize(commit);
  }
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_WriteRekey)->Arg(50)->Arg(1000)->Unit(benchmark::kMillisecond);

// Each other member: the re-key checked against the group's state (its
// signature and one sealed secret per member) and their own secret opened.
void BM_ReadRekey(benchmark::State& state) {
  (void)kith::crypto::Init();
  Group group(static_cast<int>(state.range(0)));
  kith::client::GroupView reader(&group.members.front());
  for (const auto& event : group.log) {
    if (!reader.Apply(event).ok()) std::abort();
  }
  auto commit = kith::client::BuildCommit(group.owner, group.state, {}, {});
  if (!commit.ok()) std::abort();
  group.Append(*commit);
  const kith::v1::Event& rekey = group.log.back();
  for (auto _ : state) {
    state.PauseTiming();
    kith::client::GroupView view = reader;
    state.ResumeTiming();
    if (!view.Apply(rekey).ok()) std::abort();
    if (!view.HasEpochSecret(view.state().epoch())) std::abort();
  }
}
BENCHMARK(BM_ReadRekey)->Arg(50)->Arg(1000)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
