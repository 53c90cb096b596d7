#include "kith/event_builder.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "kith/crypto.h"
#include "kith/message_crypto.h"
#include "kith/protocol.h"

namespace kith::client {
namespace {

// The common header of an event written now by `author`.
v1::EventBody Body(const Identity& author, const GroupState& state) {
  v1::EventBody body;
  body.set_group_id(state.group_id());
  body.set_author(author.user_id());
  body.set_epoch(state.epoch());
  return body;
}

// Binds `body` to where it goes in `state`'s log, and signs it.
v1::SignedEvent Stamped(const Identity& author, const GroupState& state, v1::EventBody body) {
  state.StampPosition(&body);
  return SignEvent(body, author.sign.secret_key);
}

// The key a member's epoch secret is sealed to: their latest member key,
// or their long-term key while they have published none.
v1::MemberKey SealingKey(const v1::IdentityBundle& bundle, const v1::MemberKey& member_key) {
  if (member_key.id() != 0) return member_key;
  v1::MemberKey long_term;
  long_term.set_box_pk(bundle.box_pk());
  return long_term;
}

// Seals `secret` for `epoch` to each of `keys` (user id -> key).
void SealEpochSecret(const std::string& group_id, uint64_t epoch, const crypto::Secret& secret,
                     const std::map<std::string, v1::MemberKey>& keys,
                     google::protobuf::RepeatedPtrField<v1::SealedSecret>* out,
                     std::string* confirmation) {
  std::string plaintext = EpochSecretPlaintext(group_id, epoch, secret);
  for (const auto& [id, key] : keys) {
    v1::SealedSecret* s = out->Add();
    s->set_member(id);
    s->set_sealed(crypto::Seal(key.box_pk(), plaintext));
    s->set_key_id(key.id());
  }
  crypto::Wipe(plaintext);
  *confirmation = EpochConfirmation(secret, group_id, epoch);
}

// A new group owned by `author`; with `peer`, a direct conversation with them.
NewGroup BuildGroup(const Identity& author, v1::Charter charter, const v1::IdentityBundle* peer) {
  charter.set_rules_version(1);
  const std::string nonce = crypto::RandomBytes(kIdBytes);
  NewGroup out{GroupIdFor(author.sign.public_key, nonce), {}};
  v1::EventBody body;
  body.set_group_id(out.group_id);
  body.set_author(author.user_id());
  body.set_epoch(1);
  body.set_author_counter(1);
  v1::GroupCreate* create = body.mutable_create();
  create->set_nonce(nonce);
  *create->mutable_creator() = author.Bundle();
  *create->mutable_charter() = std::move(charter);
  if (author.member_keys.Current() != nullptr) {
    *create->mutable_creator_key() = author.member_keys.Published();
  }
  std::map<std::string, v1::MemberKey> members = {
      {author.user_id(), SealingKey(create->creator(), create->creator_key())}};
  if (peer != nullptr) {
    *create->mutable_peer() = *peer;
    members[UserIdFor(peer->sign_pk())] = SealingKey(*peer, v1::MemberKey());
  }
  SealEpochSecret(out.group_id, 1, crypto::Secret::Random(crypto::kKeyBytes), members,
                  create->mutable_secrets(), create->mutable_confirmation());
  out.create = SignEvent(body, author.sign.secret_key);
  return out;
}

}  // namespace

NewGroup BuildCreate(const Identity& author, v1::Charter charter) {
  return BuildGroup(author, std::move(charter), nullptr);
}

NewGroup BuildDirectCreate(const Identity& author, const v1::IdentityBundle& peer) {
  v1::Charter charter;
  charter.set_kind(v1::KIND_DIRECT);
  charter.set_name("Direct");
  return BuildGroup(author, std::move(charter), &peer);
}

v1::SignedEvent BuildInvite(const Identity& author, const GroupState& state,
                            const std::string& invite_secret) {
  v1::EventBody body = Body(author, state);
  body.mutable_invite()->set_code_hash(InviteCodeHash(invite_secret));
  body.mutable_invite()->set_code_key(
      InviteKeyPair(crypto::Secret::FromString(invite_secret)).public_key);
  return Stamped(author, state, std::move(body));
}

v1::SignedEvent BuildAddressedInvite(const Identity& author, const GroupState& state,
                                     const std::string& invitee) {
  v1::EventBody body = Body(author, state);
  body.mutable_invite()->set_invitee(invitee);
  return Stamped(author, state, std::move(body));
}

v1::SignedEvent BuildDecline(const Identity& author, const std::string& group_id,
                             uint64_t invite_seq) {
  v1::EventBody body;
  body.set_group_id(group_id);
  body.set_author(author.user_id());
  *body.mutable_join_request()->mutable_member() = author.Bundle();
  body.mutable_join_request()->set_decline(true);
  body.mutable_join_request()->set_invite_seq(invite_seq);
  return SignEvent(body, author.sign.secret_key);
}

v1::SignedEvent BuildJoinRequest(const Identity& author, const std::string& group_id,
                                 const std::string& invite_secret, const v1::Charter& accepted,
                                 uint64_t invite_seq) {
  v1::EventBody body;
  body.set_group_id(group_id);
  body.set_author(author.user_id());
  v1::JoinRequest* join = body.mutable_join_request();
  *join->mutable_member() = author.Bundle();
  if (!invite_secret.empty()) {
    join->set_code_hash(InviteCodeHash(invite_secret));
    const crypto::SigningKeyPair code_key = InviteKeyPair(crypto::Secret::FromString(invite_secret));
    join->set_code_proof(crypto::Sign(code_key.secret_key, kInviteProofLabel,
                                      InviteProofInput(group_id, author.user_id())));
  }
  join->set_invite_seq(invite_seq);
  if (author.member_keys.Current() != nullptr) {
    *join->mutable_member_key() = author.member_keys.Published();
  }
  join->set_rules_version(accepted.rules_version());
  join->set_rules_hash(CharterHash(accepted));
  return SignEvent(body, author.sign.secret_key);
}

absl::StatusOr<v1::SignedEvent> BuildCommit(const Identity& author, const GroupState& state,
                                            const std::vector<std::string>& add,
                                            const std::vector<std::string>& remove) {
  std::map<std::string, v1::MemberKey> box_keys;  // every member after the change
  for (const auto& [id, member] : state.members()) {
    box_keys[id] = SealingKey(member.bundle, member.member_key);
  }
  for (const auto& id : remove) box_keys.erase(id);
  for (const auto& id : add) {
    auto pending = state.pending().find(id);
    if (pending == state.pending().end()) {
      return absl::FailedPreconditionError(
          absl::StrCat(crypto::ToHex(id), " has no pending join request in this group"));
    }
    box_keys[id] = SealingKey(pending->second.bundle, pending->second.member_key);
  }
  v1::EventBody body = Body(author, state);
  v1::Commit* commit = body.mutable_commit();
  for (const auto& id : add) commit->add_add(id);
  for (const auto& id : remove) commit->add_remove(id);
  commit->set_new_epoch(state.epoch() + 1);
  SealEpochSecret(state.group_id(), commit->new_epoch(), crypto::Secret::Random(crypto::kKeyBytes),
                  box_keys, commit->mutable_secrets(), commit->mutable_confirmation());
  return Stamped(author, state, std::move(body));
}

v1::SignedEvent BuildMemberKey(const Identity& author, const GroupState& state) {
  v1::EventBody body = Body(author, state);
  *body.mutable_member_key() = author.member_keys.Published();
  return Stamped(author, state, std::move(body));
}

v1::SignedEvent BuildRoleChange(const Identity& author, const GroupState& state,
                                const std::string& member, v1::Role role) {
  v1::EventBody body = Body(author, state);
  body.mutable_role_change()->set_member(member);
  body.mutable_role_change()->set_role(role);
  return Stamped(author, state, std::move(body));
}

v1::SignedEvent BuildLeave(const Identity& author, const GroupState& state) {
  v1::EventBody body = Body(author, state);
  body.mutable_leave();
  return Stamped(author, state, std::move(body));
}

v1::SignedEvent BuildModeration(const Identity& author, const GroupState& state,
                                const v1::Moderation& action) {
  v1::EventBody body = Body(author, state);
  *body.mutable_moderation() = action;
  return Stamped(author, state, std::move(body));
}

v1::SignedEvent BuildReport(const Identity& author, const GroupState& state,
                            const v1::ReportContent& content, std::string_view accused) {
  const bool withheld = !accused.empty() && state.IsModerator(std::string(accused));
  std::map<std::string, std::string> moderators;
  for (const auto& [id, member] : state.members()) {
    if (IsModeratorRole(member.role) && !(withheld && id == accused)) {
      moderators[id] = member.bundle.box_pk();
    }
  }
  v1::EventBody body = Body(author, state);
  *body.mutable_report() = SealReport(content, state.group_id(), author.user_id(), moderators);
  if (withheld) body.mutable_report()->set_withheld_from(std::string(accused));
  return Stamped(author, state, std::move(body));
}

}  // namespace kith::client
