// kithd's TLS identity. On first start the server writes a self-signed
// certificate (P-256, names "kithd", "localhost" and 127.0.0.1) and its key
// into DATA_DIR/tls/; clients pin that certificate. The key file is created
// readable only by the server's user.
#ifndef KITH_SERVER_TLS_H_
#define KITH_SERVER_TLS_H_

#include <string>

#include "absl/status/statusor.h"

namespace kith::server {

struct TlsIdentity {
  std::string certificate_pem;
  std::string private_key_pem;
};

// The name clients check the certificate against, whatever address they dial.
inline constexpr char kTlsServerName[] = "kithd";

absl::StatusOr<TlsIdentity> LoadOrCreateTlsIdentity(const std::string& tls_dir);

}  // namespace kith::server

#endif  // KITH_SERVER_TLS_H_
