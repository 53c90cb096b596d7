#include "kith/service.h"

#include <grpcpp/support/proto_buffer_reader.h>

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "kith/crypto.h"
#include "kith/follow_reactor.h"
#include "kith/protocol.h"
#include "kith/sealed_alerts.h"

namespace kith::server {
namespace {

// absl and gRPC share the canonical status codes, value for value.
// INTERNAL and UNKNOWN carry text meant for the operator (a storage
// engine's own words): the caller gets a generic message with a request
// id, and the server's log gets the text under that id.
grpc::Status ToGrpc(const absl::Status& s) {
  if (absl::IsInternal(s) || absl::IsUnknown(s)) {
    const std::string request_id = crypto::ToHex(crypto::RandomBytes(8));
    fprintf(stderr, "kithd: request %s failed: %s\n", request_id.c_str(), s.ToString().c_str());
    return grpc::Status(static_cast<grpc::StatusCode>(s.code()),
                        absl::StrCat("the server failed on its side (request id ", request_id,
                                     "); try again, and if it keeps failing, give the server's "
                                     "operator this id"));
  }
  if (auto first = s.GetPayload(kAppendedPayload)) {
    return grpc::Status(static_cast<grpc::StatusCode>(s.code()), std::string(s.message()),
                        std::string(*first));
  }
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()), std::string(s.message()));
}

grpc::ServerUnaryReactor* Done(grpc::CallbackServerContext* ctx, const absl::Status& s) {
  if (auto retry_ms = s.GetPayload(kRetryAfterPayload)) {
    ctx->AddTrailingMetadata(kRetryAfterMetadata, std::string(*retry_ms));
  }
  auto* reactor = ctx->DefaultReactor();
  reactor->Finish(ToGrpc(s));
  return reactor;
}

absl::Status CheckId(const std::string& id, const char* what) {
  if (id.size() != kIdBytes) {
    return absl::InvalidArgumentError(absl::StrCat(what, " must be ", kIdBytes, " bytes"));
  }
  return absl::OkStatus();
}

}  // namespace

KithService::KithService(Authenticator* auth, GroupRegistry* groups, Appender* appender,
                         const Store* store, Checkins* checkins, DuressAlarms* duress,
                         Boundaries* boundaries, const CheckpointSigner* signer,
                         const Clock* clock, bool log_streams, double appends_per_second,
                         double append_burst)
    : auth_(auth),
      groups_(groups),
      appender_(appender),
      store_(store),
      checkins_(checkins),
      duress_(duress),
      boundaries_(boundaries),
      signer_(signer),
      clock_(clock),
      log_streams_(log_streams),
      appends_(appends_per_second, append_burst, "events", SystemClock()) {}

namespace {

std::string_view Authorization(grpc::CallbackServerContext* ctx) {
  const auto& md = ctx->client_metadata();
  auto it = md.find("authorization");
  return it == md.end() ? std::string_view() : std::string_view(it->second.data(), it->second.size());
}

}  // namespace

absl::StatusOr<std::string> KithService::Caller(grpc::CallbackServerContext* ctx) const {
  return auth_->Authenticate(Authorization(ctx));
}

absl::StatusOr<GroupEntry*> KithService::FindGroup(const std::string& group_id) const {
  if (auto s = CheckId(group_id, "group id"); !s.ok()) return s;
  if (store_->shared()) {
    if (auto s = CatchUpWithStore(group_id); !s.ok()) return s;
  }
  GroupEntry* entry = groups_->Find(group_id);
  if (entry != nullptr) {
    absl::ReaderMutexLock lock(&entry->mu);
    if (entry->state.created()) return entry;
  }
  return absl::NotFoundError("no such group");
}

absl::Status KithService::CatchUpWithStore(const std::string& group_id) const {
  auto head = store_->SharedHead(group_id);
  if (!head.ok()) return absl::UnavailableError("the group store cannot be read; retry");
  if (*head == 0) return absl::OkStatus();  // no node has made this group
  const absl::Time deadline = absl::Now() + kCatchUpWait;
  appender_->CatchUp(group_id, *head);
  GroupEntry* entry = groups_->Find(group_id);
  while (entry == nullptr && absl::Now() < deadline) {  // the writer makes it
    absl::SleepFor(absl::Milliseconds(1));
    entry = groups_->Find(group_id);
  }
  if (entry == nullptr) return absl::OkStatus();
  absl::MutexLock lock(&entry->mu);
  auto caught_up = [entry, target = *head]() ABSL_SHARED_LOCKS_REQUIRED(entry->mu) {
    return entry->durable_head >= target;
  };
  entry->mu.AwaitWithDeadline(absl::Condition(&caught_up), deadline);
  return absl::OkStatus();
}

