#include "kith/authenticator.h"

#include <cstdio>

#include "kith/crypto.h"
#include "kith/protocol.h"

namespace kith::server {
namespace {

constexpr size_t kTokenBytes = 32;
constexpr std::string_view kBearer = "Bearer ";

std::string TokenHash(std::string_view token) { return crypto::Hash("kith/v1/token", token); }

// A challenge is random (16) || u64(expiry_ms) || MAC (8): 32 bytes, as
// docs/protocol.md section 3 says; its layout is the server's own business.
constexpr size_t kChallengeRandomBytes = 16;
constexpr size_t kChallengeMacBytes = 8;

std::string ChallengeMac(const crypto::Secret& key, std::string_view random_and_expiry) {
  return crypto::KeyedHash(key, "kith/v1/challenge", random_and_expiry).substr(0, kChallengeMacBytes);
}

absl::StatusOr<std::string> SessionTokenHash(std::string_view authorization) {
  if (authorization.empty()) {
    return absl::UnauthenticatedError("no session: log in first");
  }
  if (!authorization.starts_with(kBearer)) {
    return absl::UnauthenticatedError("authorization header must be 'Bearer <token>'");
  }
  auto token = crypto::FromHex(authorization.substr(kBearer.size()));
  if (!token.ok() || token->size() != kTokenBytes) {
    return absl::UnauthenticatedError("malformed session token");
  }
  // Looked up by hash: the comparison never touches the token itself.
  std::string hash = TokenHash(*token);
  crypto::Wipe(*token);
  return hash;
}

}  // namespace

Authenticator::Authenticator(AccountStore* store, const Clock* clock, int64_t session_ttl_ms)
    : store_(store), clock_(clock), session_ttl_ms_(session_ttl_ms) {}

absl::Status Authenticator::LoadAccounts() {
  absl::MutexLock lock(&mu_);
  return store_->ForEachAccount(
      [this](const std::string& id, const v1::IdentityBundle& b)
          ABSL_NO_THREAD_SAFETY_ANALYSIS { accounts_[id] = b; });
}

absl::Status Authenticator::Load() {
  if (auto s = LoadAccounts(); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  const int64_t now = clock_->NowMs();
  std::vector<std::string> expired;
  auto s = store_->ForEachSession([&](const std::string& hash, const SessionRecord& r)
                                 ABSL_NO_THREAD_SAFETY_ANALYSIS {
                                   if (r.expires_at_ms > now) {
                                     sessions_[hash] = r;
                                   } else {
                                     expired.push_back(hash);
                                   }
                                 });
  if (!s.ok()) return s;
  for (const auto& hash : expired) {
    if (auto d = store_->DeleteSession(hash); !d.ok()) return d;
  }
  return absl::OkStatus();
}

std::string Authenticator::NewChallenge() {
  std::string nonce = crypto::RandomBytes(kChallengeRandomBytes);
  AppendU64(nonce, static_cast<uint64_t>(clock_->NowMs() + kChallengeTtlMs));
  nonce.append(ChallengeMac(challenge_key_, nonce));
  return nonce;
}

absl::StatusOr<std::string> Authenticator::Register(const v1::IdentityBundle& bundle) {
  if (auto s = ValidateBundle(bundle); !s.ok()) return s;
  std::string user_id = UserIdFor(bundle.sign_pk());
  if (auto known = FindAccount(user_id)) {
    if (known->SerializeAsString() == bundle.SerializeAsString()) return user_id;
    if (bundle.version() <= known->version()) {
      return absl::FailedPreconditionError(
          "this profile is older than the one registered; sign it again to change it");
    }
  }
  if (auto s = store_->PutAccount(user_id, bundle); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  accounts_[user_id] = bundle;
  return user_id;
}

absl::StatusOr<v1::LoginReply> Authenticator::Login(const v1::LoginRequest& request) {
  const int64_t now = clock_->NowMs();
  const std::string_view nonce = request.nonce();
  constexpr size_t kSigned = kChallengeRandomBytes + 8;
  if (nonce.size() != kSigned + kChallengeMacBytes ||
      !crypto::ConstantTimeEqual(ChallengeMac(challenge_key_, nonce.substr(0, kSigned)),
                                 nonce.substr(kSigned))) {
    return absl::UnauthenticatedError("login challenge is unknown or expired; ask for a new one");
  }
  const auto expiry = static_cast<int64_t>(ReadU64(nonce.substr(kChallengeRandomBytes)));
  {
    // Used up by this attempt, whatever its outcome. Only a challenge this
    // server made gets here, and each is forgotten once it expires.
    absl::MutexLock lock(&mu_);
    if (now >= next_challenge_purge_ms_) {
      next_challenge_purge_ms_ = now + kChallengePurgeIntervalMs;
      std::erase_if(used_challenges_, [now](const auto& c) { return c.second <= now; });
    }
    if (expiry <= now || !used_challenges_.emplace(std::string(nonce), expiry).second) {
      return absl::UnauthenticatedError("login challenge is unknown or expired; ask for a new one");
    }
  }
  auto account = FindAccount(request.user_id());
  if (!account) return absl::UnauthenticatedError("no account with this user id; register first");
  const std::string& sign_pk = account->sign_pk();
  if (!crypto::Verify(sign_pk, kLoginLabel, LoginSigningInput(request.nonce(), request.user_id()),
                      request.signature())) {
    return absl::UnauthenticatedError("login signature does not verify");
  }
  std::string token = crypto::RandomBytes(kTokenBytes);
  SessionRecord record{request.user_id(), now + session_ttl_ms_};
  const std::string hash = TokenHash(token);
  if (auto s = store_->PutSession(hash, record); !s.ok()) return s;
  std::vector<std::string> expired;
  {
    absl::MutexLock lock(&mu_);
    sessions_[hash] = record;
    if (now >= next_purge_ms_) {
      next_purge_ms_ = now + kPurgeIntervalMs;
      for (auto it = sessions_.begin(); it != sessions_.end();) {
        if (it->second.expires_at_ms > now) {
          ++it;
          continue;
        }
        expired.push_back(it->first);
        it = sessions_.erase(it);
      }
    }
  }
  for (const auto& old : expired) {
    if (auto s = store_->DeleteSession(old); !s.ok()) return s;
  }
  v1::LoginReply reply;
  reply.set_token(std::move(token));
  reply.set_expires_at_ms(record.expires_at_ms);
  return reply;
}

absl::StatusOr<std::string> Authenticator::Authenticate(std::string_view authorization) {
  auto hash = SessionTokenHash(authorization);
  if (!hash.ok()) return hash.status();
  const std::optional<SessionRecord> session = FindSession(*hash);
  if (!session) return absl::UnauthenticatedError("unknown session: log in again");
  if (session->expires_at_ms <= clock_->NowMs()) {
    return absl::UnauthenticatedError("session expired: log in again");
  }
  return session->user_id;
}

absl::Status Authenticator::Logout(std::string_view authorization) {
  auto hash = SessionTokenHash(authorization);
  if (!hash.ok()) return hash.status();
  if (!FindSession(*hash)) return absl::UnauthenticatedError("unknown session: log in again");
  {
    absl::MutexLock lock(&mu_);
    sessions_.erase(*hash);
  }
  return store_->DeleteSession(*hash);
}

std::optional<v1::IdentityBundle> Authenticator::Identity(const std::string& user_id) {
  return FindAccount(user_id);
}

void Authenticator::RefreshAccount(const std::string& user_id) {
  auto account = store_->GetAccount(user_id);
  if (!account.ok()) {
    fprintf(stderr, "kithd: cannot read an account another node changed: %s\n",
            account.status().ToString().c_str());
    return;
  }
  absl::MutexLock lock(&mu_);
  if (account->has_value()) {
    accounts_[user_id] = **account;
  } else {
    accounts_.erase(user_id);
  }
}

std::optional<v1::IdentityBundle> Authenticator::FindAccount(const std::string& user_id) {
  {
    absl::MutexLock lock(&mu_);
    if (auto it = accounts_.find(user_id); it != accounts_.end()) return it->second;
  }
  auto stored = store_->GetAccount(user_id);
  if (!stored.ok() || !stored->has_value()) return std::nullopt;
  absl::MutexLock lock(&mu_);
  return accounts_[user_id] = **stored;
}

std::optional<SessionRecord> Authenticator::FindSession(const std::string& token_hash) {
  {
    absl::MutexLock lock(&mu_);
    if (auto it = sessions_.find(token_hash); it != sessions_.end()) return it->second;
  }
  auto stored = store_->GetSession(token_hash);
  if (!stored.ok() || !stored->has_value()) return std::nullopt;
  absl::MutexLock lock(&mu_);
  return sessions_[token_hash] = **stored;
}

}  // namespace kith::server
