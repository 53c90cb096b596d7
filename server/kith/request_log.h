// One structured line per RPC on standard error: time, method, status code
// and duration. Never the request, the reply, the status message, the
// caller or the peer address: a log must not say who talks to whom.
#ifndef KITH_SERVER_REQUEST_LOG_H_
#define KITH_SERVER_REQUEST_LOG_H_

#include <memory>

#include <grpcpp/support/server_interceptor.h>

namespace kith::server {

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> NewRequestLogFactory();

}  // namespace kith::server

#endif  // KITH_SERVER_REQUEST_LOG_H_
