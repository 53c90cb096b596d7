// kithd: the Kith server.
#include <signal.h>

#include <cstdio>

#include <CLI/CLI.hpp>

#include "absl/strings/str_cat.h"
#include "kith/server.h"

namespace {

int64_t ParseDurationMs(const std::string& text) {
  if (text.empty()) return -1;
  char unit = text.back();
  int64_t scale = unit == 's' ? 1000 : unit == 'm' ? 60'000 : unit == 'h' ? 3'600'000 : 0;
  if (scale == 0) return -1;
  try {
    return std::stoll(text.substr(0, text.size() - 1)) * scale;
  } catch (...) {
    return -1;
  }
}

}  // namespace

int main(int argc, char** argv) {
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
  app.add_flag("--quiet", quiet, "do not log one line per request");
  CLI11_PARSE(app, argc, argv);
  options.session_ttl_ms = ParseDurationMs(session_ttl);
  if (options.session_ttl_ms <= 0) {
    fprintf(stderr, "kithd: --session-ttl takes a number and a unit (s, m or h), e.g. 12h\n");
    return 2;
  }
  options.log_requests = !quiet;

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
  printf("kithd listening on port %d, data in %s (TLS certificate: %s/tls/server.crt)\n",
         (*server)->port(), options.data_dir.c_str(), options.data_dir.c_str());
  fflush(stdout);
  int sig = 0;
  sigwait(&stop, &sig);
  fprintf(stderr, "kithd: stopping\n");
  (*server)->Shutdown();
  return 0;
}