absl::Status KithService::CatchUpWithCluster() const {
  if (!store_->shared()) return absl::OkStatus();
  const absl::Time deadline = absl::Now() + kCatchUpWait;
  if (auto s = store_->HearAllCommitted(deadline); !s.ok()) return s;
  if (!appender_->AwaitCatchUp(deadline)) {
    return absl::UnavailableError("this node is still applying changes made through the others; retry");
  }
  return absl::OkStatus();
}

absl::Status KithService::AwaitEveryGroup() const {
  if (auto s = CatchUpWithCluster(); !s.ok()) return s;
  if (!appender_->AwaitWarm(absl::Now() + kCatchUpWait)) {
    return absl::UnavailableError("this node has just started and is still loading groups; retry in a moment");
  }
  return absl::OkStatus();
}

absl::StatusOr<GroupEntry*> KithService::FindOwnCircle(const std::string& caller,
                                                       const std::string& group_id) const {
  auto entry = FindGroup(group_id);
  if (!entry.ok()) return entry;
  absl::ReaderMutexLock lock(&(*entry)->mu);
  const GroupState& state = (*entry)->state;
  if (!state.is_circle()) {
    return absl::FailedPreconditionError("this group is not a circle: only circles have this");
  }
  if (state.owner() != caller) {
    return absl::PermissionDeniedError(
        "only the circle's owner sees its check-ins and who received what");
  }
  return entry;
}

grpc::ServerUnaryReactor* KithService::GetChallenge(grpc::CallbackServerContext* ctx,
                                                    const v1::Empty*, v1::Challenge* reply) {
  reply->set_nonce(auth_->NewChallenge());
  return Done(ctx, absl::OkStatus());
}

grpc::ServerUnaryReactor* KithService::Register(grpc::CallbackServerContext* ctx,
                                                const v1::RegisterRequest* req,
                                                v1::RegisterReply* reply) {
  auto user_id = auth_->Register(req->bundle());
  if (user_id.ok()) reply->set_user_id(*std::move(user_id));
  return Done(ctx, user_id.status());
}

grpc::ServerUnaryReactor* KithService::Login(grpc::CallbackServerContext* ctx,
                                             const v1::LoginRequest* req, v1::LoginReply* reply) {
  auto login = auth_->Login(*req);
  if (login.ok()) *reply = *std::move(login);
  return Done(ctx, login.status());
}

grpc::ServerUnaryReactor* KithService::Logout(grpc::CallbackServerContext* ctx, const v1::Empty*,
                                              v1::Empty*) {
  return Done(ctx, auth_->Logout(Authorization(ctx)));
}

grpc::ServerUnaryReactor* KithService::GetIdentity(grpc::CallbackServerContext* ctx,
                                                   const v1::GetIdentityRequest* req,
                                                   v1::IdentityBundle* reply) {
  auto caller = Caller(ctx);
  if (!caller.ok()) return Done(ctx, caller.status());
  if (auto s = CheckId(req->user_id(), "user id"); !s.ok()) return Done(ctx, s);
  auto bundle = auth_->Identity(req->user_id());
  if (!bundle) return Done(ctx, absl::NotFoundError("no account with this user id"));
  *reply = *std::move(bundle);
  return Done(ctx, absl::OkStatus());
}

grpc::ServerUnaryReactor* KithService::GetCharter(grpc::CallbackServerContext* ctx,
                                                  const v1::GroupRef* req, v1::Charter* reply) {
  auto caller = Caller(ctx);
  if (!caller.ok()) return Done(ctx, caller.status());
  auto entry = FindGroup(req->group_id());
  if (!entry.ok()) return Done(ctx, entry.status());
  absl::ReaderMutexLock lock(&(*entry)->mu);
  *reply = (*entry)->state.charter();
  return Done(ctx, absl::OkStatus());
}

