// Personal information: phone numbers, email and street addresses, exact workplaces.
#include <algorithm>
#include <cctype>

#include "detectors.h"

namespace kith::moderation {
namespace {

// Email addresses: local@domain.tld.
void FindEmails(std::string_view s, Evidence& ev) {
  auto local = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '%' ||
           c == '+' || c == '-';
  };
  auto domain = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-';
  };
  for (size_t at = s.find('@'); at != std::string_view::npos; at = s.find('@', at + 1)) {
    size_t b = at;
    while (b > 0 && local(s[b - 1])) --b;
    size_t e = at + 1;
    while (e < s.size() && domain(s[e])) ++e;
    while (e > at + 1 && (s[e - 1] == '.' || s[e - 1] == '-')) --e;
    size_t dot = s.rfind('.', e);
    if (b == at || dot == std::string_view::npos || dot <= at + 1 || e - dot < 3) continue;
    ev.Add(0.95, b, e);
  }
}

// Phone numbers: 7 to 15 digits in groups, the last of at least four, that
// are not public hotlines (988, 741741, toll-free numbers) or year ranges.
void FindPhones(std::string_view s, Evidence& ev) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = s[i];
    bool starts = std::isdigit(c) || ((c == '+' || c == '(') && i + 1 < s.size() &&
                                      std::isdigit(static_cast<unsigned char>(s[i + 1])));
    if (!starts || (i > 0 && std::isalnum(static_cast<unsigned char>(s[i - 1])))) {
      ++i;
      continue;
    }
    size_t b = i, last_digit = i;
    std::string digits;
    std::vector<size_t> groups{0};
    while (i < s.size()) {
      unsigned char d = s[i];
      if (std::isdigit(d)) {
        digits.push_back(d);
        ++groups.back();
        last_digit = i;
      } else if (d == '-' || d == '.' || d == ' ' || d == '(' || d == ')' || d == '+') {
        if (groups.back() != 0) groups.push_back(0);
        if (d == ' ' && i + 1 < s.size() && !std::isdigit(static_cast<unsigned char>(s[i + 1])) &&
            s[i + 1] != '(')
          break;
      } else {
        break;
      }
      ++i;
    }
    if (groups.back() == 0) groups.pop_back();
    if (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i])) && last_digit + 1 == i)
      continue;
    if (digits.size() < 7 || digits.size() > 15 || groups.empty()) continue;
    if (groups.size() > 1 && groups.back() < 4) continue;
    std::string_view national = digits;
    if (national.size() == 11 && national[0] == '1') national.remove_prefix(1);
    static constexpr std::string_view kTollFree[] = {"800", "888", "877", "866",
                                                     "855", "844", "833"};
    if (OneOf(kTollFree, national.substr(0, 3))) continue;
    bool years = groups.size() > 1 &&
                 std::all_of(groups.begin(), groups.end(), [](size_t g) { return g == 4; }) &&
                 (digits.starts_with("19") || digits.starts_with("20"));
    if (years) continue;
    ev.Add(0.9, b, last_digit + 1);
  }
}

// Street addresses ("42 Larkspur Court") and exact workplaces ("the front
// desk of Riverside Family Dental on Pine Street").
void FindPlaces(const Analysis& a, Evidence& ev) {
  auto street_at = [&](uint32_t w) {
    // A capitalised street suffix after one to three capitalised words.
    return a.is(w, kStreetSuffix) && a.word(w).capitalized && w > 0 &&
           (a.word(w - 1).capitalized ||
            std::isdigit(static_cast<unsigned char>(a.word(w - 1).norm[0])));
  };
  for (uint32_t w = 0; w < a.words(); ++w) {
    if (!street_at(w)) continue;
    uint32_t s = w - 1;
    while (s > 0 && w - s < 4 && a.word(s).capitalized && a.same_sentence(s - 1, w)) --s;
    const std::string& lead = a.word(s).norm;
    bool numbered = !lead.empty() && std::isdigit(static_cast<unsigned char>(lead[0])) &&
                    std::all_of(lead.begin(), lead.end(),
                                [](char c) {
                                  return std::isdigit(static_cast<unsigned char>(c)) ||
                                         std::isalpha(static_cast<unsigned char>(c));
                                }) &&
                    lead.size() <= 6 &&
                    !(lead.ends_with("th") || lead.ends_with("st") || lead.ends_with("nd") ||
                      lead.ends_with("rd"));
    if (numbered) {
      ev.Add(0.9, a.word(s).begin, a.word(w).end);
      continue;
    }
    // A named street with a named place of business or a workplace cue.
    bool place = false;
    for (uint32_t k = 0; k < a.words(); ++k) {
      if (a.same_sentence(k, w) && k < s && a.word(k).capitalized && a.is(k, kBusiness))
        place = true;
    }
    for (const PhraseMatch& m : a.phrases()) {
      if (m.phrase->kind == PhraseKind::kWorkplace && a.same_sentence(m.first_word, w))
        place = true;
    }
    if (place) ev.Add(0.85, a.word(s).begin, a.word(w).end);
  }
  // A workplace cue followed by a named place: "works at Sunrise Bakery".
  for (const PhraseMatch& m : a.phrases()) {
    if (m.phrase->kind != PhraseKind::kWorkplace) continue;
    for (uint32_t k = m.last_word + 1;
         k <= m.last_word + 3 && a.in_sentence_of(k, m.first_word); ++k) {
      if (a.word(k).capitalized && !a.is(k, kFirstPerson)) {
        bool business = false;
        uint32_t e = k;
        while (a.in_sentence_of(e + 1, k) && a.word(e + 1).capitalized) {
          ++e;
          if (a.is(e, kBusiness)) business = true;
        }
        if (a.is(k, kBusiness)) business = true;
        ev.Add(business ? m.phrase->confidence : m.phrase->confidence - 0.2, a.begin(m),
               a.word(e).end);
        break;
      }
    }
  }
}

}  // namespace

void CheckPersonalInfo(const Analysis& a, Evidence& ev) {
  FindEmails(a.text().raw, ev);
  FindPhones(a.text().raw, ev);
  FindPlaces(a, ev);
}

}  // namespace kith::moderation
