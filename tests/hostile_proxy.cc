#include "hostile_proxy.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <utility>

#include "absl/strings/str_cat.h"
#include "kith.grpc.pb.h"
#include "kith/crypto.h"
#include "kith/files.h"
#include "kith/protocol.h"

namespace kith::testing {
namespace {

// The name kithd's self-signed certificate carries, whatever address is dialled.
constexpr char kServerName[] = "kithd";
// ReadEvents' largest page, as kithd's.
constexpr uint32_t kMaxReadEvents = 1000;
// How long open calls get to finish when the proxy shuts down; then they are cancelled.
constexpr auto kShutdownGrace = std::chrono::milliseconds(200);

// A context for the upstream call made on behalf of the call `ctx` serves:
// it carries the caller's session header as it came, and gRPC gives it the
// caller's deadline and cancels it when the caller's call is cancelled
// (also when the proxy shuts down), so no handler waits on upstream forever.
std::unique_ptr<grpc::ClientContext> UpstreamContext(const grpc::ServerContext& ctx) {
  std::unique_ptr<grpc::ClientContext> up = grpc::ClientContext::FromServerContext(ctx);
  auto auth = ctx.client_metadata().find("authorization");
  if (auth != ctx.client_metadata().end()) {
    up->AddMetadata("authorization", std::string(auth->second.data(), auth->second.size()));
  }
  return up;
}

// Renumbers `log` 1..n and links each event to the one before, so the
// chain is valid whatever was dropped, moved or repeated.
std::vector<v1::Event> Rechain(std::vector<v1::Event> log) {
  std::string prev = GenesisPrevHash();
  for (size_t i = 0; i < log.size(); ++i) {
    log[i].set_seq(i + 1);
    log[i].set_prev_hash(prev);
    prev = EventHash(log[i]);
  }
  return log;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

class HostileProxy::Service final : public v1::Kith::Service {
 public:
  Service(std::shared_ptr<grpc::Channel> upstream, crypto::Secret checkpoint_key)
      : stub_(v1::Kith::NewStub(upstream)), checkpoint_key_(std::move(checkpoint_key)) {}

  void SetRewrite(const std::string& group_id, const std::string& user_id, Rewrite rewrite) {
    std::lock_guard<std::mutex> lock(mu_);
    rewrites_[{group_id, user_id}] = std::move(rewrite);
  }
  void ClearRewrite(const std::string& group_id, const std::string& user_id) {
    std::lock_guard<std::mutex> lock(mu_);
    rewrites_.erase({group_id, user_id});
  }
  void SetAppendReplyEdit(const std::string& user_id, std::function<void(v1::AppendReply&)> edit) {
    std::lock_guard<std::mutex> lock(mu_);
    append_edits_[user_id] = std::move(edit);
  }

  // Forwarded as they are: request, reply, status code, message and details.
#define KITH_FORWARD(Method, Request, Reply)                                               \
  grpc::Status Method(grpc::ServerContext* ctx, const v1::Request* req, v1::Reply* reply) \
      override {                                                                            \
    return Forward(*ctx, &v1::Kith::Stub::Method, *req, reply);                            \
  }
  KITH_FORWARD(GetChallenge, Empty, Challenge)
  KITH_FORWARD(Register, RegisterRequest, RegisterReply)
  KITH_FORWARD(GetIdentity, GetIdentityRequest, IdentityBundle)
  KITH_FORWARD(CreateGroup, CreateGroupRequest, AppendReply)
  KITH_FORWARD(GetCharter, GroupRef, Charter)
  KITH_FORWARD(JoinGroup, JoinGroupRequest, AppendReply)
  KITH_FORWARD(ListGroups, Empty, GroupList)
  KITH_FORWARD(GetServerKey, Empty, ServerKey)
  KITH_FORWARD(GetDelivery, DeliveryRequest, DeliveryReply)
  KITH_FORWARD(ScheduleCheckin, CheckinRequest, Checkin)
  KITH_FORWARD(CancelCheckin, GroupRef, Checkin)
  KITH_FORWARD(GetCheckin, GroupRef, Checkin)
  KITH_FORWARD(ArmDuress, DuressAlarm, Empty)
  KITH_FORWARD(DisarmDuress, GroupRef, Empty)
  KITH_FORWARD(GetDuress, GroupRef, DuressAlarm)
  KITH_FORWARD(TriggerDuress, DuressTrigger, Empty)
  KITH_FORWARD(GetTimestamp, TimestampRequest, Timestamp)
  KITH_FORWARD(GetBoundaries, Empty, Boundaries)
  KITH_FORWARD(SetBoundaries, Boundaries, Boundaries)
#undef KITH_FORWARD

  grpc::Status Login(grpc::ServerContext* ctx, const v1::LoginRequest* req,
                     v1::LoginReply* reply) override {
    grpc::Status s = Forward(*ctx, &v1::Kith::Stub::Login, *req, reply);
    if (s.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      users_by_token_[crypto::ToHex(reply->token())] = req->user_id();
    }
    return s;
  }

  grpc::Status Append(grpc::ServerContext* ctx, const v1::AppendRequest* req,
                      v1::AppendReply* reply) override {
    grpc::Status s = Forward(*ctx, &v1::Kith::Stub::Append, *req, reply);
    if (!s.ok()) return s;
    std::function<void(v1::AppendReply&)> edit;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = append_edits_.find(CallerLocked(*ctx));
      if (it != append_edits_.end()) edit = it->second;
    }
    if (edit) edit(*reply);
    return s;
  }

  grpc::Status ReadEvents(grpc::ServerContext* ctx, const v1::ReadRequest* req,
                          v1::ReadReply* reply) override {
    std::vector<v1::Event> log;
    if (auto s = ServedLog(*ctx, req->group_id(), &log); !s.ok()) return s;
    const uint64_t from = std::max<uint64_t>(1, req->from_seq());
    const uint32_t limit =
        req->limit() == 0 || req->limit() > kMaxReadEvents ? kMaxReadEvents : req->limit();
    for (uint64_t seq = from; seq <= log.size() && seq < from + limit; ++seq) {
      *reply->add_events() = std::move(log[seq - 1]);
    }
    reply->set_head_seq(log.size());
    return grpc::Status::OK;
  }

  grpc::Status GetCheckpoint(grpc::ServerContext* ctx, const v1::GroupRef* req,
                             v1::Checkpoint* reply) override {
    // Upstream is asked only for its verdict on who may have a checkpoint;
    // the one served is over the caller's own history.
    v1::Checkpoint real;
    if (auto s = Forward(*ctx, &v1::Kith::Stub::GetCheckpoint, *req, &real); !s.ok()) return s;
    std::vector<v1::Event> log;
    if (auto s = ServedLog(*ctx, req->group_id(), &log); !s.ok()) return s;
    if (log.empty()) {
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                          "the proxy's rewrite left this caller an empty log");
    }
    // As server/checkpoint_signer.cc signs.
    reply->set_group_id(req->group_id());
    reply->set_seq(log.size());
    reply->set_head_hash(EventHash(log.back()));
    reply->set_server_time_ms(NowMs());
    reply->set_signature(
        crypto::Sign(checkpoint_key_, kCheckpointLabel, CheckpointSigningInput(*reply)));
    return grpc::Status::OK;
  }