void KithService::SubmitEvent(const std::string& caller, const v1::SignedEvent& event,
                              v1::EventBody::KindCase route, grpc::ServerUnaryReactor* reactor,
                              v1::AppendReply* reply) {
  auto fail = [reactor](const absl::Status& s) { reactor->Finish(ToGrpc(s)); };
  auto parsed = GroupState::Parse(event);
  if (!parsed.ok()) return fail(parsed.status());
  v1::EventBody& body = *parsed;
  if (body.author() != caller) {
    return fail(absl::PermissionDeniedError("an event must be authored by the caller's identity"));
  }
  const bool is_create = body.kind_case() == v1::EventBody::kCreate;
  const bool is_join = body.kind_case() == v1::EventBody::kJoinRequest;
  if (route == v1::EventBody::kCreate && !is_create) {
    return fail(absl::InvalidArgumentError("CreateGroup takes a group creation event"));
  }
  if (route == v1::EventBody::kJoinRequest && !is_join) {
    return fail(absl::InvalidArgumentError("JoinGroup takes a join request event"));
  }
  if (route == v1::EventBody::KIND_NOT_SET && (is_create || is_join)) {
    return fail(absl::InvalidArgumentError(
        "use CreateGroup to create a group and JoinGroup to ask to join one"));
  }
  // The author's key comes from the group's state (or the event itself for
  // a creation or join request); the signature is checked here, off the
  // writer thread, and authorization again by the writer against the state
  // at append time.
  absl::StatusOr<std::string> sign_pk;
  if (is_create) {
    sign_pk = body.create().creator().sign_pk();
  } else {
    auto entry = FindGroup(body.group_id());
    if (!entry.ok()) return fail(entry.status());
    absl::ReaderMutexLock lock(&(*entry)->mu);
    sign_pk = (*entry)->state.AuthorSigningKey(body);
  }
  if (!sign_pk.ok()) return fail(sign_pk.status());
  if (!VerifyEventSignature(event, *sign_pk)) {
    return fail(absl::InvalidArgumentError("event signature does not verify for its author"));
  }
  appender_->Submit(event, std::move(body),
                    [reactor, reply](absl::StatusOr<v1::AppendReply> result) {
                      if (result.ok()) *reply = *std::move(result);
                      reactor->Finish(ToGrpc(result.status()));
                    });
}

grpc::ServerUnaryReactor* KithService::CreateGroup(grpc::CallbackServerContext* ctx,
                                                   const v1::CreateGroupRequest* req,
                                                   v1::AppendReply* reply) {
  auto caller = Caller(ctx);
  if (!caller.ok()) return Done(ctx, caller.status());
  if (auto s = appends_.Take(*caller); !s.ok()) return Done(ctx, s);
  auto* reactor = ctx->DefaultReactor();
  SubmitEvent(*caller, req->create(), v1::EventBody::kCreate, reactor, reply);
  return reactor;
}

grpc::ServerUnaryReactor* KithService::JoinGroup(grpc::CallbackServerContext* ctx,
                                                 const v1::JoinGroupRequest* req,
                                                 v1::AppendReply* reply) {
  auto caller = Caller(ctx);
  if (!caller.ok()) return Done(ctx, caller.status());
  if (auto s = appends_.Take(*caller); !s.ok()) return Done(ctx, s);
  v1::EventBody body;
  if (!body.ParseFromString(req->request().body()) || !body.has_join_request()) {
    return Done(ctx, absl::InvalidArgumentError("JoinGroup takes a join request event"));
  }
  if (body.group_id() != req->group_id()) {
    return Done(ctx, absl::InvalidArgumentError("join request names another group"));
  }
  // The group's state checks the request's proof that its author holds the
  // invite code (or, for an addressed invitation, that it names them).
  auto* reactor = ctx->DefaultReactor();
  SubmitEvent(*caller, req->request(), v1::EventBody::kJoinRequest, reactor, reply);
  return reactor;
}

