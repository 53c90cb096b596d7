#include "kith/duration.h"

#include <charconv>
#include <utility>

namespace kith {

absl::StatusOr<int64_t> ParseDurationMs(std::string_view text) {
  auto bad = absl::InvalidArgumentError("a duration is a number and a unit: 90s, 30m, 24h or 2d");
  if (text.size() < 2) return bad;
  int64_t scale = 0;
  switch (text.back()) {
    case 's': scale = 1000; break;
    case 'm': scale = 60 * 1000; break;
    case 'h': scale = 3600 * 1000; break;
    case 'd': scale = 24 * 3600 * 1000; break;
    default: return bad;
  }
  int64_t n = 0;
  auto digits = text.substr(0, text.size() - 1);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || end != digits.data() + digits.size() || n <= 0 ||
      n > INT64_MAX / scale) {
    return bad;
  }
  return n * scale;
}

std::string FormatDurationMs(int64_t ms) {
  constexpr std::pair<int64_t, char> kUnits[] = {
      {24 * 3600 * 1000, 'd'}, {3600 * 1000, 'h'}, {60 * 1000, 'm'}, {1000, 's'}};
  for (const auto& [scale, unit] : kUnits) {
    if (ms >= scale && ms % scale == 0) return std::to_string(ms / scale) + unit;
  }
  return std::to_string(ms) + "ms";
}

}  // namespace kith
