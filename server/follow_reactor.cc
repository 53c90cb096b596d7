#include "kith/follow_reactor.h"

#include "kith/encoded_event.h"
#include "kith/request_log.h"

namespace kith::server {

FailedWriter::FailedWriter(const grpc::Status& status, bool log_request) {
  if (log_request) LogRequest(kFollowMethod, status.error_code(), std::chrono::steady_clock::now());
  Finish(status);
}

FollowReactor::FollowReactor(GroupEntry* entry, const EventLog* log, std::string group_id,
                             std::string user_id, uint64_t from_seq, bool track_delivery,
                             bool log_request)
    : entry_(entry),
      log_(log),
      group_id_(std::move(group_id)),
      user_id_(std::move(user_id)),
      log_request_(log_request),
      track_delivery_(track_delivery) {
  absl::MutexLock lock(&mu_);
  cursor_ = std::max<uint64_t>(1, from_seq);
  NextLocked();
}

void FollowReactor::Unref() {
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
}

void FollowReactor::OnWriteDone(bool ok) {
  absl::MutexLock lock(&mu_);
  writing_ = false;
  in_flight_.Clear();
  if (!ok) {
    FinishLocked(grpc::Status(grpc::StatusCode::UNAVAILABLE, "stream write failed"));
    return;
  }
  if (track_delivery_) entry_->NoteDelivered(user_id_, cursor_ - 1);
  NextLocked();
}

void FollowReactor::OnCancel() {
  absl::MutexLock lock(&mu_);
  cancelled_ = true;
  // With a write in flight, OnWriteDone(false) follows and finishes.
  if (!writing_) FinishLocked(grpc::Status::CANCELLED);
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

bool FollowReactor::FromStorage(uint64_t readable, std::vector<grpc::Slice>* out) {
  const uint32_t count = static_cast<uint32_t>(std::min<uint64_t>(kBacklogChunk, readable - cursor_ + 1));
  std::vector<v1::Event> events;
  // A short read (at most kBacklogChunk events) that holds only this
  // stream's lock.
  if (!log_->ReadRange(group_id_, cursor_, count, &events).ok() || events.empty() ||
      events.front().seq() != cursor_) {
    return false;
  }
  size_t bytes = 0;
  for (const auto& e : events) {
    grpc::Slice encoded = EncodeForBatch(e);
    if (!out->empty() && bytes + encoded.size() > kMaxBatchBytes) break;
    bytes += encoded.size();
    out->push_back(std::move(encoded));
  }
  return true;
}

void FollowReactor::NextLocked() {
  if (finished_ || writing_ || waiting_) return;
  if (cancelled_) {
    FinishLocked(grpc::Status::CANCELLED);
    return;
  }
  std::vector<grpc::Slice> batch;
  uint64_t readable;
  bool member;
  {
    absl::ReaderMutexLock lock(&entry_->mu);
    readable = entry_->ReadableHead(user_id_);
    member = entry_->state.IsMember(user_id_);
    if (cursor_ <= readable) entry_->Recent(cursor_, readable, kMaxBatchBytes, &batch);
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
    readable = entry_->ReadableHead(user_id_);
    if (cursor_ > readable) return;
    waiting_ = false;  // the registration goes stale; OnNewEvents ignores it
    entry_->Recent(cursor_, readable, kMaxBatchBytes, &batch);
  }
  if (batch.empty() && !FromStorage(readable, &batch)) {
    FinishLocked(grpc::Status(grpc::StatusCode::INTERNAL,
                              "a stored event could not be read; resume from the cursor"));
    return;
  }
  cursor_ += batch.size();
  in_flight_ = grpc::ByteBuffer(batch.data(), batch.size());
  writing_ = true;
  StartWrite(&in_flight_);
}

}  // namespace kith::server
