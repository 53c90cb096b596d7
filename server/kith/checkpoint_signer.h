// kithd's checkpoint key: an Ed25519 key, made on first start and kept in
// DATA_DIR/checkpoint.key (readable only by the server's user), that signs
// the heads of group logs. A checkpoint fixes every event up to its head
// through the hash chain, so one signature covers a whole batch of events
// and signing stays off the append path. The key opens nothing: it only
// makes the server accountable for the order and content of its logs.
#ifndef KITH_SERVER_CHECKPOINT_SIGNER_H_
#define KITH_SERVER_CHECKPOINT_SIGNER_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "kith.pb.h"
#include "kith/crypto.h"

namespace kith::server {

class CheckpointSigner {
 public:
  static absl::StatusOr<CheckpointSigner> LoadOrCreate(const std::string& path);

  const std::string& public_key() const { return public_key_; }
  v1::Checkpoint Sign(const std::string& group_id, uint64_t seq, const std::string& head_hash,
                      int64_t now_ms) const;
  // Signs one of the server's own events (a re-alert), as SignEvent does a
  // member's; clients check it against the same pinned key.
  v1::SignedEvent SignServerEvent(const v1::EventBody& body) const;
  // Signs that the server saw `hash` (which it cannot read) at `now_ms`.
  v1::Timestamp SignTimestamp(const std::string& hash, int64_t now_ms) const;

 private:
  CheckpointSigner(std::string public_key, crypto::Secret secret_key)
      : public_key_(std::move(public_key)), secret_key_(std::move(secret_key)) {}
  std::string public_key_;
  crypto::Secret secret_key_;
};

}  // namespace kith::server

#endif  // KITH_SERVER_CHECKPOINT_SIGNER_H_
