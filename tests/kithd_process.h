// Runs the real kithd binary for a test: on 127.0.0.1, on a free port (kept
// across restarts so clients reconnect), with its own data directory and its
// log in a file beside it.
#ifndef KITH_TESTS_KITHD_PROCESS_H_
#define KITH_TESTS_KITHD_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/status.h"

namespace kith::testing {

// A directory under $TMPDIR (or /tmp), removed with everything in it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class KithdProcess {
 public:
  // `root` holds data/ and kithd.log.
  explicit KithdProcess(std::string root, std::vector<std::string> extra_args = {});
  ~KithdProcess();  // kills a running server

  // Starts kithd and waits until it is serving. The first start picks a free
  // port; later starts reuse it, so clients reconnect to the same address.
  absl::Status Start();
  // SIGKILL: no chance to flush anything.
  void Kill();
  // SIGTERM; returns the exit code.
  int Stop();
  bool running() const { return pid_ > 0; }
  // True, once, if kithd has exited since it started (then it is not running).
  bool Exited();
  pid_t pid() const { return pid_; }

  int port() const { return port_; }
  std::string address() const;
  std::string data_dir() const { return root_ + "/data"; }
  std::string log_path() const { return root_ + "/kithd.log"; }
  // The certificate clients pin.
  std::string certificate_pem() const;
  // The line kithd printed when it started serving.
  const std::string& start_line() const { return start_line_; }

 private:
  absl::Status Launch(int port);

  std::string root_;
  std::vector<std::string> extra_args_;
  pid_t pid_ = -1;
  int port_ = 0;
  std::string start_line_;
};

// Paths of the binaries under test, set by CMake.
std::string KithdPath();
std::string KithPath();

// Reads a whole file ("" if it does not exist).
std::string ReadFile(const std::string& path);

// Gives the node with data directory `to` the identity of the node with
// `from`, as one deployment's nodes share it: its TLS certificate and key
// (which clients pin) and its checkpoint key. Nothing else: each node's
// cache is its own.
absl::Status ShareNodeIdentity(const std::string& from, const std::string& to);

}  // namespace kith::testing

#endif  // KITH_TESTS_KITHD_PROCESS_H_
