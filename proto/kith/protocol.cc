#include "kith/protocol.h"

#include <algorithm>
#include <cctype>

#include "absl/strings/str_cat.h"

namespace kith {

void AppendU32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}

void AppendU64(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}

uint32_t ReadU32(std::string_view s) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(s[i]);
  return v;
}

uint64_t ReadU64(std::string_view s) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(s[i]);
  return v;
}

namespace {

// u32 length || bytes, so concatenated variable-length fields stay unambiguous.
void AppendField(std::string& out, std::string_view field) {
  AppendU32(out, static_cast<uint32_t>(field.size()));
  out.append(field);
}

}  // namespace

std::string UserIdFor(std::string_view sign_pk) {
  return crypto::Hash("kith/v1/user-id", sign_pk).substr(0, kIdBytes);
}

std::string GroupIdFor(std::string_view creator_sign_pk, std::string_view nonce) {
  std::string input(creator_sign_pk);
  input.append(nonce);
  return crypto::Hash("kith/v1/group-id", input).substr(0, kIdBytes);
}

std::string BundleSigningInput(const v1::IdentityBundle& bundle) {
  std::string out;
  out.append(bundle.sign_pk());
  out.append(bundle.box_pk());
  AppendU64(out, bundle.version());
  out.append(bundle.name());
  return out;
}

absl::Status ValidateBundle(const v1::IdentityBundle& bundle) {
  if (bundle.sign_pk().size() != crypto::kSignPublicKeyBytes ||
      bundle.box_pk().size() != crypto::kBoxPublicKeyBytes) {
    return absl::InvalidArgumentError("identity bundle has keys of the wrong size");
  }
  if (bundle.name().empty() || bundle.name().size() > kMaxDisplayNameBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("display name must be 1 to ", kMaxDisplayNameBytes, " bytes"));
  }
  if (!crypto::Verify(bundle.sign_pk(), kBundleLabel, BundleSigningInput(bundle),
                      bundle.signature())) {
    return absl::InvalidArgumentError("identity bundle signature does not verify");
  }
  return absl::OkStatus();
}

v1::SignedEvent SignEvent(const v1::EventBody& body, const crypto::Secret& sign_sk) {
  v1::SignedEvent out;
  body.SerializeToString(out.mutable_body());
  out.set_signature(crypto::Sign(sign_sk, kEventLabel, out.body()));
  return out;
}

bool VerifyEventSignature(const v1::SignedEvent& event, std::string_view sign_pk) {
  return crypto::Verify(sign_pk, kEventLabel, event.body(), event.signature());
}

std::string LoginSigningInput(std::string_view nonce, std::string_view user_id) {
  std::string out(nonce);
  out.append(user_id);
  return out;
}

absl::Status CheckLink(const v1::Event& event, uint64_t head_seq, const std::string& head_hash) {
  if (event.seq() != head_seq + 1) {
    return absl::DataLossError(absl::StrCat("event ", event.seq(), " arrived where ", head_seq + 1,
                                            " was expected (a gap or replay)"));
  }
  if (event.prev_hash() != (head_seq == 0 ? GenesisPrevHash() : head_hash)) {
    return absl::DataLossError(absl::StrCat(
        "event ", event.seq(), " does not chain to event ", head_seq, ": event ", head_seq,
        " (or this link) was altered after it was written"));
  }
  return absl::OkStatus();
}

std::string EventHash(const v1::Event& event) {
  std::string input;
  input.reserve(64 + event.signed_().body().size());
  input.append(event.group_id());
  AppendU64(input, event.seq());
  input.append(event.prev_hash());
  AppendU64(input, static_cast<uint64_t>(event.server_time_ms()));
  AppendField(input, event.signed_().body());
  AppendField(input, event.signed_().signature());
  return crypto::Hash("kith/v1/event-hash", input);
}

std::string CheckpointSigningInput(const v1::Checkpoint& checkpoint) {
  std::string out(checkpoint.group_id());
  AppendU64(out, checkpoint.seq());
  out.append(checkpoint.head_hash());
  AppendU64(out, static_cast<uint64_t>(checkpoint.server_time_ms()));
  return out;
}

bool VerifyCheckpoint(const v1::Checkpoint& checkpoint, std::string_view server_pk) {
  return checkpoint.group_id().size() == kIdBytes &&
         checkpoint.head_hash().size() == crypto::kHashBytes &&
         crypto::Verify(server_pk, kCheckpointLabel, CheckpointSigningInput(checkpoint),
                        checkpoint.signature());
}

std::string FrankingTag(const crypto::Secret& franking_key, std::string_view group_id,
                        uint64_t epoch, std::string_view sender, std::string_view text) {
  std::string input(group_id);
  AppendU64(input, epoch);
  input.append(sender);
  AppendField(input, text);
  std::string tag = crypto::KeyedHash(franking_key, "kith/v1/franking", input);
  crypto::Wipe(input);
  return tag;
}

std::string TimestampSigningInput(std::string_view hash, int64_t time_ms) {
  std::string input(hash);
  AppendU64(input, static_cast<uint64_t>(time_ms));
  return input;
}

bool VerifyTimestamp(const v1::Timestamp& timestamp, std::string_view server_pk) {
  return timestamp.hash().size() == crypto::kHashBytes &&
         crypto::Verify(server_pk, kTimestampLabel,
                        TimestampSigningInput(timestamp.hash(), timestamp.time_ms()),
                        timestamp.signature());
}