  // Follows the whole true log upstream and, after each upstream batch,
  // sends in one batch whatever of the caller's served log (rewritten from
  // every true event so far) is at or past the cursor and not sent yet.
  grpc::Status Follow(grpc::ServerContext* ctx, const v1::FollowRequest* req,
                      grpc::ServerWriter<v1::EventBatch>* writer) override {
    const std::string user_id = Caller(*ctx);
    std::unique_ptr<grpc::ClientContext> up = UpstreamContext(*ctx);
    v1::FollowRequest all;
    all.set_group_id(req->group_id());
    all.set_from_seq(1);
    auto reader = stub_->Follow(up.get(), all);
    std::vector<v1::Event> true_log;
    uint64_t next = std::max<uint64_t>(1, req->from_seq());  // first served seq not yet sent
    v1::EventBatch batch;
    while (reader->Read(&batch)) {
      for (v1::Event& e : *batch.mutable_events()) true_log.push_back(std::move(e));
      std::vector<v1::Event> served = Serve(req->group_id(), user_id, true_log);
      v1::EventBatch out;
      for (; next <= served.size(); ++next) *out.add_events() = std::move(served[next - 1]);
      if (out.events_size() > 0 && !writer->Write(out)) {
        up->TryCancel();  // the caller has gone
        break;
      }
    }
    return reader->Finish();
  }

