// A clock the test turns by hand; safe to read from the server's threads.
#ifndef KITH_TESTS_MANUAL_CLOCK_H_
#define KITH_TESTS_MANUAL_CLOCK_H_

#include <atomic>
#include <cstdint>

#include "kith/clock.h"

namespace kith::testing {

class ManualClock final : public server::Clock {
 public:
  int64_t NowMs() const override { return now_ms.load(); }
  std::atomic<int64_t> now_ms{1'700'000'000'000};
};

}  // namespace kith::testing

#endif  // KITH_TESTS_MANUAL_CLOCK_H_
