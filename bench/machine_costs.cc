// machine_costs: what this machine charges for the three things every
// delivery on loopback is made of, so bench/run.sh can print them beside
// Kith's latency. A member's stream write is a send, a receive and a
// window update back, each waking a thread of the other process.
//
//   syscall_ns          one trivial system call (getppid)
//   thread_wakeup_us    one thread waking another that sleeps on a
//                       condition variable: half of a ping-pong round trip
//   loopback_rtt_us     64 bytes to a thread on the other end of a
//                       127.0.0.1 TCP connection and back
//
// Prints "RESULT <figure> <value> <unit>" lines, like kith_load.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>

namespace {

using Clock = std::chrono::steady_clock;

double MicrosEach(Clock::time_point from, Clock::time_point to, int count) {
  return std::chrono::duration<double, std::micro>(to - from).count() / count;
}

void Result(const char* figure, double value, const char* unit) {
  std::printf("RESULT machine.%s %.6g %s\n", figure, value, unit);
}

void Die(const char* what) {
  std::perror(what);
  std::exit(1);
}

double SyscallNs() {
  constexpr int kCalls = 200000;
  const auto start = Clock::now();
  for (int i = 0; i < kCalls; ++i) syscall(SYS_getppid);
  return 1000 * MicrosEach(start, Clock::now(), kCalls);
}

double ThreadWakeupUs() {
  constexpr int kRounds = 20000;
  std::mutex mu;
  std::condition_variable cv;
  bool ball_with_other = false;
  std::thread other([&] {
    for (int i = 0; i < kRounds; ++i) {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return ball_with_other; });
      ball_with_other = false;
      cv.notify_one();
    }
  });
  const auto start = Clock::now();
  for (int i = 0; i < kRounds; ++i) {
    std::unique_lock<std::mutex> lock(mu);
    ball_with_other = true;
    cv.notify_one();
    cv.wait(lock, [&] { return !ball_with_other; });
  }
  const auto end = Clock::now();
  other.join();
  return MicrosEach(start, end, 2 * kRounds);
}

double LoopbackRoundTripUs() {
  constexpr int kRounds = 20000;
  constexpr size_t kBytes = 64;
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (listener < 0 || bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      listen(listener, 1) != 0 ||
      getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    Die("listening on 127.0.0.1");
  }
  const int client = socket(AF_INET, SOCK_STREAM, 0);
  if (client < 0 || connect(client, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    Die("connecting to 127.0.0.1");
  }
  const int server = accept(listener, nullptr, nullptr);
  if (server < 0) Die("accepting");
  const int one = 1;
  setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  setsockopt(server, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  // One side of a round: send kBytes and read them back, or read them and
  // send them back. False if the other end went away.
  auto exchange = [](int fd, bool send_first) {
    char buf[kBytes] = {};
    auto read_all = [&] {
      for (size_t got = 0; got < kBytes;) {
        const ssize_t n = read(fd, buf + got, kBytes - got);
        if (n <= 0) return false;
        got += static_cast<size_t>(n);
      }
      return true;
    };
    if (send_first) {
      if (write(fd, buf, kBytes) != static_cast<ssize_t>(kBytes)) return false;
      return read_all();
    }
    return read_all() && write(fd, buf, kBytes) == static_cast<ssize_t>(kBytes);
  };
  std::thread echo([&] {
    for (int i = 0; i < kRounds; ++i) {
      if (!exchange(server, /*send_first=*/false)) Die("echoing");
    }
  });
  const auto start = Clock::now();
  for (int i = 0; i < kRounds; ++i) {
    if (!exchange(client, /*send_first=*/true)) Die("pinging");
  }
  const auto end = Clock::now();
  echo.join();
  close(client);
  close(server);
  close(listener);
  return MicrosEach(start, end, kRounds);
}

}  // namespace

int main() {
  Result("syscall_ns", SyscallNs(), "ns");
  Result("thread_wakeup_us", ThreadWakeupUs(), "us");
  Result("loopback_rtt_us", LoopbackRoundTripUs(), "us");
  return 0;
}
