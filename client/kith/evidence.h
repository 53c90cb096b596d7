// Checking an exported evidence log offline: every entry's server
// timestamp, the chain from each entry to the one before, and the signed
// head that fixes how many entries there were. Needs no keys and no
// network: only the server's public checkpoint key.
#ifndef KITH_CLIENT_EVIDENCE_H_
#define KITH_CLIENT_EVIDENCE_H_

#include <string>
#include <vector>

#include "kith.pb.h"

namespace kith::client {

// What is wrong with `entries` (attachments filled in) and `head`, one
// sentence per finding naming the entry; empty if the log is intact.
std::vector<std::string> CheckEvidence(const std::vector<v1::EvidenceEntry>& entries,
                                       const v1::EvidenceHead& head,
                                       const std::string& server_key);

}  // namespace kith::client

#endif  // KITH_CLIENT_EVIDENCE_H_
