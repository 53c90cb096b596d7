#include "kith/rocks_store.h"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include "absl/strings/str_cat.h"
#include "kith/protocol.h"

namespace kith::server {
namespace {

constexpr char kEventsCf[] = "events";
constexpr char kAccountsCf[] = "accounts";
constexpr char kSessionsCf[] = "sessions";
constexpr char kCheckinsCf[] = "checkins";
constexpr char kDuressCf[] = "duress";
constexpr char kBoundariesCf[] = "boundaries";

absl::Status FromRocks(const rocksdb::Status& s, const char* what) {
  if (s.ok()) return absl::OkStatus();
  return absl::InternalError(absl::StrCat("storage error while ", what, ": ", s.ToString()));
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

RocksStore::RocksStore(bool sync_writes) : sync_writes_(sync_writes) {}

absl::StatusOr<std::unique_ptr<RocksStore>> RocksStore::Open(const std::string& dir,
                                                              bool sync_writes) {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  // Bodies are ciphertext: compression would only cost CPU.
  options.compression = rocksdb::kNoCompression;
  options.IncreaseParallelism(2);

  rocksdb::ColumnFamilyOptions cf_options(options);
  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, cf_options},
      {kEventsCf, cf_options},
      {kAccountsCf, cf_options},
      {kSessionsCf, cf_options},
      {kCheckinsCf, cf_options},
      {kDuressCf, cf_options},
      {kBoundariesCf, cf_options}};
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  auto s = rocksdb::DB::Open(options, dir, families, &handles, &raw);
  if (!s.ok()) return FromRocks(s, "opening the database");
  std::unique_ptr<RocksStore> store(new RocksStore(sync_writes));
  store->db_.reset(raw);
  // handles[0] is the default family, which Kith does not use.
  store->db_->DestroyColumnFamilyHandle(handles[0]);
  store->events_ = handles[1];
  store->accounts_ = handles[2];
  store->sessions_ = handles[3];
  store->checkins_ = handles[4];
  store->duress_ = handles[5];
  store->boundaries_ = handles[6];
  return store;
}

RocksStore::~RocksStore() {
  if (!db_) return;
  for (auto* cf : {events_, accounts_, sessions_, checkins_, duress_, boundaries_}) db_->DestroyColumnFamilyHandle(cf);
  db_->Close().PermitUncheckedError();
}

absl::Status RocksStore::Append(absl::Span<const v1::Event* const> events) {
  if (events.empty()) return absl::OkStatus();
  rocksdb::WriteBatch batch;
  std::string value;
  for (const v1::Event* e : events) {
    e->SerializeToString(&value);
    batch.Put(events_, EventKey(e->group_id(), e->seq()), value);
  }
  return FromRocks(db_->Write(Writes(sync_writes_), &batch), "appending events");
}

absl::Status RocksStore::ReadRange(const std::string& group_id, uint64_t from_seq, uint32_t limit,
                                   std::vector<v1::Event>* out) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), events_));
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

absl::Status RocksStore::ForEach(const std::function<absl::Status(const v1::Event&)>& fn) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), events_));
  v1::Event e;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (!e.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError("a stored event does not parse");
    }
    if (auto s = fn(e); !s.ok()) return s;
  }
  return FromRocks(it->status(), "scanning events");
}

absl::Status RocksStore::Put(rocksdb::ColumnFamilyHandle* cf, const std::string& key,
                             const std::string& value) {
  return FromRocks(db_->Put(Writes(sync_writes_), cf, key, value), "writing");
}

absl::Status RocksStore::PutAccount(const std::string& user_id, const v1::IdentityBundle& bundle) {
  return Put(accounts_, user_id, bundle.SerializeAsString());
}

absl::Status RocksStore::ForEachAccount(
    const std::function<void(const std::string&, const v1::IdentityBundle&)>& fn) const {
  return ForEachProto(accounts_, "account", fn);
}

absl::StatusOr<std::optional<v1::IdentityBundle>> RocksStore::GetAccount(
    const std::string& user_id) const {
  return GetProto<v1::IdentityBundle>(accounts_, user_id, "account");
}

absl::Status RocksStore::PutSession(const std::string& token_hash, const SessionRecord& s) {
  std::string value = s.user_id;
  AppendU64(value, static_cast<uint64_t>(s.expires_at_ms));
  return Put(sessions_, token_hash, value);
}

absl::Status RocksStore::DeleteSession(const std::string& token_hash) {
  return FromRocks(db_->Delete(Writes(sync_writes_), sessions_, token_hash), "deleting a session");
}

