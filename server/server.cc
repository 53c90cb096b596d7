#include "kith/server.h"

#include <filesystem>

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include "absl/strings/str_cat.h"
#include "kith/appender.h"
#include "kith/authenticator.h"
#include "kith/boundaries.h"
#include "kith/checkpoint_signer.h"
#include "kith/crypto.h"
#include "kith/encoded_event.h"
#include "kith/group_registry.h"
#include "kith/node_cache.h"
#include "kith/protocol.h"
#include "kith/alert_timer.h"
#include "kith/checkins.h"
#include "kith/duress_alarms.h"
#include "kith/pg_store.h"
#include "kith/replay.h"
#include "kith/request_log.h"
#include "kith/rocks_store.h"
#include "kith/service.h"
#include "kith/tls.h"
#include "kith/waker.h"

namespace kith::server {
namespace {

class ServerImpl final : public Server, private StoreWatcher {
 public:
  static constexpr auto kShutdownGrace = std::chrono::seconds(2);

  ~ServerImpl() override { Shutdown(); }

  absl::Status Init(const ServerOptions& options) {
    std::error_code ec;
    std::filesystem::create_directories(options.data_dir, ec);
    if (ec) return absl::InternalError(absl::StrCat("cannot create ", options.data_dir));
    std::filesystem::permissions(options.data_dir, std::filesystem::perms::owner_all, ec);
    if (auto s = crypto::Init(); !s.ok()) return s;
    auto tls = LoadOrCreateTlsIdentity(options.data_dir + "/tls");
    if (!tls.ok()) return tls.status();
    certificate_pem_ = tls->certificate_pem;
    auto signer = CheckpointSigner::LoadOrCreate(options.data_dir + "/checkpoint.key");
    if (!signer.ok()) return signer.status();
    signer_ = std::make_unique<CheckpointSigner>(*std::move(signer));
    if (options.postgres.empty()) {
      auto store = RocksStore::Open(options.data_dir + "/db", true, options.file_system);
      if (!store.ok()) return store.status();
      store_ = *std::move(store);
    } else {
      auto store = PgStore::Open(options.postgres);
      if (!store.ok()) return store.status();
      store_ = *std::move(store);
    }
    auth_ = std::make_unique<Authenticator>(store_.get(), options.clock, options.session_ttl_ms);
    if (auto s = auth_->Load(); !s.ok()) return s;
    boundaries_ = std::make_unique<Boundaries>(store_.get());
    if (auto s = boundaries_->Load(); !s.ok()) return s;
    // On its own, a node knows every group before it serves. A node of a
    // cluster serves at once and loads groups meanwhile, from its checked
    // cache as far as that goes.
    if (store_->shared()) {
      auto cache = OpenNodeCache(options.data_dir + "/cache", *store_);
      if (!cache.ok()) return cache.status();
      fprintf(stderr, "kithd: %s%llu events in the node's cache\n",
              cache->wiped ? "wiped a cache that did not match the database; " : "",
              static_cast<unsigned long long>(cache->events));
      cache_ = std::make_unique<NodeCache>(*std::move(cache));
    } else if (auto s = Replay(*store_, groups_, *boundaries_, options.clock->NowMs()); !s.ok()) {
      return s;
    }
    waker_ = std::make_unique<Waker>();
    appender_ = std::make_unique<Appender>(store_.get(), &groups_, boundaries_.get(), options.clock,
                                           waker_.get(), cache_.get());
    if (store_->shared()) {
      auto heads = store_->SharedHeads();
      if (!heads.ok()) return heads.status();
      appender_->WarmUp(*std::move(heads));
    }
    checkins_ = std::make_unique<Checkins>(store_.get());
    if (auto s = checkins_->Load(); !s.ok()) return s;
    duress_ = std::make_unique<DuressAlarms>(store_.get());
    if (auto s = duress_->Load(); !s.ok()) return s;
    alert_timer_ = std::make_unique<AlertTimer>(&groups_, checkins_.get(), boundaries_.get(),
                                                appender_.get(), waker_.get(), signer_.get(),
                                                options.clock, options.on_timer_pass);
    // From here on, what other nodes sharing the store change reaches the
    // parts that keep it in memory (including changes made since it opened).
    store_->Watch(this);
    service_ = std::make_unique<KithService>(auth_.get(), &groups_, appender_.get(), store_.get(),
                                             checkins_.get(), duress_.get(), boundaries_.get(),
                                             signer_.get(), options.clock, options.log_requests,
                                             options.max_appends_per_second, options.append_burst);

    grpc::EnableDefaultHealthCheckService(true);
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
    grpc::ServerBuilder builder;
    grpc::SslServerCredentialsOptions ssl;
    ssl.pem_key_cert_pairs.push_back({tls->private_key_pem, tls->certificate_pem});
    // Without this gRPC sets SO_REUSEPORT, and a second kithd started on the
    // same port would silently share its connections instead of failing.
    builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
    builder.AddListeningPort(options.listen, grpc::SslServerCredentials(ssl), &port_);
    builder.RegisterService(service_.get());
    builder.SetMaxReceiveMessageSize(static_cast<int>(kMaxEventBodyBytes + 64 * 1024));
    if (options.log_requests) {
      std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> logs;
      logs.push_back(NewRequestLogFactory());
      builder.experimental().SetInterceptorCreators(std::move(logs));
    }
    server_ = builder.BuildAndStart();
    if (!server_ || port_ == 0) {
      return absl::UnavailableError(absl::StrCat("cannot listen on ", options.listen));
    }
    if (!options.health_listen.empty()) {
      // Only the default health service: this builder registers nothing else.
      grpc::ServerBuilder health;
      health.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
      health.AddListeningPort(options.health_listen, grpc::InsecureServerCredentials(),
                              &health_port_);
      health_server_ = health.BuildAndStart();
      if (!health_server_ || health_port_ == 0) {
        return absl::UnavailableError(
            absl::StrCat("cannot listen for health checks on ", options.health_listen));
      }
      health_server_->GetHealthCheckService()->SetServingStatus(true);
    }
    server_->GetHealthCheckService()->SetServingStatus(true);
    return absl::OkStatus();
  }

