// A small file in the home, sealed under a key the identity determines, and
// rewritten atomically (mode 0600):
//
//   nonce (24) || AEAD(key, nonce, label, plaintext)
//
// What a device holder learns from it without the passphrase is its size.
// log_memory.h and verified_contacts.h keep their state this way.
#ifndef KITH_CLIENT_SEALED_FILE_H_
#define KITH_CLIENT_SEALED_FILE_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "kith/crypto.h"

namespace kith::client {

// The plaintext of the sealed file at `path`: empty if there is no file
// yet, nullopt if it does not open under `key` (another identity's, such
// as a duress profile's sharing the home, or damaged: not this one's to
// read or overwrite).
absl::StatusOr<std::optional<std::string>> ReadSealedFile(const std::string& path,
                                                          const crypto::Secret& key,
                                                          std::string_view label);
// Seals `plaintext` and writes it atomically over `path`.
absl::Status WriteSealedFile(const std::string& path, const crypto::Secret& key,
                             std::string_view label, std::string_view plaintext);

}  // namespace kith::client

#endif  // KITH_CLIENT_SEALED_FILE_H_
