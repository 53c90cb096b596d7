// The Kith client library: one person's connection to a kithd, by feature.
// A Session (session.h) holds the person's identity, logs in, and verifies
// every group log it reads from the creation event on; the features build
// on it and encrypt and sign what they send, and none sends a key that
// opens a message:
//   account()  the published identity and the boundaries (account.h)
//   groups()   groups, messages, moderation, direct conversations (groups.h)
//   circle()   trusted contacts, alerts, check-ins, duress (circle.h)
//   vault()    the evidence log and the safety plan (vault.h)
//   keys()     member key rotation and erasure: forward secrecy (keys.h)
//
// Thread safety: a Client is used by one thread at a time (see Session).
#ifndef KITH_CLIENT_CLIENT_H_
#define KITH_CLIENT_CLIENT_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "kith.grpc.pb.h"
#include "kith/account.h"
#include "kith/circle.h"
#include "kith/groups.h"
#include "kith/identity.h"
#include "kith/keys.h"
#include "kith/log_memory.h"
#include "kith/session.h"
#include "kith/vault.h"

namespace kith::client {

struct ClientOptions {
  std::string server;  // host:port
  std::string ca_pem;  // the server's certificate, pinned
  // The server's checkpoint key, pinned (32 bytes). Empty: fetched on first
  // use and trusted from then on (see Session::ServerKey).
  std::string checkpoint_key;
  // Where the client remembers each log's last verified event between runs;
  // null: only for this Client's life.
  std::shared_ptr<LogMemory> memory;
  // Given the stub over the pinned channel, returns the one the session
  // speaks through: tests put a hostile server in process this way. Null:
  // the stub itself.
  std::function<std::unique_ptr<v1::Kith::StubInterface>(std::unique_ptr<v1::Kith::StubInterface>)>
      wrap_stub;
  // Keeps the member keys (the keystore): see Session::set_keep_member_keys.
  // Null: they live as long as the Client.
  Session::KeepMemberKeys keep_member_keys;
  // Ms since the Unix epoch, for member key rotation; null: the system clock.
  std::function<int64_t()> clock;
  // See Session::set_resend_for.
  std::chrono::milliseconds resend_for = Session::kDefaultResendFor;
  // See Session::set_connect_timeout.
  std::chrono::milliseconds connect_timeout{0};
};

class Client {
 public:
  static absl::StatusOr<std::unique_ptr<Client>> Connect(const ClientOptions& options,
                                                         Identity identity);

  const Identity& identity() const { return session_.identity(); }
  Session& session() { return session_; }
  Account& account() { return account_; }
  Groups& groups() { return groups_; }
  Circle& circle() { return circle_; }
  Vault& vault() { return vault_; }
  Keys& keys() { return keys_; }

 private:
  Client(Identity identity, const ClientOptions& options, std::shared_ptr<grpc::Channel> channel,
         std::unique_ptr<v1::Kith::StubInterface> stub);

  Session session_;
  Account account_{session_};
  Groups groups_{session_};
  Circle circle_{session_, groups_};
  Vault vault_{session_, groups_};
  Keys keys_{session_, circle_, vault_};
};

}  // namespace kith::client

#endif  // KITH_CLIENT_CLIENT_H_
