// Forward secrecy (DESIGN.md S10, docs/protocol.md section 7), over a
// Session: rotates this person's member keys, keeps their groups sealed to
// the newest, carries what must outlive an epoch into the next, and erases
// an old key once no group needs it. A device seized afterwards holds no
// key to the epochs before, and the server's copy of them stays shut.
#ifndef KITH_CLIENT_KEYS_H_
#define KITH_CLIENT_KEYS_H_

#include <cstddef>

#include "absl/status/statusor.h"
#include "kith/circle.h"
#include "kith/session.h"
#include "kith/vault.h"

namespace kith::client {

class Keys {
 public:
  Keys(Session& session, Circle& circle, Vault& vault)
      : session_(session), circle_(circle), vault_(vault) {}

  // True when Upkeep has work: there is no member key, the newest is
  // kMemberKeyLifetimeMs old, or older ones are still held.
  bool UpkeepDue() const;

  struct Upkept {
    bool rotated = false;
    size_t erased = 0;  // older keys wiped
    size_t held = 0;    // keys still held, the newest included
  };
  // Makes a new member key when one is due, or at once with `rotate_now`,
  // and keeps it (Session::ChangeMemberKeys) before it is used. Then, in
  // each group: publishes the newest key, re-keys where this person may
  // and it is due, needs healing, or still seals someone a key they
  // replaced (small groups only, see kEagerRekeyMembers), carries their
  // plan pages and pending alerts into the new epoch, and notes which keys
  // the group still needs (GroupView::MemberKeysInUse). Finally erases
  // every older key nothing needs (none while a join request of theirs
  // waits) and, to stay below kMaxMemberKeys, the oldest a circle's
  // current epoch does not need (a full ring rotates at the next Upkeep).
  // A failure part way erases nothing; the next Upkeep goes on from there.
  absl::StatusOr<Upkept> Upkeep(bool rotate_now = false);

  // Above this many members, a group re-keys for a rotated key only on its
  // schedule (GroupState::RekeyDue): every member's rotation re-keying it
  // would cost each member work in proportion to the group's size, for
  // every member, every day.
  static constexpr size_t kEagerRekeyMembers = 50;

 private:
  Session& session_;
  Circle& circle_;
  Vault& vault_;
};

}  // namespace kith::client

#endif  // KITH_CLIENT_KEYS_H_
