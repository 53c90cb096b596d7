// A cluster node's cache is kept only while every cached log is a prefix of
// the database's, checked against a real PostgreSQL server; otherwise it is
// wiped, and a database that cannot be read wipes nothing.
#include "kith/node_cache.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "kith/crypto.h"
#include "kith/pg_store.h"
#include "kith/protocol.h"
#include "postgres_process.h"
#include "test_support.h"

namespace kith::testing {
namespace {

// A whole log of `n` events, each chained to the one before; `variant`
// makes a log that differs from seq `variant_from` on.
std::vector<v1::Event> Log(const std::string& group, uint64_t n, int variant = 0,
                           uint64_t variant_from = 1) {
  std::vector<v1::Event> log;
  std::string prev = GenesisPrevHash();
  for (uint64_t seq = 1; seq <= n; ++seq) {
    v1::Event& e = log.emplace_back();
    e.set_group_id(group);
    e.set_seq(seq);
    e.set_prev_hash(prev);
    e.set_server_time_ms(1'700'000'000'000 + static_cast<int64_t>(seq) +
                         (seq >= variant_from ? variant : 0));
    e.mutable_signed_()->set_body(absl::StrCat("body ", seq));
    prev = EventHash(e);
  }
  return log;
}

std::vector<const v1::Event*> Slice(const std::vector<v1::Event>& log, size_t from, size_t to) {
  std::vector<const v1::Event*> out;
  for (size_t i = from; i < to; ++i) out.push_back(&log[i]);
  return out;
}

class NodeCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(crypto::Init());
    std::filesystem::create_directory(dir_.path() + "/pg");
    ASSERT_OK(postgres_.Start());
    auto truth = server::PgStore::Open(postgres_.conninfo());
    ASSERT_OK(truth.status());
    truth_ = *std::move(truth);
    ASSERT_OK(truth_->LockHeads({group_}, {group_}).status());
    ASSERT_OK(truth_->Append(Slice(stored_, 0, stored_.size())));
  }
  // Writes `events` to the cache as a node would, then closes it.
  void Cache(absl::Span<const v1::Event* const> events) {
    auto cache = server::RocksStore::Open(cache_dir(), /*sync_writes=*/false);
    ASSERT_OK(cache.status());
    ASSERT_OK((*cache)->Append(events));
  }
  // Opens the cache as a starting node does; the events it then holds.
  std::vector<v1::Event> Reopen(bool expect_wiped) {
    auto cache = server::OpenNodeCache(cache_dir(), *truth_);
    EXPECT_OK(cache.status());
    std::vector<v1::Event> held;
    if (!cache.ok()) return held;
    EXPECT_EQ(cache->wiped, expect_wiped);
    EXPECT_OK(cache->store->ForEach([&held](const v1::Event& e) {
      held.push_back(e);
      return absl::OkStatus();
    }));
    EXPECT_EQ(cache->events, held.size());
    return held;
  }
  std::string cache_dir() const { return dir_.path() + "/cache"; }

  TempDir dir_;
  PostgresProcess postgres_{dir_.path() + "/pg"};
  std::unique_ptr<server::PgStore> truth_;
  const std::string group_ = crypto::RandomBytes(16);
  const std::vector<v1::Event> stored_ = Log(group_, 5);
};

TEST_F(NodeCacheTest, ACacheThatIsAPrefixOfTheDatabaseIsKept) {
  Cache(Slice(stored_, 0, 3));
  const std::vector<v1::Event> held = Reopen(/*expect_wiped=*/false);
  ASSERT_EQ(held.size(), 3u);
  EXPECT_EQ(held[2].SerializeAsString(), stored_[2].SerializeAsString());
  EXPECT_TRUE(Reopen(/*expect_wiped=*/false).size() == 3u);  // and stays so
}

TEST_F(NodeCacheTest, ACacheAheadOfTheDatabaseIsWiped) {
  const std::vector<v1::Event> longer = Log(group_, 7);
  Cache(Slice(longer, 0, 7));
  EXPECT_TRUE(Reopen(/*expect_wiped=*/true).empty());
}

TEST_F(NodeCacheTest, ACacheThatDivergesFromTheDatabaseIsWiped) {
  const std::vector<v1::Event> forked = Log(group_, 4, /*variant=*/1, /*variant_from=*/3);
  Cache(Slice(forked, 0, 4));
  EXPECT_TRUE(Reopen(/*expect_wiped=*/true).empty());
}

TEST_F(NodeCacheTest, ACacheOfAGroupTheDatabaseLacksIsWiped) {
  const std::vector<v1::Event> other = Log(crypto::RandomBytes(16), 2);
  Cache(Slice(stored_, 0, 5));
  Cache(Slice(other, 0, 2));
  EXPECT_TRUE(Reopen(/*expect_wiped=*/true).empty());
}

TEST_F(NodeCacheTest, ACacheWithALogThatIsNotWholeIsWiped) {
  Cache({&stored_[0], &stored_[1], &stored_[3]});  // seq 3 is missing
  EXPECT_TRUE(Reopen(/*expect_wiped=*/true).empty());
}

TEST_F(NodeCacheTest, ADatabaseThatCannotBeReadWipesNothing) {
  Cache(Slice(stored_, 0, 3));
  ASSERT_OK(postgres_.Stop());
  auto cache = server::OpenNodeCache(cache_dir(), *truth_);
  EXPECT_EQ(cache.status().code(), absl::StatusCode::kUnavailable) << cache.status();
  ASSERT_OK(postgres_.Start());
  EXPECT_EQ(Reopen(/*expect_wiped=*/false).size(), 3u);
}

TEST_F(NodeCacheTest, ACacheAnotherProcessHoldsIsLeftAlone) {
  Cache(Slice(stored_, 0, 3));
  auto held = server::OpenNodeCache(cache_dir(), *truth_);
  ASSERT_OK(held.status());
  auto again = server::OpenNodeCache(cache_dir(), *truth_);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition) << again.status();
  held->store.reset();
  EXPECT_EQ(Reopen(/*expect_wiped=*/false).size(), 3u);
}

}  // namespace
}  // namespace kith::testing
