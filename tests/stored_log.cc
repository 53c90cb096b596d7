#include "stored_log.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "kith/protocol.h"

namespace kith::testing {

void WithStoppedStore(KithdProcess& kithd, const std::function<void(server::RocksStore&)>& fn) {
  ASSERT_EQ(kithd.Stop(), 0);
  {
    auto store = server::RocksStore::Open(kithd.data_dir() + "/db");
    ASSERT_TRUE(store.ok()) << store.status();
    fn(**store);
  }
  auto started = kithd.Start();
  ASSERT_TRUE(started.ok()) << started;
}

std::vector<v1::Event> StoredLog(server::RocksStore& store, const std::string& group) {
  std::vector<v1::Event> events;
  auto s = store.ReadRange(group, 1, 100000, &events);
  EXPECT_TRUE(s.ok()) << s;
  return events;
}

void RewriteAndRelink(server::RocksStore& store, const std::string& group, uint64_t seq,
                      const std::function<void(v1::Event&)>& edit) {
  std::vector<v1::Event> log = StoredLog(store, group);
  ASSERT_GE(log.size(), seq);
  edit(log[seq - 1]);
  std::vector<const v1::Event*> rewritten;
  for (size_t i = seq - 1; i < log.size(); ++i) {
    if (i >= seq) log[i].set_prev_hash(EventHash(log[i - 1]));
    rewritten.push_back(&log[i]);
  }
  auto s = store.Append(rewritten);
  ASSERT_TRUE(s.ok()) << s;
}

std::vector<std::string> FilesContaining(const std::string& dir, const std::string& needle) {
  std::vector<std::string> hits;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && ReadFile(entry.path()).find(needle) != std::string::npos) {
      hits.push_back(entry.path());
    }
  }
  return hits;
}

}  // namespace kith::testing
