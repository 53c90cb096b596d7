// What a client remembers of each group's log between runs (DESIGN.md S15):
// the last event it verified, by sequence number and hash. A client checks
// every log it is served against it, so a server cannot drop, reorder or
// rewrite anything this person has already seen, not even across restarts.
#ifndef KITH_CLIENT_LOG_MEMORY_H_
#define KITH_CLIENT_LOG_MEMORY_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kith/crypto.h"

namespace kith::client {

struct VerifiedHead {
  uint64_t seq = 0;
  std::string hash;  // EventHash of event `seq`
};

// Thread safety: none; a Client uses its memory from one thread at a time.
class LogMemory {
 public:
  virtual ~LogMemory() = default;
  virtual std::optional<VerifiedHead> Recall(const std::string& group_id) const = 0;
  // Keeps `head` as the furthest verified point of `group_id`'s log.
  virtual absl::Status Remember(const std::string& group_id, const VerifiedHead& head) = 0;
};

// Kept in one file, encrypted (XChaCha20-Poly1305) under a key the
// identity's secret key determines, and rewritten atomically: at once when
// it was last written a second or more ago, otherwise at the next such
// change or when the memory is closed (a live stream moves the head often,
// and each write is synced to disk):
//
//   nonce (24) || AEAD(key, nonce, "kith/v1/log-memory", { group_id (16) || u64(seq) || hash (32) }*)
//
// A file another identity wrote (a duress profile shares the home) does not
// open under this one's key; it is then left as it is, and nothing is
// remembered for this identity.
class FileLogMemory final : public LogMemory {
 public:
  // `box_secret_key`: the identity's X25519 secret key (32 bytes).
  static absl::StatusOr<std::unique_ptr<FileLogMemory>> Open(std::string path,
                                                             const crypto::Secret& box_secret_key);
  ~FileLogMemory() override;  // writes what is not written yet
  std::optional<VerifiedHead> Recall(const std::string& group_id) const override;
  absl::Status Remember(const std::string& group_id, const VerifiedHead& head) override;

 private:
  static constexpr absl::Duration kWriteInterval = absl::Seconds(1);
  absl::Status Write();
  FileLogMemory(std::string path, crypto::Secret key, bool writable)
      : path_(std::move(path)), key_(std::move(key)), writable_(writable) {}
  std::string path_;
  crypto::Secret key_;
  bool writable_;
  std::map<std::string, VerifiedHead> heads_;
  absl::Time written_ = absl::InfinitePast();
  bool unwritten_ = false;  // heads_ has changes the file does not
};

}  // namespace kith::client

#endif  // KITH_CLIENT_LOG_MEMORY_H_
