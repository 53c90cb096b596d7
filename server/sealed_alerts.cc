#include "kith/sealed_alerts.h"

#include "kith/group_state.h"

namespace kith::server {

std::string SealedAlertId(const v1::SignedEvent& alert) {
  v1::EventBody body;
  if (!body.ParseFromString(alert.body())) return "";
  return body.alert().alert_id();
}

void ReleaseSealedAlert(Appender* appender, v1::SignedEvent alert,
                        std::function<void(const absl::Status&)> done) {
  auto body = GroupState::Parse(alert);
  if (!body.ok()) return done(body.status());  // checked when stored; cannot happen
  appender->Submit(std::move(alert), *std::move(body),
                   [done = std::move(done)](absl::StatusOr<v1::AppendReply> r) {
                     done(absl::IsAlreadyExists(r.status()) ? absl::OkStatus() : r.status());
                   });
}

}  // namespace kith::server
