// S9: the keystore opens only with its passphrase and holds no secret in
// the clear; a duress slot cannot be told from an empty one; the recovery
// code alone determines the identity.
#include <gtest/gtest.h>

#include "kith/identity.h"
#include "kith/keystore.h"
#include "kith/protocol.h"
#include "kithd_process.h"

namespace kith::client {
namespace {

class KeystoreTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(crypto::Init().ok()); }
  std::string Path(const std::string& name) const { return dir_.path() + "/" + name; }
  static void Overwrite(const std::string& path, const std::string& bytes) {
    FILE* f = fopen(path.c_str(), "wb");
    fwrite(bytes.data(), 1, bytes.size(), f);
    fclose(f);
  }
  testing::TempDir dir_;
};

TEST_F(KeystoreTest, OpensOnlyWithThePassphrase) {
  const std::string path = Path("identity.key");
  Profile alice{Identity::Generate("alice"), crypto::Secret::FromString("pineapple"), {}};
  ASSERT_TRUE(Keystore::Create(path, alice, "correct horse").ok());

  auto opened = Keystore::Open(path, "correct horse");
  ASSERT_TRUE(opened.ok()) << opened.status();
  const Identity& id = opened->profile().identity;
  EXPECT_EQ(id.user_id(), alice.identity.user_id());
  EXPECT_EQ(id.name, "alice");
  EXPECT_TRUE(id.sign.secret_key == alice.identity.sign.secret_key);
  EXPECT_TRUE(id.box.secret_key == alice.identity.box.secret_key);
  EXPECT_EQ(opened->profile().safe_word.view(), "pineapple");
  EXPECT_FALSE(opened->profile().is_duress());

  auto wrong = Keystore::Open(path, "correct horsE");
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(wrong.status().message().find("wrong passphrase"), std::string::npos);

  const std::string file = testing::ReadFile(path);
  EXPECT_EQ(file.find(alice.identity.sign.secret_key.view()), std::string::npos);
  EXPECT_EQ(file.find(alice.identity.box.secret_key.view()), std::string::npos);
  EXPECT_EQ(file.find("alice"), std::string::npos);
  EXPECT_EQ(file.find("pineapple"), std::string::npos);
}

