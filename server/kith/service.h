// The Kith gRPC service: checks the caller's session and role on every RPC,
// verifies event signatures, and hands appends to the Appender.
#ifndef KITH_SERVER_SERVICE_H_
#define KITH_SERVER_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include "kith.grpc.pb.h"
#include "kith/appender.h"
#include "kith/authenticator.h"
#include "kith/boundaries.h"
#include "kith/checkins.h"
#include "kith/checkpoint_signer.h"
#include "kith/clock.h"
#include "kith/duress_alarms.h"
#include "kith/group_registry.h"
#include "kith/rate_limiter.h"
#include "kith/store.h"

namespace kith::server {

// Follow is a raw method: its stream carries EventBatch messages assembled
// from events encoded once (see encoded_event.h).
class KithService final : public v1::Kith::WithRawCallbackMethod_Follow<v1::Kith::CallbackService> {
 public:
  // The most events one ReadEvents call returns.
  static constexpr uint32_t kMaxReadEvents = 1000;

  // With `log_streams`, Follow streams log one request line when they end
  // (unary calls are logged by the request-log interceptor). Each account
  // appends at most `appends_per_second`, with bursts of `append_burst`
  // (see ServerOptions).
  KithService(Authenticator* auth, GroupRegistry* groups, Appender* appender,
              const Store* store, Checkins* checkins, DuressAlarms* duress,
              Boundaries* boundaries, const CheckpointSigner* signer, const Clock* clock,
              bool log_streams, double appends_per_second, double append_burst);

  grpc::ServerUnaryReactor* GetChallenge(grpc::CallbackServerContext* ctx, const v1::Empty* req,
                                         v1::Challenge* reply) override;
  grpc::ServerUnaryReactor* Register(grpc::CallbackServerContext* ctx,
                                     const v1::RegisterRequest* req,
                                     v1::RegisterReply* reply) override;
  grpc::ServerUnaryReactor* Login(grpc::CallbackServerContext* ctx, const v1::LoginRequest* req,
                                  v1::LoginReply* reply) override;
  grpc::ServerUnaryReactor* Logout(grpc::CallbackServerContext* ctx, const v1::Empty* req,
                                   v1::Empty* reply) override;
  grpc::ServerUnaryReactor* GetIdentity(grpc::CallbackServerContext* ctx,
                                        const v1::GetIdentityRequest* req,
                                        v1::IdentityBundle* reply) override;
  grpc::ServerUnaryReactor* CreateGroup(grpc::CallbackServerContext* ctx,
                                        const v1::CreateGroupRequest* req,
                                        v1::AppendReply* reply) override;
  grpc::ServerUnaryReactor* GetCharter(grpc::CallbackServerContext* ctx, const v1::GroupRef* req,
                                       v1::Charter* reply) override;
  grpc::ServerUnaryReactor* JoinGroup(grpc::CallbackServerContext* ctx,
                                      const v1::JoinGroupRequest* req,
                                      v1::AppendReply* reply) override;
  grpc::ServerUnaryReactor* Append(grpc::CallbackServerContext* ctx,
                                   const v1::AppendRequest* req, v1::AppendReply* reply) override;
  grpc::ServerUnaryReactor* ReadEvents(grpc::CallbackServerContext* ctx,
                                       const v1::ReadRequest* req, v1::ReadReply* reply) override;
  grpc::ServerWriteReactor<grpc::ByteBuffer>* Follow(grpc::CallbackServerContext* ctx,
                                                     const grpc::ByteBuffer* request) override;
  grpc::ServerUnaryReactor* ListGroups(grpc::CallbackServerContext* ctx, const v1::Empty* req,
                                       v1::GroupList* reply) override;
  grpc::ServerUnaryReactor* GetServerKey(grpc::CallbackServerContext* ctx, const v1::Empty* req,
                                         v1::ServerKey* reply) override;
  grpc::ServerUnaryReactor* GetCheckpoint(grpc::CallbackServerContext* ctx,
                                          const v1::GroupRef* req, v1::Checkpoint* reply) override;
  grpc::ServerUnaryReactor* GetDelivery(grpc::CallbackServerContext* ctx,
                                        const v1::DeliveryRequest* req,
                                        v1::DeliveryReply* reply) override;
  grpc::ServerUnaryReactor* ScheduleCheckin(grpc::CallbackServerContext* ctx,
                                            const v1::CheckinRequest* req,
                                            v1::Checkin* reply) override;
  grpc::ServerUnaryReactor* CancelCheckin(grpc::CallbackServerContext* ctx,
                                          const v1::GroupRef* req, v1::Checkin* reply) override;
  grpc::ServerUnaryReactor* GetCheckin(grpc::CallbackServerContext* ctx, const v1::GroupRef* req,
                                       v1::Checkin* reply) override;
  grpc::ServerUnaryReactor* ArmDuress(grpc::CallbackServerContext* ctx, const v1::DuressAlarm* req,
                                      v1::Empty* reply) override;
  grpc::ServerUnaryReactor* GetDuress(grpc::CallbackServerContext* ctx, const v1::GroupRef* req,
                                      v1::DuressAlarm* reply) override;
  grpc::ServerUnaryReactor* DisarmDuress(grpc::CallbackServerContext* ctx, const v1::GroupRef* req,
                                         v1::Empty* reply) override;
  grpc::ServerUnaryReactor* TriggerDuress(grpc::CallbackServerContext* ctx,
                                          const v1::DuressTrigger* req, v1::Empty* reply) override;
  grpc::ServerUnaryReactor* GetTimestamp(grpc::CallbackServerContext* ctx,
                                         const v1::TimestampRequest* req,
                                         v1::Timestamp* reply) override;
  grpc::ServerUnaryReactor* GetBoundaries(grpc::CallbackServerContext* ctx, const v1::Empty* req,
                                          v1::Boundaries* reply) override;
  grpc::ServerUnaryReactor* SetBoundaries(grpc::CallbackServerContext* ctx,
                                          const v1::Boundaries* req,
                                          v1::Boundaries* reply) override;

