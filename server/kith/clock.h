// Time as kithd sees it; tests substitute their own.
#ifndef KITH_SERVER_CLOCK_H_
#define KITH_SERVER_CLOCK_H_

#include <cstdint>

namespace kith::server {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch.
  virtual int64_t NowMs() const = 0;
};

// The process's wall clock. Never deleted.
Clock* SystemClock();

}  // namespace kith::server

#endif  // KITH_SERVER_CLOCK_H_
