// One conformance suite for every store behind kithd's seams (store.h): the
// embedded RocksDB store and the PostgreSQL store, each real (PostgreSQL is
// a server this test starts on 127.0.0.1). Both must keep what they
// acknowledged across a reopen, keep each group's log in order, and
// replace, delete and list their records alike. Then what only a store that
// several nodes share does: lock a group's log against other writers, and
// tell each node what the others changed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <map>
#include <set>
#include <thread>

#include "absl/synchronization/mutex.h"

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

  // Point lookups agree with the scans.
  auto account = this->store_->GetAccount(user);
  ASSERT_OK(account.status());
  ASSERT_TRUE(account->has_value());
  EXPECT_EQ((*account)->name(), "dana r");
  EXPECT_FALSE(this->store_->GetAccount(crypto::RandomBytes(16))->has_value());
  auto session = this->store_->GetSession(token_b);
  ASSERT_OK(session.status());
  ASSERT_TRUE(session->has_value());
  EXPECT_EQ((*session)->user_id, user);
  EXPECT_EQ((*session)->expires_at_ms, 1'900'000'000'000);
  EXPECT_FALSE(this->store_->GetSession(token_a)->has_value());
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

  // Point lookups agree with the scans.
  auto found_checkin = this->store_->GetCheckin(circle);
  ASSERT_OK(found_checkin.status());
  ASSERT_TRUE(found_checkin->has_value());
  EXPECT_EQ((*found_checkin)->deadline_ms(), 2);
  EXPECT_FALSE(this->store_->GetCheckin(other)->has_value());
  EXPECT_FALSE(this->store_->GetDuress(circle)->has_value());
  auto found_alarm = this->store_->GetDuress(other);
  ASSERT_OK(found_alarm.status());
  ASSERT_TRUE(found_alarm->has_value());
  EXPECT_EQ((*found_alarm)->released(), 1u);
  auto found_boundaries = this->store_->GetBoundaries(circle);
  ASSERT_OK(found_boundaries.status());
  ASSERT_TRUE(found_boundaries->has_value());
  EXPECT_EQ((*found_boundaries)->blocked(0), other);
  EXPECT_FALSE(this->store_->GetBoundaries(other)->has_value());
}

TYPED_TEST(StoreConformanceTest, ReadAtFindsTheEventAtEachPlaceThatHasOne) {
  const std::string a = crypto::RandomBytes(16), b = crypto::RandomBytes(16);
  const std::vector<v1::Event> events = {Event(a, 1), Event(a, 2), Event(a, 3), Event(b, 1), Event(b, 2)};
  ASSERT_OK(this->Append(events));
  // More places than one PostgreSQL query takes; most of them empty.
  std::vector<std::pair<std::string, uint64_t>> places = {{a, 0}, {b, 1}, {a, 9}, {b, 3}};
  for (int i = 0; i < 1200; ++i) places.emplace_back(crypto::RandomBytes(16), 1);
  places.emplace_back(a, 2);
  std::vector<v1::Event> found;
  ASSERT_OK(this->store_->ReadAt(places, &found));
  std::set<std::string> got;
  for (const v1::Event& e : found) got.insert(e.SerializeAsString());
  EXPECT_EQ(found.size(), 2u);
  EXPECT_EQ(got, (std::set<std::string>{events[1].SerializeAsString(), events[3].SerializeAsString()}));
}

