// Durations as people type them on command lines: "90s", "30m", "24h", "2d".
#ifndef KITH_DURATION_H_
#define KITH_DURATION_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace kith {

// A positive whole number followed by s, m, h or d; milliseconds.
absl::StatusOr<int64_t> ParseDurationMs(std::string_view text);

// The inverse, in the largest unit that divides `ms` exactly ("30m", "24h").
std::string FormatDurationMs(int64_t ms);

}  // namespace kith

#endif  // KITH_DURATION_H_
