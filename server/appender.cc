#include "kith/appender.h"

#include <pthread.h>

#include <cstdio>

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "kith/crypto.h"
#include "kith/encoded_event.h"
#include "kith/node_cache.h"
#include "kith/protocol.h"
#include "kith/replay.h"

namespace kith::server {

Appender::Appender(EventLog* log, GroupRegistry* groups, Boundaries* boundaries,
                   const Clock* clock, Waker* waker, NodeCache* cache)
    : log_(log),
      groups_(groups),
      boundaries_(boundaries),
      clock_(clock),
      waker_(waker),
      cache_(cache),
      thread_([this] { Run(); }) {}

Appender::~Appender() {
  Stop();
  thread_.join();
}

void Appender::Submit(v1::SignedEvent event, v1::EventBody body, Done done) {
  absl::Status refused;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) {
      refused = absl::UnavailableError("server is shutting down; retry in a moment");
    } else if (queue_.size() >= kMaxQueued) {
      refused = absl::ResourceExhaustedError("server is overloaded; retry in a moment");
    } else {
      queue_.push_back({std::move(event), std::move(body), std::move(done)});
      return;
    }
  }
  done(refused);
}

void Appender::CatchUp(const std::string& group_id, uint64_t seq) {
  absl::MutexLock lock(&mu_);
  uint64_t& target = catch_up_[group_id];
  target = std::max(target, seq);
}

bool Appender::AwaitCatchUp(absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  // Targets still queued go to the next batch; those taken went to the
  // batch now being written, if any.
  const uint64_t batch = catch_up_.empty() ? batches_begun_ : batches_begun_ + 1;
  auto applied = [this, batch]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return batches_done_ >= batch;
  };
  return mu_.AwaitWithDeadline(absl::Condition(&applied), deadline);
}

void Appender::KeepInCache(absl::Span<const v1::Event* const> events) {
  if (cache_ == nullptr || events.empty()) return;
  if (auto s = cache_->store->Append(events); !s.ok()) {
    fprintf(stderr, "kithd: the node's cache stops here (%s); a restart rebuilds it\n",
            s.ToString().c_str());
    cache_ = nullptr;
  }
}

void Appender::WarmUp(std::vector<std::pair<std::string, uint64_t>> heads) {
  absl::MutexLock lock(&mu_);
  warming_.insert(warming_.end(), std::make_move_iterator(heads.begin()),
                  std::make_move_iterator(heads.end()));
  warm_ = warming_.empty();
}

bool Appender::AwaitWarm(absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  auto warm = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return warm_.load(); };
  return mu_.AwaitWithDeadline(absl::Condition(&warm), deadline);
}

void Appender::Stop() {
  absl::MutexLock lock(&mu_);
  stopping_ = true;
}

void Appender::Run() {
  pthread_setname_np(pthread_self(), "kith-appender");
  // Only this thread reads these: when the warm-up next goes on, after a
  // slice that failed whole (the store is failing, or a log is damaged),
  // and how long the next such pause lasts. Requests are never paused.
  absl::Time warm_resume = absl::InfinitePast();
  absl::Duration warm_pause = kWarmUpRetry;
  auto ready = [this, &warm_resume]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stopping_ || !queue_.empty() || !catch_up_.empty() ||
           (!warming_.empty() && absl::Now() >= warm_resume);
  };
  for (;;) {
    std::deque<Request> batch;
    std::map<std::string, uint64_t> catch_up;
    std::vector<std::pair<std::string, uint64_t>> warm_slice;
    {
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithDeadline(absl::Condition(&ready),
                            warming_.empty() ? absl::InfiniteFuture() : warm_resume);
      if (stopping_ && queue_.empty() && catch_up_.empty()) return;  // drained
      while (!queue_.empty() && batch.size() < kMaxBatch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      catch_up.swap(catch_up_);
      while (!warming_.empty() && warm_slice.size() < kWarmUpSlice && absl::Now() >= warm_resume) {
        warm_slice.push_back(std::move(warming_.front()));
        warming_.pop_front();
      }
      if (batch.empty() && catch_up.empty() && warm_slice.empty()) continue;
      ++batches_begun_;
    }
    for (const auto& [group_id, head] : warm_slice) {
      catch_up[group_id] = std::max(catch_up[group_id], head);
    }
    const std::set<std::string> behind = WriteBatch(batch, std::move(catch_up));
    absl::MutexLock lock(&mu_);
    ++batches_done_;
    if (warm_slice.empty()) continue;
    size_t failed = 0;
    for (auto& head : warm_slice) {
      if (!behind.contains(head.first)) continue;
      warming_.push_back(std::move(head));  // tried again after the rest
      ++failed;
    }
    if (warming_.empty()) {
      warm_ = true;
    } else if (failed == warm_slice.size()) {
      warm_resume = absl::Now() + warm_pause;
      warm_pause = std::min(2 * warm_pause, kWarmUpRetryMax);
    } else {
      warm_pause = kWarmUpRetry;
    }
  }
}

