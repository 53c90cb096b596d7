#include "kith/passphrase_strength.h"

#include <zxcvbn.h>

#include <cmath>

#include "absl/strings/str_cat.h"
#include "kith/crypto.h"

namespace kith::client {

double PassphraseBits(std::string_view passphrase, const std::vector<std::string>& personal) {
  std::string text(passphrase);  // zxcvbn reads a C string
  std::vector<const char*> words;
  for (const std::string& w : personal) words.push_back(w.c_str());
  words.push_back(nullptr);
  const double bits = ZxcvbnMatch(text.c_str(), words.data(), nullptr);
  crypto::Wipe(text);
  return bits;
}

absl::Status CheckPassphraseStrength(std::string_view passphrase,
                                     const std::vector<std::string>& personal) {
  const double bits = PassphraseBits(passphrase, personal);
  if (bits >= kMinPassphraseBits) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "this passphrase is too easy to guess (about 2^", std::lround(bits),
      " guesses; at least 2^", kMinPassphraseBits,
      " are needed): someone who copies your keystore could try every passphrase like it. "
      "Use four or more unrelated words, or a sentence only you would write, and avoid "
      "names, dates, quotes and keyboard patterns"));
}

}  // namespace kith::client
