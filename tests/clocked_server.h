// A test fixture running the real server in this process, on a loopback
// port, with a clock the test turns by hand, and restartable on the same
// data directory.
#ifndef KITH_TESTS_CLOCKED_SERVER_H_
#define KITH_TESTS_CLOCKED_SERVER_H_

#include <functional>
#include <memory>

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "kith/client.h"
#include "kith/rocks_store.h"
#include "kith/server.h"
#include "manual_clock.h"
#include "test_support.h"
#include "timer_passes.h"

namespace kith::testing {

class ClockedServerTest : public ::testing::Test {
 protected:
  void SetUp() override { StartServer(); }
  // Restarts on the same data; the port changes, so reconnect clients.
  void Restart() {
    server_->Shutdown();
    server_.reset();
    StartServer();
  }
  void StartServer() {
    server::ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.data_dir = dir_.path() + "/data";
    options.log_requests = false;
    options.clock = &clock_;
    options.on_timer_pass = timer_.Hook();
    Configure(options);
    auto server = server::Server::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }
  // What a fixture changes in the server's options, at every start.
  virtual void Configure(server::ServerOptions& options) {}
  // A registered client of the running server (`resend_for`: see
  // client::Session::set_resend_for).
  std::unique_ptr<client::Client> Connect(
      client::Identity identity,
      std::chrono::milliseconds resend_for = client::Session::kDefaultResendFor) {
    client::ClientOptions options;
    options.server = absl::StrCat("127.0.0.1:", server_->port());
    options.ca_pem = server_->certificate_pem();
    options.resend_for = resend_for;
    auto c = client::Client::Connect(options, std::move(identity));
    EXPECT_TRUE(c.ok()) << c.status();
    if (!c.ok()) return nullptr;
    EXPECT_OK((*c)->account().Register());
    return *std::move(c);
  }
  // Runs `fn` on the stopped server's store, as an operator's tool could.
  absl::Status WithStore(const std::function<absl::Status(server::RocksStore&)>& fn) {
    auto store = server::RocksStore::Open(dir_.path() + "/data/db");
    if (!store.ok()) return store.status();
    return fn(**store);
  }

  TempDir dir_;
  ManualClock clock_;
  TimerPasses timer_;
  std::unique_ptr<server::Server> server_;
};

}  // namespace kith::testing

#endif  // KITH_TESTS_CLOCKED_SERVER_H_
