// One conformance suite for every store behind kithd's seams (store.h): the
// embedded RocksDB store and the PostgreSQL store, each real (PostgreSQL is
// a server this test starts on 127.0.0.1). Both must keep what they
// acknowledged across a reopen, keep each group's log in order, and
// replace, delete and list their records alike.
#include <gtest/gtest.h>

#include <map>

#include "kith/crypto.h"
#include "kith/pg_store.h"
#include "kith/rocks_store.h"
#include "kithd_process.h"
#include "postgres_process.h"
#include "test_support.h"

namespace kith::testing {
namespace {

class RocksBackend {
 public:
  using Store = server::RocksStore;
  absl::Status Start() { return absl::OkStatus(); }
  absl::StatusOr<std::unique_ptr<Store>> Open() { return Store::Open(dir_.path() + "/db"); }

 private:
  TempDir dir_;
};

class PostgresBackend {
 public:
  using Store = server::PgStore;
  absl::Status Start() { return postgres_.Start(); }
  absl::StatusOr<std::unique_ptr<Store>> Open() { return Store::Open(postgres_.conninfo()); }

 private:
  TempDir dir_;
  PostgresProcess postgres_{dir_.path()};
};

v1::Event Event(const std::string& group, uint64_t seq) {
  v1::Event e;
  e.set_group_id(group);
  e.set_seq(seq);
  e.set_server_time_ms(1'700'000'000'000 + static_cast<int64_t>(seq));
  e.mutable_signed_()->set_body(crypto::RandomBytes(40));
  e.mutable_signed_()->set_signature(crypto::RandomBytes(64));
  return e;
}

template <typename Backend>
class StoreConformanceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(crypto::Init());
    ASSERT_OK(backend_.Start());
    Reopen();
  }
  void Reopen() {
    store_.reset();
    auto store = backend_.Open();
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }
  absl::Status Append(const std::vector<v1::Event>& events) {
    std::vector<const v1::Event*> batch;
    for (const auto& e : events) batch.push_back(&e);
    return store_->Append(batch);
  }
  std::vector<uint64_t> Seqs(const std::string& group, uint64_t from, uint32_t limit) {
    std::vector<v1::Event> out;
    EXPECT_OK(store_->ReadRange(group, from, limit, &out));
    std::vector<uint64_t> seqs;
    for (const auto& e : out) seqs.push_back(e.seq());
    return seqs;
  }

  Backend backend_;
  std::unique_ptr<typename Backend::Store> store_;
};

using Backends = ::testing::Types<RocksBackend, PostgresBackend>;
class BackendNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    return std::is_same_v<T, RocksBackend> ? "RocksDB" : "PostgreSQL";
  }
};
TYPED_TEST_SUITE(StoreConformanceTest, Backends, BackendNames);

