// A group's strike ladder: what moderators do at each confirmed report
// against the same member ("warn", "pause:30m", "mute:24h", "remove",
// "ban"), fixed in the charter at creation. Clients propose the next step;
// moderators decide.
#ifndef KITH_STRIKE_LADDER_H_
#define KITH_STRIKE_LADDER_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "kith.pb.h"

namespace kith {

inline constexpr size_t kMaxStrikeLadderSteps = 8;
// Used when a charter names no ladder.
inline constexpr std::string_view kDefaultStrikeLadder[] = {"warn", "pause:30m", "mute:24h",
                                                            "remove"};
// A pause with no duration lasts this long.
inline constexpr int64_t kDefaultPauseMs = 30 * 60 * 1000;

struct StrikeStep {
  v1::Moderation::Action action = v1::Moderation::WARN;
  uint64_t duration_ms = 0;  // PAUSE and MUTE only
};

// "warn", "pause", "pause:DURATION", "mute:DURATION", "remove" or "ban".
absl::StatusOr<StrikeStep> ParseStrikeStep(std::string_view text);

// Every step parses and there are at most kMaxStrikeLadderSteps.
absl::Status ValidateStrikeLadder(const v1::Charter& charter);

// The step proposed for a member who already has `strikes` strikes: the
// ladder's step at that index, the last step once past the end.
// REQUIRES: ValidateStrikeLadder(charter).ok()
StrikeStep NextStrikeStep(const v1::Charter& charter, uint32_t strikes);

}  // namespace kith

#endif  // KITH_STRIKE_LADDER_H_
