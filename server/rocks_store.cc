#include "kith/rocks_store.h"

#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "kith/protocol.h"

namespace kith::server {
namespace {

// Column family names, in RocksStore::Family order.
constexpr const char* kFamilyNames[] = {"events",  "accounts", "sessions",
                                        "checkins", "duress",   "boundaries"};

absl::Status FromRocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return absl::OkStatus();
  if (s.IsNoSpace()) {
    return absl::ResourceExhaustedError(
        absl::StrCat("the server's disk is full (", what, "); try again later"));
  }
  return absl::InternalError(absl::StrCat("storage error while ", what, ": ", s.ToString()));
}

// The error of every call while the database is closed (a reopen failed).
absl::Status Closed() {
  return absl::UnavailableError("the database is closed after a failed write; retry in a moment");
}

rocksdb::WriteOptions Writes(bool sync) {
  rocksdb::WriteOptions options;
  options.sync = sync;  // if so, acknowledged only once on disk
  return options;
}

}  // namespace

std::string RocksStore::EventKey(const std::string& group_id, uint64_t seq) {
  std::string key = group_id;
  AppendU64(key, seq);
  return key;
}

RocksStore::RocksStore(std::string dir, bool sync_writes,
                       std::shared_ptr<rocksdb::FileSystem> file_system)
    : dir_(std::move(dir)),
      sync_writes_(sync_writes),
      file_system_(std::move(file_system)),
      env_(file_system_ ? rocksdb::NewCompositeEnv(file_system_) : nullptr) {}

absl::StatusOr<std::unique_ptr<RocksStore>> RocksStore::Open(
    const std::string& dir, bool sync_writes, std::shared_ptr<rocksdb::FileSystem> file_system) {
  std::unique_ptr<RocksStore> store(new RocksStore(dir, sync_writes, std::move(file_system)));
  absl::MutexLock lock(&store->db_mu_);
  if (auto s = store->OpenDb(/*read_only=*/false); !s.ok()) return s;
  return store;
}

absl::Status RocksStore::OpenDb(bool read_only) {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  // Bodies are ciphertext: compression would only cost CPU.
  options.compression = rocksdb::kNoCompression;
  options.IncreaseParallelism(2);
  if (env_) options.env = env_.get();

  rocksdb::ColumnFamilyOptions cf_options(options);
  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, cf_options}};
  for (const char* name : kFamilyNames) families.emplace_back(name, cf_options);
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  auto s = read_only ? rocksdb::DB::OpenForReadOnly(options, dir_, families, &handles, &raw)
                     : rocksdb::DB::Open(options, dir_, families, &handles, &raw);
  if (!s.ok()) return FromRocks(s, "opening the database");
  read_only_ = read_only;
  if (!read_only) read_only_because_ = absl::OkStatus();
  db_.reset(raw);
  // handles[0] is the default family, which Kith does not use.
  db_->DestroyColumnFamilyHandle(handles[0]);
  for (int f = 0; f < kFamilies; ++f) families_[f] = handles[f + 1];
  return absl::OkStatus();
}

void RocksStore::CloseDb() {
  if (!db_) return;
  for (auto*& family : families_) {
    db_->DestroyColumnFamilyHandle(family);
    family = nullptr;
  }
  db_->Close().PermitUncheckedError();
  db_.reset();
}

RocksStore::~RocksStore() {
  absl::MutexLock lock(&db_mu_);
  CloseDb();
}

absl::Status RocksStore::Recover() {
  absl::MutexLock lock(&db_mu_);
  if (db_ && !read_only_ && db_->Resume().ok()) return absl::OkStatus();
  // RocksDB cannot resume after some failures (a failed write-ahead log
  // write is one). Its log then holds what it holds; reopening reads it
  // back, so what this store serves next is what a restart would. While
  // the disk still refuses writes, the database opens read-only, so that
  // what is stored can still be read.
  CloseDb();
  auto s = OpenDb(/*read_only=*/false);
  read_only_because_ = s;
  if (!s.ok() && !OpenDb(/*read_only=*/true).ok()) {
    fprintf(stderr, "kithd: the database does not open, even to read: %s\n", s.ToString().c_str());
  }
  return s;
}

absl::Status RocksStore::Append(absl::Span<const v1::Event* const> events) {
  if (events.empty()) return absl::OkStatus();
  absl::ReaderMutexLock lock(&db_mu_);
  if (!db_) return Closed();
  if (read_only_) return read_only_because_;
  rocksdb::WriteBatch batch;
  std::string value;
  for (const v1::Event* e : events) {
    e->SerializeToString(&value);
    batch.Put(families_[kEvents], EventKey(e->group_id(), e->seq()), value);
  }
  return FromRocks(db_->Write(Writes(sync_writes_), &batch), "appending events");
}

