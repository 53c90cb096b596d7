// One member's live stream of a group. The reactor keeps a cursor (the next
// sequence number to send) and pulls events one write at a time: from the
// group's in-memory recent events when they are there, from storage
// otherwise. Nothing is queued per follower, so a slow reader costs no
// memory and never slows anyone else; it simply reads further behind.
//
// Thread safety: every member of the reactor is guarded by its group's mutex.
#ifndef KITH_SERVER_FOLLOW_REACTOR_H_
#define KITH_SERVER_FOLLOW_REACTOR_H_

#include <deque>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "kith.pb.h"
#include "kith/group_registry.h"
#include "kith/store.h"

namespace kith::server {

class FollowReactor final : public grpc::ServerWriteReactor<v1::Event>, public Waiter {
 public:
  // Events read from storage per refill, for a follower that is behind.
  static constexpr uint32_t kBacklogChunk = 64;

  FollowReactor(GroupEntry* entry, const EventLog* log, std::string user_id, uint64_t from_seq);

  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;
  void OnNewEvents() override ABSL_EXCLUSIVE_LOCKS_REQUIRED(entry_->mu);

 private:
  void NextLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(entry_->mu);
  void FinishLocked(const grpc::Status& status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(entry_->mu);
  std::shared_ptr<const v1::Event> FromBacklog() ABSL_EXCLUSIVE_LOCKS_REQUIRED(entry_->mu);

  GroupEntry* const entry_;
  const EventLog* const log_;
  const std::string user_id_;
  uint64_t cursor_;
  std::shared_ptr<const v1::Event> in_flight_;
  std::deque<std::shared_ptr<const v1::Event>> backlog_;
  bool cancelled_ = false;
  bool finished_ = false;
};

// A stream that fails at once with `status`.
class FailedWriter final : public grpc::ServerWriteReactor<v1::Event> {
 public:
  explicit FailedWriter(const grpc::Status& status) { Finish(status); }
  void OnDone() override { delete this; }
};

}  // namespace kith::server

#endif  // KITH_SERVER_FOLLOW_REACTOR_H_
