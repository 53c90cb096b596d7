// Fuzzes the ground-rules engine with any text, as a member's client runs
// it on what they are about to send: it must answer, never crash or hang.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "kith/ground_rules.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)kith::moderation::CheckMessage(text);
  return 0;
}
