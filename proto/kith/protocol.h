// Byte layouts shared by server and clients: ids, signing inputs, hash
// inputs and limits. docs/protocol.md is the prose version of this file;
// keep them in step.
#ifndef KITH_PROTOCOL_H_
#define KITH_PROTOCOL_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "kith.pb.h"
#include "kith/crypto.h"

namespace kith {

// User ids and group ids are 16 bytes, shown as 32 hex characters.
inline constexpr size_t kIdBytes = 16;
inline constexpr size_t kInviteSecretBytes = 32;

// Limits. A message's text is at most 16 KiB; an event body at most 1 MiB
// (commits carry one sealed secret per member).
inline constexpr size_t kMaxTextBytes = 16 * 1024;
inline constexpr size_t kPadBlockBytes = 64;
// Room in a message's plaintext for what travels beside the text (the
// MessageContent framing and the overridden rules' names).
inline constexpr size_t kMaxContentOverheadBytes = 512;
inline constexpr size_t kMaxCiphertextBytes =
    kMaxTextBytes + kMaxContentOverheadBytes + 1 + kPadBlockBytes + crypto::kAeadTagBytes;
inline constexpr size_t kMaxEventBodyBytes = 1 << 20;
inline constexpr size_t kMaxGroupNameBytes = 100;
inline constexpr size_t kMaxCharterTextBytes = 4096;
inline constexpr size_t kMaxDisplayNameBytes = 64;
inline constexpr size_t kMaxGroupMembers = 5000;
// How far back an event's reference (EventBody.ref_seq) may reach: server
// and clients keep this many hashes per group, not the whole log, and
// refuse a reference further back (FAILED_PRECONDITION: read and write again).
inline constexpr uint64_t kRefWindow = 1024;

// Forward secrecy (docs/protocol.md section 7). A client makes a new member
// key once its newest is kMemberKeyLifetimeMs old, and keeps at most
// kMaxMemberKeys (client::Keys says which give way). A group is due a
// re-key once its epoch spans kRekeyIntervalMs of server time or holds
// kRekeyMessages messages; the next member able to re-key does.
inline constexpr int64_t kMemberKeyLifetimeMs = 24 * 3600 * 1000LL;
inline constexpr size_t kMaxMemberKeys = 8;
inline constexpr int64_t kRekeyIntervalMs = 24 * 3600 * 1000LL;
inline constexpr uint64_t kRekeyMessages = 1000;
// The least server time between two member keys of one member in a group:
// a member publishing keys without pause could otherwise keep every re-key
// from landing (each must seal to the latest).
inline constexpr int64_t kMinMemberKeyIntervalMs = 10 * 60 * 1000LL;

// Signature labels (crypto::Sign prefixes them to the signed bytes).
inline constexpr std::string_view kBundleLabel = "kith/v1/bundle";
inline constexpr std::string_view kEventLabel = "kith/v1/event";
inline constexpr std::string_view kLoginLabel = "kith/v1/login";
inline constexpr std::string_view kCheckpointLabel = "kith/v1/checkpoint";

// Recovery codes (client side): the identity's seeds are KDF(master, 1 and
// 2, kRecoveryKdfContext) of master = H(kRecoveryLabel, code).
inline constexpr std::string_view kRecoveryLabel = "kith/v1/recovery";
inline constexpr std::string_view kRecoveryCheckLabel = "kith/v1/recovery-check";
inline constexpr std::string_view kRecoveryKdfContext = "kithrcvr";
// The vault key, KDF(box_sk, 1, this): evidence entries are sealed under it.
inline constexpr std::string_view kVaultKdfContext = "kithvalt";
// A duress token is stored by the server only as H(kDuressLabel, token).
inline constexpr std::string_view kDuressLabel = "kith/v1/duress";

inline constexpr size_t kMaxReportNoteBytes = 1024;
// One moderation action answers at most this many items beyond `resolves`:
// the reports and override about one message.
inline constexpr int kMaxAlsoResolves = 64;

// Alerts: a note or location is at most 1 KiB; an unanswered alert is sent
// again every 5 minutes unless its raiser chose another interval.
inline constexpr size_t kMaxAlertTextBytes = 1024;
inline constexpr uint64_t kDefaultRealertMs = 5 * 60 * 1000;
// The author of the server's own events (re-alerts): no user's id, since
// user ids are hashes.
inline const std::string& ServerAuthor() {
  static const std::string* zero = new std::string(kIdBytes, '\0');
  return *zero;
}

std::string UserIdFor(std::string_view sign_pk);
std::string GroupIdFor(std::string_view creator_sign_pk, std::string_view nonce);

// sign_pk || box_pk || u64(version) || name
std::string BundleSigningInput(const v1::IdentityBundle& bundle);
// Checks key sizes, the name's length and the self-signature.
absl::Status ValidateBundle(const v1::IdentityBundle& bundle);

// Serializes `body` once and signs those bytes.
v1::SignedEvent SignEvent(const v1::EventBody& body, const crypto::Secret& sign_sk);
bool VerifyEventSignature(const v1::SignedEvent& event, std::string_view sign_pk);

// nonce || user_id
std::string LoginSigningInput(std::string_view nonce, std::string_view user_id);

// The hash that chains the log: event seq's prev_hash is EventHash(event seq-1).
std::string EventHash(const v1::Event& event);
inline std::string GenesisPrevHash() { return std::string(crypto::kHashBytes, '\0'); }
// OK if `event` is the next of a log whose last event is `head_seq` with
// hash `head_hash` (ignored for an empty log, head_seq 0); DATA_LOSS
// saying how it breaks otherwise.
absl::Status CheckLink(const v1::Event& event, uint64_t head_seq, const std::string& head_hash);

// group_id || seq || head_hash || server_time_ms: what the server signs.
std::string CheckpointSigningInput(const v1::Checkpoint& checkpoint);
bool VerifyCheckpoint(const v1::Checkpoint& checkpoint, std::string_view server_pk);

// Message franking: the sender's commitment to a message's text, keyed by
// a one-time key that travels inside the ciphertext. BLAKE2b-256 keyed
// with `franking_key` over "kith/v1/franking" || 0x00 || group_id || epoch
// || sender || u32 length || text. Whoever is shown the text and the key
// can check them against the tag the sender signed; nobody else learns
// anything from the tag.
std::string FrankingTag(const crypto::Secret& franking_key, std::string_view group_id,
                        uint64_t epoch, std::string_view sender, std::string_view text);

// Evidence (docs/protocol.md, "Evidence"). The server signs
// hash || u64(time_ms) under kTimestampLabel with its checkpoint key.
inline constexpr std::string_view kTimestampLabel = "kith/v1/timestamp";
// The owner signs each entry's hash, and an export's head hash, under this.
inline constexpr std::string_view kEvidenceAuthorLabel = "kith/v1/evidence-author";
// Boundaries: the most messages a person may allow one sender per day, and
// how many people one person's boundaries may name in all.
inline constexpr uint32_t kMaxDailyLimit = 1000;
inline constexpr size_t kMaxBoundaryEntries = 1000;
// Refusal by a boundary, whichever it is: the sender learns no more.
inline constexpr char kNotAccepting[] = "not accepting messages from you right now";

// An append of an event already in the log (the same signed event: its
// signature is the append's idempotency key) is refused with ALREADY_EXISTS
// and, in the status details (gRPC's error_details; this payload of an
// absl::Status), the serialized AppendReply the event got when it was
// stored. A client resending an append whose answer it lost takes that as
// its answer: the event landed once.
inline constexpr char kAppendedPayload[] = "type.googleapis.com/kith.v1.AppendReply";

// Payload of a RESOURCE_EXHAUSTED refusal from a rate limit (on an
// absl::Status): how many ms until the request may be sent again, in
// decimal. It travels as the trailing metadata kRetryAfterMetadata.
inline constexpr char kRetryAfterPayload[] = "kith/retry-after-ms";
inline constexpr char kRetryAfterMetadata[] = "kith-retry-after-ms";

inline constexpr size_t kMaxEvidenceTextBytes = 16 * 1024;
inline constexpr size_t kMaxAttachmentBytes = 512 * 1024;
std::string TimestampSigningInput(std::string_view hash, int64_t time_ms);
bool VerifyTimestamp(const v1::Timestamp& timestamp, std::string_view server_pk);
// H("kith/v1/evidence", u64(index) || prev_hash || salt || field(text) ||
// field(attachment_name) || field(attachment)).
std::string EvidenceEntryHash(const v1::EvidenceEntry& entry);
// H("kith/v1/evidence-head", u64(count) || head_hash).
std::string EvidenceHeadHash(uint64_t count, std::string_view head_hash);

std::string InviteCodeHash(std::string_view invite_secret);
// The signing key an invite code's secret determines: seeded with
// KDF(secret, 1, "kithinvt"). The log holds its public half
// (Invite.code_key); a joiner signs InviteProofInput with it.
crypto::SigningKeyPair InviteKeyPair(const crypto::Secret& invite_secret);
inline constexpr std::string_view kInviteProofLabel = "kith/v1/invite-proof";
// group_id || joiner's user id
std::string InviteProofInput(std::string_view group_id, std::string_view user_id);
// A report key's commitment: KH(report_key, "kith/v1/report-key", nonce).
std::string ReportKeyCommitment(const crypto::Secret& report_key, std::string_view nonce);
// Hash of everything a joiner reads in a charter; joiners sign it.
std::string CharterHash(const v1::Charter& charter);

// The plaintext sealed to each member for an epoch: group_id || epoch || secret.
std::string EpochSecretPlaintext(std::string_view group_id, uint64_t epoch,
                                 const crypto::Secret& secret);
// Fails unless the plaintext names this group and epoch.
absl::StatusOr<crypto::Secret> ParseEpochSecretPlaintext(std::string_view plaintext,
                                                         std::string_view group_id,
                                                         uint64_t epoch);
std::string EpochConfirmation(const crypto::Secret& epoch_secret, std::string_view group_id,
                              uint64_t epoch);

// A 60-digit number two users compare out of band; the same for both orders.
std::string SafetyNumber(std::string_view sign_pk_a, std::string_view sign_pk_b);

// The SHA-256 fingerprint of the first certificate in `pem`, as OpenSSL
// prints it ("AB:CD:..."), so people can compare what kithd prints at start
// with what a client is shown on first contact.
absl::StatusOr<std::string> CertificateFingerprint(std::string_view pem);

// Big-endian fixed-width integers, as used in every layout above.
void AppendU32(std::string& out, uint32_t v);
void AppendU64(std::string& out, uint64_t v);
// REQUIRES: s.size() >= 4 (ReadU32) or 8 (ReadU64); reads the first bytes.
uint32_t ReadU32(std::string_view s);
uint64_t ReadU64(std::string_view s);

}  // namespace kith

#endif  // KITH_PROTOCOL_H_
