#include "kith/client.h"

#include "kith/crypto.h"

namespace kith::client {

absl::StatusOr<std::unique_ptr<Client>> Client::Connect(const ClientOptions& options,
                                                        Identity identity) {
  if (auto s = crypto::Init(); !s.ok()) return s;
  if (options.ca_pem.empty()) {
    return absl::InvalidArgumentError("no server certificate to pin: pass --ca FILE");
  }
  if (!options.checkpoint_key.empty() &&
      options.checkpoint_key.size() != crypto::kSignPublicKeyBytes) {
    return absl::InvalidArgumentError("a checkpoint key is 32 bytes");
  }
  auto channel = PinnedChannel(options.server, options.ca_pem);
  std::unique_ptr<v1::Kith::StubInterface> stub = v1::Kith::NewStub(channel);
  if (options.wrap_stub) stub = options.wrap_stub(std::move(stub));
  return std::unique_ptr<Client>(
      new Client(std::move(identity), options, std::move(channel), std::move(stub)));
}

Client::Client(Identity identity, const ClientOptions& options,
               std::shared_ptr<grpc::Channel> channel,
               std::unique_ptr<v1::Kith::StubInterface> stub)
    : session_(std::move(identity), options.server, options.ca_pem, options.checkpoint_key,
               options.memory, std::move(channel), std::move(stub)) {
  if (options.clock) session_.set_clock(options.clock);
  session_.set_resend_for(options.resend_for);
  session_.set_connect_timeout(options.connect_timeout);
  if (options.keep_member_keys) session_.set_keep_member_keys(options.keep_member_keys);
}

}  // namespace kith::client
