// Groups and their moderation, over a Session: creating a group, inviting
// and admitting people, membership and roles, messages, reports and the
// moderators' queue, and direct conversations (groups of two).
#ifndef KITH_CLIENT_GROUPS_H_
#define KITH_CLIENT_GROUPS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "kith.pb.h"
#include "kith/lookalikes.h"
#include "kith/reports.h"
#include "kith/session.h"

namespace kith::client {

// "kith:<group id hex>:<invite secret hex>", given out of band.
struct InviteCode {
  std::string group_id;
  std::string secret;
  std::string ToString() const;
  static absl::StatusOr<InviteCode> Parse(std::string_view code);
};

struct PendingMember {
  std::string user_id;
  std::string name;
  uint64_t seq = 0;
  // People the log knows under a name that reads the same (lookalikes.h).
  std::vector<Lookalike> lookalikes;
};

class Groups {
 public:
  explicit Groups(Session& session) : session_(session) {}

  // Creates a group owned by this person; returns its id.
  absl::StatusOr<std::string> CreateGroup(v1::Charter charter);
  absl::StatusOr<v1::Charter> GetCharter(const std::string& group_id);
  // Opens a single-use invitation (moderators).
  absl::StatusOr<InviteCode> Invite(const std::string& group_id);
  // Asks to join, signing acceptance of `accepted`, the charter as read.
  absl::Status Join(const InviteCode& code, const v1::Charter& accepted);
  absl::StatusOr<std::vector<PendingMember>> Pending(const std::string& group_id);
  // Membership changes re-key the group (moderators).
  absl::Status Admit(const std::string& group_id, const std::vector<std::string>& user_ids);
  absl::Status Remove(const std::string& group_id, const std::string& user_id);
  absl::Status SetRole(const std::string& group_id, const std::string& user_id, v1::Role role);
  absl::Status Leave(const std::string& group_id);
  // A moderation action (by a moderator or the owner), or stepping away
  // (STEP_AWAY, about oneself). Returns the event's sequence number. A
  // removal or ban is followed by a re-key, so the person reads nothing new.
  absl::StatusOr<uint64_t> Moderate(const std::string& group_id, const v1::Moderation& action);
  // A new epoch with the same members.
  absl::Status Rekey(const std::string& group_id);

  // Encrypts and sends; returns the message's sequence number once durable.
  // `overridden_rules`: rules the engine flagged that the sender chose to
  // break anyway; they travel encrypted, for moderators to see.
  absl::StatusOr<uint64_t> Send(const std::string& group_id, std::string_view text,
                                const std::vector<std::string>& overridden_rules = {});

  // Reports the message at `message_seq` to the group's moderators under
  // `rule` (a charter rule name, or empty), with an optional note. Returns
  // the report's sequence number.
  absl::StatusOr<uint64_t> Report(const std::string& group_id, uint64_t message_seq,
                                  std::string rule, std::string note);
  // Open reports and overrides, oldest first, each report checked
  // (QueueItem::verified). Moderators only.
  absl::StatusOr<std::vector<QueueItem>> ModerationQueue(const std::string& group_id);

  // The direct conversation with `user_id`; with `create`, started on first
  // use (refused if their boundaries refuse this person). Send and Sync
  // take its id like any group's. The server keeps one per pair and applies
  // the recipient's boundaries to every message in it.
  absl::StatusOr<std::string> OpenDirect(const std::string& user_id, bool create);

 private:
  // Sends a group's creation event.
  absl::Status SendCreate(v1::SignedEvent create);

  Session& session_;
};

}  // namespace kith::client

#endif  // KITH_CLIENT_GROUPS_H_
