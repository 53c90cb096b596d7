// S9: the keystore opens only with its passphrase, and holds no key in the clear.
#include <gtest/gtest.h>

#include "kith/identity.h"
#include "kith/protocol.h"
#include "kithd_process.h"

namespace kith::client {
namespace {

TEST(IdentityTest, KeystoreOpensOnlyWithThePassphrase) {
  ASSERT_TRUE(crypto::Init().ok());
  testing::TempDir dir;
  const std::string path = dir.path() + "/identity.key";
  Identity alice = Identity::Generate("alice");
  ASSERT_TRUE(SaveIdentity(path, alice, "correct horse").ok());

  auto opened = LoadIdentity(path, "correct horse");
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(opened->user_id(), alice.user_id());
  EXPECT_EQ(opened->name, "alice");
  EXPECT_TRUE(opened->sign.secret_key == alice.sign.secret_key);
  EXPECT_TRUE(opened->box.secret_key == alice.box.secret_key);

  auto wrong = LoadIdentity(path, "correct horsE");
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(wrong.status().message().find("wrong passphrase"), std::string::npos);

  const std::string file = testing::ReadFile(path);
  EXPECT_EQ(file.find(alice.sign.secret_key.view()), std::string::npos);
  EXPECT_EQ(file.find(alice.box.secret_key.view()), std::string::npos);
  EXPECT_EQ(file.find("alice"), std::string::npos);
}

TEST(IdentityTest, AlteredKeystoreIsRefused) {
  ASSERT_TRUE(crypto::Init().ok());
  testing::TempDir dir;
  const std::string path = dir.path() + "/identity.key";
  ASSERT_TRUE(SaveIdentity(path, Identity::Generate("bob"), "pw").ok());
  std::string file = testing::ReadFile(path);
  file[file.size() - 5] ^= 1;
  FILE* f = fopen(path.c_str(), "wb");
  fwrite(file.data(), 1, file.size(), f);
  fclose(f);
  EXPECT_FALSE(LoadIdentity(path, "pw").ok());
  EXPECT_EQ(LoadIdentity(dir.path() + "/missing", "pw").status().code(),
            absl::StatusCode::kNotFound);
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
