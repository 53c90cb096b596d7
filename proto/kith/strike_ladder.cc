#include "kith/strike_ladder.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "kith/duration.h"

namespace kith {

absl::StatusOr<StrikeStep> ParseStrikeStep(std::string_view text) {
  const size_t colon = text.find(':');
  const std::string_view verb = text.substr(0, colon);
  const std::string_view duration =
      colon == std::string_view::npos ? std::string_view() : text.substr(colon + 1);
  StrikeStep step;
  if (verb == "warn") {
    step.action = v1::Moderation::WARN;
  } else if (verb == "pause") {
    step.action = v1::Moderation::PAUSE;
  } else if (verb == "mute") {
    step.action = v1::Moderation::MUTE;
  } else if (verb == "remove") {
    step.action = v1::Moderation::REMOVE;
  } else if (verb == "ban") {
    step.action = v1::Moderation::BAN;
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "strike ladder step '", std::string(text),
        "' is not one of warn, pause[:DURATION], mute:DURATION, remove, ban"));
  }
  const bool timed = step.action == v1::Moderation::PAUSE || step.action == v1::Moderation::MUTE;
  if (!timed && colon != std::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("strike ladder step '", std::string(text), "' takes no duration"));
  }
  if (step.action == v1::Moderation::MUTE && duration.empty()) {
    return absl::InvalidArgumentError("a mute in the strike ladder needs a duration, e.g. mute:24h");
  }
  if (timed) {
    auto ms = duration.empty() ? absl::StatusOr<int64_t>(kDefaultPauseMs) : ParseDurationMs(duration);
    if (!ms.ok()) return ms.status();
    step.duration_ms = static_cast<uint64_t>(*ms);
  }
  return step;
}

absl::Status ValidateStrikeLadder(const v1::Charter& charter) {
  if (charter.strike_ladder_size() > static_cast<int>(kMaxStrikeLadderSteps)) {
    return absl::InvalidArgumentError(
        absl::StrCat("a strike ladder has at most ", kMaxStrikeLadderSteps, " steps"));
  }
  for (const auto& step : charter.strike_ladder()) {
    if (auto parsed = ParseStrikeStep(step); !parsed.ok()) return parsed.status();
  }
  return absl::OkStatus();
}

StrikeStep NextStrikeStep(const v1::Charter& charter, uint32_t strikes) {
  const int steps = charter.strike_ladder_size();
  const size_t count = steps > 0 ? static_cast<size_t>(steps) : std::size(kDefaultStrikeLadder);
  const size_t index = std::min<size_t>(strikes, count - 1);
  const std::string_view text =
      steps > 0 ? std::string_view(charter.strike_ladder(static_cast<int>(index)))
                : kDefaultStrikeLadder[index];
  return *ParseStrikeStep(text);
}

}  // namespace kith
