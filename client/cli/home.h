// The CLI's home directory: the keystore, the server address, its pinned
// certificate and checkpoint key, and the last verified head of each log.
// --home, then KITH_HOME, then ~/.kith.
//
// Secrets (passphrases, the safe word, a recovery code) are never taken
// from the command line or the environment, where `ps` and shell history
// show them: they are typed at the terminal, or read one line each, in the
// order asked, from the file descriptor given with --secrets-fd.
#ifndef KITH_CLI_HOME_H_
#define KITH_CLI_HOME_H_

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kith/client.h"
#include "kith/crypto.h"
#include "kith/identity.h"
#include "kith/keystore.h"

namespace kith::cli {

// An unlocked keystore that the clients of one command keep their member
// keys in (client::Session::set_keep_member_keys), one at a time.
struct SharedKeystore {
  explicit SharedKeystore(client::Keystore k) : keystore(std::move(k)) {}
  std::mutex mu;
  client::Keystore keystore;
};

// How long a command waits to reach its server before saying why it could
// not: a person at a terminal hears of a wrong port or a server that is
// down at once.
inline constexpr std::chrono::milliseconds kConnectTimeout{2'000};

class Home {
 public:
  // `secrets_fd` < 0: secrets come from the terminal.
  Home(std::string dir, int secrets_fd) : dir_(std::move(dir)), secrets_fd_(secrets_fd) {}
  static std::string DefaultDir();

  const std::string& dir() const { return dir_; }
  std::string IdentityPath() const { return dir_ + "/identity.key"; }
  std::string ServerPath() const { return dir_ + "/server"; }
  std::string CertificatePath() const { return dir_ + "/server.crt"; }
  std::string CheckpointKeyPath() const { return dir_ + "/server-checkpoint.key"; }
  // The last verified event of each group's log, encrypted (client::FileLogMemory).
  std::string LogMemoryPath() const { return dir_ + "/log-heads"; }
  // The people whose safety numbers this identity confirmed, encrypted
  // (client::VerifiedContacts).
  std::string VerifiedPath() const { return dir_ + "/verified"; }
  // What the CLI wrote outside the home on the person's behalf (exports,
  // saved attachments), one absolute path a line, for the panic wipe. Not
  // encrypted, since the wipe asks for nothing; what it names is in the
  // clear where it lies anyway.
  std::string WrittenElsewherePath() const { return dir_ + "/written-elsewhere"; }

  // Creates the directory, readable only by its owner.
  absl::Status Ensure() const;
  // NOT_FOUND, saying where to look, if no identity lives here.
  absl::Status CheckIdentity() const;
  // A secret: one line from --secrets-fd, or typed at the terminal without
  // echo (twice with `confirm`). Never empty.
  absl::StatusOr<std::string> AskSecret(const std::string& prompt, bool confirm) const;
  // Whether Unlock may take the key from the home's unlock agent (agent.h)
  // instead of asking; true unless turned off here.
  void set_use_agent(bool use) { use_agent_ = use; }
  // Asks for the passphrase (or asks the unlock agent) and opens the keystore. A duress profile looks
  // like any other here, and silently fires its alarm (duress_relay.h);
  // with `escalate`, for a command a duress profile answers by escalating
  // (stopping check-ins, turning safety settings off), its next one too.
  // With `passphrase`, also hands back the passphrase typed, for a change
  // that derives new keys from it (Keystore::SetOtherSlot); it stays empty
  // when the unlock agent opened the keystore, so a command that must have
  // it turns the agent off first (set_use_agent).
  absl::StatusOr<client::Keystore> Unlock(bool escalate = false,
                                          crypto::Secret* passphrase = nullptr) const;
  // A new passphrase, typed twice, that is hard enough to guess
  // (client::CheckPassphraseStrength; `personal`: words of this person's
  // that an attacker would try first, such as their name). At a terminal
  // a weak one is refused with the reason, and asked for again, 3 times in all.
  absl::StatusOr<crypto::Secret> AskNewPassphrase(const std::string& prompt,
                                                  const std::vector<std::string>& personal) const;
  // Unlocks and connects to the registered server, keeping changes to the
  // member keys in the keystore, and rotates or erases member keys when
  // due (client::Keys). An older keystore moves to today's format here.
  absl::StatusOr<std::unique_ptr<client::Client>> Connect() const;
  // Connects the identity of `keystore`, keeping its member keys there
  // (for a command whose clients run long: a follow).
  absl::StatusOr<std::unique_ptr<client::Client>> Connect(
      std::shared_ptr<SharedKeystore> keystore) const;
  // Connects an identity already unlocked, for one change; its member
  // keys stay as they are.
  absl::StatusOr<std::unique_ptr<client::Client>> Connect(client::Identity identity) const;
  // Notes `path` (a file, or a folder the CLI made) in WrittenElsewherePath(),
  // before anything is written there.
  absl::Status RecordWrittenElsewhere(const std::string& path) const;
  // Every path RecordWrittenElsewhere noted.
  std::vector<std::string> WrittenElsewhere() const;
  // Remembers the server and pins its certificate and checkpoint key.
  absl::Status SaveServer(const std::string& address, const std::string& certificate_pem,
                          const std::string& checkpoint_key) const;

 private:
  // The registered server's address and pinned keys.
  absl::StatusOr<client::ClientOptions> ServerOptions() const;
  absl::StatusOr<std::unique_ptr<client::Client>> Connect(client::Identity identity,
                                                          client::ClientOptions options) const;
  // Moves a KITHKEY2 keystore, opened by its real profile with
  // `passphrase`, to today's format, unless a duress profile may be in its
  // other slot (then says how to move it).
  void UpgradeLegacyKeystore(client::Client& c, client::Keystore& keystore,
                             const crypto::Secret& passphrase) const;
  std::string dir_;
  int secrets_fd_;
  bool use_agent_ = true;
};

// A line typed at the terminal, echoed; FAILED_PRECONDITION without one.
absl::StatusOr<std::string> AskLine(const std::string& prompt);
// A yes/no question on the terminal; FAILED_PRECONDITION without one.
absl::StatusOr<bool> AskYesNo(const std::string& question);

}  // namespace kith::cli

#endif  // KITH_CLI_HOME_H_
