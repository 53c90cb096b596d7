// Sessions on a real RocksDB store with a clock the test turns: logins need
// a fresh challenge, sessions expire, and expired ones are forgotten on disk.
#include "kith/authenticator.h"

#include <gtest/gtest.h>

#include "kith/crypto.h"
#include "kith/identity.h"
#include "kith/protocol.h"
#include "kith/rocks_store.h"
#include "kithd_process.h"
#include "manual_clock.h"

namespace kith::server {
namespace {

class AuthenticatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(crypto::Init().ok());
    auto store = RocksStore::Open(dir_.path() + "/db");
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    auth_ = std::make_unique<Authenticator>(store_.get(), &clock_, kTtlMs);
    ASSERT_TRUE(auth_->Register(alice_.Bundle()).ok());
  }

  absl::StatusOr<v1::LoginReply> Login() {
    return auth_->Login(alice_.SignLogin(auth_->NewChallenge()));
  }

  size_t StoredSessions() {
    size_t n = 0;
    EXPECT_TRUE(store_->ForEachSession([&](const auto&, const auto&) { ++n; }).ok());
    return n;
  }

  static constexpr int64_t kTtlMs = 3'600'000;
  testing::TempDir dir_;
  testing::ManualClock clock_;
  std::unique_ptr<RocksStore> store_;
  std::unique_ptr<Authenticator> auth_;
  client::Identity alice_ = client::Identity::Generate("alice");
};

TEST_F(AuthenticatorTest, SessionsExpireAndAreForgottenOnDisk) {
  auto first = Login();
  ASSERT_TRUE(first.ok()) << first.status();
  const std::string header = "Bearer " + crypto::ToHex(first->token());
  EXPECT_EQ(*auth_->Authenticate(header), alice_.user_id());

  clock_.now_ms += kTtlMs + 1;
  auto expired = auth_->Authenticate(header);
  EXPECT_EQ(expired.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_NE(expired.status().message().find("expired"), std::string::npos);
  EXPECT_EQ(StoredSessions(), 1u);

  clock_.now_ms += Authenticator::kPurgeIntervalMs;
  ASSERT_TRUE(Login().ok());
  EXPECT_EQ(StoredSessions(), 1u) << "the expired session is deleted, the new one kept";
}

TEST_F(AuthenticatorTest, ChallengesExpireAndAreSingleUse) {
  const std::string nonce = auth_->NewChallenge();
  clock_.now_ms += Authenticator::kChallengeTtlMs + 1;
  EXPECT_EQ(auth_->Login(alice_.SignLogin(nonce)).status().code(),
            absl::StatusCode::kUnauthenticated);
  const std::string fresh = auth_->NewChallenge();
  ASSERT_TRUE(auth_->Login(alice_.SignLogin(fresh)).ok());
  EXPECT_EQ(auth_->Login(alice_.SignLogin(fresh)).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST_F(AuthenticatorTest, OnlyChallengesThisServerMadeAreAccepted) {
  std::string made_up = auth_->NewChallenge();
  made_up[0] ^= 1;  // another random part under the same expiry and MAC
  EXPECT_EQ(auth_->Login(alice_.SignLogin(made_up)).status().code(),
            absl::StatusCode::kUnauthenticated);
  std::string longer = auth_->NewChallenge();
  longer[20] ^= 1;  // an expiry the server did not write
  EXPECT_EQ(auth_->Login(alice_.SignLogin(longer)).status().code(),
            absl::StatusCode::kUnauthenticated);
  Authenticator another(store_.get(), &clock_, kTtlMs);
  EXPECT_EQ(auth_->Login(alice_.SignLogin(another.NewChallenge())).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST_F(AuthenticatorTest, AnOlderBundleCannotReplaceANewerOne) {
  client::Identity renamed = alice_;
  v1::IdentityBundle first = alice_.Bundle();
  first.set_version(1);
  first.set_signature(crypto::Sign(alice_.sign.secret_key, kBundleLabel, BundleSigningInput(first)));
  renamed.name = "alice, renamed";
  v1::IdentityBundle second = renamed.Bundle();  // signed now: a later version
  ASSERT_TRUE(auth_->Register(second).ok());
  EXPECT_TRUE(auth_->Register(second).ok()) << "the same bundle again is a no-op";
  EXPECT_EQ(auth_->Register(first).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(auth_->Identity(alice_.user_id())->name(), "alice, renamed");
  Authenticator restarted(store_.get(), &clock_, kTtlMs);
  ASSERT_TRUE(restarted.Load().ok());
  EXPECT_EQ(restarted.Register(first).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(AuthenticatorTest, LogoutForgetsTheSessionInMemoryAndOnDisk) {
  auto reply = Login();
  ASSERT_TRUE(reply.ok());
  const std::string header = "Bearer " + crypto::ToHex(reply->token());
  ASSERT_TRUE(auth_->Logout(header).ok());
  EXPECT_EQ(auth_->Authenticate(header).status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(StoredSessions(), 0u);
}

TEST_F(AuthenticatorTest, SessionsSurviveARestartButNotTheirExpiry) {
  auto reply = Login();
  ASSERT_TRUE(reply.ok());
  const std::string header = "Bearer " + crypto::ToHex(reply->token());
  Authenticator restarted(store_.get(), &clock_, kTtlMs);
  ASSERT_TRUE(restarted.Load().ok());
  EXPECT_EQ(*restarted.Authenticate(header), alice_.user_id());
  clock_.now_ms += kTtlMs + 1;
  Authenticator later(store_.get(), &clock_, kTtlMs);
  ASSERT_TRUE(later.Load().ok());
  EXPECT_FALSE(later.Authenticate(header).ok());
  EXPECT_EQ(StoredSessions(), 0u);
}

}  // namespace
}  // namespace kith::server
