#include "kith/group_view.h"

#include <algorithm>
#include <cctype>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "kith/protocol.h"

namespace kith::client {

std::string ModerationActionName(v1::Moderation::Action action) {
  std::string name = v1::Moderation::Action_Name(action);
  for (char& ch : name) ch = ch == '_' ? '-' : static_cast<char>(std::tolower(ch));
  return name;
}

std::string AlertLevelName(v1::AlertContent::Level level) {
  switch (level) {
    case v1::AlertContent::CHECK_ON_ME: return "check-on-me";
    case v1::AlertContent::COME_NOW: return "come-now";
    case v1::AlertContent::CALL_EMERGENCY: return "call-emergency";
    default: return "unknown";
  }
}

absl::Status GroupView::Apply(const v1::Event& event) {
  // ApplyLogged changes nothing unless the event is accepted, and nothing
  // after it can fail: content that does not open is recorded, not refused.
  auto applied = state_.ApplyLogged(event, SignatureCheck::kVerify);
  if (!applied.ok()) return applied.status();
  const v1::EventBody& body = *applied;
  hashes_.append(state_.head_hash());
  if (body.has_create() || body.has_commit()) OpenSealedEpoch(event, body);
  if (body.has_message()) {
    OpenMessage(event, body);
    return absl::OkStatus();
  }
  if (body.has_alert() || body.has_realert()) RecordAlert(event, body);
  if (body.has_evidence() || body.has_plan()) {
    if (auto s = OpenRecord(event, body); !s.ok()) {
      NoteUnreadable(event, body, body.has_evidence() ? "evidence entry" : "plan page",
                     std::string(s.message()));
    }
  }
  Record(event, body);
  return absl::OkStatus();
}

void GroupView::OpenSealedEpoch(const v1::Event& event, const v1::EventBody& body) {
  const std::string me = self_->user_id();
  if (!state_.IsMember(me)) return;  // a creation or re-key that leaves this member out
  const bool create = body.has_create();
  // A member already in the group before a commit was sealed its secret;
  // so was one it adds. A creation seals to the creator (and a peer).
  auto secret = OpenEpochSecret(event.group_id(),
                                create ? body.create().secrets() : body.commit().secrets(),
                                create ? body.create().confirmation() : body.commit().confirmation(),
                                state_.epoch());
  if (secret.ok()) {
    epoch_secrets_[state_.epoch()] = *std::move(secret);
    return;
  }
  // Sealed to a member key this device no longer holds: erased after it
  // rotated out (forward secrecy), or never here (a restored identity).
  if (absl::IsNotFound(secret.status())) {
    keyless_epochs_.insert(state_.epoch());
    return;
  }
  faulty_rekeys_.push_back(
      {event.seq(), body.author(), state_.epoch(), std::string(secret.status().message())});
}

bool GroupView::NeedsHealing() const {
  const std::string me = self_->user_id();
  return state_.IsMember(me) && !epoch_secrets_.contains(state_.epoch()) &&
         (keyless_epochs_.contains(state_.epoch()) ||
          (!faulty_rekeys_.empty() && faulty_rekeys_.back().epoch == state_.epoch()));
}

GroupView::KeysInUse GroupView::MemberKeysInUse(int64_t now_ms) const {
  KeysInUse out;
  auto me = state_.members().find(self_->user_id());
  if (me == state_.members().end()) return out;
  out.current = me->second.sealed_key_id;
  auto hold = [&](uint64_t epoch) {
    if (auto key = epoch_key_ids_.find(epoch); key != epoch_key_ids_.end()) {
      out.held.insert(key->second);
    }
  };
  // An alert still open may need reading again, and answering; one its
  // raiser left open for days does not hold a key for ever.
  for (const AlertRecord& a : alerts_) {
    if (!a.resolved && now_ms - a.raised_ms < kOpenAlertKeyMs) hold(a.epoch);
  }
  // The plan someone shares with this person stays readable until they
  // carry it into a later epoch (Vault::CarryPlan on their device).
  std::map<std::pair<std::string, std::string>, uint64_t> latest;  // (author, section) -> epoch
  for (const PlanRecord& r : plan_) {
    if (r.author != self_->user_id()) latest[{r.author, r.section.section()}] = r.epoch;
  }
  for (const auto& [page, epoch] : latest) hold(epoch);
  return out;
}

crypto::Secret GroupView::VaultKey() const {
  return crypto::DeriveKey(self_->box.secret_key, 1, kVaultKdfContext);
}

void GroupView::NoteUnreadable(const v1::Event& event, const v1::EventBody& body, std::string what,
                               std::string reason) {
  unreadable_events_.push_back(
      {event.seq(), event.server_time_ms(), body.author(), std::move(what), std::move(reason)});
}

absl::Status GroupView::OpenRecord(const v1::Event& event, const v1::EventBody& body) {
  if (body.has_evidence()) {
    auto entry = OpenEvidence(VaultKey(), body);
    // Entries written before evidence moved to the vault key are under
    // their epoch's secret, sealed to the long-term key: they still open.
    if (auto secret = epoch_secrets_.find(body.epoch());
        !entry.ok() && secret != epoch_secrets_.end()) {
      entry = OpenEvidence(secret->second, body);
    }
    if (!entry.ok()) return entry.status();
    // Entries only ever extend the chain: each is the next index, after
    // the last entry's hash.
    const std::string prev =
        evidence_.empty() ? GenesisPrevHash() : EvidenceEntryHash(evidence_.back());
    if (entry->index() != evidence_.size() + 1 || entry->prev_hash() != prev) {
      return absl::DataLossError(absl::StrCat("evidence entry ", entry->index(),
                                              " does not follow entry ", evidence_.size()));
    }
    evidence_.push_back(*std::move(entry));
    return absl::OkStatus();
  }
  if (keyless_epochs_.contains(body.epoch())) return absl::OkStatus();  // forgotten, not faulty
  auto secret = epoch_secrets_.find(body.epoch());
  if (secret == epoch_secrets_.end()) return absl::DataLossError("no key for its epoch");
  auto section = OpenPlan(secret->second, body);
  if (!section.ok()) return section.status();
  // A section's versions from one author only increase. The same version
  // again, unchanged, is the page carried into a new epoch (CarryPlan).
  for (PlanRecord& earlier : plan_) {
    if (earlier.author != body.author() || earlier.section.section() != section->section()) {
      continue;
    }
    if (earlier.section.version() == section->version() &&
        earlier.section.SerializeAsString() == section->SerializeAsString()) {
      earlier.epoch = body.epoch();
      return absl::OkStatus();
    }
    if (earlier.section.version() >= section->version()) {
      return absl::DataLossError(absl::StrCat("version ", section->version(), " of ",
                                              section->section(), " comes after version ",
                                              earlier.section.version()));
    }
  }
  plan_.push_back(
      {event.seq(), event.server_time_ms(), body.author(), body.epoch(), *std::move(section)});
  return absl::OkStatus();
}

void GroupView::Record(const v1::Event& event, const v1::EventBody& body) {
  AuditEntry entry;
  entry.seq = event.seq();
  entry.server_time_ms = event.server_time_ms();
  entry.author = body.author();
  switch (body.kind_case()) {
    case v1::EventBody::kCreate:
      entry.action = "create";
      names_[body.author()] = body.create().creator().name();
      if (body.create().has_peer()) {
        names_[UserIdFor(body.create().peer().sign_pk())] = body.create().peer().name();
      }
      break;
    case v1::EventBody::kInvite:
      entry.action = "invite";
      if (!body.invite().invitee().empty()) entry.targets.push_back(body.invite().invitee());
      break;
    case v1::EventBody::kJoinRequest:
      entry.action = body.join_request().decline() ? "decline" : "join-request";
      names_[body.author()] = body.join_request().member().name();
      break;
    case v1::EventBody::kCommit: {
      const auto& c = body.commit();
      entry.action = c.add_size() > 0 ? "admit" : c.remove_size() > 0 ? "remove" : "rekey";
      entry.targets.assign(c.add().begin(), c.add().end());
      entry.targets.insert(entry.targets.end(), c.remove().begin(), c.remove().end());
      break;
    }
    case v1::EventBody::kRoleChange:
      entry.action = body.role_change().role() == v1::ROLE_MODERATOR ? "role:moderator" : "role:member";
      entry.targets.push_back(body.role_change().member());
      break;
    case v1::EventBody::kLeave: entry.action = "leave"; break;
    case v1::EventBody::kReport:
      entry.action = "report";
      reports_.push_back({event.seq(), event.server_time_ms(), body.author(), body.report()});
      break;
    case v1::EventBody::kModeration: {
      const auto& m = body.moderation();
      entry.action = ModerationActionName(m.action());
      if (!m.target().empty()) entry.targets.push_back(m.target());
      entry.rule = m.rule();
      entry.duration_ms = m.duration_ms();
      entry.resolves = m.resolves();
      break;
    }
    case v1::EventBody::kAlert:
      entry.action = absl::StrCat("alert:", absl::AsciiStrToLower(v1::Alert::Kind_Name(body.alert().kind())));
      break;
    case v1::EventBody::kRealert: entry.action = "realert"; break;
    default: return;
  }
  audit_.push_back(std::move(entry));
}

void GroupView::RecordAlert(const v1::Event& event, const v1::EventBody& body) {
  const std::string& id = body.has_alert() ? body.alert().alert_id() : body.realert().alert_id();
  AlertNotice notice{event.seq(), v1::Alert::RAISE, body.has_realert(), id, body.author()};
  if (body.has_realert()) {
    // The state accepted it, so the alert exists.
    for (AlertRecord& a : alerts_) {
      if (a.alert_id != id) continue;
      a.attempts = body.realert().attempt();
      a.last_sent_ms = event.server_time_ms();
    }
    alert_notices_.push_back(std::move(notice));
    return;
  }
  notice.kind = body.alert().kind();
  alert_notices_.push_back(std::move(notice));
  v1::AlertContent content;
  bool readable = false;
  if (auto secret = epoch_secrets_.find(body.epoch()); secret != epoch_secrets_.end()) {
    auto opened = OpenAlert(secret->second, body);
    if (opened.ok()) {
      content = *std::move(opened), readable = true;
    } else {
      NoteUnreadable(event, body, "alert", std::string(opened.status().message()));
    }
  }
  if (body.alert().kind() == v1::Alert::RAISE) {
    AlertRecord& a = alerts_.emplace_back();
    a.alert_id = id;
    a.seq = event.seq();
    a.raiser = body.author();
    a.raised_ms = a.last_sent_ms = event.server_time_ms();
    a.epoch = body.epoch();
    a.readable = readable;
    a.content = std::move(content);
    return;
  }
  for (AlertRecord& a : alerts_) {
    if (a.alert_id != id) continue;
    if (body.alert().kind() == v1::Alert::RESOLVE) {
      a.resolved = true;
      a.resolved_ms = event.server_time_ms();
    } else {
      a.acks.push_back({body.author(), event.server_time_ms(), content.eta_ms(), content.note()});
    }
  }
}

const AlertRecord* GroupView::FindAlert(std::string_view id) const {
  const AlertRecord* found = nullptr;
  for (const AlertRecord& a : alerts_) {
    const bool match = a.alert_id == id || (id.size() >= 8 && crypto::ToHex(a.alert_id).starts_with(id));
    if (!match) continue;
    if (found != nullptr) return nullptr;
    found = &a;
  }
  return found;
}

absl::StatusOr<v1::SignedEvent> GroupView::SealAlert(v1::Alert::Kind kind,
                                                     const std::string& alert_id,
                                                     uint64_t realert_after_ms,
                                                     const v1::AlertContent& content,
                                                     bool for_later) const {
  const std::string me = self_->user_id();
  if (!state_.IsMember(me)) return absl::PermissionDeniedError("you are not in this circle");
  auto secret = epoch_secrets_.find(state_.epoch());
  if (secret == epoch_secrets_.end()) {
    return absl::FailedPreconditionError("no key for the circle's current epoch");
  }
  v1::EventBody body;
  body.set_group_id(state_.group_id());
  body.set_author(me);
  body.set_epoch(state_.epoch());
  v1::Alert* alert = body.mutable_alert();
  alert->set_kind(kind);
  alert->set_alert_id(alert_id);
  alert->set_realert_after_ms(realert_after_ms);
  if (auto s = kith::SealAlert(secret->second, content, &body); !s.ok()) return s;
  if (!for_later) state_.StampPosition(&body);
  return SignEvent(body, self_->sign.secret_key);
}

absl::StatusOr<v1::AlertContent> GroupView::OpenSealedAlert(const v1::SignedEvent& alert) const {
  v1::EventBody body;
  if (!body.ParseFromString(alert.body()) || body.group_id() != state_.group_id() ||
      !body.has_alert()) {
    return absl::DataLossError("not a sealed alert of this circle");
  }
  auto secret = epoch_secrets_.find(body.epoch());
  if (secret == epoch_secrets_.end()) {
    return absl::NotFoundError("no key for the epoch this alert was sealed in");
  }
  auto content = OpenAlert(secret->second, body);
  if (!content.ok()) return absl::DataLossError(content.status().message());
  return content;
}

absl::StatusOr<v1::SignedEvent> GroupView::SealRecord(
    const std::function<absl::Status(const crypto::Secret&, v1::EventBody*)>& seal) const {
  auto secret = epoch_secrets_.find(state_.epoch());
  if (secret == epoch_secrets_.end()) return absl::FailedPreconditionError("no key for this epoch");
  v1::EventBody body;
  body.set_group_id(state_.group_id());
  body.set_author(self_->user_id());
  body.set_epoch(state_.epoch());
  if (auto s = seal(secret->second, &body); !s.ok()) return s;
  state_.StampPosition(&body);
  return SignEvent(body, self_->sign.secret_key);
}

absl::StatusOr<v1::SignedEvent> GroupView::SealEvidence(const v1::EvidenceEntry& entry) const {
  if (!state_.is_vault()) return absl::FailedPreconditionError("this is not your vault");
  // Under the vault key, not the epoch's: evidence outlives every rotation
  // and comes back with the recovery code.
  return SealRecord([&](const crypto::Secret&, v1::EventBody* body) {
    return kith::SealEvidence(VaultKey(), entry, body);
  });
}

absl::StatusOr<v1::SignedEvent> GroupView::SealPlan(const v1::PlanSection& section) const {
  if (!state_.is_vault() && !state_.is_direct()) {
    return absl::FailedPreconditionError("a plan lives in a vault or a direct conversation");
  }
  return SealRecord([&](const crypto::Secret& secret, v1::EventBody* body) {
    return kith::SealPlan(secret, section, body);
  });
}

const Message* GroupView::FindMessage(uint64_t seq) const {
  auto it = std::lower_bound(messages_.begin(), messages_.end(), seq,
                             [](const Message& m, uint64_t s) { return m.seq < s; });
  return it != messages_.end() && it->seq == seq ? &*it : nullptr;
}

std::string_view GroupView::EventHashAt(uint64_t seq) const {
  if (seq == 0 || seq > state_.head_seq()) return {};
  return std::string_view(hashes_).substr((seq - 1) * crypto::kHashBytes, crypto::kHashBytes);
}

std::string GroupView::NameOf(const std::string& user_id) const {
  auto it = names_.find(user_id);
  return it != names_.end() ? it->second : crypto::ToHex(user_id).substr(0, 8);
}

absl::StatusOr<crypto::Secret> GroupView::OpenEpochSecret(
    const std::string& group_id, const google::protobuf::RepeatedPtrField<v1::SealedSecret>& sealed,
    const std::string& confirmation, uint64_t epoch) {
  const std::string me = self_->user_id();
  for (const auto& s : sealed) {
    if (s.member() != me) continue;
    epoch_key_ids_[epoch] = s.key_id();
    const crypto::BoxKeyPair* key = &self_->box;
    if (s.key_id() != 0) {
      const MemberKeyRing::Key* member_key = self_->member_keys.Find(s.key_id());
      if (member_key == nullptr) {
        return absl::NotFoundError("sealed to a member key this device does not hold");
      }
      key = &member_key->pair;
    }
    auto plaintext = crypto::SealOpen(key->public_key, key->secret_key, s.sealed());
    if (!plaintext) return absl::DataLossError("the epoch secret sealed to you does not open");
    auto secret = ParseEpochSecretPlaintext(plaintext->view(), group_id, epoch);
    if (!secret.ok()) return secret.status();
    if (!crypto::ConstantTimeEqual(EpochConfirmation(*secret, group_id, epoch), confirmation)) {
      return absl::DataLossError(
          "the epoch secret sealed to you differs from the one the group confirms");
    }
    return secret;
  }
  return absl::DataLossError("no epoch secret is sealed to you in this re-key");
}

void GroupView::OpenMessage(const v1::Event& event, const v1::EventBody& body) {
  auto secret = epoch_secrets_.find(body.epoch());
  if (secret == epoch_secrets_.end()) {
    ++(keyless_epochs_.contains(body.epoch()) ? forgotten_ : unreadable_);
    return;
  }
  auto key = std::make_pair(body.epoch(), body.author());
  auto chain = chains_.find(key);
  if (chain == chains_.end()) {
    chain = chains_.emplace(key, SenderChain(secret->second, body.author())).first;
  }
  // The state machine has already checked the counter is the next one.
  MessageHeader header{state_.group_id(), body.epoch(), body.author(), body.message().counter()};
  // The chain steps even when the message does not open, so the sender's
  // next message opens as usual.
  crypto::Secret message_key = chain->second.Advance();
  auto content = DecryptMessage(message_key, header, body.message());
  Message m;
  m.seq = event.seq();
  m.epoch = body.epoch();
  m.sender = body.author();
  auto member = state_.members().find(body.author());
  if (member != state_.members().end()) m.sender_name = member->second.bundle.name();
  m.server_time_ms = event.server_time_ms();
  if (!content.ok()) {
    m.unreadable = std::string(content.status().message());
    NoteUnreadable(event, body, "message", m.unreadable);
    messages_.push_back(std::move(m));
    return;
  }
  m.text = std::move(*content->mutable_text());
  m.overridden_rules.assign(content->overridden_rules().begin(), content->overridden_rules().end());
  m.franking_key = std::move(*content->mutable_franking_key());
  messages_.push_back(std::move(m));
}

absl::StatusOr<v1::SignedEvent> GroupView::SealMessage(
    std::string_view text, const std::vector<std::string>& overridden_rules) const {
  v1::MessageContent content;
  content.set_text(std::string(text));
  for (const auto& rule : overridden_rules) content.add_overridden_rules(rule);
  auto sealed = SealMessages({std::move(content)});
  if (!sealed.ok()) return sealed.status();
  return std::move(sealed->front());
}

absl::StatusOr<std::vector<v1::SignedEvent>> GroupView::SealMessages(
    const std::vector<v1::MessageContent>& contents) const {
  const std::string me = self_->user_id();
  if (!state_.IsMember(me)) return absl::PermissionDeniedError("you are not a member of this group");
  auto secret = epoch_secrets_.find(state_.epoch());
  if (secret == epoch_secrets_.end()) {
    return absl::FailedPreconditionError("no key for the group's current epoch");
  }
  // A copy of the sending ratchet, stepped to this member's next counter.
  auto chain = chains_.find({state_.epoch(), me});
  SenderChain sender = chain != chains_.end() ? chain->second : SenderChain(secret->second, me);
  while (sender.next_counter() < state_.NextCounter(me)) sender.Advance();
  std::vector<v1::SignedEvent> out;
  out.reserve(contents.size());
  uint64_t author_counter = state_.NextAuthorCounter(me);
  for (const v1::MessageContent& content : contents) {
    MessageHeader header{state_.group_id(), state_.epoch(), me, sender.next_counter()};
    auto message = EncryptMessage(sender.Advance(), header, content);
    if (!message.ok()) return message.status();
    v1::EventBody body;
    body.set_group_id(state_.group_id());
    body.set_author(me);
    body.set_epoch(state_.epoch());
    *body.mutable_message() = *std::move(message);
    state_.StampPosition(&body);
    body.set_author_counter(author_counter++);  // written together: consecutive counters
    out.push_back(SignEvent(body, self_->sign.secret_key));
  }
  return out;
}

}  // namespace kith::client
