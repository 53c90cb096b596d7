#include "account_commands.h"

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <iostream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "kith/crypto.h"
#include "kith/duration.h"
#include "kith/files.h"
#include "kith/protocol.h"
#include "kith/verified_contacts.h"
#include "agent.h"
#include "output.h"

namespace kith::cli {
namespace {

// Upper case, no colons: fingerprints compare however they were typed.
std::string NormalFingerprint(std::string_view fp) {
  std::string out;
  for (char ch : fp) {
    if (ch != ':') out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(ch))));
  }
  return out;
}

// The certificate to pin: from --ca, or fetched on first contact and trusted
// only once its fingerprint matches what the person was told out of band.
absl::StatusOr<std::string> CertificateToPin(const ServerChoice& server) {
  if (!server.ca_file.empty()) {
    auto pem = ReadFile(server.ca_file);
    if (!pem.ok()) return absl::InvalidArgumentError(absl::StrCat("cannot read --ca ", server.ca_file));
    return pem;
  }
  auto pem = client::FetchServerCertificate(server.address, kConnectTimeout);
  if (!pem.ok()) return pem.status();
  auto presented = CertificateFingerprint(*pem);
  if (!presented.ok()) return presented.status();
  if (!server.fingerprint.empty()) {
    if (NormalFingerprint(server.fingerprint) != NormalFingerprint(*presented)) {
      return absl::PermissionDeniedError(absl::StrCat(
          "the server presents a certificate with fingerprint ", *presented,
          ", not the one you gave: someone may be in the middle; do not register"));
    }
    return pem;
  }
  std::cerr << "The server presents a TLS certificate with SHA-256 fingerprint\n  " << *presented
            << "\nCompare it with the fingerprint kithd printed when it started (or: openssl x509"
               " -noout -fingerprint -sha256 -in DATA_DIR/tls/server.crt).\n";
  auto same = AskYesNo("Do they match?");
  if (!same.ok()) {
    return absl::FailedPreconditionError(
        "cannot ask whether to trust the server: pass --ca FILE or --fingerprint FP");
  }
  if (!*same) return absl::CancelledError("not trusting this server; nothing was saved");
  return pem;
}

// Connects `identity` to the chosen server, whose `certificate` the person
// trusts, logs in (publishing the identity first with `publish`) and pins
// the server's keys in `home`.
absl::StatusOr<std::unique_ptr<client::Client>> ConnectAndPin(const Home& home,
                                                              const ServerChoice& server,
                                                              const std::string& certificate,
                                                              client::Identity identity,
                                                              bool publish) {
  client::ClientOptions options{server.address, certificate, /*checkpoint_key=*/""};
  options.connect_timeout = kConnectTimeout;
  auto c = client::Client::Connect(options, std::move(identity));
  if (!c.ok()) return c.status();
  if (publish) {
    if (auto s = (*c)->account().Register(); !s.ok()) return s;
  }
  if (auto s = (*c)->session().Login(); !s.ok()) return s;
  // Pinned over the pinned TLS channel, at the same moment as the certificate.
  auto checkpoint_key = (*c)->session().ServerKey();
  if (!checkpoint_key.ok()) return checkpoint_key.status();
  if (auto s = home.SaveServer(server.address, certificate, *checkpoint_key); !s.ok()) return s;
  return c;
}

// Fails if `home` already holds an identity.
absl::Status CheckNoIdentity(const Home& home) {
  if (std::filesystem::exists(home.IdentityPath())) {
    return absl::AlreadyExistsError(absl::StrCat("an identity already exists in ", home.dir(),
                                                 "; use another --home for another identity"));
  }
  return home.Ensure();
}

// Overwrites the file at `path` with random bytes, flushes it to disk and unlinks it.
// Overwrites the file at `path` with random bytes, syncs it, and removes it.
void Shred(const std::filesystem::path& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd >= 0 && !ec) {
    constexpr uintmax_t kChunk = 1 << 16;
    for (uintmax_t done = 0; done < size;) {
      const std::string noise = crypto::RandomBytes(std::min(kChunk, size - done));
      if (::write(fd, noise.data(), noise.size()) != static_cast<ssize_t>(noise.size())) break;
      done += noise.size();
    }
    ::fsync(fd);
  }
  if (fd >= 0) ::close(fd);
  std::filesystem::remove(path, ec);
}

// Shreds every regular file at or under `path`, then removes what is left.
void ShredTree(const std::filesystem::path& path) {
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  if (std::filesystem::is_regular_file(path, ec)) files.push_back(path);
  for (auto it = std::filesystem::recursive_directory_iterator(path, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) files.push_back(it->path());
  }
  for (const auto& file : files) Shred(file);
  std::filesystem::remove_all(path, ec);
}

}  // namespace

