#include "analysis.h"

namespace kith::moderation {
namespace {

bool IsLexiconWord(std::string_view w) { return Lexicon::Get().Known(w); }

}  // namespace

Analysis::Analysis(std::string_view raw)
    : lex_(Lexicon::Get()), text_(Tokenize(raw, &IsLexiconWord)) {
  const size_t n = text_.words.size();
  classes_.resize(n);
  for (uint32_t w = 0; w < n; ++w) {
    classes_[w] = lex_.Classes(word(w).norm);
    lex_.MatchAt(text_, w, phrases_);
  }
  MarkReported();
  for (uint32_t w = 0; w < n; ++w) {
    if (plain(w) && (classes_[w] & kJoy)) joy_ = true;
  }
}

void Analysis::MarkReported() {
  reported_.assign(words(), false);
  for (uint32_t v = 0; v < words(); ++v) {
    if (!is(v, kSpeechVerb)) continue;
    bool frame = false;
    for (uint32_t k = v; k > 0 && v - k < 4 && same_sentence(k - 1, v); --k) {
      if (is(k - 1, kThirdPerson)) frame = true;
    }
    for (uint32_t k = v + 1; k < words() && k <= v + 2 && same_sentence(k, v); ++k) {
      const std::string& n = word(k).norm;
      if (n == "me" || n == "myself" || (n == "i" && k == v + 1)) frame = true;
    }
    if (!frame) continue;
    // Reported speech runs to the end of the sentence, or to the end of
    // the quotation it introduces: what follows that is the sender's own.
    uint32_t quote = 0;
    for (uint32_t k = v + 1; k < words() && same_sentence(k, v); ++k) {
      if (quote != 0 && word(k).quote != quote) break;
      quote = word(k).quote;
      reported_[k] = true;
    }
  }
}

bool IsSentenceEnd(const Token* t) {
  return t == nullptr ||
         (t->kind == TokenKind::kPunct &&
          (t->norm[0] == '.' || t->norm[0] == '!' || t->norm[0] == '?' || t->norm[0] == '\n'));
}

bool IsVocative(const Analysis& a, uint32_t first, uint32_t last) {
  const Token* before = a.token_before(first);
  const Token* after = a.token_after(last);
  bool opens = a.opens_sentence(first);
  static constexpr std::string_view kCallers[] = {"hey",  "oi",   "yo",    "bye",     "listen",
                                                  "look", "hi",   "hello", "goodbye", "thanks",
                                                  "ok",   "okay", "sure",  "yeah"};
  bool comma_before =
      (before != nullptr && before->norm == ",") ||
      (first == 1 && OneOf(kCallers, a.word(0).norm)) ||
      (first >= 2 && !a.same_sentence(first - 2, first) && OneOf(kCallers, a.word(first - 1).norm));
  bool comma_after = after != nullptr && after->norm == ",";
  if (opens) return comma_after && a.in_sentence_of(last + 1, last);
  return comma_before && (comma_after || IsSentenceEnd(after));
}

bool FlagsHold(const Analysis& a, const PhraseMatch& m) {
  const uint8_t flags = m.phrase->flags;
  const uint32_t first = m.first_word, last = m.last_word;
  const bool opens = a.opens_sentence(first);
  const bool closes = a.closes_sentence(last);
  if ((flags & kAtSentenceStart) && !opens) return false;
  if ((flags & kStandalone) && !(opens && closes)) return false;
  if ((flags & kNotAfterJoy) && a.joy()) return false;
  if (flags & kNeedsYou) {
    if (!a.addresses_you(first)) return false;
    // "You're not beneath anyone."
    for (uint32_t k = first; k > 0 && first - k < 2 && a.same_sentence(k - 1, first); --k) {
      if (a.is(k - 1, kNegator)) return false;
    }
  }
  return true;
}

}  // namespace kith::moderation
