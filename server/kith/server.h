// kithd as a library: the storage, the group registry, the writer and the
// gRPC service, started together and stopped in order. main.cc and the
// tests' in-process servers use it.
#ifndef KITH_SERVER_SERVER_H_
#define KITH_SERVER_SERVER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "kith/clock.h"

namespace rocksdb {
class FileSystem;
}  // namespace rocksdb

namespace kith::server {

struct ServerOptions {
  // host:port; port 0 picks a free port (see Server::port()).
  std::string listen = "127.0.0.1:7443";
  std::string data_dir = "kith-data";
  // If set, a libpq connection string: groups, accounts, timers and
  // boundaries live in PostgreSQL rather than in the embedded RocksDB store
  // under data_dir (which keeps the TLS identity and checkpoint key).
  std::string postgres;
  int64_t session_ttl_ms = 12 * 3600 * 1000;
  // How many events one account may append a second, sustained, and in a
  // burst (RateLimiter); past them, RESOURCE_EXHAUSTED says when to retry.
  // 0: no limit.
  double max_appends_per_second = 200;
  double append_burst = 1000;
  bool log_requests = true;
  const Clock* clock = SystemClock();
  // If set, host:port of a second, plaintext listener that serves only the
  // standard gRPC health service (grpc.health.v1.Health), for orchestrators'
  // probes, which do not speak TLS. It carries no user data.
  std::string health_listen;
  // If set, the embedded store reads and writes through it rather than the
  // machine's file system: tests inject crashes and disk faults there.
  std::shared_ptr<rocksdb::FileSystem> file_system;
  // If set, called after each pass of the timer that releases check-ins,
  // sends re-alerts and ends quiet hours, once the appends it made are
  // answered (see AlertTimer). For tests that turn `clock` by hand.
  std::function<void()> on_timer_pass;
};

class Server {
 public:
  // Opens the data directory (creating it, its TLS identity and its database
  // on first start), replays every group's log, and starts serving.
  static absl::StatusOr<std::unique_ptr<Server>> Start(const ServerOptions& options);
  virtual ~Server() = default;

  virtual int port() const = 0;
  // The health listener's port; 0 without one.
  virtual int health_port() const = 0;
  // The certificate clients pin (PEM).
  virtual const std::string& certificate_pem() const = 0;
  // Stops accepting calls, lets calls in progress finish (up to a deadline),
  // then flushes and closes storage.
  virtual void Shutdown() = 0;
};

}  // namespace kith::server

#endif  // KITH_SERVER_SERVER_H_
