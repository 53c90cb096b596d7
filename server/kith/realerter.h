// Sends unanswered circle alerts again. A thread looks, a few times a
// second, at each circle with an alert raised, asks its state which
// re-alerts are due by the server's clock, and appends each as a Realert
// event signed with the server's key. Due times come from the log, so a
// restart picks up where the last run left off, and the state accepts each
// attempt once, so a re-alert is never doubled.
#ifndef KITH_SERVER_REALERTER_H_
#define KITH_SERVER_REALERTER_H_

#include <chrono>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "kith/appender.h"
#include "kith/checkpoint_signer.h"
#include "kith/clock.h"
#include "kith/group_registry.h"

namespace kith::server {

class Realerter {
 public:
  static constexpr std::chrono::milliseconds kPollInterval{200};

  Realerter(GroupRegistry* groups, Appender* appender, const CheckpointSigner* signer,
            const Clock* clock);
  ~Realerter();  // stops and joins

  // Submits every re-alert due now. The thread calls it on each poll.
  void SendDue();

 private:
  void Run();

  GroupRegistry* const groups_;
  Appender* const appender_;
  const CheckpointSigner* const signer_;
  const Clock* const clock_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace kith::server

#endif  // KITH_SERVER_REALERTER_H_
