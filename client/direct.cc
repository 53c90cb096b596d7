// The direct-conversation half of Client, and a person's boundaries. A
// direct conversation is a group of kind KIND_DIRECT whose creation seals
// epoch 1 to both people; the server keeps one per pair and applies the
// recipient's boundaries to every message in it.
#include "absl/strings/str_cat.h"
#include "kith/client.h"
#include "kith/event_builder.h"

namespace kith::client {

absl::StatusOr<std::string> Client::OpenDirect(const std::string& user_id, bool create) {
  if (user_id == identity_.user_id()) {
    return absl::InvalidArgumentError("a direct conversation is with someone else");
  }
  // Twice at most: a conversation the other person started meanwhile wins.
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto groups = Groups();
    if (!groups.ok()) return groups.status();
    for (const v1::GroupSummary& g : groups->groups()) {
      if (g.charter().kind() == v1::KIND_DIRECT && g.peer() == user_id) return g.group_id();
    }
    if (!create) return absl::NotFoundError("you have no conversation with this person yet");
    auto peer = GetIdentity(user_id);
    if (!peer.ok()) return peer.status();
    NewGroup group = BuildDirectCreate(identity_, *peer);
    v1::CreateGroupRequest req;
    *req.mutable_create() = std::move(group.create);
    v1::AppendReply reply;
    auto s = Call([&](auto* ctx) { return stub_->CreateGroup(ctx, req, &reply); });
    if (s.ok()) return group.group_id;
    if (s.code() != absl::StatusCode::kAlreadyExists) return s;
  }
  return absl::UnavailableError("could not open the conversation; try again");
}

absl::StatusOr<v1::Boundaries> Client::GetBoundaries() {
  v1::Boundaries reply;
  if (auto s = Call([&](auto* ctx) { return stub_->GetBoundaries(ctx, v1::Empty(), &reply); });
      !s.ok()) {
    return s;
  }
  return reply;
}

absl::StatusOr<v1::Boundaries> Client::SetBoundaries(const v1::Boundaries& boundaries) {
  v1::Boundaries reply;
  if (auto s = Call([&](auto* ctx) { return stub_->SetBoundaries(ctx, boundaries, &reply); });
      !s.ok()) {
    return s;
  }
  return reply;
}

}  // namespace kith::client
