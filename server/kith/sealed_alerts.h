// Alerts a circle's owner sealed ahead of time for the server to append
// later: check-ins at their deadline, duress alarms at their trigger. The
// server holds them but cannot read them.
#ifndef KITH_SERVER_SEALED_ALERTS_H_
#define KITH_SERVER_SEALED_ALERTS_H_

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "kith.pb.h"
#include "kith/appender.h"

namespace kith::server {

// The alert id inside a sealed alert event ("" if it does not parse).
std::string SealedAlertId(const v1::SignedEvent& alert);

// Appends `alert` to its circle. `done` gets OK once the alert is in the
// log, including when it was already (a release retried after a crash, or
// raced by another), and the error otherwise.
void ReleaseSealedAlert(Appender* appender, v1::SignedEvent alert,
                        std::function<void(const absl::Status&)> done);

}  // namespace kith::server

#endif  // KITH_SERVER_SEALED_ALERTS_H_
