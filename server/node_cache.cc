#include "kith/node_cache.h"

#include <cstdio>
#include <filesystem>
#include <map>

#include "absl/strings/str_cat.h"
#include "kith/crypto.h"
#include "kith/protocol.h"

namespace kith::server {

namespace {

struct CachedHead {
  uint64_t seq = 0;
  std::string hash;  // EventHash of the event at seq
};

// The head of every cached log, or an error naming the first log that is
// not whole.
absl::StatusOr<std::map<std::string, CachedHead>> CachedHeads(const EventLog& cache) {
  std::map<std::string, CachedHead> heads;
  auto s = cache.ForEach([&heads](const v1::Event& event) -> absl::Status {
    CachedHead& head = heads[event.group_id()];
    if (auto s = CheckLink(event, head.seq, head.hash); !s.ok()) {
      return absl::DataLossError(absl::StrCat("the cached log of group ",
                                              crypto::ToHex(event.group_id()), ": ", s.message()));
    }
    head = {event.seq(), EventHash(event)};
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return heads;
}

// Whether every cached log ends on the event `truth` holds at its seq; the
// first that does not is named in `why`.
absl::StatusOr<bool> MatchesTruth(const std::map<std::string, CachedHead>& cached,
                                  const EventLog& truth, std::string* why) {
  std::vector<std::pair<std::string, uint64_t>> places;
  for (const auto& [group_id, head] : cached) places.emplace_back(group_id, head.seq);
  std::vector<v1::Event> stored;
  if (auto s = truth.ReadAt(places, &stored); !s.ok()) return s;
  std::map<std::string, std::string> stored_hash;  // by group id
  for (const v1::Event& event : stored) {
    auto head = cached.find(event.group_id());
    if (head != cached.end() && head->second.seq == event.seq()) {
      stored_hash[event.group_id()] = EventHash(event);
    }
  }
  for (const auto& [group_id, head] : cached) {
    auto it = stored_hash.find(group_id);
    if (it == stored_hash.end() || it->second != head.hash) {
      *why = absl::StrCat("the cached log of group ", crypto::ToHex(group_id), " at seq ",
                          head.seq, " is not the database's");
      return false;
    }
  }
  return true;
}

}  // namespace

absl::StatusOr<NodeCache> OpenNodeCache(const std::string& dir, const EventLog& truth) {
  NodeCache cache;
  auto store = RocksStore::Open(dir, /*sync_writes=*/false);
  if (!store.ok()) {
    // Not wiped: the likeliest cause is another kithd on this data directory.
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot open the node's cache ", dir, " (", store.status().message(),
        "): give each node its own data directory; with the node stopped, the cache may be deleted"));
  }
  std::string why;
  if (auto heads = CachedHeads(**store); !heads.ok()) {
    why = heads.status().ToString();
  } else {
    auto matches = MatchesTruth(*heads, truth, &why);
    if (!matches.ok()) return matches.status();  // the database failed, not the cache
    if (*matches) {
      for (const auto& [group_id, head] : *heads) {
        cache.heads[group_id] = head.seq;
        cache.events += head.seq;
      }
      cache.store = *std::move(store);
      return cache;
    }
  }
  fprintf(stderr, "kithd: wiping the node's cache: %s\n", why.c_str());
  store->reset();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot wipe the node's cache ", dir, ": ", ec.message()));
  cache.wiped = true;
  auto fresh = RocksStore::Open(dir, /*sync_writes=*/false);
  if (!fresh.ok()) return fresh.status();
  cache.store = *std::move(fresh);
  return cache;
}

}  // namespace kith::server
