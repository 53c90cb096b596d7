// The README's walkthrough, run as written: its first session and its
// circle, one home per person under a fresh HOME, secrets on a file
// descriptor, against the real kithd. Only the server's address and the
// path to its certificate are this test's own (its kithd has a free port
// and a data directory of its own); every command, number and flag is the
// README's, so a README that drifts from what kith does fails here.
#include <cstdlib>
#include <filesystem>

#include "absl/strings/str_replace.h"
#include "cli_harness.h"
#include "kith/files.h"

namespace kith::testing {
namespace {

// The first ```sh block after `heading`.
std::string ShellBlock(const std::string& readme, const std::string& heading) {
  const size_t at = readme.find(heading);
  EXPECT_NE(at, std::string::npos) << heading;
  const size_t start = readme.find("```sh\n", at) + 6;
  return readme.substr(start, readme.find("```", start) - start);
}

TEST_F(CliTest, TheReadmeWalkthroughRunsAsWrittenAndPrintsWhatItDescribes) {
  const std::string readme = ReadFile(KITH_SOURCE_DIR "/README.md");
  ASSERT_FALSE(readme.empty());
  const std::string walkthrough = absl::StrReplaceAll(
      ShellBlock(readme, "## A first session") + ShellBlock(readme, "### A circle of trusted contacts"),
      {{"127.0.0.1:7443", kithd_->address()},
       {"kith-data/tls/server.crt", kithd_->data_dir() + "/tls/server.crt"}});
  const std::string home = dir_.path() + "/home", secrets = dir_.path() + "/secrets",
                    script = dir_.path() + "/walkthrough.sh", out = dir_.path() + "/walkthrough.out",
                    err = dir_.path() + "/walkthrough.err";
  std::filesystem::create_directories(home);
  ASSERT_OK(WriteFileAtomically(secrets, std::string(kPassphrase) + "\n", 0600));
  // A person types each passphrase; here each command reads it from descriptor 3.
  ASSERT_OK(WriteFileAtomically(
      script,
      absl::StrCat("set -euo pipefail\n"
                   "kith() { \"$KITH\" --secrets-fd 3 \"$@\" 3<\"$SECRETS\"; }\n",
                   walkthrough,
                   "set +e\nkill $(jobs -p) 2>/dev/null\nwait 2>/dev/null\nexit 0\n"),
      0600));
  const std::string command = absl::StrCat(
      "cd '", dir_.path(), "' && env -u KITH_HOME HOME='", home, "' KITH='", KithPath(),
      "' SECRETS='", secrets, "' PS4='+ ' bash -x '", script, "' > '", out, "' 2> '", err, "'");
  ASSERT_EQ(std::system(command.c_str()), 0) << ReadFile(err);
  const std::string printed = ReadFile(out);

  // What the README says each step does, as the run printed it.
  for (const char* expected : {
           "Asked to join; a moderator will admit you.",
           ") admitted bob (",
           "): Thank you.",
           "Recorded as verified",
           "by bob about message 9 from cara, who sent it despite the rules engine's warning",
           "Resolved item 9: warn cara",
           "Verified: all",
           "Tuesday Recovery  (owner)",
           "acknowledged by bob (on the way, about 15m): leaving now",
           "Resolved: the circle knows you are OK.",
           "Checked in. Next: Check in with 'kith checkin ok' by ",
           "Locked: the next command asks for your passphrase.",
       }) {
    EXPECT_NE(printed.find(expected), std::string::npos) << expected << "\n" << printed;
  }
  // Members never see that Cara sent anyway; Bob's read is a member's.
  const size_t bobs_read = printed.find(") admitted bob (");
  ASSERT_NE(bobs_read, std::string::npos);
  EXPECT_EQ(printed.substr(bobs_read, printed.find("Names prove nothing") - bobs_read).find("sent despite"),
            std::string::npos) << printed;
  // Each person's identity lives in their own home, outside the clone.
  for (const char* who : {"alice", "bob", "cara"}) {
    EXPECT_TRUE(std::filesystem::exists(home + "/.kith-" + who + "/identity.key")) << who;
  }
}

}  // namespace
}  // namespace kith::testing