TEST_F(KeystoreTest, AlteredKeystoreIsRefused) {
  const std::string path = Path("identity.key");
  ASSERT_TRUE(Keystore::Create(path, Profile{Identity::Generate("bob"), {}, {}}, "pw").ok());
  std::string file = testing::ReadFile(path);
  const std::string original = file;
  file[60] ^= 1;  // inside slot 0
  Overwrite(path, file);
  EXPECT_EQ(Keystore::Open(path, "pw").status().code(), absl::StatusCode::kPermissionDenied);
  file = original;
  file[10] ^= 1;  // the salt: another key, and the header is bound into each slot
  Overwrite(path, file);
  EXPECT_FALSE(Keystore::Open(path, "pw").ok());
  Overwrite(path, original.substr(0, original.size() - 1));
  EXPECT_EQ(Keystore::Open(path, "pw").status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(Keystore::Open(Path("missing"), "pw").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(KeystoreTest, DuressSlotLooksLikeAnEmptyOne) {
  const std::string plain = Path("plain.key"), guarded = Path("guarded.key");
  ASSERT_TRUE(Keystore::Create(plain, Profile{Identity::Generate("cara"), {}, {}}, "real").ok());
  ASSERT_TRUE(Keystore::Create(guarded, Profile{Identity::Generate("cara"), {}, {}}, "real").ok());
  auto real = Keystore::Open(guarded, "real");
  ASSERT_TRUE(real.ok());
  const std::string token = crypto::RandomBytes(32);
  Profile decoy{Identity::Generate("cara"), {}, crypto::Secret::FromString(token)};
  EXPECT_EQ(real->SetOtherSlot(decoy, "real").code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(real->SetOtherSlot(decoy, "under duress").ok());

  // Same size, same header layout: only the random bytes differ.
  const std::string with = testing::ReadFile(guarded), without = testing::ReadFile(plain);
  EXPECT_EQ(with.size(), without.size());
  EXPECT_EQ(with.substr(0, 8), without.substr(0, 8));
  EXPECT_EQ(with.find(token), std::string::npos);

  auto duress = Keystore::Open(guarded, "under duress");
  ASSERT_TRUE(duress.ok()) << duress.status();
  EXPECT_TRUE(duress->profile().is_duress());
  EXPECT_EQ(duress->profile().duress_token.view(), token);
  EXPECT_EQ(duress->profile().identity.user_id(), decoy.identity.user_id());
  EXPECT_EQ(duress->profile().identity.name, "cara");

  // Saving the real profile keeps the duress slot; clearing it makes the
  // duress passphrase a wrong one.
  real->mutable_profile().safe_word = crypto::Secret::FromString("lighthouse");
  ASSERT_TRUE(real->Save().ok());
  EXPECT_TRUE(Keystore::Open(guarded, "under duress").ok());
  auto reopened = Keystore::Open(guarded, "real");
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ(reopened->profile().safe_word.view(), "lighthouse");
  EXPECT_FALSE(reopened->profile().is_duress());
  ASSERT_TRUE(reopened->ClearOtherSlot().ok());
  EXPECT_EQ(Keystore::Open(guarded, "under duress").status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(Keystore::Open(guarded, "real").ok());
}

TEST(RecoveryCodeTest, TheCodeAloneDeterminesTheIdentity) {
  ASSERT_TRUE(crypto::Init().ok());
  const RecoveryCode code = RecoveryCode::Generate();
  const std::string text = code.ToString();
  EXPECT_EQ(text.size(), 36u + 8u);  // nine groups of four, eight dashes
  Identity original = Identity::FromRecoveryCode("dana", code);

  std::string typed;  // upper case, spaces for dashes: still the same code
  for (char ch : text) typed.push_back(ch == '-' ? ' ' : static_cast<char>(std::toupper(ch)));
  auto parsed = RecoveryCode::Parse(typed);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  Identity restored = Identity::FromRecoveryCode("", *parsed);
  EXPECT_EQ(restored.user_id(), original.user_id());
  EXPECT_EQ(restored.box.public_key, original.box.public_key);
  EXPECT_TRUE(restored.sign.secret_key == original.sign.secret_key);
  EXPECT_TRUE(restored.box.secret_key == original.box.secret_key);

  EXPECT_NE(Identity::FromRecoveryCode("dana", RecoveryCode::Generate()).user_id(),
            original.user_id());
}

TEST(RecoveryCodeTest, ATypoIsCaughtBeforeItDerivesAnything) {
  ASSERT_TRUE(crypto::Init().ok());
  const std::string text = RecoveryCode::Generate().ToString();
  std::string typo = text;
  typo[5] = typo[5] == '0' ? '1' : '0';
  auto wrong = RecoveryCode::Parse(typo);
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(wrong.status().message().find("typo"), std::string::npos);
  EXPECT_EQ(RecoveryCode::Parse(text.substr(0, 30)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RecoveryCode::Parse("not a code at all").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(IdentityTest, BundleIsSelfSignedAndTamperEvident) {
  ASSERT_TRUE(crypto::Init().ok());
  Identity carol = Identity::Generate("carol");
  v1::IdentityBundle bundle = carol.Bundle();
  EXPECT_TRUE(ValidateBundle(bundle).ok());
  bundle.set_name("mallory");
  EXPECT_FALSE(ValidateBundle(bundle).ok());
  bundle = carol.Bundle();
  bundle.set_box_pk(crypto::GenerateBoxKeyPair().public_key);
  EXPECT_FALSE(ValidateBundle(bundle).ok());
}

}  // namespace
}  // namespace kith::client
