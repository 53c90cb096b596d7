// The circle at the command line: invitations and answers, the list of
// contacts and their state, alerts raised, acknowledged and resolved, and
// the alerts a person has received, listed or streamed live.
#ifndef KITH_CLI_CIRCLE_COMMANDS_H_
#define KITH_CLI_CIRCLE_COMMANDS_H_

#include <string>

#include "absl/status/status.h"
#include "kith.pb.h"
#include "session.h"

namespace kith::cli {

// `kith circle`: your contacts and their state, and the circles you are in
// or invited into.
absl::Status CircleList(const Globals& g);
// `kith circle invite USER` (a user id, or a name or id prefix of someone
// in a group you share).
absl::Status CircleInvite(const Globals& g, const std::string& user_arg);
// `kith circle accept|decline OWNER`.
absl::Status CircleAnswer(const Globals& g, const std::string& owner_arg, bool accept);
// `kith circle remove USER`.
absl::Status CircleRemove(const Globals& g, const std::string& user_arg);

struct AlertOptions {
  std::string level = "check-on-me";
  std::string location;
  std::string note;
  std::string realert = "5m";
  bool test = false;
  bool yes = false;  // send without asking (scripts); otherwise the recipients are named and asked about
};
// `kith alert --level L [--location ...] [--note ...]`; `kith alert test`.
absl::Status AlertRaise(const Globals& g, const AlertOptions& options);
// `kith alert ack ALERT [--eta 15m] [--note ...]`, `kith alert resolve ALERT`.
absl::Status AlertAnswer(const Globals& g, const std::string& alert_arg, v1::Alert::Kind kind,
                         const std::string& eta, const std::string& note);
// `kith alert status ALERT`: who received it, who acknowledged, who is coming.
absl::Status AlertStatus(const Globals& g, const std::string& alert_arg);
// `kith alerts`: alerts received from the circles you are in.
absl::Status AlertsList(const Globals& g);
// `kith follow --alerts`: alerts and answers in every circle you are in, and
// answers to your own, as they arrive.
absl::Status FollowAlerts(const Globals& g);

// `kith checkin schedule --by HH:MM | --in DURATION [--every D] [--note N]`.
absl::Status CheckinSchedule(const Globals& g, const std::string& by, const std::string& in,
                             const std::string& every, const std::string& note);
// `kith checkin ok` (`check_in`): cancels the pending check-in and, if it
// repeats, schedules the next one; `kith checkin stop`: cancels it and
// any repeat.
absl::Status CheckinCancel(const Globals& g, bool check_in);
// `kith checkin`: when the next check-in is due.
absl::Status CheckinShow(const Globals& g);

}  // namespace kith::cli

#endif  // KITH_CLI_CIRCLE_COMMANDS_H_
