// Fuzzes event decoding and GroupState: what every client applies to the
// log a server serves it, and what kithd applies to appends and replays.
// Each event is chained where it claims to go (seq and previous hash set
// to follow the state's head), so inputs reach the rules rather than stop
// at the hash chain. Any outcome but a crash is fine; a rejected event
// must leave the state as it was, which the next events then exercise.
#include <cstddef>
#include <cstdint>

#include "fuzz_input.h"
#include "kith/crypto.h"
#include "kith/group_state.h"
#include "kith/protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool initialized = kith::crypto::Init().ok();
  if (!initialized || size == 0) return 0;
  const auto check = (data[0] & kith::fuzz::kVerifySignatures) ? kith::SignatureCheck::kVerify
                                                               : kith::SignatureCheck::kTrustStored;
  kith::GroupState state;
  kith::fuzz::ForEachEncodedEvent(data, size, [&](const uint8_t* bytes, size_t n) {
    kith::v1::Event event;
    if (!event.ParseFromArray(bytes, static_cast<int>(n))) return;
    event.set_seq(state.head_seq() + 1);
    event.set_prev_hash(state.created() ? state.head_hash() : kith::GenesisPrevHash());
    const uint64_t head = state.head_seq();
    auto applied = state.ApplyLogged(event, check);
    if (applied.ok() != (state.head_seq() == head + 1)) __builtin_trap();
  });
  return 0;
}
