#include "kith/log_memory.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "kith/files.h"
#include "kith/protocol.h"
#include "kith/sealed_file.h"

namespace kith::client {
namespace {

constexpr std::string_view kAssociatedData = "kith/v1/log-memory";
constexpr size_t kEntryBytes = kIdBytes + 8 + crypto::kHashBytes;

}  // namespace

absl::StatusOr<std::unique_ptr<FileLogMemory>> FileLogMemory::Open(
    std::string path, const crypto::Secret& box_secret_key) {
  crypto::Secret key = crypto::DeriveKey(box_secret_key, 4, "kithlogm");
  auto plaintext = ReadSealedFile(path, key, kAssociatedData);
  if (!plaintext.ok()) return plaintext.status();
  const bool ours = plaintext->has_value() && (*plaintext)->size() % kEntryBytes == 0;
  auto memory =
      std::unique_ptr<FileLogMemory>(new FileLogMemory(std::move(path), std::move(key), ours));
  if (!ours) return memory;  // another identity's, or damaged
  const std::string& entries = **plaintext;
  for (size_t at = 0; at < entries.size(); at += kEntryBytes) {
    std::string_view entry = std::string_view(entries).substr(at, kEntryBytes);
    memory->heads_[std::string(entry.substr(0, kIdBytes))] =
        VerifiedHead{ReadU64(entry.substr(kIdBytes)), std::string(entry.substr(kIdBytes + 8))};
  }
  crypto::Wipe(**plaintext);
  return memory;
}

std::optional<VerifiedHead> FileLogMemory::Recall(const std::string& group_id) const {
  auto it = heads_.find(group_id);
  if (it == heads_.end()) return std::nullopt;
  return it->second;
}

FileLogMemory::~FileLogMemory() {
  if (unwritten_) Write().IgnoreError();  // nothing to tell anyone now
}

absl::Status FileLogMemory::Remember(const std::string& group_id, const VerifiedHead& head) {
  if (!writable_) return absl::OkStatus();
  heads_[group_id] = head;
  unwritten_ = true;
  if (absl::Now() - written_ < kWriteInterval) return absl::OkStatus();
  return Write();
}

absl::Status FileLogMemory::Write() {
  written_ = absl::Now();
  unwritten_ = false;
  std::string plaintext;
  plaintext.reserve(heads_.size() * kEntryBytes);
  for (const auto& [id, h] : heads_) {
    plaintext.append(id);
    AppendU64(plaintext, h.seq);
    plaintext.append(h.hash);
  }
  absl::Status written = WriteSealedFile(path_, key_, kAssociatedData, plaintext);
  crypto::Wipe(plaintext);
  return written;
}

}  // namespace kith::client
