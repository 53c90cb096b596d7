// Applying events read back from the log to the live state of their groups:
// at start-up for every group, and in cluster mode for events other nodes
// appended.
#ifndef KITH_SERVER_REPLAY_H_
#define KITH_SERVER_REPLAY_H_

#include <cstdint>

#include "absl/status/status.h"
#include "kith.pb.h"
#include "kith/boundaries.h"
#include "kith/group_registry.h"
#include "kith/store.h"

namespace kith::server {

// Applies `event`, the next of its group's log, as the appender would have
// when it accepted it: to the group's state, its indexes, the holds of
// people in quiet hours at `now_ms`, and the events kept for fan-out.
// Signatures were verified when the event was appended, so they are
// trusted; the hash chain is still checked. DATA_LOSS if it does not
// follow. REQUIRES: only the caller's thread changes group state.
absl::Status ApplyStored(const v1::Event& event, GroupRegistry& groups, Boundaries& boundaries,
                         int64_t now_ms);
// The same, to `entry`, whose lock the caller holds.
absl::Status ApplyStoredLocked(const v1::Event& event, GroupEntry& entry, GroupRegistry& groups,
                               Boundaries& boundaries, int64_t now_ms)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(entry.mu);

// Rebuilds every group's live state from the whole log.
absl::Status Replay(const EventLog& log, GroupRegistry& groups, Boundaries& boundaries,
                    int64_t now_ms);

}  // namespace kith::server

#endif  // KITH_SERVER_REPLAY_H_
