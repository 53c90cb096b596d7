// Accounts and sessions. An account is an identity bundle; its user id is
// derived from the signing key, so nobody (the server included) can put
// another key under a known id. A session starts with a signed challenge and
// is a random bearer token of which the server keeps only the hash.
#ifndef KITH_SERVER_AUTHENTICATOR_H_
#define KITH_SERVER_AUTHENTICATOR_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "kith.pb.h"
#include "kith/clock.h"
#include "kith/crypto.h"
#include "kith/store.h"

namespace kith::server {

class Authenticator {
 public:
  static constexpr int64_t kChallengeTtlMs = 60'000;
  // Expired sessions are forgotten, in memory and in the store, at most this often.
  static constexpr int64_t kPurgeIntervalMs = 60'000;
  static constexpr int64_t kChallengePurgeIntervalMs = 1'000;

  Authenticator(AccountStore* store, const Clock* clock, int64_t session_ttl_ms);

  // Loads accounts and unexpired sessions from the store.
  absl::Status Load();
  // Reads every stored account again (another node may have replaced some).
  absl::Status LoadAccounts();

  // A login challenge: 16 random bytes, its expiry and a MAC over both
  // under a key only this process holds. Nothing is kept until it is used,
  // so asking for challenges cannot crowd out anyone's login.
  std::string NewChallenge();
  // Stores the bundle. The same bundle again is a no-op; one with a higher
  // version replaces it; an older version is refused (FAILED_PRECONDITION),
  // so nobody can roll a profile back to a bundle it signed before.
  absl::StatusOr<std::string> Register(const v1::IdentityBundle& bundle);
  // Each challenge is good for one login attempt, successful or not.
  absl::StatusOr<v1::LoginReply> Login(const v1::LoginRequest& request);
  // Ends the session `authorization` names, in memory and in the store
  // (UNAUTHENTICATED if there is none).
  absl::Status Logout(std::string_view authorization);
  // Maps an "authorization" header value ("Bearer <hex>") to a user id.
  // UNAUTHENTICATED, with a reason a person can act on, otherwise.
  absl::StatusOr<std::string> Authenticate(std::string_view authorization);
  std::optional<v1::IdentityBundle> Identity(const std::string& user_id);
  // Reads `user_id`'s account again (another node stored or replaced it).
  void RefreshAccount(const std::string& user_id);

 private:
  // An account or session not in memory is looked up in the store (without
  // holding mu_), since another node sharing it (cluster mode) may have made it.
  std::optional<v1::IdentityBundle> FindAccount(const std::string& user_id)
      ABSL_LOCKS_EXCLUDED(mu_);
  std::optional<SessionRecord> FindSession(const std::string& token_hash) ABSL_LOCKS_EXCLUDED(mu_);

  AccountStore* const store_;
  const Clock* const clock_;
  const int64_t session_ttl_ms_;
  mutable absl::Mutex mu_;
  std::map<std::string, v1::IdentityBundle> accounts_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, SessionRecord> sessions_ ABSL_GUARDED_BY(mu_);  // by token hash
  const crypto::Secret challenge_key_ = crypto::Secret::Random(crypto::kKeyBytes);
  // Challenges used in a login attempt, until they expire: nonce -> expiry.
  // Expired ones are dropped at most once every kChallengePurgeIntervalMs.
  std::map<std::string, int64_t> used_challenges_ ABSL_GUARDED_BY(mu_);
  int64_t next_purge_ms_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t next_challenge_purge_ms_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace kith::server

#endif  // KITH_SERVER_AUTHENTICATOR_H_