grpc::ServerUnaryReactor* KithService::Append(grpc::CallbackServerContext* ctx,
                                              const v1::AppendRequest* req,
                                              v1::AppendReply* reply) {
  auto caller = Caller(ctx);
  if (!caller.ok()) return Done(ctx, caller.status());
  if (auto s = appends_.Take(*caller); !s.ok()) return Done(ctx, s);
  auto* reactor = ctx->DefaultReactor();
  SubmitEvent(*caller, req->event(), v1::EventBody::KIND_NOT_SET, reactor, reply);
  return reactor;
}

grpc::ServerUnaryReactor* KithService::ReadEvents(grpc::CallbackServerContext* ctx,
                                                  const v1::ReadRequest* req,
                                                  v1::ReadReply* reply) {
  auto caller = Caller(ctx);
  if (!caller.ok()) return Done(ctx, caller.status());
  auto entry = FindGroup(req->group_id());
  if (!entry.ok()) return Done(ctx, entry.status());
  const uint64_t from = std::max<uint64_t>(1, req->from_seq());
  uint64_t readable;
  bool member, circle;
  {
    absl::ReaderMutexLock lock(&(*entry)->mu);
    readable = (*entry)->ReadableHead(*caller);
    member = (*entry)->state.IsMember(*caller);
    circle = (*entry)->state.is_circle();
  }
  if (readable == 0) {
    return Done(ctx, absl::PermissionDeniedError("you are not a member of this group"));
  }
  if (!member && from > readable) {
    return Done(ctx, absl::PermissionDeniedError(absl::StrCat(
        "you are no longer a member of this group; nothing after event ", readable,
        " is readable to you")));
  }
  uint32_t limit = req->limit() == 0 ? kMaxReadEvents : std::min(req->limit(), kMaxReadEvents);
  reply->set_head_seq(readable);
  if (from > readable) return Done(ctx, absl::OkStatus());
  limit = static_cast<uint32_t>(std::min<uint64_t>(limit, readable - from + 1));
  std::vector<v1::Event> events;
  if (auto s = store_->ReadRange(req->group_id(), from, limit, &events); !s.ok()) {
    return Done(ctx, s);
  }
  if (!events.empty() && circle) (*entry)->NoteDelivered(*caller, events.back().seq());
  for (auto& e : events) *reply->add_events() = std::move(e);
  return Done(ctx, absl::OkStatus());
}

grpc::ServerWriteReactor<grpc::ByteBuffer>* KithService::Follow(grpc::CallbackServerContext* ctx,
                                                                const grpc::ByteBuffer* request) {
  auto caller = Caller(ctx);
  if (!caller.ok()) return new FailedWriter(ToGrpc(caller.status()), log_streams_);
  grpc::ByteBuffer copy(*request);  // deserializing consumes the buffer
  v1::FollowRequest req;
  if (!grpc::GenericDeserialize<grpc::ProtoBufferReader, v1::FollowRequest>(&copy, &req).ok()) {
    return new FailedWriter(
        ToGrpc(absl::InvalidArgumentError("FollowRequest does not parse")), log_streams_);
  }
  auto entry = FindGroup(req.group_id());
  if (!entry.ok()) return new FailedWriter(ToGrpc(entry.status()), log_streams_);
  bool circle;
  {
    absl::ReaderMutexLock lock(&(*entry)->mu);
    if ((*entry)->ReadableHead(*caller) == 0) {
      return new FailedWriter(
          ToGrpc(absl::PermissionDeniedError("you are not a member of this group")), log_streams_);
    }
    circle = (*entry)->state.is_circle();
  }
  return new FollowReactor(*entry, store_, req.group_id(), *caller, req.from_seq(), circle,
                           log_streams_);
}

