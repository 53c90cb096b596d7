// How hard a passphrase is to guess, as zxcvbn estimates it (dictionary
// words, names, dates, keyboard walks, repeats and l33t substitutions all
// count for little), and the bar a passphrase guarding a keystore must clear.
#ifndef KITH_CLIENT_PASSPHRASE_STRENGTH_H_
#define KITH_CLIENT_PASSPHRASE_STRENGTH_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace kith::client {

// 2^40 guesses: at moderate Argon2id limits (about 0.8 s and 256 MiB a
// guess on one core) that is decades of a large cracking rig's time.
inline constexpr double kMinPassphraseBits = 40;

// log2 of the guesses zxcvbn expects `passphrase` to take, counting
// `personal` (the person's name, say) as words an attacker would try first.
double PassphraseBits(std::string_view passphrase, const std::vector<std::string>& personal);

// OK, or INVALID_ARGUMENT saying how weak it is and how to pick a better one.
absl::Status CheckPassphraseStrength(std::string_view passphrase,
                                     const std::vector<std::string>& personal);

}  // namespace kith::client

#endif  // KITH_CLIENT_PASSPHRASE_STRENGTH_H_