 private:
  template <typename Request, typename Reply>
  using StubMethod = grpc::Status (v1::Kith::Stub::*)(grpc::ClientContext*, const Request&,
                                                      Reply*);

  template <typename Request, typename Reply>
  grpc::Status Forward(const grpc::ServerContext& ctx, StubMethod<Request, Reply> method,
                       const Request& req, Reply* reply) {
    std::unique_ptr<grpc::ClientContext> up = UpstreamContext(ctx);
    return (stub_.get()->*method)(up.get(), req, reply);
  }

  // The user whose session the call carries, as learnt from their Login
  // through the proxy; empty if unknown (then nothing is rewritten).
  std::string Caller(const grpc::ServerContext& ctx) const {
    std::lock_guard<std::mutex> lock(mu_);
    return CallerLocked(ctx);
  }
  std::string CallerLocked(const grpc::ServerContext& ctx) const {
    auto auth = ctx.client_metadata().find("authorization");
    if (auth == ctx.client_metadata().end()) return "";
    std::string_view value(auth->second.data(), auth->second.size());
    if (!value.starts_with("Bearer ")) return "";
    value.remove_prefix(7);
    auto it = users_by_token_.find(std::string(value));
    return it == users_by_token_.end() ? "" : it->second;
  }

  // The caller's true log of `group_id`, read from 1 to the head upstream
  // with their own session; an upstream refusal is returned as it came.
  grpc::Status ReadTrueLog(const grpc::ServerContext& ctx, const std::string& group_id,
                           std::vector<v1::Event>* log) {
    for (;;) {
      v1::ReadRequest req;
      req.set_group_id(group_id);
      req.set_from_seq(log->size() + 1);
      v1::ReadReply reply;
      std::unique_ptr<grpc::ClientContext> up = UpstreamContext(ctx);
      if (auto s = stub_->ReadEvents(up.get(), req, &reply); !s.ok()) return s;
      for (v1::Event& e : *reply.mutable_events()) log->push_back(std::move(e));
      if (reply.events_size() == 0 || log->size() >= reply.head_seq()) return grpc::Status::OK;
    }
  }

  // What `user_id` is shown of a log whose true events so far are `true_log`.
  std::vector<v1::Event> Serve(const std::string& group_id, const std::string& user_id,
                               std::vector<v1::Event> true_log) const {
    Rewrite rewrite;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = rewrites_.find({group_id, user_id});
      if (it != rewrites_.end()) rewrite = it->second;
    }
    if (rewrite) true_log = rewrite(std::move(true_log));
    return Rechain(std::move(true_log));
  }

  // The caller's served log of `group_id`, whole.
  grpc::Status ServedLog(const grpc::ServerContext& ctx, const std::string& group_id,
                         std::vector<v1::Event>* served) {
    std::vector<v1::Event> true_log;
    if (auto s = ReadTrueLog(ctx, group_id, &true_log); !s.ok()) return s;
    *served = Serve(group_id, Caller(ctx), std::move(true_log));
    return grpc::Status::OK;
  }

  std::unique_ptr<v1::Kith::Stub> stub_;
  const crypto::Secret checkpoint_key_;
  mutable std::mutex mu_;
  std::map<std::string, std::string> users_by_token_;  // hex token, as in the header -> user id
  std::map<std::pair<std::string, std::string>, Rewrite> rewrites_;  // (group, user)
  std::map<std::string, std::function<void(v1::AppendReply&)>> append_edits_;  // by user
};