bool Appender::RecoverFromFailedAppend() {
  const absl::Time now = absl::Now();
  if (now < next_recovery_) return false;
  absl::Status s = log_->Recover();
  while (s.ok() && !stale_.empty()) {
    s = Reload(stale_.begin()->first, stale_.begin()->second);
    if (s.ok()) stale_.erase(stale_.begin());
  }
  if (!s.ok()) {
    fprintf(stderr, "kithd: storage has not recovered yet (next try in %s): %s\n",
            absl::FormatDuration(recovery_pause_).c_str(), s.ToString().c_str());
    next_recovery_ = now + recovery_pause_;
    recovery_pause_ = std::min(2 * recovery_pause_, kRecoveryPauseMax);
    return false;
  }
  fprintf(stderr, "kithd: storage recovered; appends are taken again\n");
  recovery_pause_ = kRecoveryPause;
  return true;
}

absl::Status Appender::Reload(const std::string& group_id, GroupEntry* entry) {
  const int64_t now = clock_->NowMs();
  uint64_t was_durable = 0;
  uint64_t head = 0;
  {
    // Held throughout, so no reader sees the group half read back; this
    // happens only after a failed append.
    absl::MutexLock lock(&entry->mu);
    was_durable = entry->durable_head;
    entry->Forget();
    for (;;) {
      std::vector<v1::Event> events;
      if (auto s = log_->ReadRange(group_id, head + 1, kCatchUpChunk, &events); !s.ok()) return s;
      if (events.empty()) break;
      for (const v1::Event& event : events) {
        if (event.seq() != head + 1) return absl::DataLossError("the store's log has a gap");
        if (auto s = ApplyStoredLocked(event, *entry, *groups_, *boundaries_, now); !s.ok()) {
          return s;
        }
        ++head;
      }
    }
  }
  // An append reported failed may have been stored after all.
  if (head > was_durable) waker_->Post(entry);
  return absl::OkStatus();
}

absl::Status Appender::ReadUpTo(const std::string& group_id, uint64_t seq) {
  GroupEntry* entry = groups_->Find(group_id);
  uint64_t head = 0;
  if (entry != nullptr) {
    absl::MutexLock lock(&entry->mu);
    head = entry->state.head_seq();
  }
  if (head >= seq) return absl::OkStatus();
  uint64_t cached = 0;  // the cache holds [1, cached] of this log, as checked
  if (cache_ != nullptr) {
    auto it = cache_->heads.find(group_id);
    if (it != cache_->heads.end()) cached = it->second;
  }
  const int64_t now = clock_->NowMs();
  while (head < seq) {
    const bool from_cache = cache_ != nullptr && head < cached;
    const EventLog& source = from_cache ? *cache_->store : *log_;
    std::vector<v1::Event> events;
    const uint64_t until = from_cache ? std::min(seq, cached) : seq;
    const auto want = static_cast<uint32_t>(std::min<uint64_t>(until - head, kCatchUpChunk));
    if (auto s = source.ReadRange(group_id, head + 1, want, &events); !s.ok()) return s;
    if (events.empty()) return absl::DataLossError("the store's log ends before its head");
    std::vector<const v1::Event*> applied;
    absl::Status s;
    for (const v1::Event& event : events) {
      if (event.seq() != head + 1) {
        s = absl::DataLossError("the store's log has a gap");
      } else {
        s = ApplyStored(event, *groups_, *boundaries_, now);
      }
      if (!s.ok()) break;
      applied.push_back(&event);
      ++head;
    }
    if (!from_cache) KeepInCache(applied);
    if (!s.ok()) return s;
  }
  if (cached != 0 && head >= cached && cache_ != nullptr) cache_->heads.erase(group_id);
  waker_->Post(groups_->Find(group_id));
  return absl::OkStatus();
}

