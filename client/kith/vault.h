// A person's vault, over a Session: a group of kind KIND_VAULT with them as
// its only member, holding their evidence log (client/evidence.cc) and
// their safety plan (client/plan.cc). Evidence entries are chained to the
// one before by hash and timestamped by the server, which signs the hash
// without seeing the entry. Plan sections are versioned here and copied,
// section by section, into direct conversations with the contacts the
// owner chooses.
#ifndef KITH_CLIENT_VAULT_H_
#define KITH_CLIENT_VAULT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kith.pb.h"
#include "kith/group_view.h"
#include "kith/groups.h"
#include "kith/session.h"

namespace kith::client {

class Vault {
 public:
  Vault(Session& session, Groups& groups) : session_(session), groups_(groups) {}

  // This person's vault's group id; with `create`, made on first use.
  absl::StatusOr<std::string> Own(bool create);

  // --- The evidence log ---

  // Adds an entry: chains it to the last one, has the server timestamp its
  // hash (checked against the pinned key), seals it and appends it.
  absl::StatusOr<v1::EvidenceEntry> AddEvidence(std::string text, std::string attachment_name,
                                                std::string attachment);
  // Every entry, in order (empty without a vault).
  absl::StatusOr<std::vector<v1::EvidenceEntry>> Evidence();
  // A server-signed head over `entries`, for an export.
  absl::StatusOr<v1::EvidenceHead> SignEvidenceHead(const std::vector<v1::EvidenceEntry>& entries);
  // The server's signature over `hash` and the time it saw it, checked.
  absl::StatusOr<v1::Timestamp> GetTimestamp(const std::string& hash);

  // --- The safety plan ---

  // Every version of every section, oldest first (empty without a vault).
  absl::StatusOr<std::vector<PlanRecord>> PlanHistory();
  // Writes the next version of `section`: `text` (kept as it was if null),
  // with `attach` added, and sends it to every contact it is shared with.
  absl::StatusOr<v1::PlanSection> EditPlan(const std::string& section, const std::string* text,
                                           std::vector<v1::PlanAttachment> attach);
  // Starts or stops sharing `section` with `user_id`. Sharing sends the
  // latest version now and each later one; unsharing sends a notice and
  // nothing after it.
  absl::StatusOr<v1::PlanSection> SharePlan(const std::string& section, const std::string& user_id,
                                            bool share);
  // The sections `owner_id` shares with this person now, at their latest versions.
  absl::StatusOr<std::vector<PlanRecord>> SharedPlan(const std::string& owner_id);
  // Copies this person's latest page of each section in `group_id` (their
  // vault, or a direct conversation they share sections in) into the
  // current epoch, unchanged, where it is sealed under an earlier one: so
  // the plan outlives the member key the earlier epoch was sealed to, and
  // only its older versions are lost when that key is erased (Keys).
  absl::Status CarryPlan(const std::string& group_id);

 private:
  // Appends `next` to the vault as its section's next version, then sends
  // a copy to each of `deliver_to`, and to `unshared` (if set) the notice
  // that the section is no longer shared with them.
  absl::StatusOr<v1::PlanSection> CommitPlan(v1::PlanSection next,
                                             const std::vector<std::string>& deliver_to,
                                             const std::string& unshared);

  Session& session_;
  Groups& groups_;
};

}  // namespace kith::client

#endif  // KITH_CLIENT_VAULT_H_
