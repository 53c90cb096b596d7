#include "text.h"

#include <array>
#include <utility>

namespace kith::moderation {
namespace {

constexpr char32_t kLeftSingle = 0x2018, kRightSingle = 0x2019;
constexpr char32_t kLeftDouble = 0x201C, kRightDouble = 0x201D, kLowDouble = 0x201E;
constexpr char32_t kLeftGuillemet = 0x00AB, kRightGuillemet = 0x00BB;
constexpr char32_t kEllipsis = 0x2026, kEnDash = 0x2013, kEmDash = 0x2014;

bool IsAsciiAlnum(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool IsAsciiUpper(unsigned char c) { return c >= 'A' && c <= 'Z'; }
bool IsAsciiLower(unsigned char c) { return c >= 'a' && c <= 'z'; }

// Decodes the code point at `i`, setting `len`. Invalid bytes decode as
// themselves with length 1 (and so count as letters).
char32_t Decode(std::string_view s, size_t i, size_t& len) {
  unsigned char c = s[i];
  len = 1;
  if (c < 0x80) return c;
  size_t need = (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xe ? 2 : (c >> 3) == 0x1e ? 3 : 0;
  if (need == 0 || i + need >= s.size()) return c;
  char32_t cp = c & (0x3f >> need);
  for (size_t k = 1; k <= need; ++k) {
    unsigned char cc = s[i + k];
    if ((cc & 0xc0) != 0x80) return c;
    cp = (cp << 6) | (cc & 0x3f);
  }
  len = need + 1;
  return cp;
}

// Letters outside ASCII: Latin, Greek, Cyrillic and the like. Punctuation,
// symbols and emoji from U+2000 up are not letters.
bool IsLetter(char32_t cp) {
  return cp < 0x80 ? IsAsciiAlnum(static_cast<unsigned char>(cp)) : cp < 0x2000 &&
                                                                        cp != kLeftGuillemet &&
                                                                        cp != kRightGuillemet;
}

}  // namespace

char Leet(char c, bool one_is_l) {
  switch (c) {
    case '0': return 'o';
    case '1': return one_is_l ? 'l' : 'i';
    case '3': return 'e';
    case '4': return 'a';
    case '5': return 's';
    case '7': return 't';
    case '8': return 'b';
    case '@': return 'a';
    case '$': return 's';
    case '!': return 'i';
    case '|': return 'l';
    default: return c;
  }
}

namespace {

std::string Unleet(std::string_view s, bool one_is_l) {
  std::string out(s);
  for (char& c : out) c = Leet(c, one_is_l);
  return out;
}

// "looooser" -> "loser" or "looser", whichever is known.
bool Unstretch(std::string& norm, KnownWord known) {
  for (size_t keep : {1, 2}) {
    std::string out;
    for (size_t i = 0; i < norm.size(); ++i) {
      size_t run = 1;
      while (i + run < norm.size() && norm[i + run] == norm[i]) ++run;
      out.append(run >= 3 ? std::min(run, keep) : run, norm[i]);
      i += run - 1;
    }
    if (out != norm && known(out)) {
      norm = std::move(out);
      return true;
    }
  }
  return false;
}

// Spellings that mean one thing, folded to one form the detectors name.
std::string_view Canonical(std::string_view w) {
  static constexpr std::pair<std::string_view, std::string_view> kForms[] = {
      {"youre", "you're"}, {"u", "you"},       {"ya", "you"},         {"youve", "you've"},
      {"youll", "you'll"}, {"youd", "you'd"},  {"im", "i'm"},         {"ive", "i've"},
      {"dont", "don't"},   {"cant", "can't"},  {"wont", "won't"},     {"didnt", "didn't"},
      {"isnt", "isn't"},   {"doesnt", "doesn't"}, {"arent", "aren't"}, {"wasnt", "wasn't"},
      {"yall", "y'all"},   {"thats", "that's"}, {"whos", "who's"},    {"hes", "he's"},
      {"shes", "she's"},   {"gonna", "going"},  {"wanna", "want"},    {"ppl", "people"},
  };
  for (const auto& [from, to] : kForms) {
    if (w == from) return to;
  }
  return w;
}

void FinishWord(Token& t, std::string_view raw, KnownWord known) {
  int letters = 0, upper = 0, lower = 0;
  bool leety = false, has_letter = false;
  for (size_t i = t.begin; i < t.end; ++i) {
    unsigned char c = raw[i];
    if (IsAsciiUpper(c)) ++upper, ++letters, has_letter = true;
    if (IsAsciiLower(c)) ++lower, ++letters, has_letter = true;
    if (c >= 0x80) has_letter = true;
    if (c == '0' || c == '1' || c == '3' || c == '4' || c == '5' || c == '7' || c == '8' ||
        c == '@' || c == '$') {
      leety = true;
    }
  }
  t.all_caps = letters >= 2 && lower == 0;
  t.capitalized = IsAsciiUpper(static_cast<unsigned char>(raw[t.begin]));
  if (leety && has_letter && !known(t.norm)) {
    for (bool one_is_l : {false, true}) {
      std::string plain = Unleet(t.norm, one_is_l);
      if (known(plain) || Unstretch(plain, known)) {
        t.norm = std::move(plain);
        break;
      }
    }
  } else if (letters >= 3 && !known(t.norm)) {
    Unstretch(t.norm, known);
  }
  // Censored spellings: "sl*t", "f**k".
  if (size_t star = t.norm.find('*'); star != std::string::npos && !known(t.norm)) {
    for (char v : std::string_view("aeiou")) {
      std::string guess = t.norm;
      for (char& c : guess) {
        if (c == '*') c = v;
      }
      if (known(guess)) {
        t.norm = std::move(guess);
        break;
      }
    }
  }
  if (t.norm.find('-') != std::string::npos && !known(t.norm)) {
    std::string joined;
    for (char c : t.norm) {
      if (c != '-') joined.push_back(c);
    }
    std::string plain = Unleet(joined, false);
    if (known(plain)) t.norm = std::move(plain);
  }
  std::string_view canon = Canonical(t.norm);
  if (canon.data() != t.norm.data()) t.norm = std::string(canon);
}

bool IsSpacer(std::string_view gap) {
  if (gap.empty() || gap.size() > 2) return false;
  for (char c : gap) {
    if (c != ' ' && c != '.' && c != '-' && c != '*' && c != '_') return false;
  }
  return true;
}

// Joins letters spelled apart ("l o s e r", "c.l.o.w.n") into one word when
// the result is a known word.
void JoinSpacedLetters(Text& text, KnownWord known) {
  auto& tokens = text.tokens;
  std::vector<Token> out;
  out.reserve(tokens.size());
  auto single = [](const Token& t) { return t.kind == TokenKind::kWord && t.end - t.begin == 1; };
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (single(tokens[i])) {
      std::vector<size_t> run{i};
      size_t j = i + 1;
      while (true) {
        size_t k = j;
        while (k < tokens.size() && tokens[k].kind == TokenKind::kPunct) ++k;
        if (k >= tokens.size() || !single(tokens[k])) break;
        std::string_view gap = text.raw.substr(tokens[run.back()].end,
                                               tokens[k].begin - tokens[run.back()].end);
        if (!IsSpacer(gap)) break;
        run.push_back(k);
        j = k + 1;
      }
      if (run.size() >= 3) {
        std::string joined;
        for (size_t r : run) joined += static_cast<char>(std::tolower(text.raw[tokens[r].begin]));
        std::string plain = Unleet(joined, false);
        if (!known(plain)) plain = Unleet(joined, true);
        if (known(plain)) {
          Token t = tokens[i];
          t.end = tokens[run.back()].end;
          t.norm = std::move(plain);
          t.all_caps = false;
          out.push_back(std::move(t));
          i = run.back();
          continue;
        }
      }
    }
    out.push_back(std::move(tokens[i]));
  }
  tokens = std::move(out);
}

bool IsAbbreviation(std::string_view w) {
  static constexpr std::string_view kAbbrevs[] = {"st", "dr", "mr", "mrs", "ms", "apt",
                                                  "ave", "rd", "jr", "sr", "vs", "etc"};
  for (auto a : kAbbrevs) {
    if (w == a) return true;
  }
  return false;
}

void AssignSentences(Text& text) {
  uint32_t sentence = 0;
  uint32_t first = 0;
  auto& tokens = text.tokens;
  for (uint32_t i = 0; i < tokens.size(); ++i) {
    Token& t = tokens[i];
    t.sentence = sentence;
    bool ends = t.kind == TokenKind::kPunct && t.quote == 0 &&
                (t.norm[0] == '.' || t.norm[0] == '!' || t.norm[0] == '?' || t.norm[0] == '\n');
    if (ends && t.norm == "." && i > 0 && tokens[i - 1].kind == TokenKind::kWord &&
        IsAbbreviation(tokens[i - 1].norm)) {
      ends = false;
    }
    if (ends) {
      text.sentences.push_back({first, i});
      first = i + 1;
      ++sentence;
    }
  }
  if (first < tokens.size()) text.sentences.push_back({first, uint32_t(tokens.size() - 1)});
}

}  // namespace

Text Tokenize(std::string_view raw, KnownWord known) {
  Text text;
  text.raw = raw;
  auto& tokens = text.tokens;
  tokens.reserve(raw.size() / 4 + 4);
  uint32_t open_quote = 0;  // 1-based index of the open quote, or 0
  bool single_open = false;

  auto open = [&](bool single) {
    text.quotes.push_back({uint32_t(tokens.size()), 0, 0});
    open_quote = text.quotes.size();
    single_open = single;
  };
  auto close = [&] {
    // Token ranges are settled after letter-joining; an empty quote goes now.
    if (tokens.size() == text.quotes.back().first) text.quotes.pop_back();
    open_quote = 0;
  };

  size_t i = 0;
  while (i < raw.size()) {
    size_t len;
    char32_t cp = Decode(raw, i, len);
    unsigned char c = raw[i];
    auto prev_is_letter = [&] {
      return !tokens.empty() && tokens.back().kind == TokenKind::kWord && tokens.back().end == i;
    };
    if (IsLetter(cp)) {
      Token t;
      t.begin = i;
      t.quote = open_quote;
      while (i < raw.size()) {
        size_t l;
        char32_t d = Decode(raw, i, l);
        unsigned char b = raw[i];
        bool next_alnum = false;
        if (i + l < raw.size()) {
          size_t l2;
          next_alnum = IsLetter(Decode(raw, i + l, l2));
        }
        if (IsLetter(d)) {
          if (d < 0x80) {
            t.norm.push_back(static_cast<char>(std::tolower(b)));
          } else {
            t.norm.append(raw.substr(i, l));
          }
        } else if ((d == '\'' || d == kRightSingle) && next_alnum) {
          t.norm.push_back('\'');
        } else if (d == '-' && next_alnum && !t.norm.empty()) {
          t.norm.push_back('-');
        } else if ((d == '@' || d == '$' || d == '*') && next_alnum && !t.norm.empty()) {
          t.norm.push_back(static_cast<char>(d));
        } else if ((d == '.' || d == ',') && next_alnum && std::isdigit(raw[i - 1]) &&
                   std::isdigit(raw[i + 1])) {
          t.norm.push_back(static_cast<char>(d));
        } else {
          break;
        }
        i += l;
      }
      t.end = i;
      FinishWord(t, raw, known);
      tokens.push_back(std::move(t));
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
      continue;
    }
    // Quote marks open and close quoted regions and make no token.
    bool next_letter = false;
    if (i + len < raw.size()) {
      size_t l2;
      next_letter = IsLetter(Decode(raw, i + len, l2));
    }
    if (cp == '"' || cp == kLeftDouble || cp == kRightDouble || cp == kLowDouble ||
        cp == kLeftGuillemet || cp == kRightGuillemet) {
      bool closing = cp == kRightDouble || cp == kRightGuillemet || cp == '"';
      if (open_quote != 0 && !single_open && closing) {
        close();
      } else if (open_quote == 0) {
        open(false);
      }
      i += len;
      continue;
    }
    if (cp == '\'' || cp == kLeftSingle || cp == kRightSingle) {
      if (open_quote == 0 && !prev_is_letter() && next_letter) {
        open(true);
      } else if (open_quote != 0 && single_open && !next_letter) {
        close();
      }
      i += len;
      continue;
    }
    Token t;
    t.begin = i;
    t.quote = open_quote;
    if (cp == kEllipsis) {
      t.kind = TokenKind::kPunct;
      t.norm = ".";
      i += len;
    } else if (cp == kEnDash || cp == kEmDash) {
      t.kind = TokenKind::kPunct;
      t.norm = "-";
      i += len;
    } else if (cp < 0x80) {
      t.kind = TokenKind::kPunct;
      // One token per run; '!' and '?' mix in one run ("?!").
      auto same = [c](unsigned char d) {
        bool bang = c == '!' || c == '?';
        return bang ? (d == '!' || d == '?') : d == c;
      };
      while (i < raw.size() && same(raw[i])) t.norm.push_back(raw[i++]);
    } else {
      t.kind = TokenKind::kSymbol;
      t.norm = std::string(raw.substr(i, len));
      i += len;
    }
    t.end = i;
    tokens.push_back(std::move(t));
  }
  if (open_quote != 0) {
    // An unclosed quote mark quotes nothing.
    for (size_t k = text.quotes.back().first; k < tokens.size(); ++k) tokens[k].quote = 0;
    text.quotes.pop_back();
  }

  JoinSpacedLetters(text, known);
  // Quote token ranges are recomputed after joining, and a quote holding
  // every word of the message is no quotation at all.
  for (auto& q : text.quotes) q = Quote{UINT32_MAX, 0, 0};
  uint32_t words = 0;
  for (uint32_t k = 0; k < tokens.size(); ++k) {
    if (tokens[k].kind == TokenKind::kWord) ++words;
    if (tokens[k].quote == 0) continue;
    Quote& q = text.quotes[tokens[k].quote - 1];
    q.first = std::min(q.first, k);
    q.last = k;
    if (tokens[k].kind == TokenKind::kWord) ++q.words;
  }
  for (auto& t : tokens) {
    if (t.quote != 0 && text.quotes[t.quote - 1].words == words) t.quote = 0;
  }
  AssignSentences(text);
  text.words.reserve(words);
  for (uint32_t k = 0; k < tokens.size(); ++k) {
    if (tokens[k].kind == TokenKind::kWord) text.words.push_back(k);
  }
  return text;
}

}  // namespace kith::moderation