absl::Status RocksStore::ReadRange(const std::string& group_id, uint64_t from_seq, uint32_t limit,
                                   std::vector<v1::Event>* out) const {
  absl::ReaderMutexLock lock(&db_mu_);
  if (!db_) return Closed();
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), families_[kEvents]));
  const std::string start = EventKey(group_id, from_seq);
  for (it->Seek(start); it->Valid() && limit > 0; it->Next(), --limit) {
    if (!it->key().starts_with(group_id)) break;
    v1::Event& e = out->emplace_back();
    if (!e.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError("a stored event does not parse");
    }
  }
  return FromRocks(it->status(), "reading events");
}

absl::Status RocksStore::Scan(
    Family family, const char* what,
    const std::function<absl::Status(const std::string&, const std::string&)>& fn) const {
  std::optional<std::string> after;  // the last key handed to fn
  for (;;) {
    std::vector<std::pair<std::string, std::string>> chunk;
    {
      absl::ReaderMutexLock lock(&db_mu_);
      if (!db_) return Closed();
      std::unique_ptr<rocksdb::Iterator> it(
          db_->NewIterator(rocksdb::ReadOptions(), families_[family]));
      if (!after) {
        it->SeekToFirst();
      } else {
        it->Seek(*after);
        if (it->Valid() && it->key() == *after) it->Next();
      }
      for (; it->Valid() && chunk.size() < kScanChunk; it->Next()) {
        chunk.emplace_back(it->key().ToString(), it->value().ToString());
      }
      if (auto s = FromRocks(it->status(), absl::StrCat("scanning ", what, "s")); !s.ok()) return s;
    }
    for (const auto& [key, value] : chunk) {
      if (auto s = fn(key, value); !s.ok()) return s;
    }
    if (chunk.size() < kScanChunk) return absl::OkStatus();
    after = chunk.back().first;
  }
}

absl::Status RocksStore::ForEach(const std::function<absl::Status(const v1::Event&)>& fn) const {
  v1::Event e;
  return Scan(kEvents, "event", [&](const std::string&, const std::string& value) {
    if (!e.ParseFromString(value)) return absl::DataLossError("a stored event does not parse");
    return fn(e);
  });
}

absl::Status RocksStore::Put(Family family, const std::string& key, const std::string& value,
                             const char* what) {
  absl::ReaderMutexLock lock(&db_mu_);
  if (!db_) return Closed();
  if (read_only_) return read_only_because_;
  return FromRocks(db_->Put(Writes(sync_writes_), families_[family], key, value), what);
}

absl::Status RocksStore::PutAccount(const std::string& user_id, const v1::IdentityBundle& bundle) {
  return Put(kAccounts, user_id, bundle.SerializeAsString(), "writing an account");
}

absl::Status RocksStore::ForEachAccount(
    const std::function<void(const std::string&, const v1::IdentityBundle&)>& fn) const {
  return ForEachProto(kAccounts, "account", fn);
}

absl::StatusOr<std::optional<v1::IdentityBundle>> RocksStore::GetAccount(
    const std::string& user_id) const {
  return GetProto<v1::IdentityBundle>(kAccounts, user_id, "account");
}

absl::Status RocksStore::PutSession(const std::string& token_hash, const SessionRecord& s) {
  std::string value = s.user_id;
  AppendU64(value, static_cast<uint64_t>(s.expires_at_ms));
  return Put(kSessions, token_hash, value, "writing a session");
}

absl::Status RocksStore::DeleteSession(const std::string& token_hash) {
  return Delete(kSessions, token_hash, "deleting a session");
}

absl::StatusOr<std::optional<SessionRecord>> RocksStore::GetSession(
    const std::string& token_hash) const {
  auto value = Get(kSessions, token_hash, "session");
  if (!value.ok()) return value.status();
  if (!value->has_value()) return std::nullopt;
  const std::string& v = **value;
  if (v.size() != kIdBytes + 8) return absl::DataLossError("a stored session does not parse");
  return SessionRecord{v.substr(0, kIdBytes),
                       static_cast<int64_t>(ReadU64(std::string_view(v).substr(kIdBytes)))};
}