grpc::ServerUnaryReactor* KithService::ListGroups(grpc::CallbackServerContext* ctx,
                                                  const v1::Empty*, v1::GroupList* reply) {
  auto caller = Caller(ctx);
  if (!caller.ok()) return Done(ctx, caller.status());
  if (auto s = AwaitEveryGroup(); !s.ok()) return Done(ctx, s);
  for (GroupEntry* entry : groups_->GroupsOf(*caller)) {
    absl::ReaderMutexLock lock(&entry->mu);
    const GroupState& state = entry->state;
    const bool pending = state.IsPending(*caller);
    const bool invited = state.IsInvited(*caller);
    if (!state.created() || (!state.IsMember(*caller) && !pending && !invited)) continue;
    v1::GroupSummary* g = reply->add_groups();
    g->set_invited(invited);
    if (invited) g->set_invite_seq(state.InviteSeqOf(*caller));
    g->set_owner(state.owner());
    if (state.is_direct()) g->set_peer(state.PeerOf(*caller));
    g->set_group_id(state.group_id());
    *g->mutable_charter() = state.charter();
    g->set_role(state.RoleOf(*caller));
    g->set_pending(pending);
    g->set_head_seq(entry->durable_head);
  }
  return Done(ctx, absl::OkStatus());
}

grpc::ServerUnaryReactor* KithService::GetServerKey(grpc::CallbackServerContext* ctx,
                                                    const v1::Empty*, v1::ServerKey* reply) {
  reply->set_checkpoint_pk(signer_->public_key());
  return Done(ctx, absl::OkStatus());
}

grpc::ServerUnaryReactor* KithService::GetCheckpoint(grpc::CallbackServerContext* ctx,
                                                     const v1::GroupRef* req,
                                                     v1::Checkpoint* reply) {
  auto caller = Caller(ctx);
  if (!caller.ok()) return Done(ctx, caller.status());
  auto entry = FindGroup(req->group_id());
  if (!entry.ok()) return Done(ctx, entry.status());
  GroupEntry& group = **entry;
  uint64_t head;
  std::string head_hash;
  {
    absl::ReaderMutexLock lock(&group.mu);
    if (!group.state.IsMember(*caller)) {
      return Done(ctx, absl::PermissionDeniedError("you are not a member of this group"));
    }
    if (group.checkpoint.seq() == group.durable_head) {
      *reply = group.checkpoint;
      return Done(ctx, absl::OkStatus());
    }
    head = group.durable_head;
    head_hash = group.durable_hash;
  }
  // Sign outside the lock; at most one signature per head is kept, and a
  // racing caller's equal-or-newer checkpoint wins.
  *reply = signer_->Sign(req->group_id(), head, head_hash, clock_->NowMs());
  {
    absl::MutexLock lock(&group.mu);
    if (group.checkpoint.seq() < head) group.checkpoint = *reply;
  }
  return Done(ctx, absl::OkStatus());
}

grpc::ServerUnaryReactor* KithService::GetDelivery(grpc::CallbackServerContext* ctx,
                                                   const v1::DeliveryRequest* req,
                                                   v1::DeliveryReply* reply) {
  auto caller = Caller(ctx);
  if (!caller.ok()) return Done(ctx, caller.status());
  auto entry = FindOwnCircle(*caller, req->group_id());
  if (!entry.ok()) return Done(ctx, entry.status());
  {
    absl::ReaderMutexLock lock(&(*entry)->mu);
    if (req->seq() == 0 || req->seq() > (*entry)->durable_head) {
      return Done(ctx, absl::InvalidArgumentError("no such event in this circle"));
    }
  }
  for (auto& user : (*entry)->ReachedBy(req->seq())) reply->add_reached(std::move(user));
  return Done(ctx, absl::OkStatus());
}

namespace {

v1::Checkin Describe(const std::optional<v1::CheckinRequest>& checkin) {
  v1::Checkin out;
  if (!checkin) return out;
  out.set_scheduled(true);
  out.set_deadline_ms(checkin->deadline_ms());
  out.set_every_ms(checkin->every_ms());
  *out.mutable_alert() = checkin->alert();
  return out;
}

}  // namespace

absl::Status KithService::CheckSealedAlert(const std::string& caller, GroupEntry& circle,
                                          const v1::SignedEvent& alert) const {
  auto body = GroupState::Parse(alert);
  if (!body.ok()) return body.status();
  absl::ReaderMutexLock lock(&circle.mu);
  if (body->author() != caller || body->group_id() != circle.state.group_id() ||
      !body->has_alert() || body->alert().kind() != v1::Alert::RAISE) {
    return absl::InvalidArgumentError("a sealed alert is one raised by you in your own circle");
  }
  // One the circle would accept now, signature included.
  return circle.state.Check(alert, *body, SignatureCheck::kVerify, clock_->NowMs());
}