// What other nodes sharing a PostgreSQL store hear: records a watcher saw
// change, and heads of logs appended elsewhere.
class RecordingWatcher : public server::StoreWatcher {
 public:
  void OnAppended(const std::string& group_id, uint64_t seq) override {
    absl::MutexLock lock(&mu_);
    heads_[group_id] = std::max(heads_[group_id], seq);
  }
  void OnChanged(server::RecordKind kind, const std::string& key) override {
    absl::MutexLock lock(&mu_);
    changed_.emplace_back(static_cast<char>(kind), key);
  }
  void OnMissed() override {
    absl::MutexLock lock(&mu_);
    ++missed_;
  }
  // Waits up to 10 s for `group_id`'s head to reach `seq`.
  bool HeardHead(const std::string& group_id, uint64_t seq) {
    absl::MutexLock lock(&mu_);
    auto reached = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      auto it = heads_.find(group_id);
      return it != heads_.end() && it->second >= seq;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&reached), absl::Seconds(10));
  }
  bool HeardChange(char kind, const std::string& key) {
    absl::MutexLock lock(&mu_);
    auto heard = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return std::find(changed_.begin(), changed_.end(), std::make_pair(kind, key)) != changed_.end();
    };
    return mu_.AwaitWithTimeout(absl::Condition(&heard), absl::Seconds(10));
  }
  bool HeardAnyHead(const std::string& group_id) {
    absl::MutexLock lock(&mu_);
    return heads_.contains(group_id);
  }
  size_t changes() {
    absl::MutexLock lock(&mu_);
    return changed_.size();
  }
  int missed() {
    absl::MutexLock lock(&mu_);
    return missed_;
  }

 private:
  absl::Mutex mu_;
  std::map<std::string, uint64_t> heads_ ABSL_GUARDED_BY(mu_);
  std::vector<std::pair<char, std::string>> changed_ ABSL_GUARDED_BY(mu_);
  int missed_ ABSL_GUARDED_BY(mu_) = 0;
};

class SharedPostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(crypto::Init());
    ASSERT_OK(postgres_.Start());
    for (auto* node : {&a_, &b_}) {
      auto store = server::PgStore::Open(postgres_.conninfo());
      ASSERT_TRUE(store.ok()) << store.status();
      *node = *std::move(store);
    }
  }
  TempDir dir_;
  PostgresProcess postgres_{dir_.path()};
  std::unique_ptr<server::PgStore> a_, b_;
};

TEST_F(SharedPostgresStoreTest, AGroupLockedByOneWriterWaitsForItsAppendAndAdvancesItsHead) {
  const std::string group = crypto::RandomBytes(16), other = crypto::RandomBytes(16);
  // A creation makes the head row; a group nobody creates has none, and
  // one whose creation is not committed yet does not exist for others.
  auto heads = a_->LockHeads({group, other}, {group});
  ASSERT_OK(heads.status());
  EXPECT_EQ(*heads, (std::map<std::string, uint64_t>{{group, 0}}));
  auto not_yet = b_->LockHeads({group}, {});
  ASSERT_OK(not_yet.status());
  EXPECT_TRUE(not_yet->empty());
  ASSERT_OK(b_->Append({}));
  const v1::Event e1 = Event(group, 1), e2 = Event(group, 2), e3 = Event(group, 3);
  ASSERT_OK(a_->Append(std::vector<const v1::Event*>{&e1}));

  // The second writer's lock waits until the first has stored its batch,
  // then sees the new head.
  heads = a_->LockHeads({group}, {});
  ASSERT_OK(heads.status());
  EXPECT_EQ(heads->at(group), 1u);
  std::promise<absl::StatusOr<std::map<std::string, uint64_t>>> b_heads;
  auto b_result = b_heads.get_future();
  std::thread b_locks([&] { b_heads.set_value(b_->LockHeads({group}, {})); });
  EXPECT_EQ(b_result.wait_for(std::chrono::milliseconds(300)), std::future_status::timeout);
  ASSERT_OK(a_->Append(std::vector<const v1::Event*>{&e2}));
  b_locks.join();
  heads = b_result.get();
  ASSERT_OK(heads.status());
  EXPECT_EQ(heads->at(group), 2u);
  ASSERT_OK(b_->Append(std::vector<const v1::Event*>{&e3}));
  heads = a_->LockHeads({group}, {});
  ASSERT_OK(heads.status());
  EXPECT_EQ(heads->at(group), 3u);
  ASSERT_OK(a_->Append({}));  // releases without storing anything
  std::vector<v1::Event> read;
  ASSERT_OK(b_->ReadRange(group, 1, 10, &read));
  EXPECT_EQ(read.size(), 3u);
}

