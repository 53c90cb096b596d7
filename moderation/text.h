// The normalised view of a message that the detectors read.
#ifndef KITH_MODERATION_TEXT_H_
#define KITH_MODERATION_TEXT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kith::moderation {

enum class TokenKind : uint8_t {
  kWord,    // letters and digits, with inner apostrophes
  kPunct,   // a run of one punctuation character: "!!!", ",", "\n"
  kSymbol,  // anything else, e.g. one emoji
};

struct Token {
  uint32_t begin = 0;  // byte span in the original text
  uint32_t end = 0;
  TokenKind kind = TokenKind::kWord;
  // Words: lower case, typographic apostrophes made ASCII, leetspeak and
  // letter-spacing undone when that yields a known word, common spellings
  // made canonical ("youre" -> "you're"). Others: the bytes themselves.
  std::string norm;
  bool all_caps = false;     // a word of two or more letters, all upper case
  bool capitalized = false;  // starts with an upper-case ASCII letter
  uint32_t sentence = 0;
  uint32_t quote = 0;  // 1-based index into Text::quotes, 0 outside quotes
};

// A quoted region: the tokens between matching quote marks.
struct Quote {
  uint32_t first = 0;  // token indices, inclusive
  uint32_t last = 0;
  uint32_t words = 0;
};

struct Sentence {
  uint32_t first = 0;  // token indices, inclusive
  uint32_t last = 0;
};

struct Text {
  std::string_view raw;
  std::vector<Token> tokens;
  std::vector<uint32_t> words;  // indices of the word tokens, in order
  std::vector<Quote> quotes;
  std::vector<Sentence> sentences;
};

// The letter a digit or symbol stands for in leetspeak ('0' is 'o', '3' is
// 'e', '@' is 'a', ...; '1' is 'l' with `one_is_l`, else 'i'); any other
// character as it is.
char Leet(char c, bool one_is_l);

// `known` says whether a normalised spelling is a word some detector looks
// for; de-obfuscation is kept only when it yields one.
using KnownWord = bool (*)(std::string_view);
Text Tokenize(std::string_view raw, KnownWord known);

}  // namespace kith::moderation

#endif  // KITH_MODERATION_TEXT_H_
