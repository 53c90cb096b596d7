// Scheduled check-ins: for each circle at most one sealed alert and its
// deadline, kept durably in a CheckinStore and in memory for the timer.
// The alert's id makes its release exactly-once: the log accepts an alert
// id once, so a release retried after a crash is refused as a duplicate
// and the check-in is then simply forgotten.
#ifndef KITH_SERVER_CHECKINS_H_
#define KITH_SERVER_CHECKINS_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "kith.pb.h"
#include "kith/store.h"

namespace kith::server {

class Checkins {
 public:
  // After a release is handed to the writer, it is not tried again for this long.
  static constexpr int64_t kRetryMs = 60'000;

  explicit Checkins(CheckinStore* store) : store_(store) {}
  // Reads every stored check-in, in place of those it held; on error keeps
  // what it had.
  absl::Status Load();
  // Reads the check-in of `group_id` again (another node changed it).
  void Refresh(const std::string& group_id);

  // Stores `checkin`, replacing the circle's previous one, durably.
  // Stores `checkin`, replacing the circle's previous one; with
  // `checkin.reseal()`, only the alert of the one scheduled, if it is the
  // same alert (FAILED_PRECONDITION otherwise).
  absl::Status Schedule(v1::CheckinRequest checkin);
  // Removes the circle's check-in; returns it, or nothing if none.
  absl::StatusOr<std::optional<v1::CheckinRequest>> Cancel(const std::string& group_id);
  std::optional<v1::CheckinRequest> Get(const std::string& group_id) const;

  // Check-ins whose deadline has passed and that are not being released
  // already; each is marked as being released until `now_ms + kRetryMs`.
  std::vector<v1::CheckinRequest> TakeDue(int64_t now_ms);
  // Forgets the check-in of `group_id` if it still holds `alert_id` (one
  // scheduled since stays).
  void Released(const std::string& group_id, const std::string& alert_id);

 private:
  struct Entry {
    v1::CheckinRequest checkin;
    int64_t not_before_ms = 0;  // the next release attempt
  };
  CheckinStore* const store_;
  mutable absl::Mutex mu_;
  std::map<std::string, Entry> by_group_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kith::server

#endif  // KITH_SERVER_CHECKINS_H_
