// Helpers shared by the integration tests.
#ifndef KITH_TESTS_TEST_SUPPORT_H_
#define KITH_TESTS_TEST_SUPPORT_H_

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "kith/client.h"
#include "kithd_process.h"

#define ASSERT_OK(expr)                                  \
  do {                                                   \
    const auto& _s = (expr);                             \
    ASSERT_TRUE(_s.ok()) << #expr << ": " << _s;         \
  } while (0)
#define EXPECT_OK(expr)                                  \
  do {                                                   \
    const auto& _s = (expr);                             \
    EXPECT_TRUE(_s.ok()) << #expr << ": " << _s;         \
  } while (0)

namespace kith::testing {

// A registered client with a fresh identity.
std::unique_ptr<client::Client> NewClient(const KithdProcess& kithd, const std::string& name);

// Creates a group owned by `owner` and admits every one of `members`.
std::string CreateGroupWith(client::Client& owner, const std::vector<client::Client*>& members,
                            const std::string& name = "Test group");

// Joins `contacts` to `owner`'s circle (each accepts) and returns its id.
std::string CircleWith(client::Client& owner, const std::vector<client::Client*>& contacts);

// How many alerts `c` reads in `circle`, once there are `want` or after
// `patience` of real time.
size_t AlertsSeen(client::Client& c, const std::string& circle, size_t want,
                  std::chrono::milliseconds patience = std::chrono::seconds(1));

// Sends `text` until a send is acknowledged, riding out a server restart
// (each failure must be UNAVAILABLE or DEADLINE_EXCEEDED); returns its
// seq, or 0 after a minute without one (a test failure, reported).
uint64_t SendUntilAcked(client::Client& c, const std::string& group, const std::string& text);

// A fresh session token (hex) for `c`'s identity, logged in through its stub.
std::string LoginToken(client::Client& c);

// A test fixture with a running kithd.
class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    kithd_ = std::make_unique<KithdProcess>(dir_.path(), ServerArgs());
    ASSERT_OK(kithd_->Start());
  }
  virtual std::vector<std::string> ServerArgs() const { return {}; }
  std::unique_ptr<client::Client> Client(const std::string& name) {
    return NewClient(*kithd_, name);
  }

  TempDir dir_;
  std::unique_ptr<KithdProcess> kithd_;
};

}  // namespace kith::testing

#endif  // KITH_TESTS_TEST_SUPPORT_H_