 private:
  absl::StatusOr<std::string> Caller(grpc::CallbackServerContext* ctx) const;
  // The created group `group_id`, or NOT_FOUND.
  // The group, once this node has applied everything any node sharing its
  // store had stored of it when asked (so a reader sees its own writes made
  // through another node).
  absl::StatusOr<GroupEntry*> FindGroup(const std::string& group_id) const;
  // Cluster mode: waits, up to kCatchUpWait, until this node has applied
  // every event of `group_id` stored when called. UNAVAILABLE if the store
  // cannot be read; after the wait, OK whatever was reached.
  absl::Status CatchUpWithStore(const std::string& group_id) const;
  // Cluster mode: waits, up to kCatchUpWait, until this node has applied
  // every change other nodes had stored when called, so reads of what it
  // keeps in memory (the groups someone is in, check-ins, duress alarms,
  // boundaries) see writes acknowledged through any node. UNAVAILABLE if
  // that cannot be confirmed in time.
  absl::Status CatchUpWithCluster() const;
  // CatchUpWithCluster, and on a node just started, waits until it has
  // loaded every group (Appender::AwaitWarm), for answers that span them all.
  absl::Status AwaitEveryGroup() const;
  // The circle `group_id` if `caller` owns it: FAILED_PRECONDITION for a
  // group that is not a circle, PERMISSION_DENIED for anyone but its owner.
  absl::StatusOr<GroupEntry*> FindOwnCircle(const std::string& caller,
                                            const std::string& group_id) const;
  // OK if `alert` is an Alert RAISE by `caller` in their own `circle`,
  // signed, that the circle would accept now (check-ins, duress alarms).
  absl::Status CheckSealedAlert(const std::string& caller, GroupEntry& circle,
                                const v1::SignedEvent& alert) const;
  // Parses `event`, checks it is authored by `caller` and fits `route`
  // (kCreate for CreateGroup, kJoinRequest for JoinGroup, KIND_NOT_SET for
  // Append, which takes every other kind), verifies its signature, and
  // queues it. Finishes `reactor` either way.
  void SubmitEvent(const std::string& caller, const v1::SignedEvent& event,
                   v1::EventBody::KindCase route, grpc::ServerUnaryReactor* reactor,
                   v1::AppendReply* reply);

  Authenticator* const auth_;
  GroupRegistry* const groups_;
  Appender* const appender_;
  // How long a read waits for this node to catch up with other nodes.
  static constexpr absl::Duration kCatchUpWait = absl::Seconds(2);
  const Store* const store_;
  Checkins* const checkins_;
  DuressAlarms* const duress_;
  Boundaries* const boundaries_;
  const CheckpointSigner* const signer_;
  const Clock* const clock_;
  const bool log_streams_;
  // By real time, whatever clock the server's events run on.
  RateLimiter appends_;
};

}  // namespace kith::server

#endif  // KITH_SERVER_SERVICE_H_
