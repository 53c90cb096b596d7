#include "kith/group_state.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "kith/crypto.h"
#include "kith/protocol.h"
#include "kith/rules.h"
#include "kith/strike_ladder.h"

namespace kith {
namespace {

std::string Short(const std::string& id) { return crypto::ToHex(id).substr(0, 8); }


std::string UtcTime(int64_t ms) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", absl::FromUnixMillis(ms), absl::UTCTimeZone());
}

constexpr char kHowToAppeal[] = "; to appeal, write to a moderator or the owner directly";

// Actions about one member, who must be named; the others are about the
// group, or (DISMISS) about a report only.
bool IsTargeted(v1::Moderation::Action action) {
  switch (action) {
    case v1::Moderation::STEP_AWAY:
    case v1::Moderation::WARN:
    case v1::Moderation::PAUSE:
    case v1::Moderation::MUTE:
    case v1::Moderation::REMOVE:
    case v1::Moderation::BAN:
      return true;
    default:
      return false;
  }
}

constexpr size_t kSealedReportKeyBytes = crypto::kSealOverheadBytes + crypto::kKeyBytes;
// A report carries at most a message's text, a note and a checkpoint.
constexpr size_t kMaxReportCiphertextBytes = kMaxTextBytes + kMaxReportNoteBytes + 1024;

constexpr size_t kSealedEpochSecretBytes =
    crypto::kSealOverheadBytes + kIdBytes + 8 + crypto::kKeyBytes;

absl::Status CheckCharter(const v1::Charter& charter) {
  if (charter.name().empty() || charter.name().size() > kMaxGroupNameBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("group name must be 1 to ", kMaxGroupNameBytes, " bytes"));
  }
  if (charter.crisis_resources().size() > kMaxCharterTextBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("crisis resources text is over ", kMaxCharterTextBytes, " bytes"));
  }
  if (charter.rules_size() > static_cast<int>(moderation::kMaxRules)) {
    return absl::InvalidArgumentError(
        absl::StrCat("a charter has at most ", moderation::kMaxRules, " rules"));
  }
  for (const auto& rule : charter.rules()) {
    if (!moderation::IsValidRule(rule)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown rule '", rule.substr(0, 40),
          "': use no_contempt, no_name_calling, no_yelling, no_threats, no_personal_info "
          "or custom:<text>"));
    }
  }
  if (auto s = ValidateStrikeLadder(charter); !s.ok()) return s;
  if (!v1::GroupKind_IsValid(charter.kind())) {
    return absl::InvalidArgumentError("unknown group kind");
  }
  if (charter.kind() != v1::KIND_SUPPORT_GROUP && charter.rules_size() > 0) {
    return absl::InvalidArgumentError("only support groups have ground rules");
  }
  if (charter.rules_version() != 1) {
    return absl::InvalidArgumentError("a new group's rules version must be 1");
  }
  return absl::OkStatus();
}

// A member key as the log carries it: an id and a 32-byte public key.
absl::Status ValidateMemberKey(const v1::MemberKey& key) {
  if (key.id() == 0 || key.box_pk().size() != crypto::kBoxPublicKeyBytes) {
    return absl::InvalidArgumentError("a member key has an id and a 32-byte public key");
  }
  return absl::OkStatus();
}

