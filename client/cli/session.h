// What every group command needs: the global flags, a connected client,
// and groups and people named the way people type them.
#ifndef KITH_CLI_SESSION_H_
#define KITH_CLI_SESSION_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "home.h"
#include "kith/client.h"
#include "kith/group_state.h"

namespace kith::cli {

struct Globals {
  std::string home_dir;
  int secrets_fd = -1;
  bool json = false;
  Home home() const { return Home(home_dir.empty() ? Home::DefaultDir() : home_dir, secrets_fd); }
};

const char* RoleName(v1::Role role);
std::string Hex(const std::string& bytes);
// "YYYY-MM-DD HH:MM" in local time.
std::string TimeOfDay(int64_t ms);
// "45m", "3h", "2d": how long ago or how long, roughly.
std::string RoughDuration(int64_t ms);
// `text`, or standard input (without trailing newlines) if it is "-".
std::string TextArgument(std::string text);
// A private text (plan, evidence, a check-in's note): standard input if
// `text` is "-". Anything else is refused, since an argument stays in the
// shell's history and shows in the process list; `what` names the text and
// `example` is the command that reads it from standard input.
absl::StatusOr<std::string> PrivateText(std::string text, std::string_view what,
                                        std::string_view example);
// Said after a private text was given as an argument anyway (an alert's,
// which is never held back): where it now lies and how to clear it.
void WarnTextInHistory(std::string_view what);
// "HH:MM" as minutes after midnight; INVALID_ARGUMENT if it is not one.
absl::StatusOr<uint32_t> ParseClockTime(const std::string& hh_mm);
// The local clock, in milliseconds since the Unix epoch.
int64_t NowMs();

// A group named by its id, a unique id prefix, or its exact name.
absl::StatusOr<std::string> ResolveGroup(client::Client& c, const std::string& arg);
// A person named by user id, a unique id prefix or display name, among a
// group's members and pending joiners.
absl::StatusOr<std::string> ResolveUser(const GroupState& state, const std::string& arg);

// A person named by user id, or by name or id prefix among the people in
// groups this person belongs to.
absl::StatusOr<std::string> ResolvePerson(client::Client& c, const std::string& arg);

// A connected client and the group `group_arg` names.
struct GroupSession {
  std::unique_ptr<client::Client> client;
  std::string group;
};
absl::StatusOr<GroupSession> OpenGroup(const Globals& g, const std::string& group_arg);
// A connected client and the direct conversation with the person
// `person_arg` names (NOT_FOUND if there is none yet).
absl::StatusOr<GroupSession> OpenDirect(const Globals& g, const std::string& person_arg);

}  // namespace kith::cli

#endif  // KITH_CLI_SESSION_H_
