// The crypto provider and message encryption: labels separate domains,
// sealed boxes open only for their key, and a message opens only under the
// key its sender committed to.
#include <gtest/gtest.h>

#include <fstream>

#include "kith/crypto.h"
#include "kith/message_crypto.h"
#include "kith/protocol.h"

namespace kith {
namespace {

class CryptoTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(crypto::Init().ok()); }
};

TEST_F(CryptoTest, SignatureIsBoundToItsLabel) {
  auto kp = crypto::GenerateSigningKeyPair();
  std::string sig = crypto::Sign(kp.secret_key, "kith/v1/event", "body");
  EXPECT_TRUE(crypto::Verify(kp.public_key, "kith/v1/event", "body", sig));
  EXPECT_FALSE(crypto::Verify(kp.public_key, "kith/v1/login", "body", sig));
  EXPECT_FALSE(crypto::Verify(kp.public_key, "kith/v1/event", "bodY", sig));
  auto other = crypto::GenerateSigningKeyPair();
  EXPECT_FALSE(crypto::Verify(other.public_key, "kith/v1/event", "body", sig));
  EXPECT_FALSE(crypto::Verify(kp.public_key, "kith/v1/event", "body", sig.substr(1)));
}

TEST_F(CryptoTest, SealedBoxOpensOnlyForItsRecipient) {
  auto alice = crypto::GenerateBoxKeyPair();
  auto mallory = crypto::GenerateBoxKeyPair();
  std::string sealed = crypto::Seal(alice.public_key, "epoch secret");
  auto opened = crypto::SealOpen(alice.public_key, alice.secret_key, sealed);
  ASSERT_TRUE(opened.has_value());
  EXPECT_EQ(opened->view(), "epoch secret");
  EXPECT_FALSE(crypto::SealOpen(mallory.public_key, mallory.secret_key, sealed).has_value());
  sealed[10] ^= 1;
  EXPECT_FALSE(crypto::SealOpen(alice.public_key, alice.secret_key, sealed).has_value());
}

TEST_F(CryptoTest, HexRoundTripAndRejectsGarbage) {
  std::string bytes = crypto::RandomBytes(16);
  auto back = crypto::FromHex(crypto::ToHex(bytes));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, bytes);
  EXPECT_FALSE(crypto::FromHex("abc").ok());
  EXPECT_FALSE(crypto::FromHex("zz").ok());
}

TEST_F(CryptoTest, SecretsCompareByValueAndMoveClean) {
  crypto::Secret a = crypto::Secret::FromString("0123456789abcdef0123456789abcdef");
  crypto::Secret b = a;
  EXPECT_TRUE(a == b);
  crypto::Secret c = std::move(b);
  EXPECT_TRUE(b.empty());
  EXPECT_TRUE(a == c);
  EXPECT_FALSE(a == crypto::Secret::Random(32));
}

// Kilobytes of this process's memory that is locked (VmLck in /proc/self/status).
long LockedKb() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmLck:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

TEST_F(CryptoTest, LongLivedKeysLiveInLockedMemoryAndStayThereWhenCopied) {
  const long before = LockedKb();
  ASSERT_GE(before, 0);
  crypto::SigningKeyPair sign = crypto::GenerateSigningKeyPair();
  crypto::BoxKeyPair box = crypto::GenerateBoxKeyPair();
  EXPECT_TRUE(sign.secret_key.locked());
  EXPECT_TRUE(box.secret_key.locked());
  EXPECT_GT(LockedKb(), before);
  crypto::Secret copy = sign.secret_key;
  EXPECT_TRUE(copy.locked());
  EXPECT_TRUE(copy == sign.secret_key);
  auto derived = crypto::DeriveKeyFromPassphrase("pw", std::string(crypto::kPwhashSaltBytes, 's'),
                                         crypto::InteractivePwhashParams());
  ASSERT_TRUE(derived.ok());
  EXPECT_TRUE(derived->locked());
  // Keys made per message stay on the plain heap, which costs nothing extra.
  EXPECT_FALSE(crypto::Secret::Random(crypto::kKeyBytes).locked());
}

