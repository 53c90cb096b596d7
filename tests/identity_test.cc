// S9: the keystore opens only with its passphrase and holds no secret in
// the clear; a duress slot cannot be told from an empty one; the recovery
// code alone determines the identity.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "kith/identity.h"
#include "kith/keystore.h"
#include "kith/passphrase_strength.h"
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
  // Where slot `slot` starts in the file: after the 40-byte header.
  static size_t SlotAt(int slot) { return 40 + static_cast<size_t>(slot) * kSlotFileBytes; }
  static std::string SlotBytes(const std::string& file, int slot) {
    return file.substr(SlotAt(slot), kSlotFileBytes);
  }
  static constexpr size_t kSlotFileBytes = 24 + Keystore::kSlotBytes + 16;
  testing::TempDir dir_;
};

TEST_F(KeystoreTest, TwoCommandsChangingMemberKeysAtOnceKeepBothChanges) {
  const std::string path = Path("identity.key");
  ASSERT_TRUE(Keystore::Create(path, Profile{Identity::Generate("alice"), {}, {}},
                               "ginger fox keeps seven maps").ok());
  auto first = Keystore::Open(path, "ginger fox keeps seven maps");
  auto second = Keystore::Open(path, "ginger fox keeps seven maps");
  ASSERT_TRUE(first.ok() && second.ok());
  const uint64_t original = first->profile().identity.member_keys.Current()->id;
  // One command rotates; the other, opened before, then saves a safe word.
  auto rotated = first->UpdateMemberKeys([](MemberKeyRing& ring) { ring.Rotate(1); });
  ASSERT_TRUE(rotated.ok()) << rotated.status();
  ASSERT_EQ(rotated->keys().size(), 2u);
  second->mutable_profile().safe_word = crypto::Secret::FromString("lighthouse");
  ASSERT_TRUE(second->Save().ok());
  // ...and erases the original key, which it sees beside the new one.
  auto erased = second->UpdateMemberKeys([&](MemberKeyRing& ring) { ring.Erase(original); });
  ASSERT_TRUE(erased.ok()) << erased.status();
  auto now = Keystore::Open(path, "ginger fox keeps seven maps");
  ASSERT_TRUE(now.ok());
  const MemberKeyRing& ring = now->profile().identity.member_keys;
  ASSERT_EQ(ring.keys().size(), 1u);
  EXPECT_EQ(ring.Current()->id, rotated->Current()->id);
  EXPECT_EQ(now->profile().safe_word.view(), "lighthouse");
  // A command that opened the file before it was written anew under
  // another passphrase does not write over it.
  ASSERT_TRUE(first->ClearOtherSlot("ginger fox keeps seven maps").ok());
  EXPECT_EQ(second->Save().code(), absl::StatusCode::kFailedPrecondition);
}

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
  auto opened = Keystore::Open(path, "pw");
  ASSERT_TRUE(opened.ok()) << opened.status();
  std::string file = testing::ReadFile(path);
  const std::string original = file;
  file[SlotAt(opened->slot()) + 30] ^= 1;  // inside the slot that opens
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
  EXPECT_EQ(real->SetOtherSlot("real", decoy, "real").code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(real->SetOtherSlot("real", decoy, "under duress").ok());

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
  ASSERT_TRUE(reopened->ClearOtherSlot("real").ok());
  EXPECT_EQ(Keystore::Open(guarded, "under duress").status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(Keystore::Open(guarded, "real").ok());
}

TEST_F(KeystoreTest, IsMadeUnderModerateArgon2idLimits) {
  const std::string path = Path("identity.key");
  ASSERT_TRUE(Keystore::Create(path, Profile{Identity::Generate("dana"), {}, {}}, "pw").ok());
  auto opened = Keystore::Open(path, "pw");
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_GE(opened->params().opslimit, crypto::ModeratePwhashParams().opslimit);
  EXPECT_GE(opened->params().memlimit, crypto::ModeratePwhashParams().memlimit);
}

TEST_F(KeystoreTest, TheRealProfilesSlotIsDrawnAtRandom) {
  int opened_in[2] = {0, 0};
  for (int i = 0; i < 16; ++i) {  // both slots, except once in 2^15 runs
    const std::string path = Path("identity" + std::to_string(i) + ".key");
    ASSERT_TRUE(Keystore::Create(path, Profile{Identity::Generate("erin"), {}, {}}, "pw").ok());
    auto opened = Keystore::Open(path, "pw");
    ASSERT_TRUE(opened.ok()) << opened.status();
    ++opened_in[opened->slot()];
  }
  EXPECT_GT(opened_in[0], 0);
  EXPECT_GT(opened_in[1], 0);
}

TEST_F(KeystoreTest, EveryChangeTheRealProfileMakesRewritesBothSlotsInPlace) {
  const std::string path = Path("identity.key");
  ASSERT_TRUE(Keystore::Create(path, Profile{Identity::Generate("fay"), {}, {}}, "real").ok());
  auto real = Keystore::Open(path, "real");
  ASSERT_TRUE(real.ok()) << real.status();
  struct stat before{};
  ASSERT_EQ(::stat(path.c_str(), &before), 0);
  // Each step, seen as two copies of the file a coercer took before and after it.
  auto expect_both_slots_changed = [&](const std::string& was, const std::string& step) {
    const std::string now = testing::ReadFile(path);
    EXPECT_NE(SlotBytes(was, 0), SlotBytes(now, 0)) << step;
    EXPECT_NE(SlotBytes(was, 1), SlotBytes(now, 1)) << step;
    return now;
  };
  std::string copy = testing::ReadFile(path);
  Profile decoy{Identity::Generate("fay"), {}, crypto::Secret::Random(32)};
  ASSERT_TRUE(real->SetOtherSlot("real", decoy, "under duress").ok());
  copy = expect_both_slots_changed(copy, "duress set");
  real->mutable_profile().safe_word = crypto::Secret::FromString("lighthouse");
  ASSERT_TRUE(real->Save().ok());
  copy = expect_both_slots_changed(copy, "safe word set");
  auto duress = Keystore::Open(path, "under duress");  // re-sealed, still opens
  ASSERT_TRUE(duress.ok()) << duress.status();
  EXPECT_TRUE(duress->profile().is_duress());
  ASSERT_TRUE(real->ClearOtherSlot("real").ok());
  expect_both_slots_changed(copy, "duress off");

  struct stat after{};
  ASSERT_EQ(::stat(path.c_str(), &after), 0);
  EXPECT_EQ(before.st_ino, after.st_ino) << "the keystore was replaced, not overwritten in place";
}

TEST_F(KeystoreTest, OnlyTheRealProfileWithItsPassphraseRewritesTheSlots) {
  const std::string path = Path("identity.key");
  ASSERT_TRUE(Keystore::Create(path, Profile{Identity::Generate("gus"), {}, {}}, "real").ok());
  auto real = Keystore::Open(path, "real");
  ASSERT_TRUE(real.ok()) << real.status();
  Profile decoy{Identity::Generate("gus"), {}, crypto::Secret::Random(32)};
  const std::string untouched = testing::ReadFile(path);
  EXPECT_EQ(real->SetOtherSlot("guess", decoy, "under duress").code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(testing::ReadFile(path), untouched);
  ASSERT_TRUE(real->SetOtherSlot("real", decoy, "under duress").ok());
  auto duress = Keystore::Open(path, "under duress");
  ASSERT_TRUE(duress.ok()) << duress.status();
  EXPECT_EQ(duress->ClearOtherSlot("under duress").code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Keystore::Open(path, "real").ok());
}

TEST_F(KeystoreTest, AnOlderKeystoreOpensAndMovesToTodaysLayoutWhenBothSlotsAreWritten) {
  // Made by the previous release's `kith id create` (KITHKEY2, interactive
  // limits, the real profile in slot 0), passphrase "pass phrase".
  const std::string path = Path("identity.key");
  Overwrite(path, testing::ReadFile(KITH_TEST_DATA_DIR "/keystore-v2.key"));
  auto old = Keystore::Open(path, "pass phrase");
  ASSERT_TRUE(old.ok()) << old.status();
  EXPECT_EQ(old->profile().identity.name, "legacy");
  EXPECT_EQ(old->params().memlimit, crypto::InteractivePwhashParams().memlimit);
  const std::string user_id = old->profile().identity.user_id();

  Profile decoy{Identity::Generate("legacy"), {}, crypto::Secret::Random(32)};
  ASSERT_TRUE(old->SetOtherSlot("pass phrase", decoy, "under duress").ok());
  EXPECT_EQ(testing::ReadFile(path).substr(0, 8), "KITHKEY3");
  auto moved = Keystore::Open(path, "pass phrase");
  ASSERT_TRUE(moved.ok()) << moved.status();
  EXPECT_EQ(moved->profile().identity.user_id(), user_id);
  EXPECT_EQ(moved->params().memlimit, crypto::ModeratePwhashParams().memlimit);
  EXPECT_TRUE(Keystore::Open(path, "under duress").ok());
}

TEST(PassphraseStrengthTest, RefusesWhatAGuesserTriesFirst) {
  for (const char* weak : {"a", "pass phrase", "password123", "lighthouse", "qwertyuiop",
                           "alice2024", "Tr0ub4dor"}) {
    auto s = CheckPassphraseStrength(weak, {"alice"});
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << weak;
    EXPECT_NE(s.message().find("four or more unrelated words"), std::string::npos) << s;
  }
  for (const char* strong : {"ginger fox keeps seven maps", "tidy walrus under a blue lamp"}) {
    EXPECT_TRUE(CheckPassphraseStrength(strong, {"alice"}).ok()) << strong;
  }
  // The person's own name counts for little.
  EXPECT_LT(PassphraseBits("alicealice", {"alice"}), PassphraseBits("alicealice", {}));
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