  int port() const override { return port_; }
  int health_port() const override { return health_port_; }
  const std::string& certificate_pem() const override { return certificate_pem_; }

  void Shutdown() override {
    if (health_server_) {
      health_server_->GetHealthCheckService()->SetServingStatus(false);
      health_server_->Shutdown();
      health_server_.reset();
    }
    if (!server_) return;
    server_->GetHealthCheckService()->SetServingStatus(false);
    // Calls in flight get a grace period, then are cancelled. gRPC waits out
    // the whole period while idle clients keep connections open, so it is
    // short; appends already queued are written by the appender regardless.
    server_->Shutdown(std::chrono::system_clock::now() + kShutdownGrace);
    server_->Wait();
    server_.reset();
    store_->Watch(nullptr);
    alert_timer_.reset();
    appender_.reset();  // answers anything still queued, then joins
    cache_.reset();
    waker_.reset();
    service_.reset();
    boundaries_.reset();
    auth_.reset();
    store_.reset();
  }

 private:
  void OnAppended(const std::string& group_id, uint64_t seq) override {
    appender_->CatchUp(group_id, seq);
  }
  void OnChanged(RecordKind kind, const std::string& key) override {
    switch (kind) {
      case RecordKind::kAccount: return auth_->RefreshAccount(key);
      case RecordKind::kCheckin: return checkins_->Refresh(key);
      case RecordKind::kDuress: return duress_->Refresh(key);
      case RecordKind::kBoundaries: (void)boundaries_->Refresh(key); return;
    }
  }
  void OnMissed() override {
    for (absl::Status s : {auth_->LoadAccounts(), checkins_->Load(), duress_->Load(),
                           boundaries_->Load()}) {
      if (!s.ok()) fprintf(stderr, "kithd: cannot reread what other nodes changed: %s\n", s.ToString().c_str());
    }
  }

  std::unique_ptr<Store> store_;
  std::unique_ptr<NodeCache> cache_;  // cluster mode
  std::unique_ptr<CheckpointSigner> signer_;
  GroupRegistry groups_;
  std::unique_ptr<Authenticator> auth_;
  std::unique_ptr<Waker> waker_;
  std::unique_ptr<Appender> appender_;
  std::unique_ptr<Checkins> checkins_;
  std::unique_ptr<DuressAlarms> duress_;
  std::unique_ptr<Boundaries> boundaries_;
  std::unique_ptr<AlertTimer> alert_timer_;
  std::unique_ptr<KithService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<grpc::Server> health_server_;
  int port_ = 0;
  int health_port_ = 0;
  std::string certificate_pem_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Server>> Server::Start(const ServerOptions& options) {
  auto server = std::make_unique<ServerImpl>();
  if (auto s = server->Init(options); !s.ok()) return s;
  return server;
}

}  // namespace kith::server
