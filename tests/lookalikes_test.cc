// Names that read the same to a person have one skeleton; names that do
// not, do not.
#include "kith/lookalikes.h"

#include <gtest/gtest.h>

namespace kith::client {
namespace {

TEST(NameSkeletonTest, NamesThatReadTheSameShareOne) {
  const std::string bob = NameSkeleton("bob");
  for (const char* same : {"Bob", "BOB", "b0b", "B0B", " bob ", "b.o.b", "b_o_b",
                           "b\xD0\xBE" "b",           // Cyrillic o
                           "\xCE\x92" "ob",           // Greek capital beta
                           "bo\xCC\x81" "b",          // o with a combining acute accent
                           "b\xE2\x80\x8B" "ob"}) {   // a zero-width space inside
    EXPECT_EQ(NameSkeleton(same), bob) << same;
  }
  EXPECT_EQ(NameSkeleton("Alice"), NameSkeleton("A1ice"));
  EXPECT_EQ(NameSkeleton("Alice"), NameSkeleton("AIice"));  // capital i for l
  EXPECT_EQ(NameSkeleton("Martin"), NameSkeleton("Rnartin"));
}

TEST(NameSkeletonTest, DifferentNamesStayApart) {
  EXPECT_NE(NameSkeleton("bob"), NameSkeleton("rob"));
  EXPECT_NE(NameSkeleton("bob"), NameSkeleton("bobby"));
  EXPECT_NE(NameSkeleton("alice"), NameSkeleton("alicia"));
  EXPECT_NE(NameSkeleton("ann"), NameSkeleton("anne"));
  EXPECT_EQ(NameSkeleton("!!!"), "");
}

}  // namespace
}  // namespace kith::client