TYPED_TEST(StoreConformanceTest, EachLogKeepsItsOrderAndSurvivesAReopen) {
  const std::string a = crypto::RandomBytes(16), b = crypto::RandomBytes(16);
  std::vector<v1::Event> first, second;
  for (uint64_t seq = 1; seq <= 5; ++seq) first.push_back(Event(a, seq));
  first.push_back(Event(b, 1));
  for (uint64_t seq = 6; seq <= 300; ++seq) second.push_back(Event(a, seq));
  second.push_back(Event(b, 2));
  ASSERT_OK(this->Append(first));
  ASSERT_OK(this->Append(second));
  this->Reopen();

  EXPECT_EQ(this->Seqs(a, 1, 3), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(this->Seqs(a, 299, 10), (std::vector<uint64_t>{299, 300}));
  EXPECT_TRUE(this->Seqs(a, 301, 10).empty());
  EXPECT_EQ(this->Seqs(b, 1, 10), (std::vector<uint64_t>{1, 2}));
  std::vector<v1::Event> read;
  ASSERT_OK(this->store_->ReadRange(a, 7, 1, &read));
  ASSERT_EQ(read.size(), 1u);
  EXPECT_EQ(read[0].SerializeAsString(), second[1].SerializeAsString());

  // ForEach: every event, group by group, each group in order.
  std::map<std::string, std::vector<uint64_t>> seen;
  std::string last_group;
  ASSERT_OK(this->store_->ForEach([&](const v1::Event& e) {
    if (e.group_id() != last_group) {
      EXPECT_FALSE(seen.contains(e.group_id()));
    }
    last_group = e.group_id();
    seen[e.group_id()].push_back(e.seq());
    return absl::OkStatus();
  }));
  ASSERT_EQ(seen[a].size(), 300u);
  EXPECT_TRUE(std::is_sorted(seen[a].begin(), seen[a].end()));
  EXPECT_EQ(seen[b], (std::vector<uint64_t>{1, 2}));
  // An error from the visitor stops the scan and is returned.
  int visited = 0;
  EXPECT_EQ(this->store_->ForEach([&](const v1::Event&) {
    ++visited;
    return absl::DataLossError("stop");
  }).code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(visited, 1);
}

TYPED_TEST(StoreConformanceTest, AccountsAndSessionsAreReplacedDeletedAndListed) {
  const std::string user = crypto::RandomBytes(16);
  v1::IdentityBundle bundle;
  bundle.set_name("dana");
  bundle.set_sign_pk(crypto::RandomBytes(32));
  ASSERT_OK(this->store_->PutAccount(user, bundle));
  bundle.set_name("dana r");
  ASSERT_OK(this->store_->PutAccount(user, bundle));
  const std::string token_a = crypto::RandomBytes(32), token_b = crypto::RandomBytes(32);
  ASSERT_OK(this->store_->PutSession(token_a, {user, 1'800'000'000'000}));
  ASSERT_OK(this->store_->PutSession(token_b, {user, 1'900'000'000'000}));
  ASSERT_OK(this->store_->DeleteSession(token_a));
  this->Reopen();

  std::map<std::string, std::string> names;
  ASSERT_OK(this->store_->ForEachAccount(
      [&](const std::string& id, const v1::IdentityBundle& b) { names[id] = b.name(); }));
  EXPECT_EQ(names, (std::map<std::string, std::string>{{user, "dana r"}}));
  std::map<std::string, server::SessionRecord> sessions;
  ASSERT_OK(this->store_->ForEachSession(
      [&](const std::string& hash, const server::SessionRecord& s) { sessions[hash] = s; }));
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_EQ(sessions[token_b].user_id, user);
  EXPECT_EQ(sessions[token_b].expires_at_ms, 1'900'000'000'000);
}

TYPED_TEST(StoreConformanceTest, TimersAlarmsAndBoundariesAreReplacedDeletedAndListed) {
  const std::string circle = crypto::RandomBytes(16), other = crypto::RandomBytes(16);
  v1::CheckinRequest checkin;
  checkin.set_group_id(circle);
  checkin.set_deadline_ms(1);
  ASSERT_OK(this->store_->PutCheckin(checkin));
  checkin.set_deadline_ms(2);
  ASSERT_OK(this->store_->PutCheckin(checkin));
  checkin.set_group_id(other);
  ASSERT_OK(this->store_->PutCheckin(checkin));
  ASSERT_OK(this->store_->DeleteCheckin(other));
  v1::DuressAlarm alarm;
  alarm.set_group_id(circle);
  alarm.set_released(1);
  ASSERT_OK(this->store_->PutDuress(alarm));
  alarm.set_group_id(other);
  ASSERT_OK(this->store_->PutDuress(alarm));
  ASSERT_OK(this->store_->DeleteDuress(circle));
  v1::Boundaries boundaries;
  boundaries.set_time_zone("Europe/Berlin");
  boundaries.add_blocked(other);
  ASSERT_OK(this->store_->PutBoundaries(circle, boundaries));
  this->Reopen();

  std::vector<v1::CheckinRequest> checkins;
  ASSERT_OK(this->store_->ForEachCheckin([&](const v1::CheckinRequest& c) { checkins.push_back(c); }));
  ASSERT_EQ(checkins.size(), 1u);
  EXPECT_EQ(checkins[0].group_id(), circle);
  EXPECT_EQ(checkins[0].deadline_ms(), 2);
  std::vector<std::string> alarms;
  ASSERT_OK(this->store_->ForEachDuress([&](const v1::DuressAlarm& a) { alarms.push_back(a.group_id()); }));
  EXPECT_EQ(alarms, std::vector<std::string>{other});
  std::map<std::string, std::string> zones;
  ASSERT_OK(this->store_->ForEachBoundaries(
      [&](const std::string& user, const v1::Boundaries& b) { zones[user] = b.time_zone(); }));
  EXPECT_EQ(zones, (std::map<std::string, std::string>{{circle, "Europe/Berlin"}}));
}

}  // namespace
}  // namespace kith::testing
