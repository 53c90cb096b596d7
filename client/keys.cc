#include "kith/keys.h"

#include <set>
#include <vector>

#include "kith/protocol.h"

namespace kith::client {

bool Keys::UpkeepDue() const {
  const MemberKeyRing& ring = session_.identity().member_keys;
  return ring.keys().size() > 1 || ring.RotationDue(session_.NowMs());
}

absl::StatusOr<Keys::Upkept> Keys::Upkeep(bool rotate_now) {
  Upkept out;
  const int64_t now_ms = session_.NowMs();
  auto newest = [this] {
    const MemberKeyRing::Key* key = session_.identity().member_keys.Current();
    return key != nullptr ? key->id : 0;
  };
  const uint64_t before = newest();
  // Kept before anything is sealed to it, or its private half could be
  // lost with epochs already sealed to it. Decided on the keys as kept, so
  // two commands running at once make one new key, not two.
  if (auto s = session_.ChangeMemberKeys([&](MemberKeyRing& ring) {
        // A full ring makes room first (below), and rotates at the next Upkeep.
        if (ring.keys().size() >= kMaxMemberKeys) return;
        if ((rotate_now && ring.Current() != nullptr && ring.Current()->id == before) ||
            ring.RotationDue(now_ms)) {
          ring.Rotate(now_ms);
        }
      });
      !s.ok()) {
    return s;
  }
  out.rotated = newest() != before;
  out.held = session_.identity().member_keys.keys().size();
  if (out.held == 1) return out;

  auto groups = session_.ListGroups();
  if (!groups.ok()) return groups.status();
  // Keys a circle's current epoch is sealed to: a check-in released later
  // is sealed under it, so they give way to nothing. The rest (other
  // groups' epochs, open alerts, plan pages not yet carried) give way,
  // oldest first, so that a full ring has room for the next key.
  std::set<uint64_t> needed = {newest()}, vital = {newest()};
  bool waiting = false;
  for (const v1::GroupSummary& g : groups->groups()) {
    // A join request names the key its admission will be sealed to.
    if (g.pending()) waiting = true;
    if (g.invited() || g.pending()) continue;
    auto view = session_.RefreshKeys(g.group_id(), kEagerRekeyMembers);
    if (!view.ok()) return view.status();
    // Read first: a Sync below may replace the view.
    const GroupState& state = (*view)->state();
    const bool carries_plan = state.is_vault() || state.is_direct();
    const bool circle = state.is_circle();
    const bool own_circle = circle && state.owner() == session_.identity().user_id();
    if (carries_plan) {
      if (auto s = vault_.CarryPlan(g.group_id()); !s.ok()) return s;
      view = session_.Sync(g.group_id());
      if (!view.ok()) return view.status();
    }
    if (own_circle) {
      if (auto s = circle_.ResealPending(g.group_id(), **view); !s.ok()) return s;
    }
    const GroupView::KeysInUse in_use = (*view)->MemberKeysInUse(now_ms);
    needed.insert(in_use.current);
    needed.insert(in_use.held.begin(), in_use.held.end());
    if (circle) vital.insert(in_use.current);
  }
  std::vector<uint64_t> unneeded;
  size_t kept = 0;
  const auto& keys = session_.identity().member_keys.keys();
  for (const MemberKeyRing::Key& key : keys) kept += needed.contains(key.id);
  for (const MemberKeyRing::Key& key : keys) {  // oldest first
    if (!needed.contains(key.id)) {
      if (!waiting) unneeded.push_back(key.id);
    } else if (kept >= kMaxMemberKeys && !vital.contains(key.id)) {
      unneeded.push_back(key.id);
      --kept;
    }
  }
  if (!unneeded.empty()) {
    // Overwritten in place (Keystore::UpdateMemberKeys), so the old bytes
    // do not stay on the disk either.
    if (auto s = session_.ChangeMemberKeys([&](MemberKeyRing& ring) {
          for (uint64_t id : unneeded) ring.Erase(id);
        });
        !s.ok()) {
      return s;
    }
  }
  out.erased = unneeded.size();
  out.held = session_.identity().member_keys.keys().size();
  return out;
}

}  // namespace kith::client
