#include "kith/lookalikes.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include "text.h"

namespace kith::client {
namespace {

// Two-byte UTF-8 letters that render like a Latin one, upper and lower case.
constexpr std::pair<std::string_view, char> kConfusables[] = {
    {"\xD0\xB0", 'a'}, {"\xD0\x90", 'a'}, {"\xD0\xB5", 'e'}, {"\xD0\x95", 'e'},
    {"\xD0\xBE", 'o'}, {"\xD0\x9E", 'o'}, {"\xD1\x80", 'p'}, {"\xD0\xA0", 'p'},
    {"\xD1\x81", 'c'}, {"\xD0\xA1", 'c'}, {"\xD1\x85", 'x'}, {"\xD0\xA5", 'x'},
    {"\xD1\x83", 'y'}, {"\xD1\x96", 'i'}, {"\xD0\x86", 'i'}, {"\xD0\x92", 'b'},
    {"\xD0\x9A", 'k'}, {"\xD0\x9C", 'm'}, {"\xD0\x9D", 'h'}, {"\xD0\xA2", 't'},
    {"\xCE\xBF", 'o'}, {"\xCE\x9F", 'o'}, {"\xCE\xB1", 'a'}, {"\xCE\x91", 'a'},
    {"\xCE\x92", 'b'}, {"\xCE\x95", 'e'}, {"\xCE\x97", 'h'}, {"\xCE\x99", 'i'},
    {"\xCE\x9A", 'k'}, {"\xCE\x9C", 'm'}, {"\xCE\x9D", 'n'}, {"\xCE\xA1", 'p'},
    {"\xCE\xA4", 't'}, {"\xCE\xA5", 'y'}, {"\xCE\xA7", 'x'}, {"\xCE\xBD", 'v'},
};

}  // namespace

std::string NameSkeleton(std::string_view name) {
  std::string out;
  for (size_t i = 0; i < name.size();) {
    const unsigned char c = static_cast<unsigned char>(name[i]);
    if (c < 0x80) {
      // Digits that pass for letters read as those letters ("b0b").
      if (std::isalnum(c)) out += moderation::Leet(static_cast<char>(std::tolower(c)), /*one_is_l=*/true);
      ++i;
      continue;
    }
    bool mapped = false;
    for (const auto& [bytes, letter] : kConfusables) {
      if (name.substr(i, bytes.size()) == bytes) {
        out += letter;
        i += bytes.size();
        mapped = true;
        break;
      }
    }
    if (mapped) continue;
    // Combining marks (U+0300..U+036F) and zero-width characters add nothing a reader sees.
    if (c == 0xCC || (c == 0xCD && i + 1 < name.size() &&
                      static_cast<unsigned char>(name[i + 1]) < 0xB0)) {
      i += 2;
      continue;
    }
    if (name.substr(i, 3) == "\xE2\x80\x8B" || name.substr(i, 3) == "\xE2\x80\x8C" ||
        name.substr(i, 3) == "\xE2\x80\x8D" || name.substr(i, 3) == "\xEF\xBB\xBF") {
      i += 3;
      continue;
    }
    out += static_cast<char>(c);
    ++i;
  }
  // "rn" reads as "m", "vv" as "w", "l" as "I" (already lower case: "i").
  for (size_t at; (at = out.find("rn")) != std::string::npos;) out.replace(at, 2, "m");
  for (size_t at; (at = out.find("vv")) != std::string::npos;) out.replace(at, 2, "w");
  std::replace(out.begin(), out.end(), 'i', 'l');
  return out;
}

const char* StandingName(Lookalike::Standing standing) {
  switch (standing) {
    case Lookalike::Standing::kMember: return "a member";
    case Lookalike::Standing::kPending: return "waiting to join";
    case Lookalike::Standing::kFormer: return "a former member";
    case Lookalike::Standing::kBanned: return "banned";
  }
  return "";
}

std::vector<Lookalike> LookalikesOf(const GroupView& view, const std::string& user_id) {
  const std::string skeleton = NameSkeleton(view.NameOf(user_id));
  std::vector<Lookalike> out;
  if (skeleton.empty()) return out;
  const GroupState& state = view.state();
  for (const auto& [id, name] : view.names()) {
    if (id == user_id || NameSkeleton(name) != skeleton) continue;
    Lookalike::Standing standing = state.IsBanned(id)    ? Lookalike::Standing::kBanned
                                   : state.IsMember(id)  ? Lookalike::Standing::kMember
                                   : state.IsPending(id) ? Lookalike::Standing::kPending
                                                         : Lookalike::Standing::kFormer;
    out.push_back({id, name, standing});
  }
  std::stable_sort(out.begin(), out.end(), [](const Lookalike& a, const Lookalike& b) {
    return a.standing > b.standing;
  });
  return out;
}

}  // namespace kith::client