std::set<std::string> Appender::LockAndCatchUp(const std::deque<Request>& batch,
                                               std::map<std::string, uint64_t> catch_up,
                                               std::map<std::string, std::string>* held_pairs) {
  std::set<std::string> behind;
  if (!log_->shared()) return behind;  // the one writer: nothing to lock or catch up
  std::set<std::string> group_ids, creating;
  for (const Request& r : batch) {
    group_ids.insert(r.body.group_id());
    if (r.body.has_create()) creating.insert(r.body.group_id());
  }
  auto heads = group_ids.empty() ? std::map<std::string, uint64_t>{}
                                 : log_->LockHeads(group_ids, creating);
  // Direct conversations being created: another node may be creating the
  // same pair's at this moment (ClaimDirect).
  std::map<std::string, std::string> claims;
  for (const Request& r : batch) {
    if (r.body.has_create() && r.body.create().has_peer()) {
      claims.try_emplace(PairOfPeople(r.body.author(), UserIdFor(r.body.create().peer().sign_pk())),
                         r.body.group_id());
    }
  }
  if (heads.ok() && !claims.empty()) {
    auto held = log_->ClaimPairs(claims);
    if (held.ok()) {
      *held_pairs = *std::move(held);
    } else {
      heads = held.status();  // nothing is locked now
    }
  }
  if (!heads.ok()) {
    fprintf(stderr, "kithd: cannot lock groups in the store: %s\n", heads.status().ToString().c_str());
    behind = std::move(group_ids);
  } else {
    for (const auto& [group_id, head] : *heads) catch_up[group_id] = std::max(catch_up[group_id], head);
  }
  for (const auto& [group_id, seq] : catch_up) {
    if (auto s = ReadUpTo(group_id, seq); !s.ok()) {
      fprintf(stderr, "kithd: cannot catch up with group %s: %s\n",
              crypto::ToHex(group_id).c_str(), s.ToString().c_str());
      behind.insert(group_id);
    }
  }
  RefreshAddressees(batch, &behind);
  return behind;
}

void Appender::RefreshAddressees(const std::deque<Request>& batch, std::set<std::string>* behind) {
  std::map<std::string, std::set<std::string>> groups_by_addressee;
  for (const Request& r : batch) {
    GroupEntry* entry = groups_->Find(r.body.group_id());
    std::optional<std::string> who;
    if (entry == nullptr) {
      who = Boundaries::Addressee(nullptr, r.body);
    } else {
      absl::ReaderMutexLock lock(&entry->mu);
      who = Boundaries::Addressee(entry, r.body);
    }
    if (who) groups_by_addressee[*who].insert(r.body.group_id());
  }
  for (const auto& [user_id, group_ids] : groups_by_addressee) {
    if (!boundaries_->Refresh(user_id).ok()) behind->insert(group_ids.begin(), group_ids.end());
  }
}

absl::Status Appender::ClaimDirect(const v1::EventBody& create,
                                   const std::map<std::string, std::string>& held_pairs) {
  const std::string& a = create.author();
  const std::string b = UserIdFor(create.create().peer().sign_pk());
  bool held = held_pairs.contains(PairOfPeople(a, b));
  if (GroupEntry* existing = groups_->FindDirect(a, b); existing != nullptr && !held) {
    absl::ReaderMutexLock lock(&existing->mu);
    held = existing->state.created();  // not a creation whose append failed
  }
  if (held) {
    return absl::AlreadyExistsError("you already have a direct conversation with this person");
  }
  return absl::OkStatus();
}

