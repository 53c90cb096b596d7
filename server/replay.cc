#include "kith/replay.h"

#include "absl/strings/str_cat.h"
#include "kith/crypto.h"
#include "kith/encoded_event.h"

namespace kith::server {

absl::Status ApplyStored(const v1::Event& event, GroupRegistry& groups, Boundaries& boundaries,
                         int64_t now_ms) {
  GroupEntry* entry = groups.FindOrCreate(event.group_id());
  absl::MutexLock lock(&entry->mu);
  return ApplyStoredLocked(event, *entry, groups, boundaries, now_ms);
}

absl::Status ApplyStoredLocked(const v1::Event& event, GroupEntry& entry, GroupRegistry& groups,
                               Boundaries& boundaries, int64_t now_ms) {
  auto applied = entry.state.ApplyLogged(event, SignatureCheck::kTrustStored);
  if (!applied.ok()) {
    return absl::DataLossError(absl::StrCat("stored log of group ", crypto::ToHex(event.group_id()),
                                            ": ", applied.status().message()));
  }
  const v1::EventBody& body = *applied;
  entry.NoteApplied(body, event);
  boundaries.NoteApplied(entry, body, event, now_ms);
  groups.NoteEvent(&entry, body);
  entry.AddDurable(event.seq(), entry.state.head_hash(), EncodeForBatch(event));
  return absl::OkStatus();
}

absl::Status Replay(const EventLog& log, GroupRegistry& groups, Boundaries& boundaries,
                    int64_t now_ms) {
  return log.ForEach([&](const v1::Event& event) {
    return ApplyStored(event, groups, boundaries, now_ms);
  });
}

}  // namespace kith::server