TEST_F(SharedPostgresStoreTest, APairOfPeopleIsClaimedByOneDirectConversationOnly) {
  const std::string pair = crypto::RandomBytes(32);
  const std::string first = crypto::RandomBytes(16), second = crypto::RandomBytes(16);
  // A claim whose creation is not stored is let go: another writer finds
  // the pair free at once.
  ASSERT_OK(a_->LockHeads({first}, {first}).status());
  auto held = a_->ClaimPairs({{pair, first}});
  ASSERT_OK(held.status());
  EXPECT_TRUE(held->empty());
  ASSERT_OK(a_->Append({}));
  ASSERT_OK(b_->LockHeads({second}, {second}).status());
  held = b_->ClaimPairs({{pair, second}});
  ASSERT_OK(held.status());
  EXPECT_TRUE(held->empty());
  ASSERT_OK(b_->Append({}));

  // A second writer claiming the same pair waits for the first to store its
  // creation, then finds the pair held by it.
  ASSERT_OK(a_->LockHeads({first}, {first}).status());
  ASSERT_OK(a_->ClaimPairs({{pair, first}}).status());
  ASSERT_OK(b_->LockHeads({second}, {second}).status());
  std::promise<absl::StatusOr<std::map<std::string, std::string>>> b_held;
  auto b_result = b_held.get_future();
  std::thread b_claims([&] { b_held.set_value(b_->ClaimPairs({{pair, second}})); });
  EXPECT_EQ(b_result.wait_for(std::chrono::milliseconds(300)), std::future_status::timeout);
  const v1::Event created = Event(first, 1);
  ASSERT_OK(a_->Append(std::vector<const v1::Event*>{&created}));
  b_claims.join();
  held = b_result.get();
  ASSERT_OK(held.status());
  EXPECT_EQ(*held, (std::map<std::string, std::string>{{pair, first}}));
  ASSERT_OK(b_->Append({}));

  // The holder's own claim finds nothing in its way.
  ASSERT_OK(a_->LockHeads({first}, {}).status());
  held = a_->ClaimPairs({{pair, first}});
  ASSERT_OK(held.status());
  EXPECT_TRUE(held->empty());
  ASSERT_OK(a_->Append({}));
}

TEST_F(SharedPostgresStoreTest, AnAppendThatWouldForkALogStoresNothing) {
  const std::string group = crypto::RandomBytes(16);
  const v1::Event e1 = Event(group, 1), again = Event(group, 1), e2 = Event(group, 2);
  ASSERT_OK(a_->Append(std::vector<const v1::Event*>{&e1}));
  EXPECT_FALSE(b_->Append(std::vector<const v1::Event*>{&e2, &again}).ok());
  std::vector<v1::Event> read;
  ASSERT_OK(a_->ReadRange(group, 1, 10, &read));
  ASSERT_EQ(read.size(), 1u);
  EXPECT_EQ(read[0].SerializeAsString(), e1.SerializeAsString());
}

TEST_F(SharedPostgresStoreTest, AFailedWriteSaysWhatFailedButNotTheStoredValuesInItsWay) {
  // PostgreSQL's DETAIL quotes the key in the way; group ids and pairs of
  // people are metadata that a log line or an error must not carry.
  const std::string group = crypto::RandomBytes(16);
  const v1::Event e1 = Event(group, 1), again = Event(group, 1);
  ASSERT_OK(a_->Append(std::vector<const v1::Event*>{&e1}));
  const absl::Status forked = b_->Append(std::vector<const v1::Event*>{&again});
  ASSERT_FALSE(forked.ok());
  EXPECT_THAT(std::string(forked.message()), ::testing::HasSubstr("SQLSTATE 23505"));
  EXPECT_THAT(std::string(forked.message()),
              ::testing::Not(::testing::HasSubstr(crypto::ToHex(group))));
}

