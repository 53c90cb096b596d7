// The safety plan against the real kithd: sections versioned in the
// owner's vault, each share readable only by its contact, an unshared
// contact never given a later version, attachments carried along, and
// nothing readable by the server.
#include "kith/crypto.h"
#include "kith/plan.h"
#include "kith/protocol.h"
#include "stored_log.h"
#include "test_support.h"

namespace kith::testing {
namespace {

class PlanTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    owner_ = Client("alice");
    bob_ = Client("bob");
    carol_ = Client("carol");
  }
  std::string Id(client::Client& c) { return c.identity().user_id(); }
  absl::Status Edit(const std::string& section, const std::string& text,
                    std::vector<v1::PlanAttachment> attach = {}) {
    return owner_->vault().EditPlan(section, &text, std::move(attach)).status();
  }
  // The texts of what `owner_` shares with `c`, one per section.
  std::vector<std::string> SharedTexts(client::Client& c) {
    auto shared = c.vault().SharedPlan(Id(*owner_));
    EXPECT_TRUE(shared.ok()) << shared.status();
    std::vector<std::string> out;
    if (shared.ok()) {
      for (const auto& r : *shared) out.push_back(r.section.text());
    }
    return out;
  }

  std::unique_ptr<client::Client> owner_, bob_, carol_;
};

TEST_F(PlanTest, EachShareReachesOnlyItsContactAndAnUnsharedContactGetsNoLaterVersion) {
  const std::string canary = "the library on Main St " + crypto::ToHex(crypto::RandomBytes(6));
  ASSERT_OK(Edit("safe-places", canary));
  ASSERT_OK(Edit("reasons-for-living", "my sister's wedding in June"));
  ASSERT_OK(owner_->vault().SharePlan("safe-places", Id(*bob_), true).status());
  ASSERT_OK(owner_->vault().SharePlan("safe-places", Id(*carol_), true).status());
  EXPECT_EQ(SharedTexts(*bob_), std::vector<std::string>{canary});
  EXPECT_EQ(SharedTexts(*carol_), std::vector<std::string>{canary});
  auto eve = Client("eve");
  EXPECT_TRUE(SharedTexts(*eve).empty());

  ASSERT_OK(Edit("safe-places", "the community centre, open late"));
  EXPECT_EQ(SharedTexts(*carol_), std::vector<std::string>{"the community centre, open late"});
  ASSERT_OK(owner_->vault().SharePlan("safe-places", Id(*carol_), false).status());
  EXPECT_TRUE(SharedTexts(*carol_).empty());
  const std::string later = "Aunt Jo's flat, key under the blue pot";
  ASSERT_OK(Edit("safe-places", later));
  EXPECT_EQ(SharedTexts(*bob_), std::vector<std::string>{later});
  // Nothing in Carol's conversation with the owner opens to the new version.
  auto direct = carol_->groups().OpenDirect(Id(*owner_), false);
  ASSERT_OK(direct.status());
  auto view = carol_->session().Sync(*direct);
  ASSERT_OK(view.status());
  ASSERT_FALSE((*view)->plan().empty());
  for (const auto& r : (*view)->plan()) EXPECT_NE(r.section.text(), later);
  EXPECT_TRUE((*view)->plan().back().section.unshared());

  // Every version is kept, with who it went to.
  auto history = owner_->vault().PlanHistory();
  ASSERT_OK(history.status());
  std::vector<uint32_t> versions;
  for (const auto& r : *history) {
    if (r.section.section() == "safe-places") versions.push_back(r.section.version());
  }
  EXPECT_EQ(versions, (std::vector<uint32_t>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(history->back().section.shared_with_size(), 1);
  EXPECT_EQ(history->back().section.shared_with(0), Id(*bob_));

  ASSERT_EQ(kithd_->Stop(), 0);
  EXPECT_EQ(FilesContaining(kithd_->data_dir(), canary), std::vector<std::string>{});
  EXPECT_EQ(FilesContaining(kithd_->data_dir(), "Aunt Jo"), std::vector<std::string>{});
}

TEST_F(PlanTest, DocumentsTravelWithTheirSectionWithinALimit) {
  v1::PlanAttachment scan;
  scan.set_name("passport.jpg");
  scan.set_data(crypto::RandomBytes(200 * 1024));
  ASSERT_OK(Edit("documents", "passport: in the red folder", {scan}));
  ASSERT_OK(owner_->vault().SharePlan("documents", Id(*bob_), true).status());
  auto shared = bob_->vault().SharedPlan(Id(*owner_));
  ASSERT_OK(shared.status());
  ASSERT_EQ(shared->size(), 1u);
  ASSERT_EQ((*shared)[0].section.attachments_size(), 1);
  EXPECT_EQ((*shared)[0].section.attachments(0).data(), scan.data());

  v1::PlanAttachment too_big;
  too_big.set_name("scan.png");
  too_big.set_data(std::string(kMaxAttachmentBytes, 'x'));
  EXPECT_EQ(owner_->vault().EditPlan("documents", nullptr, {too_big}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Edit("Not A Name", "x").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(owner_->vault().SharePlan("exit-plans", Id(*bob_), true).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(PlanTest, ASharedSectionHonoursTheContactsBoundaries) {
  ASSERT_OK(Edit("people-to-ask", "Bob, any time"));
  auto b = bob_->account().GetBoundaries();
  ASSERT_OK(b.status());
  b->add_blocked(Id(*owner_));
  ASSERT_OK(bob_->account().SetBoundaries(*b).status());
  auto shared = owner_->vault().SharePlan("people-to-ask", Id(*bob_), true);
  EXPECT_EQ(shared.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(shared.status().message().find(kNotAccepting), std::string::npos);
  EXPECT_NE(shared.status().message().find("is saved"), std::string::npos);
  EXPECT_TRUE(SharedTexts(*bob_).empty());
}

}  // namespace
}  // namespace kith::testing
