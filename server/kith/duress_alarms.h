// Duress alarms: for each circle at most one list of sealed alerts, kept
// durably in a DuressStore and in memory by token hash. Presenting the
// token releases the first alert, and each escalation the next. As with
// check-ins, an alert id is accepted by the log once, so a release raced
// or retried after a crash still reaches the circle exactly once.
#ifndef KITH_SERVER_DURESS_ALARMS_H_
#define KITH_SERVER_DURESS_ALARMS_H_

#include <map>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "kith.pb.h"
#include "kith/store.h"

namespace kith::server {

class DuressAlarms {
 public:
  static constexpr int kMaxAlerts = 4;

  explicit DuressAlarms(DuressStore* store) : store_(store) {}
  // Reads every stored alarm, in place of those it held; on error keeps
  // what it had.
  absl::Status Load();
  // Reads the alarm of `group_id` again (another node changed it).
  void Refresh(const std::string& group_id);

  // Stores `alarm`, replacing the circle's previous one, with nothing
  // released; or with `alarm.reseal()`, only its alerts not yet released
  // (FAILED_PRECONDITION unless one of as many alerts under the same token
  // is armed).
  absl::Status Arm(v1::DuressAlarm alarm);
  absl::Status Disarm(const std::string& group_id);
  bool Armed(const std::string& group_id) const;
  std::optional<v1::DuressAlarm> Get(const std::string& group_id) const;

  // The alert to release for the token hashing to `token_hash`: the first
  // if none has gone out or is going out; with `escalate`, the next after
  // those; otherwise nothing. The alert counts as going out until Released
  // is called for it, so an escalation that comes before the previous alert
  // is written still gets the next one.
  struct Due {
    std::string group_id;
    v1::SignedEvent alert;
  };
  std::optional<Due> Next(const std::string& token_hash, bool escalate);
  // Records that an alert Next gave out for `group_id` was written
  // (`sent`) or not; if sent, and it is the next one due, it counts as
  // released from now on.
  void Released(const std::string& group_id, const std::string& alert_id, bool sent);

 private:
  // Keeps `alarm` in memory, replacing the circle's previous one.
  void Keep(v1::DuressAlarm alarm) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Forget(const std::string& group_id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  DuressStore* const store_;
  mutable absl::Mutex mu_;
  std::map<std::string, v1::DuressAlarm> by_group_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::string> group_by_token_hash_ ABSL_GUARDED_BY(mu_);
  // Alerts Next gave out that are not written yet, by group.
  std::map<std::string, int> going_out_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kith::server

#endif  // KITH_SERVER_DURESS_ALARMS_H_
