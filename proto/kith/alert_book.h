// The alerts of one circle, as its log states them: who raised what and
// when, who acknowledged, what was resolved, and how often the server has
// sent each unanswered alert again. Part of GroupState, so the server and
// every member's client judge alerts and re-alerts by the same rules.
//
// Thread safety: none. Callers serialize access.
#ifndef KITH_ALERT_BOOK_H_
#define KITH_ALERT_BOOK_H_

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "kith.pb.h"

namespace kith {

struct AlertState {
  uint64_t seq = 0;  // the RAISE event
  std::string raiser;
  int64_t raised_ms = 0;
  uint64_t realert_after_ms = 0;
  uint32_t attempts = 1;  // the raise, then one per re-alert
  int64_t last_sent_ms = 0;
  std::set<std::string> acked_by;  // user ids
  bool resolved = false;
  // Neither acknowledged nor resolved: the server keeps sending it.
  bool unanswered() const { return acked_by.empty() && !resolved; }
  int64_t next_realert_ms() const {
    return last_sent_ms + static_cast<int64_t>(realert_after_ms);
  }
};

class AlertBook {
 public:
  // An Alert event by `author`, who is the circle's owner or not.
  absl::Status CheckAlert(const v1::EventBody& body, bool author_is_owner) const;
  // A re-alert written at server time `now_ms`: only for an unanswered
  // alert, only once it is due, and only as the next attempt.
  absl::Status CheckRealert(const v1::Realert& realert, int64_t now_ms) const;
  // REQUIRES: the event passed its check.
  void Apply(const v1::EventBody& body, uint64_t seq, int64_t server_time_ms);

  struct Due {
    std::string alert_id;
    uint32_t attempt = 0;
  };
  // Re-alerts due at `now_ms`, one per unanswered alert.
  std::vector<Due> DueRealerts(int64_t now_ms) const;
  bool any_unanswered() const { return !unanswered_.empty(); }

  const AlertState* Find(const std::string& alert_id) const;
  const std::map<std::string, AlertState>& alerts() const { return alerts_; }

 private:
  std::map<std::string, AlertState> alerts_;  // by alert id
  std::set<std::string> unanswered_;
};

}  // namespace kith

#endif  // KITH_ALERT_BOOK_H_
