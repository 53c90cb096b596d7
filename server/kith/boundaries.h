// People's boundaries: quiet hours, daily limits, cool-offs and blocks,
// which kithd enforces on the metadata it sees anyway (who writes to whom,
// when), never on content. They apply to direct conversations; blocks and
// cool-offs to circle invitations as well.
//
// Every refusal reads kNotAccepting with FAILED_PRECONDITION, whichever
// boundary it is, so a refused sender learns nothing more. Quiet hours
// refuse nothing: the recipient's reading is held at the first message
// that arrived during them (GroupEntry::Hold) and released when they end,
// so held messages arrive afterwards, in order, none lost. Holds are
// rebuilt from the log at start-up, so a restart neither loses nor
// releases them early.
//
// Lock order: a group's mutex before this class's.
#ifndef KITH_SERVER_BOUNDARIES_H_
#define KITH_SERVER_BOUNDARIES_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "kith.pb.h"
#include "kith/group_registry.h"
#include "kith/store.h"

namespace kith::server {

class Boundaries {
 public:
  explicit Boundaries(BoundaryStore* store) : store_(store) {}
  // Reads everyone's stored boundaries, in place of those it held; on
  // error keeps what it had.
  absl::Status Load();
  // Reads `user_id`'s boundaries again (another node may have changed
  // them); on error keeps what it had. In cluster mode the appender calls
  // this for each addressee before admitting, so a boundary set through any
  // node holds from the moment it is acknowledged.
  absl::Status Refresh(const std::string& user_id);

  // Checks `boundaries` and stores them as `user_id`'s, dropping cool-offs
  // already over at `now_ms`. Returns what is now enforced.
  absl::StatusOr<v1::Boundaries> Set(const std::string& user_id, v1::Boundaries boundaries,
                                     int64_t now_ms);
  v1::Boundaries Get(const std::string& user_id) const;

  // The person whose boundaries decide whether `body` is admitted, if any:
  // the peer of a direct conversation (created or written to), or the
  // invitee into a circle. With the group's mutex held (shared), or null
  // `entry` for a creation.
  static std::optional<std::string> Addressee(const GroupEntry* entry, const v1::EventBody& body);
  // For an event its group's state accepted, with the group's mutex held
  // (for a creation, before the group exists): refuses it if the person it
  // is addressed to does not accept it from its author now.
  absl::Status Admit(const GroupEntry* entry, const v1::EventBody& body, int64_t now_ms) const;
  // After `event` was applied to `entry` (the group's mutex held): holds it
  // back from its recipient if it arrived in quiet hours still going on at
  // `now_ms`.
  void NoteApplied(GroupEntry& entry, const v1::EventBody& body, const v1::Event& event,
                   int64_t now_ms);
  // Releases every hold whose quiet hours are over or were turned off by
  // `now_ms`; returns the groups whose followers have something new.
  std::vector<GroupEntry*> ReleaseHolds(int64_t now_ms);

 private:
  struct Settings {
    v1::Boundaries boundaries;
    absl::TimeZone zone;
  };
  // When the quiet hours that `at_ms` falls in end, or 0 if it falls in none.
  static int64_t QuietEnd(const Settings& settings, int64_t at_ms);
  // Whether `sender` may write to the person with `settings` now; in
  // `direct` (their conversation, its mutex held) counting today's messages.
  static absl::Status Check(const Settings& settings, const std::string& sender, int64_t now_ms,
                            const GroupEntry* direct);
  int64_t QuietEndFor(const std::string& user_id, int64_t at_ms) const ABSL_LOCKS_EXCLUDED(mu_);
  // Enforces stored boundaries `b` for `user_id`.
  void Keep(const std::string& user_id, const v1::Boundaries& b) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  BoundaryStore* const store_;
  absl::Mutex set_mu_ ABSL_ACQUIRED_BEFORE(mu_);  // held through Set, store write included
  mutable absl::Mutex mu_;
  std::map<std::string, Settings> by_user_ ABSL_GUARDED_BY(mu_);
  std::set<GroupEntry*> holding_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kith::server

#endif  // KITH_SERVER_BOUNDARIES_H_
