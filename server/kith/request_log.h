// One structured line per RPC on standard error: time, method, status code
// and duration. Never the request, the reply, the status message, the
// caller or the peer address: a log must not say who talks to whom.
#ifndef KITH_SERVER_REQUEST_LOG_H_
#define KITH_SERVER_REQUEST_LOG_H_

#include <chrono>
#include <memory>

#include <grpcpp/support/server_interceptor.h>

namespace kith::server {

// Logs unary RPCs. Streams are not intercepted (an interceptor runs on
// every message, which would tax fan-out); they log through LogRequest.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> NewRequestLogFactory();

// Writes one request line. Safe from any thread.
void LogRequest(const char* method, grpc::StatusCode code,
                std::chrono::steady_clock::time_point started);

}  // namespace kith::server

#endif  // KITH_SERVER_REQUEST_LOG_H_