absl::StatusOr<std::unique_ptr<HostileProxy>> HostileProxy::Start(const KithdProcess& upstream) {
  if (auto s = crypto::Init(); !s.ok()) return s;
  auto cert = kith::ReadFile(upstream.data_dir() + "/tls/server.crt");
  if (!cert.ok()) return cert.status();
  auto key = kith::ReadFile(upstream.data_dir() + "/tls/server.key");
  if (!key.ok()) return key.status();
  auto checkpoint_key = kith::ReadFile(upstream.data_dir() + "/checkpoint.key");
  if (!checkpoint_key.ok()) return checkpoint_key.status();
  if (checkpoint_key->size() != crypto::kSignSecretKeyBytes) {
    return absl::DataLossError("kithd's checkpoint.key is not an Ed25519 secret key");
  }

  grpc::SslCredentialsOptions pinned;
  pinned.pem_root_certs = *cert;
  grpc::ChannelArguments args;
  args.SetSslTargetNameOverride(kServerName);
  args.SetMaxReceiveMessageSize(64 << 20);
  // As the client's: back quickly when a test restarts kithd.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  auto service = std::make_unique<Service>(
      grpc::CreateCustomChannel(upstream.address(), grpc::SslCredentials(pinned), args),
      crypto::Secret::FromString(*checkpoint_key));
  crypto::Wipe(*checkpoint_key);

  grpc::SslServerCredentialsOptions tls;
  tls.pem_key_cert_pairs.push_back({*key, *cert});
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::SslServerCredentials(tls), &port);
  builder.RegisterService(service.get());
  builder.SetMaxReceiveMessageSize(static_cast<int>(kMaxEventBodyBytes + 64 * 1024));
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) return absl::UnavailableError("the hostile proxy could not listen");
  return std::unique_ptr<HostileProxy>(new HostileProxy(std::move(service), std::move(server), port));
}

HostileProxy::HostileProxy(std::unique_ptr<Service> service, std::unique_ptr<grpc::Server> server,
                           int port)
    : service_(std::move(service)), server_(std::move(server)), port_(port) {}

HostileProxy::~HostileProxy() {
  server_->Shutdown(std::chrono::system_clock::now() + kShutdownGrace);
  server_->Wait();
}

std::string HostileProxy::address() const { return absl::StrCat("127.0.0.1:", port_); }

void HostileProxy::SetRewrite(const std::string& group_id, const std::string& user_id,
                              Rewrite rewrite) {
  service_->SetRewrite(group_id, user_id, std::move(rewrite));
}

void HostileProxy::ClearRewrite(const std::string& group_id, const std::string& user_id) {
  service_->ClearRewrite(group_id, user_id);
}

void HostileProxy::SetAppendReplyEdit(const std::string& user_id,
                                      std::function<void(v1::AppendReply&)> edit) {
  service_->SetAppendReplyEdit(user_id, std::move(edit));
}

HostileProxy::Rewrite DropSeq(uint64_t seq) {
  return [seq](std::vector<v1::Event> log) {
    std::erase_if(log, [seq](const v1::Event& e) { return e.seq() == seq; });
    return log;
  };
}

HostileProxy::Rewrite SwapSeqs(uint64_t a, uint64_t b) {
  return [a, b](std::vector<v1::Event> log) {
    auto at = [&](uint64_t seq) {
      return std::find_if(log.begin(), log.end(), [seq](const v1::Event& e) { return e.seq() == seq; });
    };
    auto ia = at(a), ib = at(b);
    if (ia != log.end() && ib != log.end()) std::iter_swap(ia, ib);
    return log;
  };
}

HostileProxy::Rewrite ReplayAt(uint64_t original_seq) {
  return [original_seq](std::vector<v1::Event> log) {
    auto it = std::find_if(log.begin(), log.end(),
                           [original_seq](const v1::Event& e) { return e.seq() == original_seq; });
    if (it != log.end()) log.push_back(*it);
    return log;
  };
}

}  // namespace kith::testing