// Exactly one well-formed sealed secret for each user in `members` (user id
// -> the id of the member key it must be sealed to: their latest, or 0, the
// long-term key, when they have published none).
absl::Status CheckSecrets(const google::protobuf::RepeatedPtrField<v1::SealedSecret>& secrets,
                          const std::map<std::string, uint64_t>& members,
                          const std::string& confirmation) {
  if (confirmation.size() != crypto::kHashBytes) {
    return absl::InvalidArgumentError("epoch confirmation must be 32 bytes");
  }
  if (secrets.size() != static_cast<int>(members.size())) {
    return absl::InvalidArgumentError(absl::StrCat("re-key seals ", secrets.size(),
                                                   " secrets for ", members.size(), " members"));
  }
  std::set<std::string> seen;
  for (const auto& s : secrets) {
    auto member = members.find(s.member());
    if (member == members.end() || !seen.insert(s.member()).second) {
      return absl::InvalidArgumentError("re-key seals a secret for a non-member or twice");
    }
    if (s.sealed().size() != kSealedEpochSecretBytes) {
      return absl::InvalidArgumentError("sealed epoch secret has the wrong size");
    }
    // Only the latest key: an older one may be erased already, or be the
    // one a thief took.
    if (s.key_id() != member->second) {
      return absl::FailedPreconditionError(absl::StrCat(
          "re-key seals to another key of ", Short(s.member()),
          " than their latest member key; refresh the group and try again"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

v1::Role GroupState::RoleOf(const std::string& user_id) const {
  auto it = members_.find(user_id);
  return it == members_.end() ? v1::ROLE_NONE : it->second.role;
}

std::string_view GroupState::ReportWithheldFrom(uint64_t seq) const {
  auto it = report_withheld_from_.find(seq);
  return it == report_withheld_from_.end() ? std::string_view() : std::string_view(it->second);
}

std::string GroupState::PeerOf(const std::string& user_id) const {
  for (const auto& [id, info] : members_) {
    if (id != user_id) return id;
  }
  return {};
}

uint64_t GroupState::NextCounter(const std::string& user_id) const {
  auto it = last_counter_.find(user_id);
  return it == last_counter_.end() ? 1 : it->second + 1;
}

uint64_t GroupState::NextAuthorCounter(const std::string& user_id) const {
  auto it = last_author_counter_.find(user_id);
  return it == last_author_counter_.end() ? 1 : it->second + 1;
}

uint64_t GroupState::InviteSeqOf(const std::string& user_id) const {
  auto it = invited_.find(user_id);
  return it == invited_.end() ? 0 : it->second;
}

std::string_view GroupState::RecentHash(uint64_t seq) const {
  if (seq == 0 || seq > head_seq_ || seq + kRefWindow <= head_seq_) return {};
  return std::string_view(recent_hashes_)
      .substr(((seq - 1) % kRefWindow) * crypto::kHashBytes, crypto::kHashBytes);
}

namespace {

// Events that carry no author counter: those that introduce their author
// (a creation counts as 1), the server's own, and alert raises, which their
// alert id makes unique and which may be sealed long before they are sent.
bool IsUncounted(const v1::EventBody& body) {
  return body.has_join_request() || body.has_realert() ||
         (body.has_alert() && body.alert().kind() == v1::Alert::RAISE);
}

}  // namespace

void GroupState::StampPosition(v1::EventBody* body) const {
  body->set_ref_seq(head_seq_);
  body->set_ref_hash(head_hash_);
  body->set_author_counter(IsUncounted(*body) ? 0 : NextAuthorCounter(body->author()));
}

absl::Status GroupState::CheckPosition(const v1::EventBody& body,
                                       SignatureCheck signatures) const {
  if (body.has_create()) {
    if (body.ref_seq() != 0 || !body.ref_hash().empty() || body.author_counter() != 1) {
      return absl::InvalidArgumentError("a creation refers to no event and is its author's first");
    }
    return absl::OkStatus();
  }
  const bool uncounted = IsUncounted(body);
  if (uncounted && body.author_counter() != 0) {
    return absl::InvalidArgumentError("join requests, re-alerts and alert raises carry no counter");
  }
  if (body.ref_seq() == 0 && uncounted) {
    // A joiner has not seen the log; a raise may be sealed for later (a
    // check-in or duress alarm); the server's own events are its word.
    if (!body.ref_hash().empty()) {
      return absl::InvalidArgumentError("an event that refers to no event carries no hash");
    }
    return absl::OkStatus();
  }
  if (body.has_join_request() || body.has_realert()) {
    return absl::InvalidArgumentError("join requests and re-alerts refer to no event");
  }
  if (body.ref_seq() == 0 || body.ref_seq() > head_seq_) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the event refers to event ", body.ref_seq(), ", which is not in the log before it"));
  }
  // Only the last kRefWindow hashes are kept, on both ends, so a reference
  // further back cannot be checked; it is refused, or a server could carry
  // an event across a fork by holding it back until its reference is too
  // old to check. An honest author refers to the head they just read.
  const std::string_view ref_hash = RecentHash(body.ref_seq());
  if (ref_hash.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the event was written against event ", body.ref_seq(), ", more than ", kRefWindow,
        " events ago; read the group again and write it again"));
  }
  if (signatures != SignatureCheck::kTrustStored &&
      !crypto::ConstantTimeEqual(ref_hash, body.ref_hash())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "its author had verified a different event ", body.ref_seq(),
        ": the server has shown two different histories (or the author forged the reference)"));
  }
  if (uncounted) return absl::OkStatus();
  const uint64_t expected = NextAuthorCounter(body.author());
  if (body.author_counter() < expected) {
    return absl::AlreadyExistsError(absl::StrCat(
        "the author's event ", body.author_counter(), " is already in the log (a replay?); the next is ",
        expected));
  }
  if (body.author_counter() > expected) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the author's counter skips from ", expected - 1, " to ", body.author_counter()));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::EventBody> GroupState::Parse(const v1::SignedEvent& signed_event) {
  if (signed_event.body().size() > kMaxEventBodyBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("event is ", signed_event.body().size(), " bytes; the limit is ",
                     kMaxEventBodyBytes));
  }
  v1::EventBody body;
  if (!body.ParseFromString(signed_event.body())) {
    return absl::InvalidArgumentError("event body is not a valid EventBody");
  }
  return body;
}

absl::StatusOr<v1::EventBody> GroupState::Check(const v1::SignedEvent& signed_event,
                                                SignatureCheck signatures,
                                                int64_t now_ms) const {
  auto body = Parse(signed_event);
  if (!body.ok()) return body;
  if (auto s = Check(signed_event, *body, signatures, now_ms); !s.ok()) return s;
  return body;
}

