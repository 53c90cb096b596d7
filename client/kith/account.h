// A person's account on a kithd, over a Session: the published identity
// bundle, and the boundaries (quiet hours, contact limits, blocks) the
// server enforces on their behalf.
#ifndef KITH_CLIENT_ACCOUNT_H_
#define KITH_CLIENT_ACCOUNT_H_

#include "absl/status/statusor.h"
#include "kith.pb.h"
#include "kith/session.h"

namespace kith::client {

class Account {
 public:
  explicit Account(Session& session) : session_(session) {}

  // Publishes this identity's bundle (idempotent; an older version of it is refused).
  absl::Status Register();

  // This person's boundaries as the server enforces them. Set replaces
  // them all; read, change and set.
  absl::StatusOr<v1::Boundaries> GetBoundaries();
  absl::StatusOr<v1::Boundaries> SetBoundaries(const v1::Boundaries& boundaries);

 private:
  Session& session_;
};

}  // namespace kith::client

#endif  // KITH_CLIENT_ACCOUNT_H_
