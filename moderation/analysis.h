// What every ground-rules detector reads: a message tokenised once, with
// each word's classes and the phrases that match, and the evidence a
// detector gathers for one rule.
#ifndef KITH_MODERATION_ANALYSIS_H_
#define KITH_MODERATION_ANALYSIS_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "lexicon.h"
#include "text.h"

namespace kith::moderation {

// Independent pieces of evidence for one rule, combined as a noisy-or; the
// span is that of the strongest piece.
class Evidence {
 public:
  void Add(double confidence, size_t begin, size_t end) {
    miss_ *= 1 - confidence;
    if (confidence > best_) best_ = confidence, begin_ = begin, end_ = end;
  }
  double confidence() const { return 1 - miss_; }
  size_t begin() const { return begin_; }
  size_t end() const { return end_; }

 private:
  double miss_ = 1;
  double best_ = 0;
  size_t begin_ = 0, end_ = 0;
};

// A message after tokenising, with what every detector needs to know of
// each word computed once.
class Analysis {
 public:
  explicit Analysis(std::string_view raw);

  const Text& text() const { return text_; }
  size_t words() const { return text_.words.size(); }
  const Token& word(uint32_t w) const { return text_.tokens[text_.words[w]]; }
  uint32_t classes(uint32_t w) const { return classes_[w]; }
  bool is(uint32_t w, uint32_t cls) const { return (classes_[w] & cls) != 0; }
  // A word the lexicon knows, so not a name.
  bool lexicon_word(uint32_t w) const { return lex_.Known(word(w).norm); }
  const std::vector<PhraseMatch>& phrases() const { return phrases_; }
  bool joy() const { return joy_; }

  // Neither quoted nor after a reporting frame ("he called me ..."): the
  // sender's own words to the group.
  bool plain(uint32_t w) const { return word(w).quote == 0 && !reported_[w]; }
  bool plain(const PhraseMatch& m) const { return plain(m.first_word) && plain(m.last_word); }
  bool same_sentence(uint32_t a, uint32_t b) const { return word(a).sentence == word(b).sentence; }
  // Whether there is a word `k` and it is in the sentence of word `w`.
  bool in_sentence_of(uint32_t k, uint32_t w) const { return k < words() && same_sentence(k, w); }
  // Whether the word right before `w`, in its sentence, is of one of the
  // word classes `cls`: after(w, kNegator) for "never", "not", "don't" ...
  bool after(uint32_t w, uint32_t cls) const {
    return w > 0 && same_sentence(w - 1, w) && is(w - 1, cls);
  }
  // Whether word `w` is the first / last word of its sentence.
  bool opens_sentence(uint32_t w) const { return w == 0 || !same_sentence(w - 1, w); }
  bool closes_sentence(uint32_t w) const { return w + 1 == words() || !same_sentence(w + 1, w); }
  // Whether the sentence of word `w` ends in a question mark.
  bool in_question(uint32_t w) const {
    const Token& last = text_.tokens[text_.sentences[word(w).sentence].last];
    return last.kind == TokenKind::kPunct && last.norm.find('?') != std::string::npos;
  }
  // A second-person word, in the sender's own words, in the sentence of `w`.
  bool addresses_you(uint32_t w) const {
    for (uint32_t k = 0; k < words(); ++k) {
      if (same_sentence(k, w) && plain(k) && is(k, kSecondPerson)) return true;
    }
    return false;
  }
  // The token right before / after word `w`, or null.
  const Token* token_before(uint32_t w) const {
    uint32_t t = text_.words[w];
    return t == 0 ? nullptr : &text_.tokens[t - 1];
  }
  const Token* token_after(uint32_t w) const {
    uint32_t t = text_.words[w] + 1;
    return t >= text_.tokens.size() ? nullptr : &text_.tokens[t];
  }
  size_t begin(const PhraseMatch& m) const { return word(m.first_word).begin; }
  size_t end(const PhraseMatch& m) const { return word(m.last_word).end; }

 private:
  // A speech verb whose subject is someone else ("he'd scream", "my ex used
  // to say") or whose object is the sender ("called me", "told me I was")
  // makes the rest of its sentence reported speech.
  void MarkReported();

  const Lexicon& lex_;
  Text text_;
  std::vector<uint32_t> classes_;
  std::vector<PhraseMatch> phrases_;
  std::vector<bool> reported_;
  bool joy_ = false;
};

// True at a sentence's end, or past the last token.
bool IsSentenceEnd(const Token* t);

template <size_t N>
bool OneOf(const std::string_view (&list)[N], std::string_view w) {
  return std::find(std::begin(list), std::end(list), w) != std::end(list);
}

// Words [first, last] stand alone as a form of address: "Bye, loser."
// "Listen, stupid, ..." "Idiot, nobody asked."
bool IsVocative(const Analysis& a, uint32_t first, uint32_t last);

// Whether the conditions a phrase carries (PhraseFlag) hold where it matched.
bool FlagsHold(const Analysis& a, const PhraseMatch& m);

}  // namespace kith::moderation

#endif  // KITH_MODERATION_ANALYSIS_H_
