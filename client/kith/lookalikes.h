// Display names are chosen by their owners, so anyone can call themselves
// "bob". Before a moderator admits someone, their client looks for people
// the log already knows under a name that reads the same: a current member,
// someone waiting to join, a former member and, worst of all, someone
// banned. Only user ids and safety numbers tell people apart.
#ifndef KITH_CLIENT_LOOKALIKES_H_
#define KITH_CLIENT_LOOKALIKES_H_

#include <string>
#include <string_view>
#include <vector>

#include "kith/group_view.h"

namespace kith::client {

// What a name looks like to a reader: lower case, without spaces,
// punctuation or marks, with digits that pass for letters ("b0b") and the
// Cyrillic and Greek letters that look Latin ("bоb") read as those letters.
// Two names with one skeleton are easy to mistake for each other.
std::string NameSkeleton(std::string_view name);

struct Lookalike {
  enum class Standing { kMember, kPending, kFormer, kBanned };
  std::string user_id;
  std::string name;
  Standing standing = Standing::kMember;
};

// Everyone else the log of `view` introduced whose name has the skeleton of
// `user_id`'s, banned people first.
std::vector<Lookalike> LookalikesOf(const GroupView& view, const std::string& user_id);

// "a member", "banned", ...: how a lookalike stands in the group.
const char* StandingName(Lookalike::Standing standing);

}  // namespace kith::client

#endif  // KITH_CLIENT_LOOKALIKES_H_
