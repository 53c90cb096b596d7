#include "kith/hardening.h"

#include <sys/prctl.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace kith {

absl::Status HardenProcess() {
  const rlimit none{0, 0};
  if (::setrlimit(RLIMIT_CORE, &none) != 0) {
    return absl::InternalError(absl::StrCat("cannot turn core files off: ", std::strerror(errno)));
  }
  if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
    return absl::InternalError(
        absl::StrCat("cannot make the process undumpable: ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

}  // namespace kith
