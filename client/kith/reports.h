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

// An item waiting for a moderator: a report, a message its sender sent
// despite the rules engine's warning, or an event whose content does not
// open (its sender's client is faulty or hostile).
struct QueueItem {
  enum class Kind { kReport, kOverride, kUnreadable };
  Kind kind = Kind::kReport;
  uint64_t seq = 0;  // the report event, or the overridden message: what a resolution names
  int64_t filed_ms = 0;
  std::string reporter;  // user id; the sender, for an override
  uint64_t message_seq = 0;
  std::string accused;  // the message's sender
  std::vector<std::string> rules;
  std::string note;
  std::string text;
  absl::Status verified;  // OK, or why the report cannot be trusted
};

}  // namespace kith::client

#endif  // KITH_CLIENT_REPORTS_H_