grpc::ServerUnaryReactor* KithService::ScheduleCheckin(grpc::CallbackServerContext* ctx,
                                                       const v1::CheckinRequest* req,
                                                       v1::Checkin* reply) {
  constexpr int64_t kMinLeadMs = 60'000, kMaxLeadMs = 30ll * 24 * 3600 * 1000;
  auto caller = Caller(ctx);
  if (!caller.ok()) return Done(ctx, caller.status());
  auto entry = FindOwnCircle(*caller, req->group_id());
  if (!entry.ok()) return Done(ctx, entry.status());
  const int64_t now = clock_->NowMs();
  const bool lead_checked = !req->reseal();  // a reseal keeps the deadline it had
  if (lead_checked &&
      (req->deadline_ms() < now + kMinLeadMs || req->deadline_ms() > now + kMaxLeadMs)) {
    return Done(ctx, absl::InvalidArgumentError(
                         "a check-in's deadline is from 1 minute to 30 days from now"));
  }
  if (req->every_ms() > static_cast<uint64_t>(kMaxLeadMs)) {
    return Done(ctx, absl::InvalidArgumentError("a check-in repeats at most every 30 days"));
  }
  if (auto s = CheckSealedAlert(*caller, **entry, req->alert()); !s.ok()) return Done(ctx, s);
  if (auto s = checkins_->Schedule(*req); !s.ok()) return Done(ctx, s);
  *reply = Describe(checkins_->Get(req->group_id()));
  return Done(ctx, absl::OkStatus());
}

grpc::ServerUnaryReactor* KithService::CancelCheckin(grpc::CallbackServerContext* ctx,
                                                     const v1::GroupRef* req, v1::Checkin* reply) {
  auto caller = Caller(ctx);
  if (!caller.ok()) return Done(ctx, caller.status());
  auto entry = FindOwnCircle(*caller, req->group_id());
  if (!entry.ok()) return Done(ctx, entry.status());
  if (auto s = CatchUpWithCluster(); !s.ok()) return Done(ctx, s);
  auto cancelled = checkins_->Cancel(req->group_id());
  if (!cancelled.ok()) return Done(ctx, cancelled.status());
  *reply = Describe(*cancelled);
  return Done(ctx, absl::OkStatus());
}

grpc::ServerUnaryReactor* KithService::GetCheckin(grpc::CallbackServerContext* ctx,
                                                  const v1::GroupRef* req, v1::Checkin* reply) {
  auto caller = Caller(ctx);
  if (!caller.ok()) return Done(ctx, caller.status());
  auto entry = FindOwnCircle(*caller, req->group_id());
  if (!entry.ok()) return Done(ctx, entry.status());
  if (auto s = CatchUpWithCluster(); !s.ok()) return Done(ctx, s);
  *reply = Describe(checkins_->Get(req->group_id()));
  return Done(ctx, absl::OkStatus());
}

grpc::ServerUnaryReactor* KithService::ArmDuress(grpc::CallbackServerContext* ctx,
                                                 const v1::DuressAlarm* req, v1::Empty*) {
  auto caller = Caller(ctx);
  if (!caller.ok()) return Done(ctx, caller.status());
  auto entry = FindOwnCircle(*caller, req->group_id());
  if (!entry.ok()) return Done(ctx, entry.status());
  if (req->token_hash().size() != crypto::kHashBytes) {
    return Done(ctx, absl::InvalidArgumentError("a duress alarm's token hash is 32 bytes"));
  }
  if (req->alerts().empty() || req->alerts_size() > DuressAlarms::kMaxAlerts) {
    return Done(ctx, absl::InvalidArgumentError(absl::StrCat(
                         "a duress alarm holds 1 to ", DuressAlarms::kMaxAlerts, " sealed alerts")));
  }
  // Sealed again, the alerts that already went out stay as they were.
  int released = 0;
  if (auto armed = duress_->Get(req->group_id()); req->reseal() && armed &&
                                                  armed->token_hash() == req->token_hash()) {
    released = static_cast<int>(armed->released());
  }
  for (int i = released; i < req->alerts_size(); ++i) {
    if (auto s = CheckSealedAlert(*caller, **entry, req->alerts(i)); !s.ok()) return Done(ctx, s);
  }
  return Done(ctx, duress_->Arm(*req));
}

