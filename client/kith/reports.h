// Reports and the moderators' queue (docs/protocol.md section 9). A member
// reports a message by revealing its text and franking key to the group's
// moderators, with the server's signed checkpoint over the log. A moderator
// accepts the report only if the text opens the franking tag the sender
// signed, and the checkpoint is the server's and fixes the very log the
// moderator verified. The server relays the sealed report and learns only
// that one was filed, and by whom.
#ifndef KITH_CLIENT_REPORTS_H_
#define KITH_CLIENT_REPORTS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "kith.pb.h"
#include "kith/group_view.h"

namespace kith::client {

// Checks `checkpoint` is signed by `server_pk` and fixes the log in `view`
// (which must have reached checkpoint.seq()). PERMISSION_DENIED otherwise:
// the server signed something other than the log it served, or someone
// forged its signature.
absl::Status VerifyCheckpointAgainst(const GroupView& view, std::string_view server_pk,
                                     const v1::Checkpoint& checkpoint);

// What a reporter reveals about the readable message at `message_seq`,
// placed in the log by `checkpoint` (already verified against `view`).
absl::StatusOr<v1::ReportContent> BuildReportContent(const GroupView& view,
                                                     const v1::Checkpoint& checkpoint,
                                                     uint64_t message_seq, std::string rule,
                                                     std::string note);

// Checks a report: its checkpoint (as VerifyCheckpointAgainst), that
// `reported` is the event at content.message_seq() in the verified log, and
// that the revealed text and key open the sender's franking tag. Returns the
// reported message's sender. INVALID_ARGUMENT if the text was altered.
absl::StatusOr<std::string> VerifyReport(const GroupView& view, std::string_view server_pk,
                                         const v1::ReportContent& content,
                                         const v1::Event& reported);

// An item waiting for a moderator: a message that was reported or that its
// sender sent despite the rules engine's warning (one item however many of
// those led to it), a report that fails verification, or an event whose
// content does not open (its sender's client is faulty or hostile).
struct QueueItem {
  enum class Kind { kReport, kOverride, kUnreadable };
  Kind kind = Kind::kReport;  // kReport when any verified report names the message
  uint64_t seq = 0;  // the earliest report or override: what a resolution names
  // The other reports and override about the same message, and the message
  // itself: a resolution closes them all, so a message earns one strike.
  std::vector<uint64_t> also;
  int64_t filed_ms = 0;
  std::string reporter;  // the first to report; the sender, for an override
  std::vector<std::string> reporters;  // everyone who reported it, in order
  bool overridden = false;  // its sender sent it despite the rules engine's warning
  // The message was resolved before (this report came later): only a
  // dismissal closes it, with no second strike.
  bool already_resolved = false;
  uint64_t message_seq = 0;
  std::string accused;  // the message's sender
  std::vector<std::string> rules;
  std::string note;
  std::string text;
  absl::Status verified;  // OK, or why the report cannot be trusted
};

// Sets `m`'s resolves and also_resolves to close `item`.
void SetResolves(const QueueItem& item, v1::Moderation* m);

}  // namespace kith::client

#endif  // KITH_CLIENT_REPORTS_H_