absl::Status RocksStore::ForEachSession(
    const std::function<void(const std::string&, const SessionRecord&)>& fn) const {
  return Scan(kSessions, "session", [&fn](const std::string& key, const std::string& v) {
    if (v.size() != kIdBytes + 8) return absl::DataLossError("a stored session does not parse");
    const uint64_t expires = ReadU64(std::string_view(v).substr(kIdBytes));
    fn(key, SessionRecord{v.substr(0, kIdBytes), static_cast<int64_t>(expires)});
    return absl::OkStatus();
  });
}

absl::Status RocksStore::PutCheckin(const v1::CheckinRequest& checkin) {
  return Put(kCheckins, checkin.group_id(), checkin.SerializeAsString(), "writing a check-in");
}

absl::Status RocksStore::DeleteCheckin(const std::string& group_id) {
  return Delete(kCheckins, group_id, "deleting a check-in");
}

absl::StatusOr<std::optional<v1::CheckinRequest>> RocksStore::GetCheckin(
    const std::string& group_id) const {
  return GetProto<v1::CheckinRequest>(kCheckins, group_id, "check-in");
}

absl::Status RocksStore::ForEachCheckin(
    const std::function<void(const v1::CheckinRequest&)>& fn) const {
  return ForEachProto<v1::CheckinRequest>(
      kCheckins, "check-in", [&fn](const std::string&, const v1::CheckinRequest& c) { fn(c); });
}

absl::Status RocksStore::PutDuress(const v1::DuressAlarm& alarm) {
  return Put(kDuress, alarm.group_id(), alarm.SerializeAsString(), "writing a duress alarm");
}

absl::Status RocksStore::DeleteDuress(const std::string& group_id) {
  return Delete(kDuress, group_id, "deleting a duress alarm");
}

absl::StatusOr<std::optional<v1::DuressAlarm>> RocksStore::GetDuress(
    const std::string& group_id) const {
  return GetProto<v1::DuressAlarm>(kDuress, group_id, "duress alarm");
}

absl::Status RocksStore::ForEachDuress(
    const std::function<void(const v1::DuressAlarm&)>& fn) const {
  return ForEachProto<v1::DuressAlarm>(
      kDuress, "duress alarm", [&fn](const std::string&, const v1::DuressAlarm& a) { fn(a); });
}

absl::Status RocksStore::PutBoundaries(const std::string& user_id,
                                       const v1::Boundaries& boundaries) {
  return Put(kBoundaries, user_id, boundaries.SerializeAsString(), "writing boundaries");
}

absl::StatusOr<std::optional<v1::Boundaries>> RocksStore::GetBoundaries(
    const std::string& user_id) const {
  return GetProto<v1::Boundaries>(kBoundaries, user_id, "boundary setting");
}

absl::Status RocksStore::ForEachBoundaries(
    const std::function<void(const std::string&, const v1::Boundaries&)>& fn) const {
  return ForEachProto(kBoundaries, "boundary setting", fn);
}

absl::Status RocksStore::Delete(Family family, const std::string& key, const char* what) {
  absl::ReaderMutexLock lock(&db_mu_);
  if (!db_) return Closed();
  if (read_only_) return read_only_because_;
  return FromRocks(db_->Delete(Writes(sync_writes_), families_[family], key), what);
}

absl::StatusOr<std::optional<std::string>> RocksStore::Get(Family family, const std::string& key,
                                                         const char* what) const {
  absl::ReaderMutexLock lock(&db_mu_);
  if (!db_) return Closed();
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), families_[family], key, &value);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) return FromRocks(s, absl::StrCat("reading a ", what));
  return value;
}

template <typename Proto>
absl::StatusOr<std::optional<Proto>> RocksStore::GetProto(Family family, const std::string& key,
                                                          const char* what) const {
  auto value = Get(family, key, what);
  if (!value.ok()) return value.status();
  if (!value->has_value()) return std::nullopt;
  Proto proto;
  if (!proto.ParseFromString(**value)) {
    return absl::DataLossError(absl::StrCat("a stored ", what, " does not parse"));
  }
  return proto;
}

template <typename Proto>
absl::Status RocksStore::ForEachProto(Family family, const char* what,
                                      const std::function<void(const std::string&, const Proto&)>& fn) const {
  Proto proto;
  return Scan(family, what, [&](const std::string& key, const std::string& value) {
    if (!proto.ParseFromString(value)) {
      return absl::DataLossError(absl::StrCat("a stored ", what, " does not parse"));
    }
    fn(key, proto);
    return absl::OkStatus();
  });
}

}  // namespace kith::server
