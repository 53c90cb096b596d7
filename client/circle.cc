#include "kith/circle.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "kith/event_builder.h"

namespace kith::client {

absl::StatusOr<Circle::Circles> Circle::List() {
  auto groups = session_.ListGroups();
  if (!groups.ok()) return groups.status();
  Circles out;
  for (const v1::GroupSummary& g : groups->groups()) {
    if (g.charter().kind() != v1::KIND_CIRCLE) continue;
    if (g.role() == v1::ROLE_OWNER) {
      out.own = g.group_id();
    } else {
      out.joined.push_back(g);
    }
  }
  return out;
}

absl::StatusOr<std::string> Circle::Own(bool create) {
  auto circles = List();
  if (!circles.ok()) return circles.status();
  if (!circles->own.empty()) return circles->own;
  if (!create) {
    return absl::NotFoundError("you have no circle yet: invite someone with `kith circle invite`");
  }
  v1::Charter charter;
  charter.set_kind(v1::KIND_CIRCLE);
  charter.set_name(
      absl::StrCat("Circle of ", session_.identity().name).substr(0, kMaxGroupNameBytes));
  return groups_.CreateGroup(std::move(charter));
}

absl::StatusOr<const GroupView*> Circle::Tend(const std::string& circle_id) {
  auto view = Upkeep(circle_id);
  if (!view.ok()) return view;
  // Best effort: the next Tend tries again.
  ResealPending(circle_id, **view).IgnoreError();
  return view;
}

absl::StatusOr<const GroupView*> Circle::Upkeep(const std::string& circle_id) {
  auto view = session_.Sync(circle_id);
  if (!view.ok()) return view;
  const GroupState& state = (*view)->state();
  const bool changing = !state.pending().empty() || state.needs_rekey();
  if (!state.pending().empty()) {
    std::vector<std::string> accepted;
    for (const auto& [id, p] : state.pending()) accepted.push_back(id);
    if (auto s = groups_.Admit(circle_id, accepted); !s.ok()) return s;
  } else if (state.needs_rekey()) {
    if (auto s = groups_.Rekey(circle_id); !s.ok()) return s;
  }
  if (changing) view = session_.Sync(circle_id);
  return view;
}

absl::Status Circle::Invite(const std::string& user_id) {
  if (user_id == session_.identity().user_id()) {
    return absl::InvalidArgumentError("you cannot invite yourself into your own circle");
  }
  // The invitation names an identity the server knows, so a typo fails here.
  if (auto bundle = session_.GetIdentity(user_id); !bundle.ok()) return bundle.status();
  auto circle = Own(/*create=*/true);
  if (!circle.ok()) return circle.status();
  if (auto view = Tend(*circle); !view.ok()) return view.status();
  return session_
      .AppendFresh(*circle,
                   [&](const GroupView& view) -> absl::StatusOr<v1::SignedEvent> {
                     return BuildAddressedInvite(session_.identity(), view.state(), user_id);
                   })
      .status();
}

absl::Status Circle::Answer(const std::string& owner_id, bool accept) {
  auto circles = List();
  if (!circles.ok()) return circles.status();
  for (const v1::GroupSummary& g : circles->joined) {
    if (g.owner() != owner_id || !g.invited()) continue;
    v1::JoinGroupRequest req;
    req.set_group_id(g.group_id());
    *req.mutable_request() =
        accept
            ? BuildJoinRequest(session_.identity(), g.group_id(), "", g.charter(), g.invite_seq())
            : BuildDecline(session_.identity(), g.group_id(), g.invite_seq());
    v1::AppendReply reply;
    return session_.Call([&](auto* ctx) { return session_.stub()->JoinGroup(ctx, req, &reply); });
  }
  return absl::NotFoundError("this person has no open invitation into their circle for you");
}

absl::Status Circle::Remove(const std::string& user_id) {
  auto circle = Own(/*create=*/false);
  if (!circle.ok()) return circle.status();
  auto view = Tend(*circle);
  if (!view.ok()) return view.status();
  if (!(*view)->state().IsMember(user_id)) {
    return absl::FailedPreconditionError("this person is not in your circle");
  }
  if (auto s = groups_.Remove(*circle, user_id); !s.ok()) return s;
  return Tend(*circle).status();  // seals what is pending away from them
}

absl::StatusOr<Circle::RaisedAlert> Circle::RaiseAlert(const v1::AlertContent& content,
                                                       uint64_t realert_after_ms) {
  auto circle = Own(/*create=*/false);
  if (!circle.ok()) return circle.status();
  // The alert goes out before anything else: resealing waits until after.
  auto view = Upkeep(*circle);
  if (!view.ok()) return view.status();
  if ((*view)->state().members().size() < 2) {
    return absl::FailedPreconditionError(
        "nobody has accepted a place in your circle yet, so an alert would reach no one");
  }
  RaisedAlert raised{*circle, crypto::RandomBytes(kIdBytes), 0};
  auto reply = session_.AppendFresh(*circle, [&](const GroupView& v) {
    return v.SealAlert(v1::Alert::RAISE, raised.alert_id, realert_after_ms, content);
  });
  if (!reply.ok()) return reply.status();
  raised.seq = reply->seq();
  if (const GroupView* now = session_.SyncedView(*circle)) {
    ResealPending(*circle, *now).IgnoreError();
  }
  return raised;
}

absl::Status Circle::Notify(const std::string& what) {
  v1::AlertContent content;
  content.set_settings_changed(true);
  content.set_note(what);
  auto raised = RaiseAlert(content);
  // No circle, or nobody in it yet: there is nobody to tell.
  if (absl::IsNotFound(raised.status()) || absl::IsFailedPrecondition(raised.status())) {
    return absl::OkStatus();
  }
  if (!raised.ok()) return raised.status();
  return AnswerAlert(raised->circle_id, raised->alert_id, v1::Alert::RESOLVE, v1::AlertContent());
}

absl::Status Circle::AnswerAlert(const std::string& circle_id, std::string_view alert_id,
                                 v1::Alert::Kind kind, const v1::AlertContent& content) {
  auto view = session_.Sync(circle_id);
  if (!view.ok()) return view.status();
  const AlertRecord* alert = (*view)->FindAlert(alert_id);
  if (alert == nullptr) return absl::NotFoundError("no such alert in this circle");
  const std::string id = alert->alert_id;
  return session_
      .AppendFresh(circle_id, [&](const GroupView& v) { return v.SealAlert(kind, id, 0, content); })
      .status();
}

absl::StatusOr<std::vector<std::string>> Circle::DeliveredTo(const std::string& circle_id,
                                                             uint64_t seq) {
  v1::DeliveryRequest req;
  req.set_group_id(circle_id);
  req.set_seq(seq);
  v1::DeliveryReply reply;
  if (auto s =
          session_.Call([&](auto* ctx) { return session_.stub()->GetDelivery(ctx, req, &reply); });
      !s.ok()) {
    return s;
  }
  return std::vector<std::string>(reply.reached().begin(), reply.reached().end());
}

absl::StatusOr<v1::Checkin> Circle::ScheduleCheckin(int64_t deadline_ms, uint64_t every_ms,
                                                    const v1::AlertContent& content) {
  auto sealed = SealAlertsForLater({content});
  if (!sealed.ok()) return sealed.status();
  v1::CheckinRequest req;
  req.set_group_id(sealed->circle_id);
  req.set_deadline_ms(deadline_ms);
  req.set_every_ms(every_ms);
  *req.mutable_alert() = std::move(sealed->alerts[0]);
  v1::Checkin reply;
  if (auto s = session_.Call(
          [&](auto* ctx) { return session_.stub()->ScheduleCheckin(ctx, req, &reply); });
      !s.ok()) {
    return s;
  }
  return reply;
}

absl::StatusOr<v1::Checkin> Circle::CancelCheckin() {
  return CallOnOwnCircle(&v1::Kith::StubInterface::CancelCheckin);
}

absl::StatusOr<v1::Checkin> Circle::GetCheckin() {
  return CallOnOwnCircle(&v1::Kith::StubInterface::GetCheckin);
}

absl::Status Circle::ArmDuress(const crypto::Secret& token,
                               const std::vector<v1::AlertContent>& contents) {
  auto sealed = SealAlertsForLater(contents);
  if (!sealed.ok()) return sealed.status();
  v1::DuressAlarm alarm;
  alarm.set_group_id(sealed->circle_id);
  alarm.set_token_hash(crypto::Hash(kDuressLabel, token.view()));
  for (auto& alert : sealed->alerts) *alarm.add_alerts() = std::move(alert);
  v1::Empty reply;
  return session_.Call([&](auto* ctx) { return session_.stub()->ArmDuress(ctx, alarm, &reply); });
}

absl::Status Circle::DisarmDuress() {
  auto circle = Own(/*create=*/false);
  if (!circle.ok()) return circle.status();
  v1::GroupRef req;
  req.set_group_id(*circle);
  v1::Empty reply;
  return session_.Call([&](auto* ctx) { return session_.stub()->DisarmDuress(ctx, req, &reply); });
}

absl::StatusOr<bool> Circle::DuressArmed() {
  auto circle = Own(/*create=*/false);
  if (absl::IsNotFound(circle.status())) return false;
  if (!circle.ok()) return circle.status();
  v1::GroupRef req;
  req.set_group_id(*circle);
  v1::DuressAlarm alarm;
  auto s = session_.Call([&](auto* ctx) { return session_.stub()->GetDuress(ctx, req, &alarm); });
  if (absl::IsNotFound(s)) return false;
  if (!s.ok()) return s;
  return true;
}

absl::Status Circle::TriggerDuress(const crypto::Secret& token, bool escalate) {
  v1::DuressTrigger req;
  req.set_token(std::string(token.view()));
  req.set_escalate(escalate);
  v1::Empty reply;
  auto s = session_.CallWithoutSession(
      [&](auto* ctx) { return session_.stub()->TriggerDuress(ctx, req, &reply); });
  crypto::Wipe(*req.mutable_token());
  return s;
}

absl::StatusOr<Circle::SealedAlerts> Circle::SealAlertsForLater(
    const std::vector<v1::AlertContent>& contents) {
  SealedAlerts out;
  auto circle = Own(/*create=*/false);
  if (!circle.ok()) return circle.status();
  out.circle_id = *circle;
  auto view = Tend(out.circle_id);
  if (!view.ok()) return view.status();
  for (const v1::AlertContent& content : contents) {
    auto alert = (*view)->SealAlert(v1::Alert::RAISE, crypto::RandomBytes(kIdBytes),
                                    kDefaultRealertMs, content, /*for_later=*/true);
    if (!alert.ok()) return alert.status();
    out.alerts.push_back(*std::move(alert));
  }
  return out;
}

absl::StatusOr<v1::Checkin> Circle::CallOnOwnCircle(CheckinRpc rpc) {
  auto circle = Own(/*create=*/false);
  if (!circle.ok()) return circle.status();
  v1::GroupRef req;
  req.set_group_id(*circle);
  v1::Checkin reply;
  if (auto s = session_.Call([&](auto* ctx) { return (session_.stub()->*rpc)(ctx, req, &reply); });
      !s.ok()) {
    return s;
  }
  return reply;
}

namespace {

// `old`, a RAISE sealed for later, sealed again under `view`'s epoch with
// the same alert id, so the server still knows it for the same alert. Only
// what `me` signed is signed again: a server cannot hand this client
// someone else's alert, or one it made up, to re-sign.
absl::StatusOr<v1::SignedEvent> SealAgain(const Identity& me, const GroupView& view,
                                          const v1::SignedEvent& old) {
  v1::EventBody body;
  if (!body.ParseFromString(old.body()) || body.author() != me.user_id() ||
      !VerifyEventSignature(old, me.sign.public_key)) {
    return absl::DataLossError("the server's sealed alert is not one this person sealed");
  }
  auto content = view.OpenSealedAlert(old);
  if (!content.ok()) return content.status();
  return view.SealAlert(v1::Alert::RAISE, body.alert().alert_id(),
                        body.alert().realert_after_ms(), *content, /*for_later=*/true);
}

}  // namespace

absl::Status Circle::ResealPending(const std::string& circle_id, const GroupView& view) {
  const uint64_t epoch = view.state().epoch();
  auto stale = [epoch](const v1::SignedEvent& alert) {
    v1::EventBody body;
    return body.ParseFromString(alert.body()) && body.epoch() != epoch;
  };
  v1::GroupRef ref;
  ref.set_group_id(circle_id);
  v1::Checkin checkin;
  if (auto s = session_.Call(
          [&](auto* ctx) { return session_.stub()->GetCheckin(ctx, ref, &checkin); });
      !s.ok()) {
    return s;
  }
  if (checkin.scheduled() && stale(checkin.alert())) {
    v1::CheckinRequest req;
    req.set_group_id(circle_id);
    req.set_reseal(true);
    auto sealed = SealAgain(session_.identity(), view, checkin.alert());
    if (!sealed.ok()) return sealed.status();
    *req.mutable_alert() = *std::move(sealed);
    v1::Checkin reply;
    auto s = session_.Call(
        [&](auto* ctx) { return session_.stub()->ScheduleCheckin(ctx, req, &reply); });
    if (!s.ok() && !absl::IsFailedPrecondition(s)) return s;  // gone meanwhile: nothing to do
  }
  v1::DuressAlarm alarm;
  auto s = session_.Call([&](auto* ctx) { return session_.stub()->GetDuress(ctx, ref, &alarm); });
  if (absl::IsNotFound(s)) return absl::OkStatus();
  if (!s.ok()) return s;
  if (std::none_of(alarm.alerts().begin(), alarm.alerts().end(), stale)) return absl::OkStatus();
  for (v1::SignedEvent& alert : *alarm.mutable_alerts()) {
    auto sealed = SealAgain(session_.identity(), view, alert);
    if (!sealed.ok()) return sealed.status();
    alert = *std::move(sealed);
  }
  alarm.set_reseal(true);
  v1::Empty empty;
  s = session_.Call([&](auto* ctx) { return session_.stub()->ArmDuress(ctx, alarm, &empty); });
  return absl::IsFailedPrecondition(s) ? absl::OkStatus() : s;
}

}  // namespace kith::client