absl::Status IdCreate(const Globals& g, const std::string& name) {
  Home home = g.home();
  if (auto s = CheckNoIdentity(home); !s.ok()) return s;
  if (name.empty() || name.size() > kMaxDisplayNameBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("--name must be 1 to ", kMaxDisplayNameBytes, " bytes"));
  }
  auto passphrase = home.AskNewPassphrase("New passphrase: ", {name});
  if (!passphrase.ok()) return passphrase.status();
  const client::RecoveryCode code = client::RecoveryCode::Generate();
  client::Profile profile{client::Identity::FromRecoveryCode(name, code), {}, {}};
  profile.identity.member_keys.Rotate(NowMs());
  if (auto s = client::Keystore::Create(home.IdentityPath(), profile, passphrase->view()); !s.ok()) {
    return s;
  }
  std::string code_text = code.ToString();
  const std::string user_id = Hex(profile.identity.user_id());
  Record().Set("user_id", user_id).Set("name", name).Set("recovery_code", code_text).Print(
      g.json, absl::StrCat("Created identity ", name, "\nUser id: ", user_id,
                           "\nKeys are encrypted in ", home.IdentityPath(),
                           "\n\nRecovery code: ", code_text,
                           "\nWrite it down and keep it away from this device. It is the only way "
                           "back into your account after 'kith panic-wipe' or a lost device, and "
                           "it is not stored anywhere."));
  crypto::Wipe(code_text);
  return absl::OkStatus();
}

absl::Status IdShow(const Globals& g) {
  auto keystore = g.home().Unlock();
  if (!keystore.ok()) return keystore.status();
  const client::Identity& id = keystore->profile().identity;
  const std::string fingerprint = Hex(id.sign.public_key);
  Record().Set("user_id", Hex(id.user_id())).Set("name", id.name).Set("fingerprint", fingerprint)
      .Print(g.json, absl::StrCat("Name: ", id.name, "\nUser id: ", Hex(id.user_id()),
                                  "\nSigning key fingerprint: ", fingerprint));
  return absl::OkStatus();
}

absl::Status IdVerify(const Globals& g, const std::string& user_hex, bool confirm) {
  auto user = crypto::FromHex(user_hex);
  if (!user.ok() || user->size() != kIdBytes) {
    return absl::InvalidArgumentError("USER is a 32-character user id");
  }
  auto c = g.home().Connect();
  if (!c.ok()) return c.status();
  auto bundle = (*c)->session().GetIdentity(*user);
  if (!bundle.ok()) return bundle.status();
  const std::string number = SafetyNumber((*c)->identity().sign.public_key, bundle->sign_pk());
  if (confirm) {
    auto verified = client::VerifiedContacts::Open(g.home().VerifiedPath(),
                                                   (*c)->identity().box.secret_key);
    if (!verified.ok()) return verified.status();
    if (auto s = verified->Add(*user); !s.ok()) return s;
  }
  Record().Set("user_id", user_hex).Set("name", bundle->name()).Set("safety_number", number)
      .Set("verified", confirm)
      .Print(g.json, absl::StrCat("Safety number with ", bundle->name(), " (", user_hex, "):\n",
                                  number,
                                  confirm ? "\nRecorded as verified: 'kith group members' shows it."
                                          : "\nCompare it with theirs in person or on a call you "
                                            "trust; if it matches, run this again with --confirm."));
  return absl::OkStatus();
}

absl::Status Register(const Globals& g, const ServerChoice& server) {
  Home home = g.home();
  auto certificate = CertificateToPin(server);
  if (!certificate.ok()) return certificate.status();
  auto keystore = home.Unlock();
  if (!keystore.ok()) return keystore.status();
  auto c = ConnectAndPin(home, server, *certificate, keystore->profile().identity, /*publish=*/true);
  if (!c.ok()) return c.status();
  Record().Set("user_id", Hex((*c)->identity().user_id())).Set("server", server.address)
      .Print(g.json, absl::StrCat("Registered with ", server.address,
                                  "; its certificate is pinned in ", home.CertificatePath()));
  return absl::OkStatus();
}

