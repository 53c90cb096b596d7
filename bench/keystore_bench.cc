// What an unlock costs, which is what each guess at a copied keystore costs
// an attacker (on this machine, one core): opening a keystore made today
// (libsodium's moderate Argon2id limits) and one from before (interactive
// limits). And what keeping a key in locked memory costs, next to the
// plain heap, which is why only long-lived keys are kept there.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>

#include "kith/crypto.h"
#include "kith/identity.h"
#include "kith/keystore.h"

namespace {

using kith::client::Keystore;

// A keystore made as `kith id create` makes one, in a fresh folder.
std::string MadeKeystore() {
  char dir[] = "/tmp/kith-bench-XXXXXX";
  const std::string path = std::string(mkdtemp(dir)) + "/identity.key";
  const kith::client::Profile profile{kith::client::Identity::Generate("bench"), {}, {}};
  if (!Keystore::Create(path, profile, "ginger fox keeps seven maps").ok()) std::abort();
  return path;
}

void BM_OpenKeystore(benchmark::State& state) {
  (void)kith::crypto::Init();
  const std::string path = MadeKeystore();
  for (auto _ : state) {
    benchmark::DoNotOptimize(Keystore::Open(path, "ginger fox keeps seven maps"));
  }
}
BENCHMARK(BM_OpenKeystore)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(5);

// The Argon2id step alone, at the limits a keystore from before used.
void BM_DeriveAtInteractiveLimits(benchmark::State& state) {
  (void)kith::crypto::Init();
  const std::string salt(kith::crypto::kPwhashSaltBytes, 's');
  for (auto _ : state) {
    benchmark::DoNotOptimize(kith::crypto::DeriveKeyFromPassphrase(
        "ginger fox keeps seven maps", salt, kith::crypto::InteractivePwhashParams()));
  }
}
BENCHMARK(BM_DeriveAtInteractiveLimits)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(5);

void BM_LockedSecret(benchmark::State& state) {
  (void)kith::crypto::Init();
  for (auto _ : state) benchmark::DoNotOptimize(kith::crypto::Secret::Locked(32));
}
BENCHMARK(BM_LockedSecret)->Unit(benchmark::kMicrosecond);

void BM_PlainSecret(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(kith::crypto::Secret::Random(32));
}
BENCHMARK(BM_PlainSecret)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
