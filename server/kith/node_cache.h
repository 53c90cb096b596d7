// A cluster node's local cache of the group logs it has applied: a RocksDB
// store in DIR/cache whose writes are not synced, since PostgreSQL holds
// the truth. A restarted node replays it instead of reading every log from
// the database, and then reads only what came after.
//
// The cache is trusted only once checked against the database. Every
// cached log must be whole (from seq 1, each event chained to the one
// before) and end on the very event the database holds at that seq. A
// cache that fails (a database restored from an older backup, a log cut
// short, a disk that lost writes) is wiped, and the node starts empty, as
// a new node does. Since the appender writes each group's events to it in
// order and stops at the first failed write, and RocksDB recovers a prefix
// of its writes, a cache is normally a prefix of the truth.
#ifndef KITH_SERVER_NODE_CACHE_H_
#define KITH_SERVER_NODE_CACHE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "kith/rocks_store.h"
#include "kith/store.h"

namespace kith::server {

struct NodeCache {
  std::unique_ptr<RocksStore> store;
  // Events kept from before, and whether a cache found was wiped.
  uint64_t events = 0;
  bool wiped = false;
};

// Opens the cache in `dir` (creating it if missing) and checks it against
// `truth`, a shared log; wipes it if it does not hold. FAILED_PRECONDITION,
// wiping nothing, if it cannot be opened (another process has it);
// `truth`'s error if the database cannot be read.
absl::StatusOr<NodeCache> OpenNodeCache(const std::string& dir, const EventLog& truth);

}  // namespace kith::server

#endif  // KITH_SERVER_NODE_CACHE_H_
