// Whole-file reads and durable, atomic writes, for the few small files Kith
// keeps outside its database (keystore, certificates, client settings).
#ifndef KITH_FILES_H_
#define KITH_FILES_H_

#include <sys/types.h>

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace kith {

// NOT_FOUND if the file cannot be opened.
absl::StatusOr<std::string> ReadFile(const std::string& path);

// Writes `data` beside `path`, syncs it, and renames it into place, so a
// crash leaves either the old file or the new one, never half of either.
// The file is created with `mode` (e.g. 0600 for secrets).
absl::Status WriteFileAtomically(const std::string& path, std::string_view data, mode_t mode);

// Overwrites the existing file at `path`, which must already be
// `data.size()` bytes, in place, and syncs it: on file systems that write
// in place (ext4, xfs) its old bytes do not stay behind in free blocks, as
// they do after a rename. Copy-on-write file systems and flash translation
// layers may still keep them. A crash part-way may leave the file torn.
absl::Status OverwriteFileInPlace(const std::string& path, std::string_view data);

}  // namespace kith

#endif  // KITH_FILES_H_