TEST_F(SharedPostgresStoreTest, EachNodeHearsWhatTheOtherChangedButNotItsOwnWrites) {
  RecordingWatcher heard_by_a, heard_by_b;
  a_->Watch(&heard_by_a);
  b_->Watch(&heard_by_b);
  const std::string group = crypto::RandomBytes(16), user = crypto::RandomBytes(16);
  const v1::Event e1 = Event(group, 1), e2 = Event(group, 2);
  ASSERT_OK(a_->LockHeads({group}, {group}).status());
  ASSERT_OK(a_->Append(std::vector<const v1::Event*>{&e1, &e2}));
  EXPECT_TRUE(heard_by_b.HeardHead(group, 2));

  v1::Boundaries boundaries;
  boundaries.add_blocked(crypto::RandomBytes(16));
  ASSERT_OK(a_->PutBoundaries(user, boundaries));
  v1::CheckinRequest checkin;
  checkin.set_group_id(group);
  ASSERT_OK(b_->PutCheckin(checkin));
  ASSERT_OK(b_->DeleteCheckin(group));
  EXPECT_TRUE(heard_by_b.HeardChange('b', user));
  EXPECT_TRUE(heard_by_a.HeardChange('c', group));
  // Sessions are looked up, not announced; a node's own writes are not news.
  ASSERT_OK(a_->PutSession(crypto::RandomBytes(32), {user, 1}));
  ASSERT_OK(b_->PutAccount(user, v1::IdentityBundle()));
  EXPECT_TRUE(heard_by_a.HeardChange('a', user));
  // Notifications arrive in commit order, so by now a's own append would
  // have been heard.
  EXPECT_FALSE(heard_by_a.HeardAnyHead(group));
  EXPECT_EQ(heard_by_a.changes(), 3u);  // the check-in stored, removed; the account
  EXPECT_EQ(heard_by_b.changes(), 1u);
  a_->Watch(nullptr);
  b_->Watch(nullptr);
}

TEST_F(SharedPostgresStoreTest, HearingAllCommittedPassesOnEveryChangeMadeBefore) {
  RecordingWatcher heard_by_a;
  a_->Watch(&heard_by_a);
  for (size_t i = 1; i <= 20; ++i) {
    ASSERT_OK(b_->PutBoundaries(crypto::RandomBytes(16), v1::Boundaries()));
    ASSERT_OK(a_->HearAllCommitted(absl::Now() + absl::Seconds(10)));
    EXPECT_EQ(heard_by_a.changes(), i);  // already passed on, not merely on its way
  }
  a_->Watch(nullptr);
}

TEST_F(SharedPostgresStoreTest, ReadersHearingAllCommittedAtOnceEachHearWhatCameBefore) {
  RecordingWatcher heard_by_a;
  a_->Watch(&heard_by_a);
  std::atomic<size_t> stored{0};
  std::atomic<int> early{0};
  std::thread writer([&] {
    for (int i = 0; i < 100; ++i) {
      ASSERT_OK(b_->PutBoundaries(crypto::RandomBytes(16), v1::Boundaries()));
      ++stored;
    }
  });
  std::vector<std::thread> readers;
  for (int r = 0; r < 8; ++r) {
    readers.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        const size_t before = stored;
        ASSERT_OK(a_->HearAllCommitted(absl::Now() + absl::Seconds(10)));
        if (heard_by_a.changes() < before) ++early;
      }
    });
  }
  writer.join();
  for (auto& r : readers) r.join();
  EXPECT_EQ(early, 0);
  a_->Watch(nullptr);
}

TEST_F(SharedPostgresStoreTest, ANodeThatLostTouchIsToldItMayHaveMissedChanges) {
  RecordingWatcher heard_by_a;
  a_->Watch(&heard_by_a);
  // Both stores' listening connections go; what b changes meanwhile, a
  // cannot be notified of.
  auto ended = QueryPostgres(postgres_.conninfo(),
                             "SELECT count(pg_terminate_backend(pid, 10000)) FROM pg_stat_activity "
                             "WHERE query LIKE 'LISTEN %'");
  ASSERT_OK(ended.status());
  EXPECT_EQ(*ended, "2");
  v1::CheckinRequest checkin;
  checkin.set_group_id(crypto::RandomBytes(16));
  ASSERT_OK(b_->PutCheckin(checkin));
  // Once a listens again it says so, and a reader's wait then ends.
  ASSERT_OK(a_->HearAllCommitted(absl::Now() + absl::Seconds(10)));
  EXPECT_EQ(heard_by_a.missed(), 1);
  a_->Watch(nullptr);
}

}  // namespace
}  // namespace kith::testing
