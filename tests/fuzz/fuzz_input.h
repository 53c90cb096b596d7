// The byte layout every group-log fuzzer input and seed uses: a flag byte,
// then events, each a 2-byte little-endian length and that many bytes of a
// serialized v1::Event.
#ifndef KITH_TESTS_FUZZ_FUZZ_INPUT_H_
#define KITH_TESTS_FUZZ_FUZZ_INPUT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace kith::fuzz {

// Bit 0 of the flag byte: verify signatures, as a client does (otherwise
// trust them, as a server replaying its own store does, so that the fuzzer
// reaches the rules behind the signature check).
constexpr uint8_t kVerifySignatures = 1;

inline std::string EncodeLog(uint8_t flags, const std::vector<std::string>& events) {
  std::string out(1, static_cast<char>(flags));
  for (const std::string& e : events) {
    out.push_back(static_cast<char>(e.size() & 0xff));
    out.push_back(static_cast<char>((e.size() >> 8) & 0xff));
    out += e;
  }
  return out;
}

// Calls `fn` with each event's bytes; stops at the first cut-short one.
template <typename Fn>
void ForEachEncodedEvent(const uint8_t* data, size_t size, Fn fn) {
  for (size_t i = 1; i + 2 <= size;) {
    const size_t n = data[i] | (static_cast<size_t>(data[i + 1]) << 8);
    i += 2;
    if (n > size - i) return;
    fn(data + i, n);
    i += n;
  }
}

}  // namespace kith::fuzz

#endif  // KITH_TESTS_FUZZ_FUZZ_INPUT_H_
