// One member's live stream of a group. The reactor keeps a cursor (the next
// sequence number to send) and has one write in flight: a batch of every
// event ready from the cursor on (bounded in size), taken from the group's
// in-memory encoded events when they are there, from storage otherwise.
// Nothing is queued per follower, so a slow reader costs no memory and never
// slows anyone else; it simply reads further behind, in larger batches.
//
// Reactions never wait on another stream: the reactor's state has its own
// mutex, and the group's mutex is only taken for short reads.
#ifndef KITH_SERVER_FOLLOW_REACTOR_H_
#define KITH_SERVER_FOLLOW_REACTOR_H_

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/byte_buffer.h>

#include "absl/synchronization/mutex.h"
#include "kith.pb.h"
#include "kith/group_registry.h"
#include "kith/store.h"

namespace kith::server {

class FollowReactor final : public grpc::ServerWriteReactor<grpc::ByteBuffer>, public Waiter {
 public:
  // Bounds on one batch: events read from storage at a time, and bytes.
  static constexpr uint32_t kBacklogChunk = 64;
  static constexpr size_t kMaxBatchBytes = 256 * 1024;

  // With `log_request`, one request line is logged when the stream ends.
  FollowReactor(GroupEntry* entry, const EventLog* log, std::string group_id, std::string user_id,
                uint64_t from_seq, bool track_delivery, bool log_request);

  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;
  void OnNewEvents() override;
  void Ref() override { refs_.fetch_add(1, std::memory_order_relaxed); }
  void Unref() override;

 private:
  ~FollowReactor() override = default;
  void NextLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void FinishLocked(const grpc::Status& status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Reads events [cursor_, readable] no longer in memory from storage.
  bool FromStorage(uint64_t readable, std::vector<grpc::Slice>* out) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  GroupEntry* const entry_;
  const EventLog* const log_;
  const std::string group_id_;
  const std::string user_id_;
  const bool log_request_;
  const bool track_delivery_;  // circles record who received their alerts
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  // One reference belongs to gRPC until OnDone; wakers hold others briefly.
  std::atomic<int> refs_{1};

  absl::Mutex mu_;
  uint64_t cursor_ ABSL_GUARDED_BY(mu_);
  grpc::ByteBuffer in_flight_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool waiting_ ABSL_GUARDED_BY(mu_) = false;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

// A Follow stream that fails at once with `status`.
class FailedWriter final : public grpc::ServerWriteReactor<grpc::ByteBuffer> {
 public:
  FailedWriter(const grpc::Status& status, bool log_request);
  void OnDone() override { delete this; }
};

inline constexpr char kFollowMethod[] = "/kith.v1.Kith/Follow";

}  // namespace kith::server

#endif  // KITH_SERVER_FOLLOW_REACTOR_H_
