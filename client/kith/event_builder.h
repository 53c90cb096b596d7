// Builds and signs the events a client appends to a group's log. Each takes
// the author's identity and the group's current verified state, and binds
// the event to that state's head and the author's next counter.
#ifndef KITH_CLIENT_EVENT_BUILDER_H_
#define KITH_CLIENT_EVENT_BUILDER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kith.pb.h"
#include "kith/group_state.h"
#include "kith/identity.h"

namespace kith::client {

struct NewGroup {
  std::string group_id;
  v1::SignedEvent create;
};
// A new group owned by `author`, at epoch 1 with a fresh secret sealed to them.
NewGroup BuildCreate(const Identity& author, v1::Charter charter);
// A direct conversation between `author` and `peer`, sealed to both.
NewGroup BuildDirectCreate(const Identity& author, const v1::IdentityBundle& peer);

v1::SignedEvent BuildInvite(const Identity& author, const GroupState& state,
                            const std::string& invite_secret);
// An invitation only `invitee` can answer.
v1::SignedEvent BuildAddressedInvite(const Identity& author, const GroupState& state,
                                     const std::string& invitee);

// Signs acceptance of `accepted`, the charter as the joiner read it, and
// proves possession of the invite code. An empty `invite_secret` answers the
// invitation addressed to the author at `invite_seq`.
v1::SignedEvent BuildJoinRequest(const Identity& author, const std::string& group_id,
                                 const std::string& invite_secret, const v1::Charter& accepted,
                                 uint64_t invite_seq = 0);
// Declines the invitation addressed to the author at `invite_seq`.
v1::SignedEvent BuildDecline(const Identity& author, const std::string& group_id,
                             uint64_t invite_seq);

// A re-key into epoch state.epoch() + 1, adding pending joiners and removing
// members, with a fresh secret sealed to every member after the change, to
// their latest member key.
absl::StatusOr<v1::SignedEvent> BuildCommit(const Identity& author, const GroupState& state,
                                            const std::vector<std::string>& add,
                                            const std::vector<std::string>& remove);

// Publishes the author's current member key (Identity::member_keys) in the group.
v1::SignedEvent BuildMemberKey(const Identity& author, const GroupState& state);

v1::SignedEvent BuildRoleChange(const Identity& author, const GroupState& state,
                                const std::string& member, v1::Role role);

v1::SignedEvent BuildLeave(const Identity& author, const GroupState& state);

v1::SignedEvent BuildModeration(const Identity& author, const GroupState& state,
                                const v1::Moderation& action);

// A report sealed to every moderator and the owner in `state`, except
// `accused` (the reported message's sender) when they are one of them: it
// is then withheld from them (Report.withheld_from).
v1::SignedEvent BuildReport(const Identity& author, const GroupState& state,
                            const v1::ReportContent& content, std::string_view accused = {});

}  // namespace kith::client

#endif  // KITH_CLIENT_EVENT_BUILDER_H_
