// A real kithd with the hostile proxy (hostile_proxy.h) in front of it, for
// the tests that play a compromised server, and what they share.
#ifndef KITH_TESTS_PROXIED_SERVER_TEST_H_
#define KITH_TESTS_PROXIED_SERVER_TEST_H_

#include <memory>
#include <string>

#include "hostile_proxy.h"
#include "kith/log_memory.h"
#include "test_support.h"

namespace kith::testing {

class ProxiedServerTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    if (HasFatalFailure()) return;
    auto proxy = HostileProxy::Start(*kithd_);
    ASSERT_OK(proxy.status());
    proxy_ = *std::move(proxy);
  }

  // A registered client of `identity` that calls `address` (the proxy's, or
  // the real kithd's), remembering what it verifies in `memory` if set.
  std::unique_ptr<client::Client> ConnectTo(const std::string& address, client::Identity identity,
                                            std::shared_ptr<client::LogMemory> memory = nullptr) {
    auto c = client::Client::Connect({address, kithd_->certificate_pem(), "", std::move(memory)},
                                     std::move(identity));
    EXPECT_OK(c.status());
    if (!c.ok()) return nullptr;
    EXPECT_OK((*c)->account().Register());
    return *std::move(c);
  }

  std::unique_ptr<HostileProxy> proxy_;  // destroyed before kithd_, which it forwards to
};

// `c`'s next message in `group`, written now from what it has read so far,
// and not sent.
inline v1::SignedEvent SealedNow(client::Client& c, const std::string& group,
                                 const std::string& text) {
  auto view = c.session().Sync(group);
  EXPECT_OK(view.status());
  auto sealed = view.ok() ? (*view)->SealMessage(text) : view.status();
  EXPECT_OK(sealed.status());
  return sealed.ok() ? *sealed : v1::SignedEvent();
}

}  // namespace kith::testing

#endif  // KITH_TESTS_PROXIED_SERVER_TEST_H_
