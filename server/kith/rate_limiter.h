// Token buckets, one per key (a person's user id): each holds up to `burst`
// tokens and refills at `per_second`, by the server's Clock. Taking from an
// empty bucket is refused with how long until a token is back, so that one
// account cannot take the server's write path from everyone else.
// Thread-safe.
#ifndef KITH_SERVER_RATE_LIMITER_H_
#define KITH_SERVER_RATE_LIMITER_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "kith/clock.h"

namespace kith::server {

class RateLimiter {
 public:
  // `per_second` 0: no limit. `what` names the unit in refusals ("events").
  RateLimiter(double per_second, double burst, const char* what, const Clock* clock);

  // Takes a token from `key`'s bucket, or returns RESOURCE_EXHAUSTED saying
  // when to retry, with that delay in ms (decimal) as kRetryAfterPayload.
  absl::Status Take(const std::string& key) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Bucket {
    double tokens = 0;
    int64_t at_ms = 0;  // when `tokens` was last brought up to date
  };
  // Buckets kept before full ones are forgotten (a full bucket is the same
  // as none).
  static constexpr size_t kSweepAbove = 100'000;

  const double per_second_;
  const double burst_;
  const char* const what_;
  const Clock* const clock_;
  absl::Mutex mu_;
  std::map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kith::server

#endif  // KITH_SERVER_RATE_LIMITER_H_
