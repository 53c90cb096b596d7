#include "kith/appender.h"

#include <cstdio>
#include <cstdlib>

#include "kith/encoded_event.h"
#include "kith/protocol.h"

namespace kith::server {

Appender::Appender(EventLog* log, GroupRegistry* groups, Boundaries* boundaries,
                   const Clock* clock, Waker* waker)
    : log_(log),
      groups_(groups),
      boundaries_(boundaries),
      clock_(clock),
      waker_(waker),
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

void Appender::Stop() {
  absl::MutexLock lock(&mu_);
  stopping_ = true;
}

void Appender::Run() {
  auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_ || !queue_.empty(); };
  for (;;) {
    std::deque<Request> batch;
    {
      absl::MutexLock lock(&mu_, absl::Condition(&ready));
      if (queue_.empty()) return;  // stopping and drained
      while (!queue_.empty() && batch.size() < kMaxBatch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    WriteBatch(batch);
  }
}

void Appender::WriteBatch(std::deque<Request>& batch) {
  struct Accepted {
    GroupEntry* entry;
    std::unique_ptr<v1::Event> event;
    std::string hash;
  };
  std::vector<absl::StatusOr<v1::AppendReply>> results;
  std::vector<Accepted> accepted;
  std::vector<const v1::Event*> to_store;
  results.reserve(batch.size());
  const int64_t now = clock_->NowMs();

  for (Request& r : batch) {
    const std::string& group_id = r.body.group_id();
    GroupEntry* entry = groups_->Find(group_id);
    if (entry == nullptr) {
      if (!r.body.has_create()) {
        results.push_back(absl::NotFoundError("no such group"));
        continue;
      }
      // Only this thread creates entries, so a group appears in the registry
      // only once its creation event has been accepted.
      absl::Status s = GroupState().Check(r.event, r.body, SignatureCheck::kTrustStored, now);
      if (s.ok()) s = boundaries_->Admit(nullptr, r.body, now);
      if (s.ok() && r.body.create().has_peer() &&
          groups_->FindDirect(r.body.author(), UserIdFor(r.body.create().peer().sign_pk()))) {
        s = absl::AlreadyExistsError("you already have a direct conversation with this person");
      }
      if (!s.ok()) {
        results.push_back(s);
        continue;
      }
      entry = groups_->FindOrCreate(group_id);
    }
    absl::MutexLock lock(&entry->mu);
    absl::Status s = entry->state.Check(r.event, r.body, SignatureCheck::kTrustStored, now);
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

  if (!to_store.empty()) {
    if (auto s = log_->Append(to_store); !s.ok()) {
      // The in-memory state already includes this batch. Serving on would
      // acknowledge nothing durable, so stop; a restart rebuilds from disk.
      fprintf(stderr, "kithd: fatal: durable append failed: %s\n", s.ToString().c_str());
      std::abort();
    }
  }
  for (auto& a : accepted) {
    grpc::Slice encoded = EncodeForBatch(*a.event);
    absl::MutexLock lock(&a.entry->mu);
    a.entry->AddDurable(a.event->seq(), std::move(a.hash), std::move(encoded));
  }
  // Answer the writers first; fan-out is the waker's work, not theirs.
  for (size_t i = 0; i < batch.size(); ++i) batch[i].done(std::move(results[i]));
  for (auto& a : accepted) waker_->Post(a.entry);
}

}  // namespace kith::server