TEST_F(CryptoTest, UserIdIsDerivedFromTheSigningKey) {
  auto kp = crypto::GenerateSigningKeyPair();
  EXPECT_EQ(UserIdFor(kp.public_key).size(), kIdBytes);
  EXPECT_EQ(UserIdFor(kp.public_key), UserIdFor(kp.public_key));
  EXPECT_NE(UserIdFor(kp.public_key), UserIdFor(crypto::GenerateSigningKeyPair().public_key));
}

TEST_F(CryptoTest, SafetyNumberIsSymmetricAndKeySpecific) {
  auto a = crypto::GenerateSigningKeyPair().public_key;
  auto b = crypto::GenerateSigningKeyPair().public_key;
  auto c = crypto::GenerateSigningKeyPair().public_key;
  EXPECT_EQ(SafetyNumber(a, b), SafetyNumber(b, a));
  EXPECT_NE(SafetyNumber(a, b), SafetyNumber(a, c));
  EXPECT_EQ(SafetyNumber(a, b).size(), 12 * 5 + 11);
}

class MessageCryptoTest : public CryptoTest {
 protected:
  MessageHeader Header(uint64_t counter) { return {std::string(16, 'g'), 3, std::string(16, 's'), counter}; }
  static v1::MessageContent Content(std::string text) {
    v1::MessageContent content;
    content.set_text(std::move(text));
    return content;
  }
};

TEST_F(MessageCryptoTest, RoundTripsAlongTheSenderChain) {
  crypto::Secret epoch = crypto::Secret::Random(32);
  SenderChain sender(epoch, std::string(16, 's'));
  SenderChain receiver(epoch, std::string(16, 's'));
  for (uint64_t counter = 1; counter <= 3; ++counter) {
    v1::MessageContent content = Content("hello " + std::to_string(counter));
    if (counter == 2) content.add_overridden_rules("no_yelling");
    auto msg = EncryptMessage(sender.Advance(), Header(counter), content);
    ASSERT_TRUE(msg.ok());
    auto opened = DecryptMessage(receiver.Advance(), Header(counter), *msg);
    ASSERT_TRUE(opened.ok()) << opened.status();
    EXPECT_EQ(opened->text(), "hello " + std::to_string(counter));
    EXPECT_EQ(opened->overridden_rules_size(), counter == 2 ? 1 : 0);
  }
}

TEST_F(MessageCryptoTest, EachMessageKeyIsDifferentAndChainsDifferPerSender) {
  crypto::Secret epoch = crypto::Secret::Random(32);
  SenderChain a(epoch, std::string(16, 'a'));
  SenderChain b(epoch, std::string(16, 'b'));
  crypto::Secret a1 = a.Advance();
  EXPECT_FALSE(a1 == a.Advance());
  EXPECT_FALSE(a1 == b.Advance());
}

TEST_F(MessageCryptoTest, HeaderIsBoundAsAssociatedData) {
  crypto::Secret key = crypto::Secret::Random(32);
  auto msg = EncryptMessage(key, Header(1), Content("bound"));
  ASSERT_TRUE(msg.ok());
  MessageHeader other_epoch = Header(1);
  other_epoch.epoch = 4;
  EXPECT_FALSE(DecryptMessage(key, other_epoch, *msg).ok());
  MessageHeader other_sender = Header(1);
  other_sender.sender = std::string(16, 'x');
  EXPECT_FALSE(DecryptMessage(key, other_sender, *msg).ok());
}

TEST_F(MessageCryptoTest, KeyCommitmentRejectsAnotherKeyBeforeDecrypting) {
  crypto::Secret key = crypto::Secret::Random(32);
  crypto::Secret other = crypto::Secret::Random(32);
  auto msg = EncryptMessage(key, Header(1), Content("committed"));
  ASSERT_TRUE(msg.ok());
  auto wrong = DecryptMessage(other, Header(1), *msg);
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(wrong.status().message().find("commitment"), std::string::npos);
  v1::GroupMessage altered = *msg;
  altered.mutable_commitment()->at(0) ^= 1;
  EXPECT_FALSE(DecryptMessage(key, Header(1), altered).ok());
}

