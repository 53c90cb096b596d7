// The circle half of Client: a person's circle of trusted contacts is a
// group of kind KIND_CIRCLE that they own. Invitations name the person;
// their client answers; the owner's client admits whoever accepted at its
// next circle action (TendCircle), so consent always comes first.
#include "absl/strings/str_cat.h"
#include "kith/client.h"
#include "kith/event_builder.h"

namespace kith::client {

absl::StatusOr<Client::Circles> Client::ListCircles() {
  auto groups = Groups();
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

absl::StatusOr<std::string> Client::OwnCircle(bool create) {
  auto circles = ListCircles();
  if (!circles.ok()) return circles.status();
  if (!circles->own.empty()) return circles->own;
  if (!create) {
    return absl::NotFoundError("you have no circle yet: invite someone with `kith circle invite`");
  }
  v1::Charter charter;
  charter.set_kind(v1::KIND_CIRCLE);
  charter.set_name(absl::StrCat("Circle of ", identity_.name).substr(0, kMaxGroupNameBytes));
  return CreateGroup(std::move(charter));
}

absl::StatusOr<const GroupView*> Client::TendCircle(const std::string& circle_id) {
  auto view = Sync(circle_id);
  if (!view.ok()) return view;
  const GroupState& state = (*view)->state();
  if (!state.pending().empty()) {
    std::vector<std::string> accepted;
    for (const auto& [id, p] : state.pending()) accepted.push_back(id);
    if (auto s = Admit(circle_id, accepted); !s.ok()) return s;
  } else if (state.needs_rekey()) {
    if (auto s = Rekey(circle_id); !s.ok()) return s;
  } else {
    return view;
  }
  return Sync(circle_id);
}

absl::Status Client::CircleInvite(const std::string& user_id) {
  if (user_id == identity_.user_id()) {
    return absl::InvalidArgumentError("you cannot invite yourself into your own circle");
  }
  // The invitation names an identity the server knows, so a typo fails here.
  if (auto bundle = GetIdentity(user_id); !bundle.ok()) return bundle.status();
  auto circle = OwnCircle(/*create=*/true);
  if (!circle.ok()) return circle.status();
  if (auto view = TendCircle(*circle); !view.ok()) return view.status();
  return AppendFresh(*circle, [&](const GroupView& view) -> absl::StatusOr<v1::SignedEvent> {
           return BuildAddressedInvite(identity_, view.state(), user_id);
         }).status();
}

absl::Status Client::AnswerCircle(const std::string& owner_id, bool accept) {
  auto circles = ListCircles();
  if (!circles.ok()) return circles.status();
  for (const v1::GroupSummary& g : circles->joined) {
    if (g.owner() != owner_id || !g.invited()) continue;
    v1::JoinGroupRequest req;
    req.set_group_id(g.group_id());
    *req.mutable_request() =
        accept ? BuildJoinRequest(identity_, g.group_id(), "", g.charter(), g.invite_seq())
               : BuildDecline(identity_, g.group_id(), g.invite_seq());
    v1::AppendReply reply;
    return Call([&](auto* ctx) { return stub_->JoinGroup(ctx, req, &reply); });
  }
  return absl::NotFoundError("this person has no open invitation into their circle for you");
}

absl::Status Client::CircleRemove(const std::string& user_id) {
  auto circle = OwnCircle(/*create=*/false);
  if (!circle.ok()) return circle.status();
  auto view = TendCircle(*circle);
  if (!view.ok()) return view.status();
  if (!(*view)->state().IsMember(user_id)) {
    return absl::FailedPreconditionError("this person is not in your circle");
  }
  return Remove(*circle, user_id);
}

absl::StatusOr<Client::RaisedAlert> Client::RaiseAlert(const v1::AlertContent& content,
                                                       uint64_t realert_after_ms) {
  auto circle = OwnCircle(/*create=*/false);
  if (!circle.ok()) return circle.status();
  auto view = TendCircle(*circle);
  if (!view.ok()) return view.status();
  if ((*view)->state().members().size() < 2) {
    return absl::FailedPreconditionError(
        "nobody has accepted a place in your circle yet, so an alert would reach no one");
  }
  RaisedAlert raised{*circle, crypto::RandomBytes(kIdBytes), 0};
  auto reply = AppendFresh(*circle, [&](const GroupView& v) {
    return v.SealAlert(v1::Alert::RAISE, raised.alert_id, realert_after_ms, content);
  });
  if (!reply.ok()) return reply.status();
  raised.seq = reply->seq();
  return raised;
}

absl::Status Client::NotifyCircle(const std::string& what) {
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

absl::Status Client::AnswerAlert(const std::string& circle_id, std::string_view alert_id,
                                 v1::Alert::Kind kind, const v1::AlertContent& content) {
  auto view = Sync(circle_id);
  if (!view.ok()) return view.status();
  const AlertRecord* alert = (*view)->FindAlert(alert_id);
  if (alert == nullptr) return absl::NotFoundError("no such alert in this circle");
  const std::string id = alert->alert_id;
  return AppendFresh(circle_id, [&](const GroupView& v) {
           return v.SealAlert(kind, id, 0, content);
         }).status();
}

absl::StatusOr<std::vector<std::string>> Client::DeliveredTo(const std::string& circle_id,
                                                             uint64_t seq) {
  v1::DeliveryRequest req;
  req.set_group_id(circle_id);
  req.set_seq(seq);
  v1::DeliveryReply reply;
  if (auto s = Call([&](auto* ctx) { return stub_->GetDelivery(ctx, req, &reply); }); !s.ok()) {
    return s;
  }
  return std::vector<std::string>(reply.reached().begin(), reply.reached().end());
}

absl::StatusOr<v1::Checkin> Client::ScheduleCheckin(int64_t deadline_ms, uint64_t every_ms,
                                                    const v1::AlertContent& content) {
  auto sealed = SealAlertsForLater({content});
  if (!sealed.ok()) return sealed.status();
  v1::CheckinRequest req;
  req.set_group_id(sealed->circle_id);
  req.set_deadline_ms(deadline_ms);
  req.set_every_ms(every_ms);
  *req.mutable_alert() = std::move(sealed->alerts[0]);
  v1::Checkin reply;
  if (auto s = Call([&](auto* ctx) { return stub_->ScheduleCheckin(ctx, req, &reply); }); !s.ok()) {
    return s;
  }
  return reply;
}

absl::StatusOr<v1::Checkin> Client::CancelCheckin() {
  return CallOnOwnCircle(&v1::Kith::Stub::CancelCheckin);
}

absl::StatusOr<v1::Checkin> Client::GetCheckin() {
  return CallOnOwnCircle(&v1::Kith::Stub::GetCheckin);
}

absl::Status Client::ArmDuress(const crypto::Secret& token,
                               const std::vector<v1::AlertContent>& contents) {
  auto sealed = SealAlertsForLater(contents);
  if (!sealed.ok()) return sealed.status();
  v1::DuressAlarm alarm;
  alarm.set_group_id(sealed->circle_id);
  alarm.set_token_hash(crypto::Hash(kDuressLabel, token.view()));
  for (auto& alert : sealed->alerts) *alarm.add_alerts() = std::move(alert);
  v1::Empty reply;
  return Call([&](auto* ctx) { return stub_->ArmDuress(ctx, alarm, &reply); });
}

absl::Status Client::DisarmDuress() {
  auto circle = OwnCircle(/*create=*/false);
  if (!circle.ok()) return circle.status();
  v1::GroupRef req;
  req.set_group_id(*circle);
  v1::Empty reply;
  return Call([&](auto* ctx) { return stub_->DisarmDuress(ctx, req, &reply); });
}

absl::Status Client::TriggerDuress(const crypto::Secret& token, bool escalate) {
  v1::DuressTrigger req;
  req.set_token(std::string(token.view()));
  req.set_escalate(escalate);
  grpc::ClientContext ctx;
  Prepare(&ctx);
  v1::Empty reply;
  auto s = FromGrpc(stub_->TriggerDuress(&ctx, req, &reply));
  crypto::Wipe(*req.mutable_token());
  return s;
}

absl::StatusOr<Client::SealedAlerts> Client::SealAlertsForLater(
    const std::vector<v1::AlertContent>& contents) {
  SealedAlerts out;
  auto circle = OwnCircle(/*create=*/false);
  if (!circle.ok()) return circle.status();
  out.circle_id = *circle;
  auto view = TendCircle(out.circle_id);
  if (!view.ok()) return view.status();
  for (const v1::AlertContent& content : contents) {
    auto alert = (*view)->SealAlert(v1::Alert::RAISE, crypto::RandomBytes(kIdBytes),
                                    kDefaultRealertMs, content, /*for_later=*/true);
    if (!alert.ok()) return alert.status();
    out.alerts.push_back(*std::move(alert));
  }
  return out;
}

absl::StatusOr<v1::Checkin> Client::CallOnOwnCircle(CheckinRpc rpc) {
  auto circle = OwnCircle(/*create=*/false);
  if (!circle.ok()) return circle.status();
  v1::GroupRef req;
  req.set_group_id(*circle);
  v1::Checkin reply;
  if (auto s = Call([&](auto* ctx) { return (stub_.get()->*rpc)(ctx, req, &reply); }); !s.ok()) {
    return s;
  }
  return reply;
}

}  // namespace kith::client