std::set<std::string> Appender::WriteBatch(std::deque<Request>& batch,
                                           std::map<std::string, uint64_t> catch_up) {
  struct Accepted {
    GroupEntry* entry;
    std::unique_ptr<v1::Event> event;
    std::string hash;
  };
  std::vector<absl::StatusOr<v1::AppendReply>> results;
  std::vector<Accepted> accepted;
  std::vector<const v1::Event*> to_store;
  results.reserve(batch.size());
  if (!stale_.empty() && !RecoverFromFailedAppend()) {
    for (Request& r : batch) r.done(storage_refusal_);
    std::set<std::string> behind;
    for (const auto& [group_id, seq] : catch_up) behind.insert(group_id);
    return behind;
  }
  std::map<std::string, std::string> held_pairs;
  const std::set<std::string> behind = LockAndCatchUp(batch, std::move(catch_up), &held_pairs);
  const int64_t now = clock_->NowMs();
  for (Request& r : batch) {
    const std::string& group_id = r.body.group_id();
    if (behind.contains(group_id)) {
      results.push_back(absl::UnavailableError("this group's log cannot be read right now; retry"));
      continue;
    }
    GroupEntry* entry = groups_->Find(group_id);
    bool exists = entry != nullptr;
    if (exists) {
      absl::ReaderMutexLock lock(&entry->mu);
      // A creation whose append failed leaves an entry without a group.
      exists = entry->state.created();
    }
    if (!exists) {
      if (!r.body.has_create()) {
        results.push_back(absl::NotFoundError("no such group"));
        continue;
      }
      // Only this thread creates entries, so a group appears in the registry
      // only once its creation event has been accepted (and stays, without
      // a state, if its append then failed).
      absl::Status s = GroupState().Check(r.event, r.body, SignatureCheck::kVerifiedByCaller, now);
      if (s.ok()) s = boundaries_->Admit(nullptr, r.body, now);
      if (s.ok() && r.body.create().has_peer() && !warm_) {
        s = absl::UnavailableError(
            "this node is still loading conversations from the cluster; retry in a moment");
      }
      if (s.ok() && r.body.create().has_peer()) s = ClaimDirect(r.body, held_pairs);
      if (!s.ok()) {
        results.push_back(s);
        continue;
      }
      entry = groups_->FindOrCreate(group_id);
    }
    absl::MutexLock lock(&entry->mu);
    if (const GroupEntry::Appended* earlier = entry->FindAppended(r.event.signature())) {
      // An event already in the log (through this node or another): a
      // replay, or a client resending what it got no answer for. Either
      // way nothing is stored; the refusal carries the first answer
      // (kAppendedPayload). If the first is in this batch it is not durable
      // yet, so this too is answered after the batch is written.
      v1::AppendReply first;
      first.set_group_id(group_id);
      first.set_seq(earlier->seq);
      first.set_event_hash(earlier->hash);
      absl::Status stored = absl::AlreadyExistsError(
          absl::StrCat("this event is already in the log at seq ", earlier->seq,
                       " (a replay, or a resend of an append that was stored)"));
      stored.SetPayload(kAppendedPayload, absl::Cord(first.SerializeAsString()));
      results.push_back(std::move(stored));
      continue;
    }
    absl::Status s = entry->state.Check(r.event, r.body, SignatureCheck::kVerifiedByCaller, now);
    if (s.ok() && !r.body.has_create()) s = boundaries_->Admit(entry, r.body, now);
    if (!s.ok()) {
      results.push_back(s);
      continue;
    }
    const v1::EventBody& body = r.body;
    auto event = std::make_unique<v1::Event>();
    event->set_group_id(group_id);
    event->set_seq(entry->state.head_seq() + 1);
    event->set_prev_hash(entry->state.created() ? entry->state.head_hash() : GenesisPrevHash());
    event->set_server_time_ms(now);
    *event->mutable_signed_() = std::move(r.event);
    std::string hash = EventHash(*event);
    entry->state.Apply(body, *event, hash);
    entry->NoteApplied(body, *event);
    boundaries_->NoteApplied(*entry, body, *event, now);
    groups_->NoteEvent(entry, body);
    v1::AppendReply reply;
    reply.set_group_id(group_id);
    reply.set_seq(event->seq());
    reply.set_event_hash(hash);
    results.push_back(std::move(reply));
    to_store.push_back(event.get());
    accepted.push_back({entry, std::move(event), std::move(hash)});
  }

  // Also ends what LockHeads began when nothing was accepted.
  if (auto s = log_->Append(to_store); !s.ok()) {
    if (to_store.empty()) {
      fprintf(stderr, "kithd: releasing groups in the store: %s\n", s.ToString().c_str());
    } else {
      fprintf(stderr, "kithd: appending %zu events failed: %s\n", to_store.size(),
              s.ToString().c_str());
      // The states took this batch ahead of the log, and every answer was
      // decided against them: none stands.
      storage_refusal_ =
          absl::IsResourceExhausted(s)
              ? absl::ResourceExhaustedError(
                    "the server's disk is full, so this may not have been stored; send it again "
                    "later (it is never stored twice)")
              : absl::UnavailableError(
                    "the server could not write to its storage, so this may not have been "
                    "stored; send it again (it is never stored twice)");
      for (const Accepted& a : accepted) stale_.emplace(a.event->group_id(), a.entry);
      // What the log holds now is known only once read back, which skips
      // the cache: it stops here, so it stays a prefix of the truth.
      cache_ = nullptr;
      for (Request& r : batch) r.done(storage_refusal_);
      return behind;
    }
  }
  KeepInCache(to_store);
  for (auto& a : accepted) {
    grpc::Slice encoded = EncodeForBatch(*a.event);
    absl::MutexLock lock(&a.entry->mu);
    a.entry->AddDurable(a.event->seq(), std::move(a.hash), std::move(encoded));
  }
  // Answer the writers first; fan-out is the waker's work, not theirs.
  for (size_t i = 0; i < batch.size(); ++i) batch[i].done(std::move(results[i]));
  for (auto& a : accepted) waker_->Post(a.entry);
  return behind;
}

}  // namespace kith::server
