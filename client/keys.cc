#include "kith/keys.h"

#include <set>

#include "kith/protocol.h"

namespace kith::client {

bool Keys::UpkeepDue() const {
  const MemberKeyRing& ring = session_.identity().member_keys;
  const MemberKeyRing::Key* current = ring.Current();
  return current == nullptr || ring.keys().size() > 1 ||
         session_.NowMs() - static_cast<int64_t>(current->id) >= kMemberKeyLifetimeMs;
}

absl::StatusOr<Keys::Upkept> Keys::Upkeep(bool rotate_now) {
  Upkept out;
  MemberKeyRing& ring = session_.mutable_member_keys();
  const MemberKeyRing::Key* current = ring.Current();
  const bool due = current == nullptr || rotate_now ||
                   session_.NowMs() - static_cast<int64_t>(current->id) >= kMemberKeyLifetimeMs;
  // A full ring waits for the groups that still need its oldest key.
  if (due && ring.keys().size() < kMaxMemberKeys) {
    const uint64_t id = ring.Rotate(session_.NowMs()).id;
    // Kept before anything is sealed to it, or its private half could be
    // lost with epochs already sealed to it.
    if (auto s = session_.SaveIdentity(); !s.ok()) {
      ring.Discard(id);
      return s;
    }
    out.rotated = true;
  }
  out.held = ring.keys().size();
  if (ring.keys().size() == 1) return out;

  auto groups = session_.ListGroups();
  if (!groups.ok()) return groups.status();
  std::set<uint64_t> needed = {ring.Current()->id};
  for (const v1::GroupSummary& g : groups->groups()) {
    if (g.invited() || g.pending()) continue;
    auto view = session_.RefreshKeys(g.group_id(), kEagerRekeyMembers);
    if (!view.ok()) return view.status();
    const GroupState& state = (*view)->state();
    if (state.is_vault() || state.is_direct()) {
      if (auto s = vault_.CarryPlan(g.group_id()); !s.ok()) return s;
    }
    if (state.is_circle() && state.owner() == session_.identity().user_id()) {
      if (auto s = circle_.ResealPending(g.group_id(), **view); !s.ok()) return s;
    }
    needed.merge((*view)->MemberKeysInUse());
  }
  std::vector<uint64_t> unneeded;
  for (const MemberKeyRing::Key& key : ring.keys()) {
    if (!needed.contains(key.id)) unneeded.push_back(key.id);
  }
  for (uint64_t id : unneeded) ring.Erase(id);
  out.erased = unneeded.size();
  out.held = ring.keys().size();
  if (out.erased > 0) {
    // Overwritten in place (Keystore::Save), so the old bytes do not stay
    // on the disk either.
    if (auto s = session_.SaveIdentity(); !s.ok()) return s;
  }
  return out;
}

}  // namespace kith::client