absl::Status GroupState::Check(const v1::SignedEvent& signed_event, const v1::EventBody& body,
                               SignatureCheck signatures, int64_t now_ms) const {
  if (body.author().size() != kIdBytes || body.group_id().size() != kIdBytes) {
    return absl::InvalidArgumentError("event author and group id must be 16 bytes");
  }
  if (created() && body.group_id() != group_id_) {
    return absl::InvalidArgumentError("event names another group");
  }

  auto sign_pk = AuthorSigningKey(body);
  if (!sign_pk.ok()) return sign_pk.status();
  // Authenticity first, so a forger learns nothing of the group's state.
  if (signatures == SignatureCheck::kVerify && !VerifyEventSignature(signed_event, *sign_pk)) {
    return absl::InvalidArgumentError("event signature does not verify for its author");
  }
  if (auto s = CheckPosition(body, signatures); !s.ok()) return s;
  absl::Status kind_status;
  switch (body.kind_case()) {
    case v1::EventBody::kCreate: kind_status = CheckCreate(body); break;
    case v1::EventBody::kJoinRequest: kind_status = CheckJoinRequest(body, signatures); break;
    default:
      // A check-in's alert is sealed when scheduled and may be released
      // after a re-key: it keeps the epoch it was sealed in.
      if (body.epoch() != epoch_ && !(body.has_alert() && body.alert().kind() == v1::Alert::RAISE &&
                                      body.epoch() >= 1 && body.epoch() < epoch_)) {
        return absl::FailedPreconditionError(absl::StrCat(
            "stale epoch ", body.epoch(), ": the group is at epoch ", epoch_,
            "; refresh the group and try again"));
      }
      // A vault is one person's private log: their evidence and safety plan.
      // A direct conversation holds two people's messages and the plan
      // sections they share. Both re-key (either person in a direct one,
      // which heals a faulty secret, section 7) and carry member keys.
      const bool keys = body.has_member_key() || (body.has_commit() && body.commit().add().empty() &&
                                                  body.commit().remove().empty());
      if (is_vault() && !body.has_evidence() && !body.has_plan() && !keys) {
        return absl::FailedPreconditionError(
            "a vault holds only its owner's evidence entries, safety plan and keys");
      }
      if (is_direct() && !body.has_message() && !body.has_plan() && !keys) {
        return absl::FailedPreconditionError(
            "a direct conversation holds only its two people's messages, shared plan sections "
            "and keys");
      }
      if (body.has_evidence() && !is_vault()) {
        return absl::InvalidArgumentError("evidence entries belong in their author's vault");
      }
      if (body.has_plan() && !is_vault() && !is_direct()) {
        return absl::InvalidArgumentError(
            "a safety plan lives in its owner's vault and is shared in direct conversations");
      }
      switch (body.kind_case()) {
        case v1::EventBody::kInvite: kind_status = CheckInvite(body); break;
        case v1::EventBody::kCommit: kind_status = CheckCommit(body); break;
        case v1::EventBody::kRoleChange: kind_status = CheckRoleChange(body); break;
        case v1::EventBody::kLeave: kind_status = CheckLeave(body); break;
        case v1::EventBody::kMessage: kind_status = CheckMessage(body, now_ms); break;
        case v1::EventBody::kModeration: kind_status = CheckModeration(body); break;
        case v1::EventBody::kReport: kind_status = CheckReport(body); break;
        case v1::EventBody::kAlert: kind_status = CheckAlert(body); break;
        case v1::EventBody::kMemberKey: kind_status = CheckMemberKey(body, now_ms); break;
        case v1::EventBody::kRealert:
          kind_status = is_circle() ? alerts_.CheckRealert(body.realert(), now_ms)
                                    : absl::InvalidArgumentError("only circles have alerts");
          break;
        case v1::EventBody::kEvidence:
        case v1::EventBody::kPlan:
          kind_status = is_vault() && RoleOf(body.author()) != v1::ROLE_OWNER
                            ? absl::PermissionDeniedError("only the vault's owner writes in it")
                            : absl::OkStatus();
          break;
        default: return absl::InvalidArgumentError("unknown event kind");
      }
  }
  return kind_status;
}

absl::StatusOr<std::string> GroupState::AuthorSigningKey(const v1::EventBody& body) const {
  switch (body.kind_case()) {
    case v1::EventBody::kCreate:
      return body.create().creator().sign_pk();
    case v1::EventBody::kJoinRequest:
      return body.join_request().member().sign_pk();
    case v1::EventBody::KIND_NOT_SET:
      return absl::InvalidArgumentError("event has no kind");
    case v1::EventBody::kRealert:
      if (body.author() != ServerAuthor()) {
        return absl::PermissionDeniedError("only the server sends alerts again");
      }
      return server_key_;
    default:
      break;
  }
  if (!created()) return absl::FailedPreconditionError("group does not exist yet");
  auto it = members_.find(body.author());
  if (it == members_.end()) {
    return absl::PermissionDeniedError(
        absl::StrCat("author ", Short(body.author()), " is not a member of this group"));
  }
  return it->second.bundle.sign_pk();
}

