// The evidence log at the command line: add and list entries, export them
// in the clear for someone else to read, and verify an export offline.
#ifndef KITH_CLI_EVIDENCE_COMMANDS_H_
#define KITH_CLI_EVIDENCE_COMMANDS_H_

#include <string>

#include "absl/status/status.h"
#include "session.h"

namespace kith::cli {

// `kith evidence add TEXT [--attach FILE]` (TEXT '-' reads standard input).
absl::Status EvidenceAdd(const Globals& g, std::string text, const std::string& attach);
// `kith evidence list`.
absl::Status EvidenceList(const Globals& g);
// `kith evidence export DIR`: evidence.jsonl (one EvidenceEntry per line),
// head.json (the signed EvidenceHead) and attachments/, readable only by
// their owner.
absl::Status EvidenceExport(const Globals& g, const std::string& dir);
// `kith evidence verify DIR [--server-key HEX]`: offline; no identity needed.
absl::Status EvidenceVerify(const Globals& g, const std::string& dir,
                            const std::string& server_key_hex);

}  // namespace kith::cli

#endif  // KITH_CLI_EVIDENCE_COMMANDS_H_
