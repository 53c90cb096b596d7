// kithd: the Kith server.
#include <signal.h>

#include <cstdio>

#include <CLI/CLI.hpp>

#include "absl/synchronization/mutex.h"
#include "kith/duration.h"
#include "kith/hardening.h"
#include "kith/protocol.h"
#include "kith/server.h"

int main(int argc, char** argv) {
  if (auto s = kith::HardenProcess(); !s.ok()) {
    fprintf(stderr, "kithd: %s\n", std::string(s.message()).c_str());
    return 1;
  }
  kith::server::ServerOptions options;
  std::string session_ttl = "12h";
  bool quiet = false;
  CLI::App app{"kithd: the Kith server (end-to-end encrypted, moderated support groups)"};
  app.add_option("--listen", options.listen, "host:port to serve on (port 0: any free port)")
      ->capture_default_str();
  app.add_option("--data-dir", options.data_dir, "where the database and TLS identity live")
      ->capture_default_str();
  app.add_option("--session-ttl", session_ttl, "how long a login lasts, e.g. 30m or 12h")
      ->capture_default_str();
  std::string store = "rocksdb";
  app.add_option("--store", store, "where state lives: rocksdb (embedded, under --data-dir) or postgres")
      ->check(CLI::IsMember({"rocksdb", "postgres"}))
      ->capture_default_str();
  app.add_option("--pg", options.postgres,
                 "with --store postgres: the libpq connection string, e.g. \"host=db dbname=kith\"");
  app.add_option("--max-appends-per-second", options.max_appends_per_second,
                 "events one account may append a second, sustained (0: no limit)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--append-burst", options.append_burst,
                 "events one account may append at once before that limit applies")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_flag("--quiet", quiet, "do not log one line per request");
  app.add_option("--health-listen", options.health_listen,
                 "host:port for a plaintext gRPC health service only, for probes (off by default)");
  CLI11_PARSE(app, argc, argv);
  if ((store == "postgres") != !options.postgres.empty()) {
    fprintf(stderr, "kithd: --store postgres and --pg go together\n");
    return 2;
  }
  auto ttl = kith::ParseDurationMs(session_ttl);
  if (!ttl.ok()) {
    fprintf(stderr, "kithd: --session-ttl: %s\n", std::string(ttl.status().message()).c_str());
    return 2;
  }
  options.session_ttl_ms = *ttl;
  options.log_requests = !quiet;
#ifdef NDEBUG
  // Debian builds abseil without NDEBUG, which leaves its mutex deadlock
  // detector on: a graph update on every lock, several percent of kithd's
  // CPU under load. Debug builds keep it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
#endif

  // Block the stop signals before any thread starts, so only sigwait sees them.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto server = kith::server::Server::Start(options);
  if (!server.ok()) {
    fprintf(stderr, "kithd: %s\n", std::string(server.status().message()).c_str());
    return 1;
  }
  // Clients compare this fingerprint when they first connect without --ca.
  auto fingerprint = kith::CertificateFingerprint((*server)->certificate_pem());
  printf("kithd listening on port %d, data in %s; TLS certificate %s/tls/server.crt, "
         "SHA-256 fingerprint %s\n",
         (*server)->port(), options.data_dir.c_str(), options.data_dir.c_str(),
         fingerprint.ok() ? fingerprint->c_str() : "unknown");
  fflush(stdout);
  int sig = 0;
  sigwait(&stop, &sig);
  fprintf(stderr, "kithd: stopping\n");
  (*server)->Shutdown();
  return 0;
}
