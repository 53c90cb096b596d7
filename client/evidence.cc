// The vault and its evidence log (vault.h), and the offline check of an
// export (evidence.h).
#include "kith/evidence.h"

#include "absl/strings/str_cat.h"
#include "kith/protocol.h"
#include "kith/vault.h"

namespace kith::client {

absl::StatusOr<std::string> Vault::Own(bool create) {
  auto groups = session_.ListGroups();
  if (!groups.ok()) return groups.status();
  for (const v1::GroupSummary& g : groups->groups()) {
    if (g.charter().kind() == v1::KIND_VAULT && g.role() == v1::ROLE_OWNER) return g.group_id();
  }
  if (!create) return absl::NotFoundError("no evidence yet: add some with 'kith evidence add'");
  v1::Charter charter;
  charter.set_kind(v1::KIND_VAULT);
  charter.set_name("Vault");
  return groups_.CreateGroup(std::move(charter));
}

absl::StatusOr<v1::Timestamp> Vault::GetTimestamp(const std::string& hash) {
  auto server_key = session_.ServerKey();
  if (!server_key.ok()) return server_key.status();
  v1::TimestampRequest req;
  req.set_hash(hash);
  v1::Timestamp reply;
  if (auto s =
          session_.Call([&](auto* ctx) { return session_.stub()->GetTimestamp(ctx, req, &reply); });
      !s.ok()) {
    return s;
  }
  if (reply.hash() != hash || !VerifyTimestamp(reply, *server_key)) {
    return absl::DataLossError("the server's timestamp does not verify with its pinned key");
  }
  return reply;
}

absl::StatusOr<v1::EvidenceEntry> Vault::AddEvidence(std::string text, std::string attachment_name,
                                                     std::string attachment) {
  auto vault = Own(/*create=*/true);
  if (!vault.ok()) return vault.status();
  auto view = session_.Sync(*vault);
  if (!view.ok()) return view.status();
  const auto& before = (*view)->evidence();
  v1::EvidenceEntry entry;
  entry.set_index(before.size() + 1);
  entry.set_prev_hash(before.empty() ? GenesisPrevHash() : EvidenceEntryHash(before.back()));
  entry.set_salt(crypto::RandomBytes(crypto::kHashBytes));
  entry.set_text(std::move(text));
  entry.set_attachment_name(std::move(attachment_name));
  entry.set_attachment(std::move(attachment));
  auto timestamp = GetTimestamp(EvidenceEntryHash(entry));
  if (!timestamp.ok()) return timestamp.status();
  entry.set_time_ms(timestamp->time_ms());
  entry.set_timestamp_signature(timestamp->signature());
  entry.set_author_signature(
      crypto::Sign(session_.identity().sign.secret_key, kEvidenceAuthorLabel, timestamp->hash()));
  auto reply =
      session_.AppendFresh(*vault, [&](const GroupView& v) -> absl::StatusOr<v1::SignedEvent> {
        if (v.evidence().size() + 1 != entry.index()) {
          return absl::AbortedError("another device added an entry at the same time; add it again");
        }
        return v.SealEvidence(entry);
      });
  if (!reply.ok()) return reply.status();
  return entry;
}

absl::StatusOr<std::vector<v1::EvidenceEntry>> Vault::Evidence() {
  auto vault = Own(/*create=*/false);
  if (absl::IsNotFound(vault.status())) return std::vector<v1::EvidenceEntry>();
  if (!vault.ok()) return vault.status();
  auto view = session_.Sync(*vault);
  if (!view.ok()) return view.status();
  return (*view)->evidence();
}

absl::StatusOr<v1::EvidenceHead> Vault::SignEvidenceHead(
    const std::vector<v1::EvidenceEntry>& entries) {
  v1::EvidenceHead head;
  head.set_count(entries.size());
  head.set_head_hash(entries.empty() ? GenesisPrevHash() : EvidenceEntryHash(entries.back()));
  auto timestamp = GetTimestamp(EvidenceHeadHash(head.count(), head.head_hash()));
  if (!timestamp.ok()) return timestamp.status();
  head.set_author_signature(
      crypto::Sign(session_.identity().sign.secret_key, kEvidenceAuthorLabel, timestamp->hash()));
  *head.mutable_timestamp() = *std::move(timestamp);
  head.set_server_key(*session_.ServerKey());  // GetTimestamp has it
  head.set_author_sign_pk(session_.identity().sign.public_key);
  return head;
}

std::vector<std::string> CheckEvidence(const std::vector<v1::EvidenceEntry>& entries,
                                       const v1::EvidenceHead& head,
                                       const std::string& server_key) {
  std::vector<std::string> findings;
  // Both signatures: the server's says when, the owner's says who, so
  // neither the server nor anyone with an account can write an entry.
  const std::string& author_pk = head.author_sign_pk();
  auto signed_by_both = [&](const std::string& hash, int64_t time_ms,
                            const std::string& server_sig, const std::string& author_sig) {
    v1::Timestamp t;
    t.set_hash(hash);
    t.set_time_ms(time_ms);
    t.set_signature(server_sig);
    return VerifyTimestamp(t, server_key) &&
           crypto::Verify(author_pk, kEvidenceAuthorLabel, hash, author_sig);
  };
  std::string prev_hash = GenesisPrevHash();
  uint64_t expected = 1;
  int64_t prev_time = 0;
  bool prev_intact = true;
  for (const v1::EvidenceEntry& e : entries) {
    const uint64_t i = e.index();
    if (i < expected) {
      findings.push_back(absl::StrCat("entry ", i, " appears twice or out of order"));
      continue;
    }
    if (i > expected) {
      findings.push_back(i == expected + 1
                             ? absl::StrCat("entry ", expected, " was removed")
                             : absl::StrCat("entries ", expected, " to ", i - 1, " were removed"));
    }
    const std::string hash = EvidenceEntryHash(e);
    const bool intact =
        signed_by_both(hash, e.time_ms(), e.timestamp_signature(), e.author_signature());
    if (!intact) {
      findings.push_back(absl::StrCat(
          "entry ", i, " was edited or forged: it no longer matches the server's timestamp and "
          "the owner's signature"));
    } else if (i == expected && prev_intact && e.prev_hash() != prev_hash) {
      findings.push_back(absl::StrCat("entry ", i, " does not follow entry ", i - 1,
                                      ": an entry between them was replaced"));
    }
    if (e.time_ms() < prev_time) {
      findings.push_back(absl::StrCat("entry ", i, " is timestamped before the entry above it"));
    }
    prev_hash = hash;
    prev_intact = intact;
    prev_time = e.time_ms();
    expected = i + 1;
  }
  const uint64_t last = expected - 1;
  const std::string head_hash = EvidenceHeadHash(head.count(), head.head_hash());
  if (head.timestamp().hash() != head_hash ||
      !signed_by_both(head_hash, head.timestamp().time_ms(), head.timestamp().signature(),
                      head.author_signature())) {
    findings.push_back("the export's closing record is not signed by the server and the owner");
  } else if (head.count() > last) {
    findings.push_back(absl::StrCat("entries were cut from the end: the log had ", head.count(),
                                    " entries, the export ends at entry ", last));
  } else if (head.count() < last) {
    findings.push_back(absl::StrCat("entries after entry ", head.count(),
                                    " were added after the export was made"));
  } else if (prev_intact && head.head_hash() != prev_hash) {
    findings.push_back(absl::StrCat("entry ", last, " was replaced"));
  }
  return findings;
}

}  // namespace kith::client