std::string EvidenceEntryHash(const v1::EvidenceEntry& entry) {
  std::string input;
  AppendU64(input, entry.index());
  input.append(entry.prev_hash());
  input.append(entry.salt());
  AppendField(input, entry.text());
  AppendField(input, entry.attachment_name());
  AppendField(input, entry.attachment());
  return crypto::Hash("kith/v1/evidence", input);
}

std::string EvidenceHeadHash(uint64_t count, std::string_view head_hash) {
  std::string input;
  AppendU64(input, count);
  input.append(head_hash);
  return crypto::Hash("kith/v1/evidence-head", input);
}

std::string InviteCodeHash(std::string_view invite_secret) {
  return crypto::Hash("kith/v1/invite", invite_secret);
}

crypto::SigningKeyPair InviteKeyPair(const crypto::Secret& invite_secret) {
  return crypto::SigningKeyPairFromSeed(crypto::DeriveKey(invite_secret, 1, "kithinvt"));
}

std::string InviteProofInput(std::string_view group_id, std::string_view user_id) {
  std::string out(group_id);
  out.append(user_id);
  return out;
}

std::string ReportKeyCommitment(const crypto::Secret& report_key, std::string_view nonce) {
  return crypto::KeyedHash(report_key, "kith/v1/report-key", nonce);
}

std::string CharterHash(const v1::Charter& charter) {
  std::string input;
  AppendField(input, charter.name());
  AppendU32(input, static_cast<uint32_t>(charter.rules_size()));
  for (const auto& rule : charter.rules()) AppendField(input, rule);
  AppendField(input, charter.crisis_resources());
  AppendU32(input, charter.reply_window_s());
  AppendU32(input, charter.rules_version());
  AppendU32(input, static_cast<uint32_t>(charter.strike_ladder_size()));
  for (const auto& step : charter.strike_ladder()) AppendField(input, step);
  // Support groups hash as they did before circles existed.
  if (charter.kind() != v1::KIND_SUPPORT_GROUP) AppendU32(input, charter.kind());
  return crypto::Hash("kith/v1/charter", input);
}

std::string EpochSecretPlaintext(std::string_view group_id, uint64_t epoch,
                                 const crypto::Secret& secret) {
  std::string out(group_id);
  AppendU64(out, epoch);
  out.append(secret.view());
  return out;
}

absl::StatusOr<crypto::Secret> ParseEpochSecretPlaintext(std::string_view plaintext,
                                                         std::string_view group_id,
                                                         uint64_t epoch) {
  if (plaintext.size() != kIdBytes + 8 + crypto::kKeyBytes ||
      plaintext.substr(0, kIdBytes) != group_id || ReadU64(plaintext.substr(kIdBytes)) != epoch) {
    return absl::DataLossError("sealed epoch secret names another group or epoch");
  }
  return crypto::Secret::FromString(plaintext.substr(kIdBytes + 8));
}

std::string EpochConfirmation(const crypto::Secret& epoch_secret, std::string_view group_id,
                              uint64_t epoch) {
  std::string input(group_id);
  AppendU64(input, epoch);
  return crypto::KeyedHash(epoch_secret, "kith/v1/epoch-confirm", input);
}

std::string SafetyNumber(std::string_view sign_pk_a, std::string_view sign_pk_b) {
  if (sign_pk_b < sign_pk_a) std::swap(sign_pk_a, sign_pk_b);
  std::string input(sign_pk_a);
  input.append(sign_pk_b);
  // 64 digest bytes; each of twelve 5-digit groups comes from its own 5 bytes.
  std::string digest = crypto::Hash("kith/v1/safety-number/1", input) +
                       crypto::Hash("kith/v1/safety-number/2", input);
  std::string out;
  for (int group = 0; group < 12; ++group) {
    uint64_t v = 0;
    for (int i = 0; i < 5; ++i) v = (v << 8) | static_cast<unsigned char>(digest[group * 5 + i]);
    char buf[8];
    snprintf(buf, sizeof buf, "%05u", static_cast<unsigned>(v % 100000));
    if (group) out.push_back(group % 4 == 0 ? '\n' : ' ');
    out.append(buf);
  }
  return out;
}

absl::StatusOr<std::string> CertificateFingerprint(std::string_view pem) {
  constexpr std::string_view kBegin = "-----BEGIN CERTIFICATE-----";
  constexpr std::string_view kEnd = "-----END CERTIFICATE-----";
  const size_t begin = pem.find(kBegin);
  const size_t end = begin == std::string_view::npos ? begin : pem.find(kEnd, begin);
  if (end == std::string_view::npos) return absl::InvalidArgumentError("no PEM certificate");
  auto der = crypto::FromBase64(pem.substr(begin + kBegin.size(), end - begin - kBegin.size()));
  if (!der.ok()) return absl::InvalidArgumentError("PEM certificate is not base64");
  std::string hex = crypto::ToHex(crypto::Sha256(*der));
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    if (i) out.push_back(':');
    out.push_back(static_cast<char>(std::toupper(hex[i])));
    out.push_back(static_cast<char>(std::toupper(hex[i + 1])));
  }
  return out;
}

}  // namespace kith
