#include "detached.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace kith::cli {

bool StartDetached(char* const argv[], int in_fd, int out_fd) {
  const pid_t child = ::fork();
  if (child < 0) return false;
  if (child == 0) {
    // Only async-signal-safe calls here: the parent may have threads.
    if (::fork() != 0) ::_exit(0);  // the grandchild is adopted by init
    ::setsid();
    const int null = ::open("/dev/null", O_RDWR);
    ::dup2(in_fd, 0);
    ::dup2(out_fd >= 0 ? out_fd : null, 1);
    ::dup2(null, 2);
    // The secrets descriptor and everything else stay behind.
    ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
    ::execv("/proc/self/exe", argv);
    ::_exit(1);
  }
  ::waitpid(child, nullptr, 0);
  return true;
}

}  // namespace kith::cli