absl::Status GroupState::CheckCreate(const v1::EventBody& body) const {
  if (created()) return absl::FailedPreconditionError("group already exists");
  const auto& c = body.create();
  if (auto s = ValidateBundle(c.creator()); !s.ok()) return s;
  if (body.author() != UserIdFor(c.creator().sign_pk())) {
    return absl::InvalidArgumentError("creator's user id does not match their key");
  }
  if (c.nonce().size() != kIdBytes || body.group_id() != GroupIdFor(c.creator().sign_pk(), c.nonce())) {
    return absl::InvalidArgumentError("group id is not derived from the creator's key and nonce");
  }
  if (body.epoch() != 1) return absl::InvalidArgumentError("a group starts at epoch 1");
  if (c.has_creator_key()) {
    if (auto s = ValidateMemberKey(c.creator_key()); !s.ok()) return s;
  }
  if (auto s = CheckCharter(c.charter()); !s.ok()) return s;
  if (c.charter().kind() != v1::KIND_DIRECT) {
    if (c.has_peer()) return absl::InvalidArgumentError("only a direct conversation names a peer");
    return CheckSecrets(c.secrets(), {{body.author(), c.creator_key().id()}}, c.confirmation());
  }
  if (auto s = ValidateBundle(c.peer()); !s.ok()) return s;
  const std::string peer = UserIdFor(c.peer().sign_pk());
  if (peer == body.author()) {
    return absl::InvalidArgumentError("a direct conversation is with someone else");
  }
  // The peer has published no member key here yet: their long-term key.
  return CheckSecrets(c.secrets(), {{body.author(), c.creator_key().id()}, {peer, 0}},
                      c.confirmation());
}

absl::Status GroupState::CheckInvite(const v1::EventBody& body) const {
  if (!IsModerator(body.author())) {
    return absl::PermissionDeniedError("only moderators can invite");
  }
  const v1::Invite& invite = body.invite();
  if (!invite.invitee().empty()) {
    if (!invite.code_hash().empty() || invite.invitee().size() != kIdBytes) {
      return absl::InvalidArgumentError("an invitation names one 16-byte user id and no code");
    }
    if (IsMember(invite.invitee())) return absl::AlreadyExistsError("already a member");
    if (IsInvited(invite.invitee()) || IsPending(invite.invitee())) {
      return absl::AlreadyExistsError("this person's invitation is already open");
    }
    if (IsBanned(invite.invitee())) {
      return absl::FailedPreconditionError("this person is banned from the group");
    }
    return absl::OkStatus();
  }
  if (is_circle()) {
    return absl::InvalidArgumentError("a circle invites people by their user id, not by code");
  }
  if (invite.code_hash().size() != crypto::kHashBytes ||
      invite.code_key().size() != crypto::kSignPublicKeyBytes) {
    return absl::InvalidArgumentError("an invite code's hash and key must be 32 bytes each");
  }
  if (open_invites_.contains(invite.code_hash())) {
    return absl::AlreadyExistsError("this invite already exists");
  }
  return absl::OkStatus();
}

absl::Status GroupState::CheckJoinRequest(const v1::EventBody& body,
                                          SignatureCheck signatures) const {
  if (!created()) return absl::FailedPreconditionError("group does not exist yet");
  if (is_vault()) return absl::FailedPreconditionError("nobody joins another person's vault");
  const auto& j = body.join_request();
  if (auto s = ValidateBundle(j.member()); !s.ok()) return s;
  if (body.author() != UserIdFor(j.member().sign_pk())) {
    return absl::InvalidArgumentError("joiner's user id does not match their key");
  }
  if (IsBanned(body.author())) {
    return absl::PermissionDeniedError(
        "you were banned from this group and cannot ask to join it again with this identity");
  }
  if (IsMember(body.author())) return absl::AlreadyExistsError("already a member of this group");
  if (j.has_member_key()) {
    if (auto s = ValidateMemberKey(j.member_key()); !s.ok()) return s;
  }
  if (IsPending(body.author())) {
    return absl::AlreadyExistsError(
        "you already asked to join this group (an invite code is used once): a moderator will "
        "admit you");
  }
  if (j.code_hash().empty()) {
    if (!IsInvited(body.author())) {
      return absl::PermissionDeniedError("no invitation to you is open in this group");
    }
    if (j.invite_seq() != InviteSeqOf(body.author())) {
      return absl::FailedPreconditionError(absl::StrCat(
          "this answer is to the invitation at ", j.invite_seq(), "; the open one is at ",
          InviteSeqOf(body.author()), ": list your groups again and answer it"));
    }
    if (j.decline()) return absl::OkStatus();
  } else {
    auto invite = open_invites_.find(j.code_hash());
    if (invite == open_invites_.end() || !invite->second.open) {
      return absl::PermissionDeniedError("invite code is not valid or was already used");
    }
    if (j.decline()) return absl::InvalidArgumentError("only an addressed invitation is declined");
    // Only someone given the code can make this proof, so a server cannot
    // join by the code.
    if (signatures != SignatureCheck::kTrustStored &&
        !crypto::Verify(invite->second.code_key, kInviteProofLabel,
                        InviteProofInput(body.group_id(), body.author()), j.code_proof())) {
      return absl::PermissionDeniedError(
          "the join request does not prove it was made with the invite code");
    }
  }
  if (j.rules_version() != charter_.rules_version() || j.rules_hash() != CharterHash(charter_)) {
    return absl::FailedPreconditionError(
        "the group's rules changed since you read them; read the charter again and accept");
  }
  return absl::OkStatus();
}

