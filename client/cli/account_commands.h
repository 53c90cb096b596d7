// A person's account and this device: creating an identity and its
// recovery code, registering with a server, restoring from the code, the
// quick-exit wipe, and the private safety settings kept in the keystore
// (the safe word and the duress passphrase).
#ifndef KITH_CLI_ACCOUNT_COMMANDS_H_
#define KITH_CLI_ACCOUNT_COMMANDS_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "kith/client.h"
#include "session.h"

namespace kith::cli {

// `kith id create --name NAME`: prints the recovery code once.
absl::Status IdCreate(const Globals& g, const std::string& name);
// `kith id show`.
absl::Status IdShow(const Globals& g);
// `kith id verify USER`: the safety number.
// `kith id verify USER [--confirm]`: the safety number; with `confirm`
// (the person compared it and it matched), USER is remembered as verified.
absl::Status IdVerify(const Globals& g, const std::string& user_hex, bool confirm);

// Where to reach a server and how to trust it (--server, --ca, --fingerprint).
struct ServerChoice {
  std::string address;
  std::string ca_file;
  std::string fingerprint;
};
// `kith register`: publishes the identity and pins the server's keys.
absl::Status Register(const Globals& g, const ServerChoice& server);
// `kith restore`: rebuilds the keystore from the recovery code alone, for
// an account the server already has.
absl::Status Restore(const Globals& g, const ServerChoice& server);

// `kith panic-wipe`: overwrites and deletes everything under the home
// directory, keystore first, without asking for anything or touching the
// network.
absl::Status PanicWipe(const Globals& g);

// `kith unlock [--for DURATION]`: asks for the passphrase once and starts
// the home's unlock agent (agent.h) for DURATION (1 minute to 24 hours).
absl::Status Unlock(const Globals& g, const std::string& duration);
// `kith lock`: ends the unlock agent; the next command asks again.
absl::Status Lock(const Globals& g);

// `kith id safe-word set|off`.
absl::Status SafeWordSet(const Globals& g);
absl::Status SafeWordOff(const Globals& g);
// `kith id duress set|off`.
absl::Status DuressSet(const Globals& g);
absl::Status DuressOff(const Globals& g);

// Unlocks for a command that cancels or weakens a safety measure (an
// alert, a check-in, the duress passphrase). Under a duress profile nothing
// is changed: the alarm escalates and the result is empty, and the caller
// prints exactly what success prints.
// With `passphrase`, hands back the passphrase typed (see Home::Unlock).
absl::StatusOr<std::optional<client::Keystore>> UnlockToChangeSafety(
    const Globals& g, crypto::Secret* passphrase = nullptr);

// True if `text` contains `safe_word`, ignoring ASCII case.
bool ContainsSafeWord(std::string_view text, const crypto::Secret& safe_word);
// The alert a typed safe word sends, silently, to the circle.
void AlertForSafeWord(client::Client& c);

}  // namespace kith::cli

#endif  // KITH_CLI_ACCOUNT_COMMANDS_H_
