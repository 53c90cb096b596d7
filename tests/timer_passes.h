// Counts the passes of an in-process server's alert timer
// (ServerOptions::on_timer_pass), so that a test which turned the clock can
// wait for the timer to have done everything it will for that time, rather
// than sleep and hope.
#ifndef KITH_TESTS_TIMER_PASSES_H_
#define KITH_TESTS_TIMER_PASSES_H_

#include <cstdint>
#include <functional>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace kith::testing {

class TimerPasses {
 public:
  // What to set as ServerOptions::on_timer_pass.
  std::function<void()> Hook() {
    return [this] {
      absl::MutexLock lock(&mu_);
      ++passes_;
    };
  }
  // Waits until a pass that began after this call has ended, with the
  // appends it made answered: two more passes, since one may have been
  // under way. False after `patience` without them.
  bool AwaitFullPass(absl::Duration patience = absl::Seconds(10)) {
    absl::MutexLock lock(&mu_);
    const uint64_t until = passes_ + 2;
    auto done = [this, until]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return passes_ >= until; };
    return mu_.AwaitWithTimeout(absl::Condition(&done), patience);
  }

 private:
  absl::Mutex mu_;
  uint64_t passes_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace kith::testing

#endif  // KITH_TESTS_TIMER_PASSES_H_
