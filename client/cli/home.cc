#include "home.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "agent.h"
#include "duress_relay.h"
#include "kith/crypto.h"
#include "kith/files.h"
#include "kith/passphrase_strength.h"

namespace kith::cli {
namespace {

// Reads one line from the controlling terminal, echo off unless `echo`.
absl::StatusOr<std::string> ReadTerminalLine(const std::string& prompt, bool echo) {
  int fd = ::open("/dev/tty", O_RDWR | O_NOCTTY);
  if (fd < 0) {
    return absl::FailedPreconditionError(
        "no terminal to ask on: run in a terminal, or give secrets with --secrets-fd");
  }
  termios saved{};
  const bool is_tty = ::tcgetattr(fd, &saved) == 0;
  // In a background job the terminal's keystrokes go to the shell, and a
  // passphrase typed there would be run as a command, in the clear.
  if (is_tty && ::tcgetpgrp(fd) != ::getpgrp()) {
    ::close(fd);
    return absl::FailedPreconditionError(
        "kith is running in the background, where it cannot ask for your passphrase (what you "
        "typed would go to the shell): start it in the foreground, or give secrets with "
        "--secrets-fd");
  }
  // Echo goes off before the prompt shows, so whatever is typed once it
  // shows is read, unechoed (TCSAFLUSH drops only what was typed before).
  if (is_tty && !echo) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  ::write(fd, prompt.data(), prompt.size());
  std::string line;
  char c;
  while (::read(fd, &c, 1) == 1 && c != '\n') line.push_back(c);
  if (is_tty && !echo) {
    ::tcsetattr(fd, TCSAFLUSH, &saved);
    ::write(fd, "\n", 1);
  }
  ::close(fd);
  return line;
}

// One line from `fd`, read a byte at a time so the next secret stays unread.
absl::StatusOr<std::string> ReadFdLine(int fd) {
  std::string line;
  char c;
  ssize_t n;
  while ((n = ::read(fd, &c, 1)) == 1 && c != '\n') line.push_back(c);
  if (n < 0) return absl::FailedPreconditionError("cannot read --secrets-fd");
  if (n == 0 && line.empty()) {
    return absl::FailedPreconditionError("--secrets-fd ended before every secret was read");
  }
  return line;
}

}  // namespace

std::string Home::DefaultDir() {
  if (const char* env = std::getenv("KITH_HOME"); env && *env) return env;
  const char* home = std::getenv("HOME");
  return absl::StrCat(home ? home : ".", "/.kith");
}

absl::Status Home::Ensure() const {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create ", dir_));
  std::filesystem::permissions(dir_, std::filesystem::perms::owner_all, ec);
  return absl::OkStatus();
}

absl::StatusOr<std::string> Home::AskSecret(const std::string& prompt, bool confirm) const {
  if (secrets_fd_ >= 0) {
    auto line = ReadFdLine(secrets_fd_);
    if (line.ok() && line->empty()) return absl::InvalidArgumentError("a secret cannot be empty");
    return line;
  }
  auto first = ReadTerminalLine(prompt, false);
  if (!first.ok()) return first;
  if (first->empty()) return absl::InvalidArgumentError("a secret cannot be empty");
  if (confirm) {
    auto second = ReadTerminalLine("Repeat: ", false);
    if (!second.ok()) return second;
    const bool same = crypto::ConstantTimeEqual(*first, *second);
    crypto::Wipe(*second);
    if (!same) return absl::InvalidArgumentError("the two entries do not match");
  }
  return first;
}

absl::Status Home::CheckIdentity() const {
  if (std::filesystem::exists(IdentityPath())) return absl::OkStatus();
  return absl::NotFoundError(absl::StrCat(
      "there is no identity in ", dir_, ": point --home (or KITH_HOME) at the folder yours is "
      "in, or make one with 'kith id create --name NAME'"));
}

absl::StatusOr<client::Keystore> Home::Unlock(bool escalate, crypto::Secret* passphrase_out) const {
  if (auto s = CheckIdentity(); !s.ok()) return s;
  // Unlocked with 'kith unlock': as if the passphrase were typed, except
  // that no passphrase is handed back.
  if (use_agent_) {
    if (auto key = AskAgent(dir_); key.ok()) {
      auto keystore = client::Keystore::OpenWithKey(IdentityPath(), *key);
      if (keystore.ok()) {
        StartDuressRelay(dir_, keystore->profile(), escalate);
        return keystore;
      }
      StopAgent(dir_);  // the keystore was written anew: the agent's key is stale
    }
  }
  // A mistyped passphrase is asked for again at a terminal, 3 tries in all;
  // from a descriptor there is nobody to ask again. Every try costs the
  // same Argon2id work, whichever slot (real or duress) it opens.
  const int tries = secrets_fd_ >= 0 ? 1 : 3;
  absl::StatusOr<client::Keystore> keystore = absl::UnknownError("no try");
  for (int i = 0; i < tries; ++i) {
    if (i > 0) std::fprintf(stderr, "%s; try again.\n", std::string(keystore.status().message()).c_str());
    auto passphrase = AskSecret("Passphrase: ", false);
    if (!passphrase.ok()) return passphrase.status();
    keystore = client::Keystore::Open(IdentityPath(), *passphrase);
    if (keystore.ok() && passphrase_out != nullptr) {
      *passphrase_out = crypto::Secret::LockedCopy(*passphrase);
    }
    crypto::Wipe(*passphrase);
    if (!absl::IsPermissionDenied(keystore.status())) break;
  }
  if (keystore.ok()) StartDuressRelay(dir_, keystore->profile(), escalate);
  return keystore;
}

absl::StatusOr<crypto::Secret> Home::AskNewPassphrase(
    const std::string& prompt, const std::vector<std::string>& personal) const {
  // From a descriptor there is nobody to ask again.
  const int tries = secrets_fd_ >= 0 ? 1 : 3;
  absl::Status weak;
  for (int i = 0; i < tries; ++i) {
    if (!weak.ok()) std::fprintf(stderr, "%s\n", std::string(weak.message()).c_str());
    auto passphrase = AskSecret(prompt, /*confirm=*/true);
    if (!passphrase.ok()) return passphrase.status();
    weak = client::CheckPassphraseStrength(*passphrase, personal);
    crypto::Secret out = crypto::Secret::FromString(*passphrase);
    crypto::Wipe(*passphrase);
    if (weak.ok()) return out;
  }
  return weak;
}

absl::StatusOr<client::ClientOptions> Home::ServerOptions() const {
  if (auto s = CheckIdentity(); !s.ok()) return s;
  auto server = ReadFile(ServerPath());
  auto certificate = ReadFile(CertificatePath());
  if (!server.ok() || !certificate.ok()) {
    return absl::FailedPreconditionError(
        "not registered with a server: run 'kith register --server HOST:PORT --ca FILE'");
  }
  auto checkpoint_key = ReadFile(CheckpointKeyPath());
  if (!checkpoint_key.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "no pinned checkpoint key in ", dir_, ": run 'kith register' again"));
  }
  client::ClientOptions options{*server, *certificate, *checkpoint_key};
  options.connect_timeout = kConnectTimeout;
  return options;
}

