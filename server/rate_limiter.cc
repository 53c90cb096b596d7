#include "kith/rate_limiter.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "kith/protocol.h"

namespace kith::server {

RateLimiter::RateLimiter(double per_second, double burst, const char* what, const Clock* clock)
    : per_second_(per_second), burst_(std::max(burst, 1.0)), what_(what), clock_(clock) {}

absl::Status RateLimiter::Take(const std::string& key) {
  if (per_second_ <= 0) return absl::OkStatus();
  const int64_t now = clock_->NowMs();
  absl::MutexLock lock(&mu_);
  if (buckets_.size() > kSweepAbove) {
    std::erase_if(buckets_, [&](const auto& entry) {
      const Bucket& b = entry.second;
      return b.tokens + (now - b.at_ms) * per_second_ / 1000 >= burst_;
    });
  }
  auto [it, fresh] = buckets_.try_emplace(key, Bucket{burst_, now});
  Bucket& bucket = it->second;
  if (!fresh && now > bucket.at_ms) {
    bucket.tokens = std::min(burst_, bucket.tokens + (now - bucket.at_ms) * per_second_ / 1000);
    bucket.at_ms = now;
  }
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return absl::OkStatus();
  }
  const auto retry_ms = static_cast<int64_t>(std::ceil((1 - bucket.tokens) * 1000 / per_second_));
  absl::Status refused = absl::ResourceExhaustedError(
      absl::StrCat("you are sending faster than this server allows (", per_second_, " ", what_,
                   " a second); retry in ", retry_ms, " ms"));
  refused.SetPayload(kRetryAfterPayload, absl::Cord(absl::StrCat(retry_ms)));
  return refused;
}

}  // namespace kith::server
