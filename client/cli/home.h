// The CLI's home directory: the encrypted identity, the server address, its
// pinned certificate and checkpoint key, and the audit checkpoints verified. --home, then KITH_HOME, then ~/.kith.
#ifndef KITH_CLI_HOME_H_
#define KITH_CLI_HOME_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "kith/client.h"
#include "kith/identity.h"

namespace kith::cli {

class Home {
 public:
  explicit Home(std::string dir) : dir_(std::move(dir)) {}
  static std::string DefaultDir();

  const std::string& dir() const { return dir_; }
  std::string IdentityPath() const { return dir_ + "/identity.key"; }
  std::string ServerPath() const { return dir_ + "/server"; }
  std::string CertificatePath() const { return dir_ + "/server.crt"; }
  std::string CheckpointKeyPath() const { return dir_ + "/server-checkpoint.key"; }

  // Creates the directory, readable only by its owner.
  absl::Status Ensure() const;
  // Asks for the passphrase (KITH_PASSPHRASE, or the terminal) and opens the keystore.
  absl::StatusOr<client::Identity> Unlock() const;
  // Unlocks and connects to the registered server.
  absl::StatusOr<std::unique_ptr<client::Client>> Connect() const;
  // Connects an identity already unlocked (for a second connection).
  absl::StatusOr<std::unique_ptr<client::Client>> Connect(client::Identity identity) const;
  // Remembers the server and pins its certificate and checkpoint key.
  absl::Status SaveServer(const std::string& address, const std::string& certificate_pem,
                          const std::string& checkpoint_key) const;

 private:
  // The registered server's address and pinned keys.
  absl::StatusOr<client::ClientOptions> ServerOptions() const;
  std::string dir_;
};

// The passphrase from KITH_PASSPHRASE, or read from the terminal without echo.
// With `confirm`, the terminal asks twice.
absl::StatusOr<std::string> ReadPassphrase(const std::string& prompt, bool confirm);
// A line typed at the terminal, echoed; FAILED_PRECONDITION without one.
absl::StatusOr<std::string> AskLine(const std::string& prompt);
// A yes/no question on the terminal; FAILED_PRECONDITION without one.
absl::StatusOr<bool> AskYesNo(const std::string& question);


}  // namespace kith::cli

#endif  // KITH_CLI_HOME_H_
