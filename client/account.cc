#include "kith/account.h"

namespace kith::client {

absl::Status Account::Register() {
  v1::RegisterRequest req;
  *req.mutable_bundle() = session_.identity().Bundle();
  v1::RegisterReply reply;
  return session_.CallWithoutSession(
      [&](auto* ctx) { return session_.stub()->Register(ctx, req, &reply); });
}

absl::StatusOr<v1::Boundaries> Account::GetBoundaries() {
  v1::Boundaries reply;
  if (auto s = session_.Call(
          [&](auto* ctx) { return session_.stub()->GetBoundaries(ctx, v1::Empty(), &reply); });
      !s.ok()) {
    return s;
  }
  return reply;
}

absl::StatusOr<v1::Boundaries> Account::SetBoundaries(const v1::Boundaries& boundaries) {
  v1::Boundaries reply;
  if (auto s = session_.Call(
          [&](auto* ctx) { return session_.stub()->SetBoundaries(ctx, boundaries, &reply); });
      !s.ok()) {
    return s;
  }
  return reply;
}

}  // namespace kith::client