absl::Status GroupState::CheckCommit(const v1::EventBody& body) const {
  const auto& c = body.commit();
  const v1::Role author_role = RoleOf(body.author());
  if ((c.add_size() > 0 || c.remove_size() > 0) && !IsModeratorRole(author_role)) {
    return absl::PermissionDeniedError("only moderators can admit or remove members");
  }
  // A contact has no reason to re-key someone's circle, and could use it to
  // keep another contact from reading alerts (a faulty secret each time).
  if (is_circle() && author_role != v1::ROLE_OWNER) {
    return absl::PermissionDeniedError("only a circle's owner re-keys it");
  }
  if (c.new_epoch() != epoch_ + 1) {
    return absl::FailedPreconditionError(
        absl::StrCat("re-key must move to epoch ", epoch_ + 1, ", not ", c.new_epoch()));
  }
  std::map<std::string, uint64_t> after;  // member -> the key to seal to
  for (const auto& [id, info] : members_) after[id] = info.member_key.id();
  for (const auto& id : c.remove()) {
    auto it = members_.find(id);
    if (it == members_.end()) {
      return absl::FailedPreconditionError(absl::StrCat(Short(id), " is not a member"));
    }
    if (it->second.role == v1::ROLE_OWNER) {
      return absl::PermissionDeniedError("the owner cannot be removed");
    }
    if (it->second.role == v1::ROLE_MODERATOR && author_role != v1::ROLE_OWNER) {
      return absl::PermissionDeniedError("only the owner can remove a moderator");
    }
    if (after.erase(id) == 0) return absl::InvalidArgumentError("member removed twice");
  }
  for (const auto& id : c.add()) {
    auto pending = pending_.find(id);
    if (pending == pending_.end()) {
      return absl::FailedPreconditionError(
          absl::StrCat(Short(id), " has no pending join request"));
    }
    if (!after.emplace(id, pending->second.member_key.id()).second) {
      return absl::InvalidArgumentError("member added twice");
    }
  }
  if (after.size() > kMaxGroupMembers) {
    return absl::ResourceExhaustedError(
        absl::StrCat("a group has at most ", kMaxGroupMembers, " members"));
  }
  return CheckSecrets(c.secrets(), after, c.confirmation());
}

absl::Status GroupState::CheckMemberKey(const v1::EventBody& body, int64_t now_ms) const {
  if (auto s = ValidateMemberKey(body.member_key()); !s.ok()) return s;
  // AuthorSigningKey has checked the author is a member.
  const MemberInfo& author = members_.at(body.author());
  if (body.member_key().id() == author.member_key.id()) {
    return absl::AlreadyExistsError("this member key is already your latest here");
  }
  if (author.member_key_ms != 0 && now_ms - author.member_key_ms < kMinMemberKeyIntervalMs) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "a new member key at most every ", kMinMemberKeyIntervalMs / 60000,
        " minutes; the last came in ", (now_ms - author.member_key_ms) / 1000, " s ago"));
  }
  return absl::OkStatus();
}

bool GroupState::RekeyDue() const {
  return epoch_messages_ >= kRekeyMessages || head_time_ms_ - epoch_started_ms_ >= kRekeyIntervalMs;
}

bool GroupState::MayRekey(const std::string& user_id) const {
  return IsMember(user_id) && (!is_circle() || RoleOf(user_id) == v1::ROLE_OWNER);
}

absl::Status GroupState::CheckRoleChange(const v1::EventBody& body) const {
  const auto& r = body.role_change();
  if (is_circle()) {
    return absl::FailedPreconditionError("a circle has no moderators besides its owner");
  }
  if (RoleOf(body.author()) != v1::ROLE_OWNER) {
    return absl::PermissionDeniedError("only the owner can change roles");
  }
  if (r.role() != v1::ROLE_MEMBER && r.role() != v1::ROLE_MODERATOR) {
    return absl::InvalidArgumentError("role must be member or moderator");
  }
  v1::Role current = RoleOf(r.member());
  if (current == v1::ROLE_NONE) return absl::FailedPreconditionError("not a member");
  if (current == v1::ROLE_OWNER) return absl::PermissionDeniedError("the owner's role is fixed");
  return absl::OkStatus();
}

absl::Status GroupState::CheckLeave(const v1::EventBody& body) const {
  if (RoleOf(body.author()) == v1::ROLE_OWNER) {
    return absl::FailedPreconditionError("the owner cannot leave their own group");
  }
  return absl::OkStatus();
}

