#include "kith/follow_reactor.h"

#include "kith/request_log.h"

namespace kith::server {

FailedWriter::FailedWriter(const grpc::Status& status, bool log_request) {
  if (log_request) LogRequest(kFollowMethod, status.error_code(), std::chrono::steady_clock::now());
  Finish(status);
}

FollowReactor::FollowReactor(GroupEntry* entry, const EventLog* log, std::string user_id,
                             uint64_t from_seq, bool log_request)
    : entry_(entry), log_(log), user_id_(std::move(user_id)), log_request_(log_request) {
  absl::MutexLock lock(&mu_);
  cursor_ = std::max<uint64_t>(1, from_seq);
  NextLocked();
}

void FollowReactor::Unref() {
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
}

void FollowReactor::OnWriteDone(bool ok) {
  absl::MutexLock lock(&mu_);
  in_flight_.reset();
  if (!ok) {
    FinishLocked(grpc::Status(grpc::StatusCode::UNAVAILABLE, "stream write failed"));
    return;
  }
  NextLocked();
}

void FollowReactor::OnCancel() {
  absl::MutexLock lock(&mu_);
  cancelled_ = true;
  // With a write in flight, OnWriteDone(false) follows and finishes.
  if (!in_flight_) FinishLocked(grpc::Status::CANCELLED);
}

void FollowReactor::OnDone() {
  entry_->RemoveWaiter(this);
  Unref();
}

void FollowReactor::OnNewEvents() {
  absl::MutexLock lock(&mu_);
  if (!waiting_) return;  // a stale registration: already moving on
  waiting_ = false;
  NextLocked();
}

void FollowReactor::FinishLocked(const grpc::Status& status) {
  if (finished_) return;
  finished_ = true;
  waiting_ = false;
  if (log_request_) LogRequest(kFollowMethod, status.error_code(), started_);
  Finish(status);
}

std::shared_ptr<const v1::Event> FollowReactor::FromBacklog() {
  while (!backlog_.empty() && backlog_.front()->seq() < cursor_) backlog_.pop_front();
  if (backlog_.empty()) {
    std::vector<v1::Event> events;
    std::string group_id;
    {
      absl::ReaderMutexLock lock(&entry_->mu);
      group_id = entry_->state.group_id();
    }
    // A short read (kBacklogChunk events) that holds only this stream's lock.
    if (!log_->ReadRange(group_id, cursor_, kBacklogChunk, &events).ok()) return nullptr;
    for (auto& e : events) backlog_.push_back(std::make_shared<const v1::Event>(std::move(e)));
  }
  if (backlog_.empty() || backlog_.front()->seq() != cursor_) return nullptr;
  auto event = std::move(backlog_.front());
  backlog_.pop_front();
  return event;
}

void FollowReactor::NextLocked() {
  if (finished_ || in_flight_ || waiting_) return;
  if (cancelled_) {
    FinishLocked(grpc::Status::CANCELLED);
    return;
  }
  uint64_t readable;
  bool member;
  {
    absl::ReaderMutexLock lock(&entry_->mu);
    readable = entry_->ReadableHead(user_id_);
    member = entry_->state.IsMember(user_id_);
    in_flight_ = cursor_ <= readable ? entry_->Recent(cursor_) : nullptr;
  }
  if (cursor_ > readable) {
    if (!member) {
      FinishLocked(grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                                "you are no longer a member of this group"));
      return;
    }
    waiting_ = true;
    entry_->AddWaiter(this);
    // Look again: an event made durable before the registration woke nobody.
    absl::ReaderMutexLock lock(&entry_->mu);
    if (cursor_ > entry_->ReadableHead(user_id_)) return;
    waiting_ = false;  // the registration goes stale; OnNewEvents ignores it
    in_flight_ = entry_->Recent(cursor_);
  }
  if (!in_flight_) in_flight_ = FromBacklog();
  if (!in_flight_) {
    FinishLocked(grpc::Status(grpc::StatusCode::INTERNAL,
                              "a stored event could not be read; resume from the cursor"));
    return;
  }
  ++cursor_;
  StartWrite(in_flight_.get());
}

}  // namespace kith::server
