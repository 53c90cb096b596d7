#include "kith/follow_reactor.h"

namespace kith::server {

FollowReactor::FollowReactor(GroupEntry* entry, const EventLog* log, std::string user_id,
                             uint64_t from_seq)
    : entry_(entry), log_(log), user_id_(std::move(user_id)), cursor_(std::max<uint64_t>(1, from_seq)) {
  absl::MutexLock lock(&entry_->mu);
  NextLocked();
}

void FollowReactor::OnWriteDone(bool ok) {
  absl::MutexLock lock(&entry_->mu);
  in_flight_.reset();
  if (!ok) {
    FinishLocked(grpc::Status(grpc::StatusCode::UNAVAILABLE, "stream write failed"));
    return;
  }
  NextLocked();
}

void FollowReactor::OnCancel() {
  absl::MutexLock lock(&entry_->mu);
  cancelled_ = true;
  // With a write in flight, OnWriteDone(false) follows and finishes.
  if (!in_flight_) FinishLocked(grpc::Status::CANCELLED);
}

void FollowReactor::OnDone() {
  {
    absl::MutexLock lock(&entry_->mu);
    entry_->waiting.erase(this);
  }
  delete this;
}

void FollowReactor::OnNewEvents() { NextLocked(); }

void FollowReactor::FinishLocked(const grpc::Status& status) {
  if (finished_) return;
  finished_ = true;
  entry_->waiting.erase(this);
  Finish(status);
}

std::shared_ptr<const v1::Event> FollowReactor::FromBacklog() {
  while (!backlog_.empty() && backlog_.front()->seq() < cursor_) backlog_.pop_front();
  if (backlog_.empty()) {
    std::vector<v1::Event> events;
    // A short read under the group's lock: bounded by kBacklogChunk events.
    if (!log_->ReadRange(entry_->state.group_id(), cursor_, kBacklogChunk, &events).ok()) {
      return nullptr;
    }
    for (auto& e : events) backlog_.push_back(std::make_shared<const v1::Event>(std::move(e)));
  }
  if (backlog_.empty() || backlog_.front()->seq() != cursor_) return nullptr;
  auto event = std::move(backlog_.front());
  backlog_.pop_front();
  return event;
}

void FollowReactor::NextLocked() {
  if (finished_ || in_flight_) return;
  if (cancelled_) {
    FinishLocked(grpc::Status::CANCELLED);
    return;
  }
  const uint64_t readable = entry_->ReadableHead(user_id_);
  if (cursor_ > readable) {
    if (!entry_->state.IsMember(user_id_)) {
      FinishLocked(grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                                "you are no longer a member of this group"));
      return;
    }
    entry_->waiting.insert(this);
    return;
  }
  in_flight_ = entry_->Recent(cursor_);
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
