// Playing a malicious or careless server operator in tests: stop kithd,
// read or rewrite its RocksDB store directly, start it again.
#ifndef KITH_TESTS_STORED_LOG_H_
#define KITH_TESTS_STORED_LOG_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "kith.pb.h"
#include "kith/rocks_store.h"
#include "kithd_process.h"

namespace kith::testing {

// Stops `kithd`, runs `fn` on its store, and starts it again.
void WithStoppedStore(KithdProcess& kithd, const std::function<void(server::RocksStore&)>& fn);

// Every stored event of `group`, in order.
std::vector<v1::Event> StoredLog(server::RocksStore& store, const std::string& group);

// Replaces stored event `seq` with what `edit` makes of it, and re-links
// every later event to it, as an operator covering their tracks would, so
// the server's own replay still accepts the log.
void RewriteAndRelink(server::RocksStore& store, const std::string& group, uint64_t seq,
                      const std::function<void(v1::Event&)>& edit);

// Every file under `dir` whose bytes contain `needle`.
std::vector<std::string> FilesContaining(const std::string& dir, const std::string& needle);

}  // namespace kith::testing

#endif  // KITH_TESTS_STORED_LOG_H_
