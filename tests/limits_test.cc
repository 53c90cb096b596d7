// One account cannot take the server's write path from the others: past
// its rate, its appends are refused with RESOURCE_EXHAUSTED saying when to
// retry, a client that may wait sends the same event again then, and
// everyone else's appends go through meanwhile. The real server runs in
// this process, with a low limit so the test reaches it quickly; the limit
// runs on real time, not the server's hand-turned clock.
#include <chrono>

#include "absl/strings/str_cat.h"
#include "clocked_server.h"
#include "kith/protocol.h"

namespace kith::testing {
namespace {

constexpr double kPerSecond = 5;
constexpr double kBurst = 10;

class LimitsTest : public ClockedServerTest {
 protected:
  void Configure(server::ServerOptions& options) override {
    options.max_appends_per_second = kPerSecond;
    options.append_burst = kBurst;
  }
};

TEST_F(LimitsTest, AFloodingAccountIsToldWhenToRetryAndOthersStillWrite) {
  auto owner = Connect(client::Identity::Generate("owner"), std::chrono::milliseconds(0));
  auto flooder = Connect(client::Identity::Generate("flooder"), std::chrono::milliseconds(0));
  auto patient = Connect(client::Identity::Generate("patient"));
  const std::string group = CreateGroupWith(*owner, {flooder.get(), patient.get()});
  ASSERT_FALSE(group.empty());

  // The flooder sends until refused: within its burst and the refill of
  // the time taken, never more.
  const auto start = std::chrono::steady_clock::now();
  int accepted = 0;
  absl::Status refused;
  for (int i = 0; i < 1000 && refused.ok(); ++i) {
    auto seq = flooder->groups().Send(group, absl::StrCat("flood ", i));
    if (seq.ok()) {
      ++accepted;
    } else {
      refused = seq.status();
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_FALSE(refused.ok()) << "never refused";
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted) << refused;
  EXPECT_NE(refused.message().find("retry in "), std::string::npos) << refused;
  EXPECT_TRUE(refused.GetPayload(kRetryAfterPayload).has_value()) << refused;
  EXPECT_LE(accepted, kBurst + kPerSecond * seconds + 1);

  // Meanwhile the others write; their buckets are their own.
  EXPECT_OK(owner->groups().Send(group, "the owner is not slowed").status());
  // A client that may wait paces itself by the answer: all of a burst and
  // more land, each once, at about the rate allowed.
  const auto paced_start = std::chrono::steady_clock::now();
  const int paced = static_cast<int>(kBurst + 2 * kPerSecond);
  for (int i = 0; i < paced; ++i) {
    ASSERT_OK(patient->groups().Send(group, absl::StrCat("paced ", i)).status());
  }
  const double paced_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - paced_start).count();
  EXPECT_GE(paced_seconds, (paced - kBurst - 1) / kPerSecond);
  auto view = owner->session().Sync(group);
  ASSERT_OK(view.status());
  int landed = 0;
  for (const auto& m : (*view)->messages()) landed += m.text.starts_with("paced ");
  EXPECT_EQ(landed, paced);
}

}  // namespace
}  // namespace kith::testing