absl::StatusOr<std::unique_ptr<client::Client>> Home::Connect() const {
  // Registration first, so nobody types a passphrase only to hear they must register.
  auto options = ServerOptions();
  if (!options.ok()) return options.status();
  crypto::Secret passphrase;
  auto unlocked = Unlock(/*escalate=*/false, &passphrase);
  if (!unlocked.ok()) return unlocked.status();
  auto shared = std::make_shared<SharedKeystore>(*std::move(unlocked));
  client::Keystore* keystore = &shared->keystore;
  // Kept only to move an older keystore to today's format, below.
  if (!keystore->legacy() || keystore->profile().is_duress()) passphrase = crypto::Secret();
  auto c = Connect(shared);
  if (!c.ok()) return c.status();
  // Rotating and erasing member keys (forward secrecy) goes with any
  // command, at most a day apart; a failure here leaves it to the next.
  if ((*c)->keys().UpkeepDue()) {
    if (auto upkept = (*c)->keys().Upkeep(); !upkept.ok()) {
      std::fprintf(stderr, "Could not rotate your keys this time: %s\n",
                   std::string(upkept.status().message()).c_str());
    }
  }
  if (!passphrase.empty()) UpgradeLegacyKeystore(**c, *keystore, passphrase);
  return c;
}

absl::StatusOr<std::unique_ptr<client::Client>> Home::Connect(
    std::shared_ptr<SharedKeystore> keystore) const {
  auto options = ServerOptions();
  if (!options.ok()) return options.status();
  options->keep_member_keys = [keystore](const client::Session::MemberKeyChange& change) {
    std::lock_guard<std::mutex> lock(keystore->mu);
    return keystore->keystore.UpdateMemberKeys(change);
  };
  std::lock_guard<std::mutex> lock(keystore->mu);
  return Connect(keystore->keystore.profile().identity, *std::move(options));
}

