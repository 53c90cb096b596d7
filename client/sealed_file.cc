#include "kith/sealed_file.h"

#include "kith/files.h"

namespace kith::client {

absl::StatusOr<std::optional<std::string>> ReadSealedFile(const std::string& path,
                                                          const crypto::Secret& key,
                                                          std::string_view label) {
  auto stored = ReadFile(path);
  if (absl::IsNotFound(stored.status())) return std::optional<std::string>(std::string());
  if (!stored.ok()) return stored.status();
  if (stored->size() < crypto::kAeadNonceBytes) return std::optional<std::string>();
  return crypto::AeadDecrypt(key, stored->substr(0, crypto::kAeadNonceBytes), label,
                             stored->substr(crypto::kAeadNonceBytes));
}

absl::Status WriteSealedFile(const std::string& path, const crypto::Secret& key,
                             std::string_view label, std::string_view plaintext) {
  const std::string nonce = crypto::RandomBytes(crypto::kAeadNonceBytes);
  return WriteFileAtomically(path, nonce + crypto::AeadEncrypt(key, nonce, label, plaintext), 0600);
}

}  // namespace kith::client