grpc::ServerUnaryReactor* KithService::DisarmDuress(grpc::CallbackServerContext* ctx,
                                                    const v1::GroupRef* req, v1::Empty*) {
  auto caller = Caller(ctx);
  if (!caller.ok()) return Done(ctx, caller.status());
  auto entry = FindOwnCircle(*caller, req->group_id());
  if (!entry.ok()) return Done(ctx, entry.status());
  if (auto s = CatchUpWithCluster(); !s.ok()) return Done(ctx, s);
  return Done(ctx, duress_->Disarm(req->group_id()));
}

grpc::ServerUnaryReactor* KithService::GetDuress(grpc::CallbackServerContext* ctx,
                                                 const v1::GroupRef* req, v1::DuressAlarm* reply) {
  auto caller = Caller(ctx);
  if (!caller.ok()) return Done(ctx, caller.status());
  auto entry = FindOwnCircle(*caller, req->group_id());
  if (!entry.ok()) return Done(ctx, entry.status());
  if (auto s = CatchUpWithCluster(); !s.ok()) return Done(ctx, s);
  auto alarm = duress_->Get(req->group_id());
  if (!alarm) return Done(ctx, absl::NotFoundError("no duress alarm is armed for this circle"));
  *reply = *std::move(alarm);
  return Done(ctx, absl::OkStatus());
}

grpc::ServerUnaryReactor* KithService::TriggerDuress(grpc::CallbackServerContext* ctx,
                                                     const v1::DuressTrigger* req, v1::Empty*) {
  // No session: whoever holds the token may fire the alarm, and nothing
  // else. The answer is the same whether or not anything went out.
  if (req->token().size() != crypto::kKeyBytes) {
    return Done(ctx, absl::InvalidArgumentError("a duress token is 32 bytes"));
  }
  // An alarm armed through another node fires here too.
  if (auto s = CatchUpWithCluster(); !s.ok()) return Done(ctx, s);
  auto due = duress_->Next(crypto::Hash(kDuressLabel, req->token()), req->escalate());
  if (due) {
    // Answered before the alert is written, so an armed token takes no
    // longer than an unknown one. A release that fails is not marked
    // released: the duress profile's next escalation sends it again.
    const std::string alert_id = SealedAlertId(due->alert);
    ReleaseSealedAlert(appender_, std::move(due->alert),
                       [this, group = due->group_id, alert_id](const absl::Status& s) {
                         duress_->Released(group, alert_id, s.ok());
                       });
  }
  return Done(ctx, absl::OkStatus());
}

grpc::ServerUnaryReactor* KithService::GetTimestamp(grpc::CallbackServerContext* ctx,
                                                    const v1::TimestampRequest* req,
                                                    v1::Timestamp* reply) {
  auto caller = Caller(ctx);
  if (!caller.ok()) return Done(ctx, caller.status());
  if (req->hash().size() != crypto::kHashBytes) {
    return Done(ctx, absl::InvalidArgumentError("a timestamp is for a 32-byte hash"));
  }
  *reply = signer_->SignTimestamp(req->hash(), clock_->NowMs());
  return Done(ctx, absl::OkStatus());
}

grpc::ServerUnaryReactor* KithService::GetBoundaries(grpc::CallbackServerContext* ctx,
                                                     const v1::Empty*, v1::Boundaries* reply) {
  auto caller = Caller(ctx);
  if (!caller.ok()) return Done(ctx, caller.status());
  if (auto s = CatchUpWithCluster(); !s.ok()) return Done(ctx, s);
  *reply = boundaries_->Get(*caller);
  return Done(ctx, absl::OkStatus());
}

grpc::ServerUnaryReactor* KithService::SetBoundaries(grpc::CallbackServerContext* ctx,
                                                     const v1::Boundaries* req,
                                                     v1::Boundaries* reply) {
  auto caller = Caller(ctx);
  if (!caller.ok()) return Done(ctx, caller.status());
  auto set = boundaries_->Set(*caller, *req, clock_->NowMs());
  if (set.ok()) *reply = *std::move(set);
  return Done(ctx, set.status());
}

}  // namespace kith::server