absl::Status Restore(const Globals& g, const ServerChoice& server) {
  Home home = g.home();
  if (auto s = CheckNoIdentity(home); !s.ok()) return s;
  auto code_text = home.AskSecret("Recovery code: ", false);
  if (!code_text.ok()) return code_text.status();
  auto code = client::RecoveryCode::Parse(*code_text);
  crypto::Wipe(*code_text);
  if (!code.ok()) return code.status();
  client::Identity identity = client::Identity::FromRecoveryCode("", *code);
  // A new member key: the old ones were never in the code (forward secrecy).
  identity.member_keys.Rotate(NowMs());
  auto certificate = CertificateToPin(server);
  if (!certificate.ok()) return certificate.status();
  auto c = ConnectAndPin(home, server, *certificate, identity, /*publish=*/false);
  if (absl::IsUnauthenticated(c.status()) || absl::IsNotFound(c.status())) {
    return absl::NotFoundError(
        "that server has no account for this recovery code: check the code and the server");
  }
  if (!c.ok()) return c.status();
  // The name comes back from the account's own signed bundle.
  auto bundle = (*c)->session().GetIdentity(identity.user_id());
  if (!bundle.ok()) return bundle.status();
  if (bundle->box_pk() != identity.box.public_key) {
    return absl::DataLossError("the server's record of this account has another encryption key");
  }
  identity.name = bundle->name();
  auto passphrase = home.AskNewPassphrase("New passphrase: ", {identity.name});
  if (!passphrase.ok()) return passphrase.status();
  if (auto s = client::Keystore::Create(home.IdentityPath(), client::Profile{identity, {}, {}},
                                        passphrase->view());
      !s.ok()) {
    return s;
  }
  Record().Set("user_id", Hex(identity.user_id())).Set("name", identity.name)
      .Print(g.json, absl::StrCat("Restored ", identity.name, " (", Hex(identity.user_id()),
                                  "). Your groups, circle and evidence are back. Messages, "
                                  "alerts and your safety plan from before are not: they were "
                                  "sealed to keys that never leave a device, so write the plan "
                                  "again. Set your safe word and duress passphrase again if you "
                                  "used them."));
  return absl::OkStatus();
}

absl::Status Unlock(const Globals& g, const std::string& duration) {
  auto ms = ParseDurationMs(duration);
  if (!ms.ok()) return ms.status();
  constexpr int64_t kMaxMs = 24 * 3600 * 1000;
  if (*ms < 60'000 || *ms > kMaxMs) {
    return absl::InvalidArgumentError("--for is from 1m to 24h, e.g. 8h");
  }
  Home home = g.home();
  home.set_use_agent(false);  // a new unlock asks, whatever is unlocked now
  auto keystore = home.Unlock();
  if (!keystore.ok()) return keystore.status();
  const int64_t until = NowMs() + *ms;
  if (auto s = StartAgent(home.dir(), keystore->slot_key(), until); !s.ok()) return s;
  Record().Set("until_ms", double(until)).Print(
      g.json, absl::StrCat("Unlocked until ", TimeOfDay(until),
                           ": commands here will not ask for your passphrase until then. "
                           "'kith lock' locks now."));
  return absl::OkStatus();
}

absl::Status Lock(const Globals& g) {
  const bool stopped = StopAgent(g.home().dir());
  Record().Set("locked", stopped).Print(
      g.json, stopped ? "Locked: the next command asks for your passphrase."
                      : "Nothing was unlocked.");
  return absl::OkStatus();
}

absl::Status PanicWipe(const Globals& g) {
  Home home = g.home();
  StopAgent(home.dir());  // first: it holds the key to the keystore
  std::error_code ec;
  if (std::filesystem::exists(home.IdentityPath(), ec)) Shred(home.IdentityPath());
  const std::vector<std::string> elsewhere = home.WrittenElsewhere();
  for (const std::string& path : elsewhere) ShredTree(path);
  ShredTree(home.dir());
  if (std::filesystem::exists(home.dir(), ec)) {
    return absl::InternalError(absl::StrCat("could not remove ", home.dir()));
  }
  Record().Set("wiped", true).Set("exports_wiped", double(elsewhere.size())).Print(
      g.json, absl::StrCat(
                  "Wiped, with ", elsewhere.size(), " export(s) and saved file(s) elsewhere. Not "
                  "erased: this shell's history (clear it with 'history -c' and close the "
                  "terminal), copies anyone made of exported files, and backups."));
  return absl::OkStatus();
}

absl::StatusOr<std::optional<client::Keystore>> UnlockToChangeSafety(const Globals& g,
                                                                      crypto::Secret* passphrase) {
  Home home = g.home();
  home.set_use_agent(passphrase == nullptr);  // the agent holds no passphrase to hand back
  auto keystore = home.Unlock(/*escalate=*/true, passphrase);
  if (!keystore.ok()) return keystore.status();
  if (keystore->profile().is_duress()) return std::nullopt;
  return std::optional<client::Keystore>(*std::move(keystore));
}