absl::StatusOr<std::optional<SessionRecord>> RocksStore::GetSession(
    const std::string& token_hash) const {
  auto value = Get(sessions_, token_hash);
  if (!value.ok()) return value.status();
  if (!value->has_value()) return std::nullopt;
  const std::string& v = **value;
  if (v.size() != kIdBytes + 8) return absl::DataLossError("a stored session does not parse");
  return SessionRecord{v.substr(0, kIdBytes),
                       static_cast<int64_t>(ReadU64(std::string_view(v).substr(kIdBytes)))};
}

absl::Status RocksStore::ForEachSession(
    const std::function<void(const std::string&, const SessionRecord&)>& fn) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), sessions_));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    rocksdb::Slice v = it->value();
    if (v.size() != kIdBytes + 8) return absl::DataLossError("a stored session does not parse");
    const uint64_t expires = ReadU64(std::string_view(v.data() + kIdBytes, 8));
    fn(it->key().ToString(),
       SessionRecord{std::string(v.data(), kIdBytes), static_cast<int64_t>(expires)});
  }
  return FromRocks(it->status(), "scanning sessions");
}

absl::Status RocksStore::PutCheckin(const v1::CheckinRequest& checkin) {
  return Put(checkins_, checkin.group_id(), checkin.SerializeAsString());
}

absl::Status RocksStore::DeleteCheckin(const std::string& group_id) {
  return Delete(checkins_, group_id, "deleting a check-in");
}

absl::StatusOr<std::optional<v1::CheckinRequest>> RocksStore::GetCheckin(
    const std::string& group_id) const {
  return GetProto<v1::CheckinRequest>(checkins_, group_id, "check-in");
}

absl::Status RocksStore::ForEachCheckin(
    const std::function<void(const v1::CheckinRequest&)>& fn) const {
  return ForEachProto<v1::CheckinRequest>(
      checkins_, "check-in", [&fn](const std::string&, const v1::CheckinRequest& c) { fn(c); });
}

absl::Status RocksStore::PutDuress(const v1::DuressAlarm& alarm) {
  return Put(duress_, alarm.group_id(), alarm.SerializeAsString());
}

absl::Status RocksStore::DeleteDuress(const std::string& group_id) {
  return Delete(duress_, group_id, "deleting a duress alarm");
}

absl::StatusOr<std::optional<v1::DuressAlarm>> RocksStore::GetDuress(
    const std::string& group_id) const {
  return GetProto<v1::DuressAlarm>(duress_, group_id, "duress alarm");
}

absl::Status RocksStore::ForEachDuress(
    const std::function<void(const v1::DuressAlarm&)>& fn) const {
  return ForEachProto<v1::DuressAlarm>(
      duress_, "duress alarm", [&fn](const std::string&, const v1::DuressAlarm& a) { fn(a); });
}

absl::Status RocksStore::PutBoundaries(const std::string& user_id,
                                       const v1::Boundaries& boundaries) {
  return Put(boundaries_, user_id, boundaries.SerializeAsString());
}

absl::StatusOr<std::optional<v1::Boundaries>> RocksStore::GetBoundaries(
    const std::string& user_id) const {
  return GetProto<v1::Boundaries>(boundaries_, user_id, "boundary setting");
}

absl::Status RocksStore::ForEachBoundaries(
    const std::function<void(const std::string&, const v1::Boundaries&)>& fn) const {
  return ForEachProto(boundaries_, "boundary setting", fn);
}

absl::Status RocksStore::Delete(rocksdb::ColumnFamilyHandle* cf, const std::string& key,
                                const char* what) {
  return FromRocks(db_->Delete(Writes(sync_writes_), cf, key), what);
}

absl::StatusOr<std::optional<std::string>> RocksStore::Get(rocksdb::ColumnFamilyHandle* cf,
                                                         const std::string& key) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf, key, &value);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) return FromRocks(s, "reading");
  return value;
}

template <typename Proto>
absl::StatusOr<std::optional<Proto>> RocksStore::GetProto(rocksdb::ColumnFamilyHandle* cf,
                                                          const std::string& key,
                                                          const char* what) const {
  auto value = Get(cf, key);
  if (!value.ok()) return value.status();
  if (!value->has_value()) return std::nullopt;
  Proto proto;
  if (!proto.ParseFromString(**value)) {
    return absl::DataLossError(absl::StrCat("a stored ", what, " does not parse"));
  }
  return proto;
}

template <typename Proto>
absl::Status RocksStore::ForEachProto(rocksdb::ColumnFamilyHandle* cf, const char* what,
                                      const std::function<void(const std::string&, const Proto&)>& fn) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf));
  Proto value;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (!value.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError(absl::StrCat("a stored ", what, " does not parse"));
    }
    fn(it->key().ToString(), value);
  }
  return FromRocks(it->status(), absl::StrCat("scanning ", what, "s").c_str());
}

}  // namespace kith::server
