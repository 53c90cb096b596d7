#include "duress_relay.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "detached.h"
#include "home.h"
#include "kith/crypto.h"
#include "kith/files.h"
#include "kith/protocol.h"

namespace kith::cli {
namespace {

// How long an alarm raised offline keeps trying to reach the server.
constexpr auto kPatience = std::chrono::minutes(3);
constexpr auto kCallDeadline = std::chrono::seconds(10);
constexpr auto kMaxBackoff = std::chrono::seconds(15);

}  // namespace

void StartDuressRelay(const std::string& home_dir, const client::Profile& profile, bool escalate) {
  std::string token = profile.is_duress() ? std::string(profile.duress_token.view())
                                          : crypto::RandomBytes(crypto::kKeyBytes);
  std::string message = absl::StrCat(crypto::ToHex(token), escalate ? " escalate\n" : " once\n");
  crypto::Wipe(token);
  std::string name = "kith", home_flag = "--home", home = home_dir, command = kRelayCommand;
  char* const argv[] = {name.data(), home_flag.data(), home.data(), command.data(), nullptr};
  int token_pipe[2], started[2];
  if (::pipe2(token_pipe, O_CLOEXEC) != 0) return;
  if (::pipe2(started, O_CLOEXEC) != 0) {
    ::close(token_pipe[0]);
    ::close(token_pipe[1]);
    return;
  }
  const bool started_relay = StartDetached(argv, token_pipe[0], -1);
  ::close(token_pipe[0]);
  ::close(started[1]);
  if (started_relay) {
    // Smaller than a pipe's buffer, so this never blocks.
    (void)!::write(token_pipe[1], message.data(), message.size());
    // End of file once the relay has exec'd (or died): by the time this
    // command ends, its relay is running, whichever passphrase opened.
    char c;
    while (::read(started[0], &c, 1) > 0) {
    }
  }
  ::close(token_pipe[1]);
  ::close(started[0]);
  crypto::Wipe(message);
}

namespace {

// Presents `req` until the server answers, or `give_up`; false at give_up.
bool Present(v1::Kith::Stub& stub, const v1::DuressTrigger& req,
             std::chrono::system_clock::time_point give_up) {
  auto backoff = std::chrono::seconds(1);
  while (std::chrono::system_clock::now() < give_up) {
    grpc::ClientContext ctx;
    ctx.set_wait_for_ready(true);
    ctx.set_deadline(std::min(give_up, std::chrono::system_clock::now() + kCallDeadline));
    v1::Empty reply;
    const grpc::Status s = stub.TriggerDuress(&ctx, req, &reply);
    if (s.error_code() != grpc::StatusCode::UNAVAILABLE &&
        s.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED) {
      return true;
    }
    std::this_thread::sleep_for(backoff);
    backoff = std::min<std::chrono::seconds>(backoff * 2, kMaxBackoff);
  }
  return false;
}

}  // namespace

int RunDuressRelay(const std::string& home_dir) {
  std::string line;
  char c;
  while (::read(0, &c, 1) == 1 && c != '\n') line.push_back(c);
  const size_t space = line.find(' ');
  auto token = crypto::FromHex(line.substr(0, space));
  const bool escalate = space != std::string::npos && line.substr(space + 1) == "escalate";
  crypto::Wipe(line);
  const Home home(home_dir, -1);
  auto server = ReadFile(home.ServerPath());
  auto certificate = ReadFile(home.CertificatePath());
  if (!token.ok() || !server.ok() || !certificate.ok()) return 0;  // not registered: nobody to tell
  v1::DuressTrigger req;
  req.set_token(*token);
  crypto::Wipe(*token);
  auto stub = v1::Kith::NewStub(client::PinnedChannel(*server, *certificate));
  const auto give_up = std::chrono::system_clock::now() + kPatience;
  if (Present(*stub, req, give_up) && escalate) {
    req.set_escalate(true);
    Present(*stub, req, give_up);
  }
  crypto::Wipe(*req.mutable_token());
  return 0;
}

}  // namespace kith::cli