absl::Status GroupState::CheckModeration(const v1::EventBody& body) const {
  using M = v1::Moderation;
  const M& m = body.moderation();
  if (is_circle()) {
    return absl::FailedPreconditionError("a circle is not moderated: its owner removes people");
  }
  if (m.action() == M::ACTION_UNSPECIFIED || !M::Action_IsValid(m.action())) {
    return absl::InvalidArgumentError("unknown moderation action");
  }
  constexpr uint64_t kMaxDurationMs = 30ull * 24 * 3600 * 1000;
  constexpr uint64_t kMaxSlowIntervalMs = 24ull * 3600 * 1000;
  switch (m.action()) {
    case M::STEP_AWAY: case M::PAUSE: case M::MUTE: case M::PAUSE_GROUP:
      if (m.duration_ms() < 1000 || m.duration_ms() > kMaxDurationMs) {
        return absl::InvalidArgumentError("duration must be from 1 second to 30 days");
      }
      break;
    case M::SLOW:
      if (m.duration_ms() > kMaxSlowIntervalMs) {
        return absl::InvalidArgumentError("slow mode's interval is at most 1 day (0 turns it off)");
      }
      break;
    default:
      if (m.duration_ms() != 0) return absl::InvalidArgumentError("this action takes no duration");
  }
  if (!m.rule().empty() && !moderation::IsValidRule(m.rule())) {
    return absl::InvalidArgumentError(absl::StrCat("'", m.rule(), "' is not a ground rule"));
  }
  const bool targeted = IsTargeted(m.action());
  if (targeted && m.target().size() != kIdBytes) {
    return absl::InvalidArgumentError("this action needs the member's 16-byte user id");
  }
  if (!targeted && m.action() != M::LIFT && !m.target().empty()) {
    return absl::InvalidArgumentError("slow mode, group pauses and dismissals name no member");
  }
  if (m.action() == M::DISMISS && m.resolves() == 0) {
    return absl::InvalidArgumentError("a dismissal names the report it closes");
  }
  if (m.action() == M::STEP_AWAY) {
    if (m.target() != body.author()) {
      return absl::PermissionDeniedError("only members themselves can step away");
    }
    if (m.resolves() != 0) return absl::InvalidArgumentError("stepping away resolves no report");
    return absl::OkStatus();
  }
  const v1::Role author = RoleOf(body.author());
  if (!IsModeratorRole(author)) {
    return absl::PermissionDeniedError("only the group's moderators can take moderation actions");
  }
  if (m.also_resolves_size() > 0 && m.resolves() == 0) {
    return absl::InvalidArgumentError("also_resolves needs resolves");
  }
  if (m.also_resolves_size() > kMaxAlsoResolves) {
    return absl::InvalidArgumentError(
        absl::StrCat("one action resolves at most ", kMaxAlsoResolves + 1, " items"));
  }
  std::set<uint64_t> items;
  if (m.resolves() != 0) items.insert(m.resolves());
  for (uint64_t seq : m.also_resolves()) {
    if (seq == 0 || !items.insert(seq).second) {
      return absl::InvalidArgumentError("also_resolves names an item twice, or item 0");
    }
  }
  for (uint64_t seq : items) {
    if (seq > head_seq_) {
      return absl::InvalidArgumentError(absl::StrCat("there is no event ", seq, " to resolve yet"));
    }
    if (IsResolved(seq)) {
      return absl::AlreadyExistsError(
          absl::StrCat("event ", seq, " was already resolved by a moderator"));
    }
    if (ReportWithheldFrom(seq) == body.author()) {
      return absl::PermissionDeniedError(absl::StrCat(
          "report ", seq, " concerns your own message and was withheld from you: the group's "
          "other moderators answer it"));
    }
  }
  if (!m.target().empty() && m.target() == body.author()) {
    return absl::PermissionDeniedError(
        "nobody moderates themselves: another moderator acts on your messages");
  }
  if (m.target().empty()) return absl::OkStatus();
  const v1::Role target = RoleOf(m.target());
  if (target == v1::ROLE_NONE) {
    return absl::FailedPreconditionError(IsBanned(m.target())
                                             ? "this person is already banned from the group"
                                             : "not a member of this group");
  }
  if (target == v1::ROLE_OWNER || (target == v1::ROLE_MODERATOR && author != v1::ROLE_OWNER)) {
    return absl::PermissionDeniedError(
        "moderators answer to the owner: only the owner can act on a moderator, and nobody on the owner");
  }
  return absl::OkStatus();
}

absl::Status GroupState::CheckReport(const v1::EventBody& body) const {
  const v1::Report& r = body.report();
  if (is_circle()) return absl::FailedPreconditionError("a circle has no moderators to report to");
  std::set<std::string> moderators;
  for (const auto& [id, info] : members_) {
    if (IsModeratorRole(info.role)) moderators.insert(id);
  }
  if (!r.withheld_from().empty() && moderators.erase(r.withheld_from()) == 0) {
    return absl::FailedPreconditionError(
        "a report is withheld only from a moderator: refresh the group and try again");
  }
  if (moderators.empty()) {
    return absl::FailedPreconditionError(
        "the group has no other moderator to receive a report about its only moderator");
  }
  if (r.keys_size() != static_cast<int>(moderators.size())) {
    return absl::FailedPreconditionError(absl::StrCat(
        "a report is sealed to each of the group's ", moderators.size(),
        " moderators it goes to; this one to ", r.keys_size(), ": refresh the group and try again"));
  }
  std::set<std::string> seen;
  for (const auto& key : r.keys()) {
    if (!moderators.contains(key.member())) {
      return absl::FailedPreconditionError(
          "a report is sealed to someone who is not a moderator: refresh the group and try again");
    }
    if (!seen.insert(key.member()).second) {
      return absl::InvalidArgumentError("a report is sealed to the same moderator twice");
    }
    if (key.sealed().size() != kSealedReportKeyBytes) {
      return absl::InvalidArgumentError("sealed report key has the wrong size");
    }
  }
  if (r.nonce().size() != crypto::kAeadNonceBytes || r.ciphertext().size() < crypto::kAeadTagBytes ||
      r.key_commitment().size() != crypto::kHashBytes) {
    return absl::InvalidArgumentError("report nonce, ciphertext or key commitment is malformed");
  }
  if (r.ciphertext().size() > kMaxReportCiphertextBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "report is too large: a note is at most ", kMaxReportNoteBytes, " bytes"));
  }
  return absl::OkStatus();
}

