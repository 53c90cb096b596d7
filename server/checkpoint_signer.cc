#include "kith/checkpoint_signer.h"

#include "absl/strings/str_cat.h"
#include "kith/files.h"
#include "kith/protocol.h"

namespace kith::server {

absl::StatusOr<CheckpointSigner> CheckpointSigner::LoadOrCreate(const std::string& path) {
  auto stored = ReadFile(path);
  if (absl::IsNotFound(stored.status())) {
    crypto::SigningKeyPair pair = crypto::GenerateSigningKeyPair();
    if (auto s = WriteFileAtomically(path, pair.secret_key.view(), 0600); !s.ok()) return s;
    return CheckpointSigner(std::move(pair.public_key), std::move(pair.secret_key));
  }
  if (!stored.ok()) return stored.status();
  if (stored->size() != crypto::kSignSecretKeyBytes) {
    crypto::Wipe(*stored);
    return absl::DataLossError(absl::StrCat(path, " is not a checkpoint key"));
  }
  // An Ed25519 secret key is seed || public key.
  std::string public_key = stored->substr(crypto::kSignSecretKeyBytes - crypto::kSignPublicKeyBytes);
  crypto::Secret secret_key = crypto::Secret::LockedCopy(*stored);
  crypto::Wipe(*stored);
  return CheckpointSigner(std::move(public_key), std::move(secret_key));
}

v1::Checkpoint CheckpointSigner::Sign(const std::string& group_id, uint64_t seq,
                                      const std::string& head_hash, int64_t now_ms) const {
  v1::Checkpoint checkpoint;
  checkpoint.set_group_id(group_id);
  checkpoint.set_seq(seq);
  checkpoint.set_head_hash(head_hash);
  checkpoint.set_server_time_ms(now_ms);
  checkpoint.set_signature(
      crypto::Sign(secret_key_, kCheckpointLabel, CheckpointSigningInput(checkpoint)));
  return checkpoint;
}

v1::SignedEvent CheckpointSigner::SignServerEvent(const v1::EventBody& body) const {
  return SignEvent(body, secret_key_);
}

v1::Timestamp CheckpointSigner::SignTimestamp(const std::string& hash, int64_t now_ms) const {
  v1::Timestamp t;
  t.set_hash(hash);
  t.set_time_ms(now_ms);
  t.set_signature(crypto::Sign(secret_key_, kTimestampLabel, TimestampSigningInput(hash, now_ms)));
  return t;
}

}  // namespace kith::server
