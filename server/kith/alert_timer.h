// The clock-driven side of circles and boundaries. A thread looks a few
// times a second (by the server's Clock, which tests turn by hand) for:
//  - unanswered alerts due to be sent again: it appends a Realert signed
//    with the server's key. Due times come from the log, so a restart picks
//    up where the last run left off, and the group state accepts each
//    attempt once, so a re-alert is never doubled;
//  - check-ins whose deadline passed: it appends the alert the owner sealed
//    in advance, exactly once (see Checkins);
//  - quiet hours that ended: the messages held back are released to their
//    recipients' streams (see Boundaries).
#ifndef KITH_SERVER_ALERT_TIMER_H_
#define KITH_SERVER_ALERT_TIMER_H_

#include <chrono>
#include <functional>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "kith/appender.h"
#include "kith/boundaries.h"
#include "kith/checkins.h"
#include "kith/checkpoint_signer.h"
#include "kith/clock.h"
#include "kith/group_registry.h"
#include "kith/waker.h"

namespace kith::server {

class AlertTimer {
 public:
  static constexpr std::chrono::milliseconds kPollInterval{200};

  // If `on_pass` is set, each pass waits for the appends it made to be
  // answered, then calls it: a test turning the clock learns when the timer
  // has done all it will for the time it set.
  AlertTimer(GroupRegistry* groups, Checkins* checkins, Boundaries* boundaries,
             Appender* appender, Waker* waker, const CheckpointSigner* signer,
             const Clock* clock, std::function<void()> on_pass = nullptr);
  // Stops and joins; returns once its appends are answered. REQUIRES: the
  // appender outlives it.
  ~AlertTimer();

 private:
  void Run();
  // Each append a pass makes is counted until it is answered.
  void Submitted() ABSL_LOCKS_EXCLUDED(mu_);
  void Answered() ABSL_LOCKS_EXCLUDED(mu_);
  void SendDueRealerts(int64_t now_ms);
  void ReleaseDueCheckins(int64_t now_ms);

  GroupRegistry* const groups_;
  Checkins* const checkins_;
  Boundaries* const boundaries_;
  Appender* const appender_;
  Waker* const waker_;
  const CheckpointSigner* const signer_;
  const Clock* const clock_;
  const std::function<void()> on_pass_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  int unanswered_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace kith::server

#endif  // KITH_SERVER_ALERT_TIMER_H_
