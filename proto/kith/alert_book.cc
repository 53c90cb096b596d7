#include "kith/alert_book.h"

#include "absl/strings/str_cat.h"
#include "kith/crypto.h"
#include "kith/protocol.h"

namespace kith {

namespace {
constexpr uint64_t kMaxRealertMs = 24ull * 3600 * 1000;
// Room for an AlertContent's note, location and framing, padded.
constexpr size_t kMaxAlertCiphertextBytes = 2 * kMaxAlertTextBytes + 256 + crypto::kAeadTagBytes;
}  // namespace

absl::Status AlertBook::CheckAlert(const v1::EventBody& body, bool author_is_owner) const {
  using A = v1::Alert;
  const A& a = body.alert();
  if (a.alert_id().size() != kIdBytes) {
    return absl::InvalidArgumentError("an alert id is 16 bytes");
  }
  if (a.nonce().size() != crypto::kAeadNonceBytes || a.ciphertext().size() < crypto::kAeadTagBytes ||
      a.ciphertext().size() > kMaxAlertCiphertextBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "alert nonce or ciphertext is malformed (a note is at most ", kMaxAlertTextBytes, " bytes)"));
  }
  const AlertState* raised = Find(a.alert_id());
  switch (a.kind()) {
    case A::RAISE:
      if (!author_is_owner) {
        return absl::PermissionDeniedError("only the circle's owner raises alerts in it");
      }
      if (raised != nullptr) return absl::AlreadyExistsError("this alert was already raised");
      if (a.realert_after_ms() < 1000 || a.realert_after_ms() > kMaxRealertMs) {
        return absl::InvalidArgumentError("an alert is sent again after 1 second to 1 day");
      }
      return absl::OkStatus();
    case A::ACK:
    case A::RESOLVE:
      if (a.realert_after_ms() != 0) {
        return absl::InvalidArgumentError("only raising an alert sets when it is sent again");
      }
      if (raised == nullptr) return absl::NotFoundError("no such alert in this circle");
      if (raised->resolved) {
        return absl::FailedPreconditionError("this alert was already resolved by its sender");
      }
      if (a.kind() == A::RESOLVE && !author_is_owner) {
        return absl::PermissionDeniedError("only the person who raised an alert resolves it");
      }
      if (a.kind() == A::ACK && author_is_owner) {
        return absl::InvalidArgumentError("the circle's members acknowledge alerts, not its owner");
      }
      return absl::OkStatus();
    default:
      return absl::InvalidArgumentError("unknown alert kind");
  }
}

absl::Status AlertBook::CheckRealert(const v1::Realert& realert, int64_t now_ms) const {
  const AlertState* a = Find(realert.alert_id());
  if (a == nullptr) return absl::NotFoundError("no such alert in this circle");
  if (!a->unanswered()) {
    return absl::FailedPreconditionError("this alert was acknowledged or resolved");
  }
  if (realert.attempt() != a->attempts + 1) {
    return absl::FailedPreconditionError(
        absl::StrCat("the next re-alert is attempt ", a->attempts + 1));
  }
  if (now_ms < a->next_realert_ms()) {
    return absl::FailedPreconditionError("this alert is not due to be sent again yet");
  }
  return absl::OkStatus();
}

void AlertBook::Apply(const v1::EventBody& body, uint64_t seq, int64_t server_time_ms) {
  if (body.has_realert()) {
    AlertState& a = alerts_.at(body.realert().alert_id());
    a.attempts = body.realert().attempt();
    a.last_sent_ms = server_time_ms;
    return;
  }
  const v1::Alert& alert = body.alert();
  switch (alert.kind()) {
    case v1::Alert::RAISE: {
      AlertState& a = alerts_[alert.alert_id()];
      a.seq = seq;
      a.raiser = body.author();
      a.raised_ms = a.last_sent_ms = server_time_ms;
      a.realert_after_ms = alert.realert_after_ms();
      unanswered_.insert(alert.alert_id());
      return;
    }
    case v1::Alert::ACK:
      alerts_.at(alert.alert_id()).acked_by.insert(body.author());
      break;
    case v1::Alert::RESOLVE:
      alerts_.at(alert.alert_id()).resolved = true;
      break;
    default:
      return;
  }
  unanswered_.erase(alert.alert_id());
}

std::vector<AlertBook::Due> AlertBook::DueRealerts(int64_t now_ms) const {
  std::vector<Due> due;
  for (const std::string& id : unanswered_) {
    const AlertState& a = alerts_.at(id);
    if (now_ms >= a.next_realert_ms()) due.push_back({id, a.attempts + 1});
  }
  return due;
}

const AlertState* AlertBook::Find(const std::string& alert_id) const {
  auto it = alerts_.find(alert_id);
  return it == alerts_.end() ? nullptr : &it->second;
}

}  // namespace kith