// Alerts go out even while a re-key is pending: a person in danger must not
// wait for one. A member who just left is no longer served the log, though
// the alert is sealed under an epoch they held.
absl::Status GroupState::CheckAlert(const v1::EventBody& body) const {
  if (!is_circle()) return absl::InvalidArgumentError("only circles carry alerts");
  return alerts_.CheckAlert(body, RoleOf(body.author()) == v1::ROLE_OWNER);
}

absl::Status GroupState::CheckMessage(const v1::EventBody& body, int64_t now_ms) const {
  const auto& m = body.message();
  const MemberInfo& author = members_.at(body.author());
  const int64_t until = std::max(author.paused_until_ms, author.muted_until_ms);
  if (until > now_ms) {
    return absl::FailedPreconditionError(absl::StrCat(
        "a moderator has ", author.muted_until_ms >= author.paused_until_ms ? "muted" : "paused",
        " you in this group", author.restriction_rule.empty() ? "" : " under its ",
        author.restriction_rule, author.restriction_rule.empty() ? "" : " rule", " until ",
        UtcTime(until), kHowToAppeal));
  }
  if (!IsModeratorRole(author.role)) {
    if (group_paused_until_ms_ > now_ms) {
      return absl::FailedPreconditionError(absl::StrCat(
          "a moderator paused the whole group to let things cool down; only moderators post until ",
          UtcTime(group_paused_until_ms_)));
    }
    if (slow_interval_ms_ > 0 && author.last_post_ms > 0 &&
        now_ms < author.last_post_ms + slow_interval_ms_) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the group is in slow mode (one message per member every ", slow_interval_ms_ / 1000,
          " s); you can post again at ", UtcTime(author.last_post_ms + slow_interval_ms_)));
    }
  }
  if (author.accepted_rules_version != charter_.rules_version()) {
    return absl::FailedPreconditionError(
        "you have not accepted the group's current ground rules; read the charter and accept");
  }
  if (needs_rekey_) {
    return absl::FailedPreconditionError(
        "a member left and the group must be re-keyed before anyone posts");
  }
  const uint64_t expected = NextCounter(body.author());
  if (m.counter() < expected) {
    return absl::AlreadyExistsError(
        absl::StrCat("message counter ", m.counter(), " was already used in epoch ", epoch_,
                     " (a replay?); the next is ", expected));
  }
  if (m.counter() > expected) {
    return absl::InvalidArgumentError(
        absl::StrCat("message counter ", m.counter(), " skips ahead; the next is ", expected));
  }
  if (m.nonce().size() != crypto::kAeadNonceBytes || m.commitment().size() != crypto::kHashBytes) {
    return absl::InvalidArgumentError("message nonce or commitment has the wrong size");
  }
  if (m.ciphertext().size() > kMaxCiphertextBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "message is too large: the limit is ", kMaxTextBytes, " bytes of text"));
  }
  if (m.ciphertext().size() < kPadBlockBytes + crypto::kAeadTagBytes ||
      (m.ciphertext().size() - crypto::kAeadTagBytes) % kPadBlockBytes != 0) {
    return absl::InvalidArgumentError("message ciphertext is not padded to a whole block");
  }
  return absl::OkStatus();
}