TEST_F(MessageCryptoTest, FrankingTagCommitsToTheTextAndReaderChecksIt) {
  crypto::Secret key = crypto::Secret::Random(32);
  const MessageHeader header = Header(1);
  auto msg = EncryptMessage(key, header, Content("you said this"));
  ASSERT_TRUE(msg.ok());
  auto opened = DecryptMessage(key, header, *msg);
  ASSERT_TRUE(opened.ok()) << opened.status();
  ASSERT_EQ(opened->franking_key().size(), crypto::kKeyBytes);
  const crypto::Secret franking_key = crypto::Secret::FromString(opened->franking_key());
  EXPECT_EQ(FrankingTag(franking_key, header.group_id, header.epoch, header.sender, "you said this"),
            msg->franking_tag());
  EXPECT_NE(FrankingTag(franking_key, header.group_id, header.epoch, header.sender, "you said that"),
            msg->franking_tag());
  EXPECT_NE(FrankingTag(franking_key, header.group_id, header.epoch + 1, header.sender,
                        "you said this"),
            msg->franking_tag());
  // A sender whose tag does not commit to the text cannot be reported, so
  // readers drop the message.
  v1::GroupMessage untagged = *msg;
  untagged.mutable_franking_tag()->at(0) ^= 1;
  auto dropped = DecryptMessage(key, header, untagged);
  EXPECT_EQ(dropped.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(dropped.status().message().find("franking"), std::string::npos);
}

TEST_F(MessageCryptoTest, ReportOpensOnlyForTheModeratorsItIsSealedTo) {
  crypto::BoxKeyPair moderator = crypto::GenerateBoxKeyPair();
  crypto::BoxKeyPair member = crypto::GenerateBoxKeyPair();
  const std::string group(16, 'g'), reporter(16, 'r'), mod_id(16, 'm'), member_id(16, 'n');
  v1::ReportContent content;
  content.set_message_seq(7);
  content.set_note("third time this week");
  v1::Report report = SealReport(content, group, reporter, {{mod_id, moderator.public_key}});
  auto opened = OpenReport(report, group, reporter, mod_id, moderator.public_key, moderator.secret_key);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(opened->note(), "third time this week");
  EXPECT_EQ(OpenReport(report, group, reporter, member_id, member.public_key, member.secret_key)
                .status().code(),
            absl::StatusCode::kPermissionDenied);
  // Bound to its reporter: it cannot be passed off as someone else's.
  EXPECT_EQ(OpenReport(report, group, member_id, mod_id, moderator.public_key, moderator.secret_key)
                .status().code(),
            absl::StatusCode::kDataLoss);
}

TEST_F(MessageCryptoTest, EveryModeratorOpensTheOneReportKeyItCommitsTo) {
  crypto::BoxKeyPair first = crypto::GenerateBoxKeyPair();
  crypto::BoxKeyPair second = crypto::GenerateBoxKeyPair();
  const std::string group(16, 'g'), reporter(16, 'r'), first_id(16, 'a'), second_id(16, 'b');
  v1::ReportContent content;
  content.set_note("what the first moderator reads");
  v1::Report report = SealReport(content, group, reporter,
                                 {{first_id, first.public_key}, {second_id, second.public_key}});
  // The reporter seals the second moderator another key, under which the
  // same ciphertext would say something else: refused before decrypting.
  for (auto& sealed : *report.mutable_keys()) {
    if (sealed.member() == second_id) {
      sealed.set_sealed(crypto::Seal(second.public_key, crypto::RandomBytes(32)));
    }
  }
  EXPECT_TRUE(OpenReport(report, group, reporter, first_id, first.public_key, first.secret_key).ok());
  auto other = OpenReport(report, group, reporter, second_id, second.public_key, second.secret_key);
  EXPECT_EQ(other.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(other.status().message().find("not the one the report commits to"), std::string::npos);
}

TEST_F(MessageCryptoTest, PaddingHidesExactLengthAndLimitIsEnforced) {
  crypto::Secret key = crypto::Secret::Random(32);
  auto short_msg = EncryptMessage(key, Header(1), Content("a"));
  auto longer_msg = EncryptMessage(key, Header(1), Content("a bit longer"));
  ASSERT_TRUE(short_msg.ok() && longer_msg.ok());
  EXPECT_EQ(short_msg->ciphertext().size(), longer_msg->ciphertext().size());
  auto too_big = EncryptMessage(key, Header(1), Content(std::string(kMaxTextBytes + 1, 'x')));
  EXPECT_EQ(too_big.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(EncryptMessage(key, Header(1), Content(std::string(kMaxTextBytes, 'x'))).ok());
}

}  // namespace
}  // namespace kith
