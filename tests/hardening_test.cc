// HardenProcess, in a child process so the test runner keeps its own settings.
#include "kith/hardening.h"

#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace kith {
namespace {

TEST(HardenProcessTest, TurnsCoreFilesOffAndMakesTheProcessUndumpable) {
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (!HardenProcess().ok()) ::_exit(1);
    rlimit core{};
    ::getrlimit(RLIMIT_CORE, &core);
    if (core.rlim_cur != 0 || core.rlim_max != 0) ::_exit(2);
    if (::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0) ::_exit(3);
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1: failed, 2: core files on, 3: still dumpable";
}

}  // namespace
}  // namespace kith