void GroupState::Apply(const v1::EventBody& body, const v1::Event& event, std::string event_hash) {
  head_seq_ = event.seq();
  head_hash_ = std::move(event_hash);
  const size_t slot = ((head_seq_ - 1) % kRefWindow) * crypto::kHashBytes;
  if (recent_hashes_.size() == slot) {
    recent_hashes_.append(head_hash_);  // the window is still filling
  } else {
    recent_hashes_.replace(slot, crypto::kHashBytes, head_hash_);
  }
  if (body.author_counter() != 0) last_author_counter_[body.author()] = body.author_counter();
  head_time_ms_ = event.server_time_ms();
  switch (body.kind_case()) {
    case v1::EventBody::kCreate: {
      const auto& c = body.create();
      group_id_ = body.group_id();
      owner_ = body.author();
      charter_ = c.charter();
      epoch_ = 1;
      epoch_started_ms_ = event.server_time_ms();
      epoch_messages_ = 0;
      MemberInfo& owner = members_[body.author()];
      owner.bundle = c.creator();
      owner.member_key = c.creator_key();
      owner.sealed_key_id = c.creator_key().id();
      owner.role = v1::ROLE_OWNER;
      owner.accepted_rules_version = c.charter().rules_version();
      owner.admitted_epoch = 1;
      owner.admitted_ms = event.server_time_ms();
      if (is_direct()) {
        MemberInfo& peer = members_[UserIdFor(c.peer().sign_pk())];
        peer.bundle = c.peer();
        peer.accepted_rules_version = c.charter().rules_version();
        peer.admitted_epoch = 1;
        peer.admitted_ms = event.server_time_ms();
      }
      break;
    }
    case v1::EventBody::kInvite:
      if (body.invite().invitee().empty()) {
        open_invites_[body.invite().code_hash()] = CodeInvite{body.invite().code_key(), true};
      } else {
        invited_[body.invite().invitee()] = event.seq();
      }
      break;
    case v1::EventBody::kJoinRequest: {
      const auto& j = body.join_request();
      if (j.code_hash().empty()) {
        invited_.erase(body.author());
        if (j.decline()) break;
      } else {
        open_invites_[j.code_hash()].open = false;
      }
      pending_[body.author()] =
          PendingJoin{j.member(), j.rules_version(), event.seq(), j.member_key()};
      break;
    }
    case v1::EventBody::kCommit: {
      const auto& c = body.commit();
      for (const auto& id : c.remove()) members_.erase(id);
      for (const auto& id : c.add()) {
        auto node = pending_.extract(id);
        MemberInfo& member = members_[id];
        member = MemberInfo();
        member.bundle = std::move(node.mapped().bundle);
        member.accepted_rules_version = node.mapped().rules_version;
        member.admitted_epoch = c.new_epoch();
        member.admitted_ms = event.server_time_ms();
        member.member_key = std::move(node.mapped().member_key);
      }
      for (auto& [id, member] : members_) member.sealed_key_id = member.member_key.id();
      stale_seals_.clear();
      epoch_ = c.new_epoch();
      epoch_started_ms_ = event.server_time_ms();
      epoch_messages_ = 0;
      needs_rekey_ = false;
      last_counter_.clear();
      break;
    }
    case v1::EventBody::kRoleChange:
      members_[body.role_change().member()].role = body.role_change().role();
      break;
    case v1::EventBody::kLeave:
      members_.erase(body.author());
      stale_seals_.erase(body.author());
      needs_rekey_ = true;
      break;
    case v1::EventBody::kMemberKey: {
      MemberInfo& author = members_.at(body.author());
      // The first key replacing none (a direct conversation's peer) is free.
      if (author.member_key.id() != 0) author.member_key_ms = event.server_time_ms();
      author.member_key = body.member_key();
      stale_seals_.insert(body.author());
      break;
    }
    case v1::EventBody::kMessage:
      ++epoch_messages_;
      last_counter_[body.author()] = body.message().counter();
      // Only slow mode reads it; it starts counting when slow mode starts.
      if (slow_interval_ms_ > 0) members_.at(body.author()).last_post_ms = event.server_time_ms();
      break;
    case v1::EventBody::kModeration:
      ApplyModeration(body.moderation(), event.server_time_ms());
      break;
    case v1::EventBody::kAlert:
    case v1::EventBody::kRealert:
      alerts_.Apply(body, event.seq(), event.server_time_ms());
      break;
    case v1::EventBody::kReport:
      if (!body.report().withheld_from().empty()) {
        report_withheld_from_[event.seq()] = body.report().withheld_from();
      }
      break;
    case v1::EventBody::kEvidence:
    case v1::EventBody::kPlan:
    case v1::EventBody::KIND_NOT_SET:
      break;
  }
}

void GroupState::ApplyModeration(const v1::Moderation& m, int64_t server_time_ms) {
  using M = v1::Moderation;
  if (m.resolves() != 0) resolved_.insert(m.resolves());
  for (uint64_t seq : m.also_resolves()) resolved_.insert(seq);
  if (!report_withheld_from_.empty()) {
    report_withheld_from_.erase(m.resolves());
    for (uint64_t seq : m.also_resolves()) report_withheld_from_.erase(seq);
  }
  const int64_t until = server_time_ms + static_cast<int64_t>(m.duration_ms());
  switch (m.action()) {
    case M::SLOW: slow_interval_ms_ = static_cast<int64_t>(m.duration_ms()); return;
    case M::PAUSE_GROUP: group_paused_until_ms_ = until; return;
    case M::BAN: banned_.insert(m.target()); [[fallthrough]];
    case M::REMOVE:
      members_.erase(m.target());
      stale_seals_.erase(m.target());
      needs_rekey_ = true;
      return;
    default: break;
  }
  if (m.target().empty()) {
    if (m.action() == M::LIFT) group_paused_until_ms_ = 0;
    return;
  }
  MemberInfo& target = members_.at(m.target());
  switch (m.action()) {
    case M::STEP_AWAY: target.away_until_ms = until; break;
    case M::WARN: ++target.strikes; break;
    case M::PAUSE: target.paused_until_ms = until, ++target.strikes; break;
    case M::MUTE: target.muted_until_ms = until, ++target.strikes; break;
    case M::LIFT: target.paused_until_ms = target.muted_until_ms = 0; break;
    default: break;
  }
  if (m.action() == M::PAUSE || m.action() == M::MUTE) target.restriction_rule = m.rule();
}

absl::StatusOr<v1::EventBody> GroupState::ApplyLogged(const v1::Event& event,
                                                      SignatureCheck signatures) {
  if (auto s = CheckLink(event, head_seq_, head_hash_); !s.ok()) return s;
  if (created() && event.group_id() != group_id_) {
    return absl::DataLossError(absl::StrCat("event ", event.seq(), " belongs to another group"));
  }
  auto body = Check(event.signed_(), signatures, event.server_time_ms());
  if (!body.ok()) {
    return absl::Status(body.status().code(), absl::StrCat("event ", event.seq(), " rejected: ",
                                                           body.status().message()));
  }
  if (body->group_id() != event.group_id()) {
    return absl::DataLossError(absl::StrCat("event ", event.seq(), " names another group"));
  }
  Apply(*body, event, EventHash(event));
  return body;
}

}  // namespace kith
