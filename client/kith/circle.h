// A person's circle of trusted contacts, over a Session: a group of kind
// KIND_CIRCLE that they own. Invitations name the person; their client
// answers; the owner's client admits whoever accepted at its next circle
// action (Tend), so consent always comes first. Alerts, scheduled
// check-ins and duress alarms all reach the circle as sealed alerts.
#ifndef KITH_CLIENT_CIRCLE_H_
#define KITH_CLIENT_CIRCLE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "kith.grpc.pb.h"
#include "kith/crypto.h"
#include "kith/groups.h"
#include "kith/protocol.h"
#include "kith/session.h"

namespace kith::client {

class Circle {
 public:
  Circle(Session& session, Groups& groups) : session_(session), groups_(groups) {}

  // This person's own circle's group id. With `create`, the circle is made
  // on first use; without, NOT_FOUND if there is none.
  absl::StatusOr<std::string> Own(bool create);
  // Invites `user_id` into this person's circle. Nothing reaches them
  // until they accept.
  absl::Status Invite(const std::string& user_id);
  // Accepts or declines the open invitation into `owner_id`'s circle.
  absl::Status Answer(const std::string& owner_id, bool accept);
  // Takes `user_id` out of this person's circle; the circle is re-keyed.
  absl::Status Remove(const std::string& user_id);
  // The owner's upkeep before any circle action: admits everyone who
  // accepted, and re-keys after someone left, so an alert reaches exactly
  // the people who consented; then seals the scheduled check-in and the
  // duress alarm again if the circle's epoch moved on since they were
  // sealed (on whichever device the owner uses next), so a contact added
  // since can read them and one removed since cannot. Returns the fresh view.
  absl::StatusOr<const GroupView*> Tend(const std::string& circle_id);
  // This person's circles, from one ListGroups call.
  struct Circles {
    std::string own;  // their own circle's group id; empty if none
    std::vector<v1::GroupSummary>
        joined;  // others' circles they are in, pending in or invited into
  };
  absl::StatusOr<Circles> List();

  struct RaisedAlert {
    std::string circle_id;
    std::string alert_id;
    uint64_t seq = 0;
  };
  // Raises an alert to everyone in this person's circle; the server sends
  // it again every `realert_after_ms` until someone acknowledges it or it
  // is resolved.
  absl::StatusOr<RaisedAlert> RaiseAlert(const v1::AlertContent& content,
                                         uint64_t realert_after_ms = kDefaultRealertMs);
  // Tells this person's circle, sealed, that a safety setting changed
  // (`what`): raised and resolved at once, so nobody is asked to act and
  // nothing is sent again. Nothing to do without a circle or contacts.
  absl::Status Notify(const std::string& what);
  // Acknowledges (ACK, a member) or resolves (RESOLVE, the raiser) an
  // alert of `circle_id`; `alert_id` as GroupView::FindAlert takes it.
  absl::Status AnswerAlert(const std::string& circle_id, std::string_view alert_id,
                           v1::Alert::Kind kind, const v1::AlertContent& content);
  // Members whose stream or reads have received event `seq` of this
  // person's circle (owner only).
  absl::StatusOr<std::vector<std::string>> DeliveredTo(const std::string& circle_id, uint64_t seq);

  // Seals `content` as an alert to this person's circle now and hands it to
  // the server with `deadline_ms`: unless CancelCheckin comes first, the
  // server releases it to the circle at the deadline, even if this device
  // is gone. Replaces any check-in scheduled before. `every_ms` is kept
  // for the next schedule (0: once).
  absl::StatusOr<v1::Checkin> ScheduleCheckin(int64_t deadline_ms, uint64_t every_ms,
                                              const v1::AlertContent& content);
  // Cancels the scheduled check-in; returns what was scheduled.
  absl::StatusOr<v1::Checkin> CancelCheckin();
  absl::StatusOr<v1::Checkin> GetCheckin();

  // Seals each of `contents` as an alert to this person's circle now and
  // arms the server to release them, one at a time, to whoever presents
  // `token` (see DuressAlarm). Replaces any alarm armed before.
  absl::Status ArmDuress(const crypto::Secret& token,
                         const std::vector<v1::AlertContent>& contents);
  absl::Status DisarmDuress();
  // Whether this person's own circle has a duress alarm armed (or one that
  // went off and is still held); false without a circle.
  absl::StatusOr<bool> DuressArmed();
  // Presents a duress token, outside any session: nothing in the call
  // names the person presenting it.
  absl::Status TriggerDuress(const crypto::Secret& token, bool escalate);

  // Seals this person's pending check-in and duress alerts again under
  // `view`'s epoch, if they are sealed under another (see Tend). Each is
  // sealed again only if still scheduled or armed (the server checks), so
  // another device's cancel is never undone.
  absl::Status ResealPending(const std::string& circle_id, const GroupView& view);

 private:
  using CheckinRpc = grpc::Status (v1::Kith::StubInterface::*)(grpc::ClientContext*,
                                                               const v1::GroupRef&, v1::Checkin*);
  // Alert RAISEs in this person's own circle, sealed now to be released
  // later by the server (check-ins, duress alarms).
  struct SealedAlerts {
    std::string circle_id;
    std::vector<v1::SignedEvent> alerts;
  };
  absl::StatusOr<SealedAlerts> SealAlertsForLater(const std::vector<v1::AlertContent>& contents);
  // Tend without the resealing: admits and re-keys, returns the fresh view.
  absl::StatusOr<const GroupView*> Upkeep(const std::string& circle_id);
  // Runs a check-in RPC on this person's own circle.
  absl::StatusOr<v1::Checkin> CallOnOwnCircle(CheckinRpc rpc);

  Session& session_;
  Groups& groups_;
};

}  // namespace kith::client

#endif  // KITH_CLIENT_CIRCLE_H_
