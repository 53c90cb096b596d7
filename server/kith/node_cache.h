// A cluster node's local cache of the group logs it has applied: a RocksDB
// store in DIR/cache whose writes are not synced, since PostgreSQL holds
// the truth. A restarted node loads groups from it rather than from the
// database, which it asks only for what came after.
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

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "kith/rocks_store.h"
#include "kith/store.h"

namespace kith::server {

struct NodeCache {
  std::unique_ptr<RocksStore> store;
  // How far `store` held each group's log when checked; it may grow since.
  std::map<std::string, uint64_t> heads;
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