absl::Status SafeWordSet(const Globals& g) {
  Home home = g.home();
  auto keystore = home.Unlock();
  if (!keystore.ok()) return keystore.status();
  auto word = home.AskSecret("Safe word: ", true);
  if (!word.ok()) return word.status();
  const size_t size = word->size();
  keystore->mutable_profile().safe_word = crypto::Secret::FromString(*word);
  crypto::Wipe(*word);
  if (size < 4 || size > 64) {
    return absl::InvalidArgumentError("a safe word is 4 to 64 characters");
  }
  if (auto s = keystore->Save(); !s.ok()) return s;
  Record().Set("safe_word", true).Print(
      g.json, "Safe word set on this device only. Typed in any message, it is sent as written "
              "and your circle is alerted (come now), without anything showing here.");
  return absl::OkStatus();
}

absl::Status SafeWordOff(const Globals& g) {
  auto keystore = UnlockToChangeSafety(g);
  if (!keystore.ok()) return keystore.status();
  if (*keystore) {
    // The circle hears of it first: it cannot be turned off unnoticed.
    auto c = g.home().Connect((*keystore)->profile().identity);
    if (!c.ok()) return c.status();
    if (auto s = (*c)->circle().Notify("The safe word was turned off."); !s.ok()) return s;
    (*keystore)->mutable_profile().safe_word = crypto::Secret();
    if (auto s = (*keystore)->Save(); !s.ok()) return s;
  }
  Record().Set("safe_word", false).Print(g.json, "Safe word turned off.");
  return absl::OkStatus();
}

absl::Status DuressSet(const Globals& g) {
  Home home = g.home();
  crypto::Secret own_passphrase;
  auto keystore = UnlockToChangeSafety(g, &own_passphrase);
  if (!keystore.ok()) return keystore.status();
  const std::string name = (*keystore) ? (*keystore)->profile().identity.name : "";
  auto passphrase = home.AskNewPassphrase("Duress passphrase: ", {name});
  if (!passphrase.ok()) return passphrase.status();
  if (*keystore) {
    const client::Identity& real = (*keystore)->profile().identity;
    auto c = home.Connect(real);
    if (!c.ok()) return c.status();
    // The empty profile is a real account, so everything in it works as it
    // would for anyone with no groups yet.
    client::Profile duress{client::Identity::Generate(real.name), {},
                           crypto::Secret::Random(crypto::kKeyBytes)};
    auto decoy = home.Connect(duress.identity);
    if (!decoy.ok()) return decoy.status();
    if (auto s = (*decoy)->account().Register(); !s.ok()) return s;
    v1::AlertContent opened, cancelled;
    opened.set_level(v1::AlertContent::COME_NOW);
    opened.set_note("My duress passphrase was used to unlock my device: someone may be forcing me.");
    cancelled.set_level(v1::AlertContent::CALL_EMERGENCY);
    cancelled.set_note("Under duress, someone tried to cancel my alerts from my device.");
    if (auto s = (*c)->circle().ArmDuress(duress.duress_token, {opened, cancelled}); !s.ok()) {
      if (absl::IsNotFound(s)) {
        return absl::FailedPreconditionError(
            "a duress passphrase alerts your circle: invite someone with 'kith circle invite' first");
      }
      return s;
    }
    if (auto s = (*keystore)->SetOtherSlot(own_passphrase.view(), duress, passphrase->view());
        !s.ok()) {
      return s;
    }
  }
  Record().Set("duress", true).Print(
      g.json, "Duress passphrase set. Unlocking with it opens an empty profile and silently "
              "alerts your circle (come now); trying to cancel from there escalates instead.");
  return absl::OkStatus();
}

absl::Status DuressOff(const Globals& g) {
  Home home = g.home();
  crypto::Secret own_passphrase;
  auto keystore = UnlockToChangeSafety(g, &own_passphrase);
  if (!keystore.ok()) return keystore.status();
  if (*keystore) {
    auto c = home.Connect((*keystore)->profile().identity);
    if (!c.ok()) return c.status();
    if (auto s = (*c)->circle().DisarmDuress(); !s.ok() && !absl::IsNotFound(s)) return s;
    if (auto s = (*keystore)->ClearOtherSlot(own_passphrase.view()); !s.ok()) return s;
    if (auto s = (*c)->circle().Notify("The duress passphrase was removed."); !s.ok()) return s;
  }
  Record().Set("duress", false).Print(g.json, "Duress passphrase removed.");
  return absl::OkStatus();
}

bool ContainsSafeWord(std::string_view text, const crypto::Secret& safe_word) {
  if (safe_word.empty()) return false;
  auto lower = [](std::string_view s) {
    std::string out(s);
    for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return out;
  };
  std::string word = lower(safe_word.view());
  const bool found = lower(text).find(word) != std::string::npos;
  crypto::Wipe(word);
  return found;
}

void AlertForSafeWord(client::Client& c) {
  v1::AlertContent content;
  content.set_level(v1::AlertContent::COME_NOW);
  content.set_note("I typed my safe word in a message: I need you now.");
  c.circle().RaiseAlert(content).IgnoreError();
}

}  // namespace kith::cli