void Home::UpgradeLegacyKeystore(client::Client& c, client::Keystore& keystore,
                                 const crypto::Secret& passphrase) const {
  // The other slot of an older file holds random bytes or a duress profile,
  // under a passphrase this profile never knew. Only when no duress alarm
  // is armed can it hold nothing worth keeping, and be written anew.
  auto armed = c.circle().DuressArmed();
  if (!armed.ok()) return;  // the next unlock asks again
  if (*armed) {
    std::fprintf(stderr,
                 "Your keystore is in an older format, cheaper to guess at. Run 'kith id duress "
                 "set' again to move it, with your duress profile, to today's.\n");
    return;
  }
  if (auto s = keystore.ClearOtherSlot(passphrase.view()); !s.ok()) {
    std::fprintf(stderr, "Could not move your keystore to today's format: %s\n",
                 std::string(s.message()).c_str());
  }
}

absl::StatusOr<std::unique_ptr<client::Client>> Home::Connect(client::Identity identity) const {
  auto options = ServerOptions();
  if (!options.ok()) return options.status();
  return Connect(std::move(identity), *std::move(options));
}

absl::StatusOr<std::unique_ptr<client::Client>> Home::Connect(client::Identity identity,
                                                              client::ClientOptions options) const {
  auto memory = client::FileLogMemory::Open(LogMemoryPath(), identity.box.secret_key);
  if (!memory.ok()) return memory.status();
  options.memory = *std::move(memory);
  return client::Client::Connect(options, std::move(identity));
}

absl::Status Home::RecordWrittenElsewhere(const std::string& path) const {
  std::error_code ec;
  const std::string line = std::filesystem::absolute(path, ec).lexically_normal().string() + "\n";
  if (ec) return absl::InternalError(absl::StrCat("cannot resolve ", path));
  const int fd = ::open(WrittenElsewherePath().c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return absl::InternalError(absl::StrCat("cannot write ", WrittenElsewherePath()));
  const bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
                       ::fsync(fd) == 0;
  ::close(fd);
  if (!written) return absl::InternalError(absl::StrCat("cannot write ", WrittenElsewherePath()));
  return absl::OkStatus();
}

std::vector<std::string> Home::WrittenElsewhere() const {
  auto list = ReadFile(WrittenElsewherePath());
  if (!list.ok()) return {};
  return absl::StrSplit(*list, '\n', absl::SkipEmpty());
}

absl::Status Home::SaveServer(const std::string& address, const std::string& certificate,
                              const std::string& checkpoint_key) const {
  if (auto s = WriteFileAtomically(CertificatePath(), certificate, 0644); !s.ok()) return s;
  if (auto s = WriteFileAtomically(CheckpointKeyPath(), checkpoint_key, 0644); !s.ok()) return s;
  return WriteFileAtomically(ServerPath(), address, 0600);
}

absl::StatusOr<std::string> AskLine(const std::string& prompt) {
  return ReadTerminalLine(prompt, true);
}

absl::StatusOr<bool> AskYesNo(const std::string& question) {
  auto answer = ReadTerminalLine(question + " [y/N] ", true);
  if (!answer.ok()) return answer.status();
  return *answer == "y" || *answer == "Y" || *answer == "yes";
}

}  // namespace kith::cli
