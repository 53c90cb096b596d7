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

  AlertTimer(GroupRegistry* groups, Checkins* checkins, Boundaries* boundaries,
             Appender* appender, Waker* waker, const CheckpointSigner* signer,
             const Clock* clock);
  ~AlertTimer();  // stops and joins

 private:
  void Run();
  void SendDueRealerts(int64_t now_ms);
  void ReleaseDueCheckins(int64_t now_ms);

  GroupRegistry* const groups_;
  Checkins* const checkins_;
  Boundaries* const boundaries_;
  Appender* const appender_;
  Waker* const waker_;
  const CheckpointSigner* const signer_;
  const Clock* const clock_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace kith::server

#endif  // KITH_SERVER_ALERT_TIMER_H_
