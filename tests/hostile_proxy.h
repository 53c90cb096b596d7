// Playing a compromised kithd in tests: a gRPC proxy in front of the real
// kithd that holds the server's TLS key and checkpoint key, as whoever
// seized the machine would, and serves each client its own history of a
// group, re-chained and re-signed so the chain and checkpoints hold. What
// clients notice of such a server is what the protocol makes them check.
#ifndef KITH_TESTS_HOSTILE_PROXY_H_
#define KITH_TESTS_HOSTILE_PROXY_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "kith.pb.h"
#include "kithd_process.h"

namespace kith::testing {

class HostileProxy {
 public:
  // What a caller is served of a group's log: given the true log (events
  // 1..head, as the real server has them, with their true seq numbers)
  // returns the history this caller should see. The proxy re-chains the
  // result (seq 1..n, prev_hash recomputed; group_id, server_time_ms and
  // the signed events kept), so the chain itself is always valid.
  using Rewrite = std::function<std::vector<v1::Event>(std::vector<v1::Event> true_log)>;

  // Listens on 127.0.0.1 (a free port) with TLS, presenting `upstream`'s
  // certificate and key, signs checkpoints with its checkpoint key, and
  // forwards to it over TLS with its certificate pinned. REQUIRES:
  // `upstream` has started once (its keys exist). Only its address is kept,
  // so the proxy reconnects when it restarts.
  static absl::StatusOr<std::unique_ptr<HostileProxy>> Start(const KithdProcess& upstream);
  ~HostileProxy();  // shuts the server down, ending open streams

  // "127.0.0.1:PORT", for client::ClientOptions.server.
  std::string address() const;

  // Installs `rewrite` for what `user_id` (16 bytes) is served of
  // `group_id`: ReadEvents, Follow and GetCheckpoint, whose seq numbers are
  // then the served ones. Without one the log is passed through unchanged
  // (still read, re-chained and signed here). A caller is known by the
  // session they logged in with through the proxy; calls with any other
  // session are never rewritten.
  void SetRewrite(const std::string& group_id, const std::string& user_id, Rewrite rewrite);
  void ClearRewrite(const std::string& group_id, const std::string& user_id);

  // Successful replies to Append from `user_id` are passed through `edit`
  // first (the append itself is forwarded and stored upstream unchanged).
  void SetAppendReplyEdit(const std::string& user_id, std::function<void(v1::AppendReply&)> edit);

 private:
  class Service;  // the gRPC service, in hostile_proxy.cc
  HostileProxy(std::unique_ptr<Service> service, std::unique_ptr<grpc::Server> server, int port);

  std::unique_ptr<Service> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_;
};

// Rewrites for tests. Each takes and returns events with their true seq
// numbers; a seq not in the log leaves it as it is.

// Removes the event with true seq `seq`.
HostileProxy::Rewrite DropSeq(uint64_t seq);
// Exchanges the positions of the events with true seqs `a` and `b` (once
// both are in the log).
HostileProxy::Rewrite SwapSeqs(uint64_t a, uint64_t b);
// Appends a copy of the event with true seq `original_seq` (the same signed
// event) again at the end of the log.
HostileProxy::Rewrite ReplayAt(uint64_t original_seq);

}  // namespace kith::testing

#endif  // KITH_TESTS_HOSTILE_PROXY_H_
