#include "kith/reports.h"

#include "absl/strings/str_cat.h"
#include "kith/protocol.h"
#include "kith/rules.h"

namespace kith::client {

absl::Status VerifyCheckpointAgainst(const GroupView& view, std::string_view server_pk,
                                     const v1::Checkpoint& checkpoint) {
  if (!VerifyCheckpoint(checkpoint, server_pk)) {
    return absl::PermissionDeniedError(
        "the checkpoint is not signed by this server's checkpoint key (a forged binding)");
  }
  if (checkpoint.group_id() != view.state().group_id()) {
    return absl::PermissionDeniedError("the checkpoint is for another group");
  }
  const std::string_view hash = view.EventHashAt(checkpoint.seq());
  if (hash.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the checkpoint covers event ", checkpoint.seq(), ", which this log has not reached"));
  }
  if (hash != checkpoint.head_hash()) {
    return absl::PermissionDeniedError(absl::StrCat(
        "the server's signed checkpoint at event ", checkpoint.seq(),
        " does not match the log you verified: the server served two different histories"));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::ReportContent> BuildReportContent(const GroupView& view,
                                                     const v1::Checkpoint& checkpoint,
                                                     uint64_t message_seq, std::string rule,
                                                     std::string note) {
  if (!rule.empty() && !moderation::IsValidRule(rule)) {
    return absl::InvalidArgumentError(absl::StrCat("'", rule, "' is not a ground rule"));
  }
  if (note.size() > kMaxReportNoteBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("a report's note is at most ", kMaxReportNoteBytes, " bytes"));
  }
  const Message* message = view.FindMessage(message_seq);
  if (message == nullptr) {
    return absl::NotFoundError(absl::StrCat("event ", message_seq,
                                            " is not a message you can read in this group"));
  }
  if (checkpoint.seq() < message_seq) {
    return absl::FailedPreconditionError("the server's checkpoint does not cover the message yet");
  }
  v1::ReportContent content;
  content.set_message_seq(message_seq);
  content.set_rule(std::move(rule));
  content.set_note(std::move(note));
  content.set_text(message->text);
  content.set_franking_key(message->franking_key);
  *content.mutable_checkpoint() = checkpoint;
  return content;
}

absl::StatusOr<std::string> VerifyReport(const GroupView& view, std::string_view server_pk,
                                         const v1::ReportContent& content,
                                         const v1::Event& reported) {
  if (auto s = VerifyCheckpointAgainst(view, server_pk, content.checkpoint()); !s.ok()) return s;
  if (content.checkpoint().seq() < content.message_seq()) {
    return absl::PermissionDeniedError("the report's checkpoint does not cover the reported message");
  }
  if (reported.seq() != content.message_seq() ||
      EventHash(reported) != view.EventHashAt(content.message_seq())) {
    return absl::DataLossError(absl::StrCat("event ", content.message_seq(),
                                            " as read now is not the event in the verified log"));
  }
  v1::EventBody body;
  if (!body.ParseFromString(reported.signed_().body()) || !body.has_message()) {
    return absl::InvalidArgumentError(
        absl::StrCat("event ", content.message_seq(), " is not a message"));
  }
  if (content.franking_key().size() != crypto::kKeyBytes) {
    return absl::InvalidArgumentError("the report's franking key has the wrong size");
  }
  const std::string tag =
      FrankingTag(crypto::Secret::FromString(content.franking_key()), body.group_id(),
                  body.epoch(), body.author(), content.text());
  if (!crypto::ConstantTimeEqual(tag, body.message().franking_tag())) {
    return absl::InvalidArgumentError(
        "the reported text is not what the sender sent: it does not open their franking tag");
  }
  return body.author();
}

void SetResolves(const QueueItem& item, v1::Moderation* m) {
  m->set_resolves(item.seq);
  m->clear_also_resolves();
  for (uint64_t seq : item.also) m->add_also_resolves(seq);
}

}  // namespace kith::client
