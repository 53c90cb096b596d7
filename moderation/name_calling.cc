// Name-calling: an insult or demeaning label aimed at someone present.
#include <algorithm>

#include "detectors.h"

namespace kith::moderation {
namespace {

// "call you stupid", "anyone who says you're weak": someone else's words
// about the reader, not the sender's.
bool AfterOthersSpeech(const Analysis& a, uint32_t you) {
  for (uint32_t k = you; k > 0 && you - k < 2 && a.same_sentence(k - 1, you); --k) {
    if (a.is(k - 1, kSpeechVerb) || a.word(k - 1).norm == "think" ||
        a.word(k - 1).norm == "thinks") {
      return !(k >= 2 && a.word(k - 2).norm == "i");
    }
  }
  return false;
}

// Whether the word before `w` makes it the sender's or someone else's:
// "my ex Dave", whom a survivor may describe as they like.
bool Possessed(const Analysis& a, uint32_t w) {
  return a.after(w, kFirstPerson | kThirdPerson);
}

// A capitalised word the lexicon does not know, and not someone's ("my ex
// Dave"): a person named, likely a member.
bool NamedPerson(const Analysis& a, uint32_t w) {
  const Token& t = a.word(w);
  return t.capitalized && !t.all_caps && !a.lexicon_word(w) && !Possessed(a, w);
}

// How surely word `w`, the antecedent of "who is ...", is someone present:
// the reader, or a person named.
double NamedTarget(const Analysis& a, uint32_t w) {
  const std::string& n = a.word(w).norm;
  if (!a.plain(w)) return 0;
  if (n == "you" || n == "y'all") return 0.85;
  return NamedPerson(a, w) ? 0.7 : 0;
}

// How surely the insult at words [first, last] is aimed at someone present:
// 0 when it is not.
double InsultTarget(const Analysis& a, uint32_t first, uint32_t last, bool noun) {
  const double scale = noun ? 1.0 : 0.9;
  // Backwards over fillers and other insults to what the insult applies to.
  for (uint32_t k = first; k > 0 && first - k < 8 && a.same_sentence(k - 1, first); --k) {
    const uint32_t w = k - 1;
    const std::string& n = a.word(w).norm;
    if (!a.plain(w)) return 0;
    if (a.is(w, kYouAre)) return AfterOthersSpeech(a, w) ? 0 : 0.9 * scale;
    if (n == "who's" && w > 0 && a.same_sentence(w - 1, w)) {
      if (double c = NamedTarget(a, w - 1); c > 0) return c * scale;
      break;
    }
    if (n == "you" || n == "y'all") return AfterOthersSpeech(a, w) ? 0 : 0.9 * scale;
    if (a.is(w, kNegator)) return 0;
    if (a.is(w, kCopula)) {
      // "you are", "you people are", "everyone here is", "you really are".
      static constexpr std::string_view kAdverbs[] = {
          "really", "truly",     "honestly",  "clearly",  "obviously",
          "just",   "literally", "seriously", "actually", "definitely"};
      uint32_t s = w;
      while (s > 0 && a.same_sentence(s - 1, w) &&
             (a.is(s - 1, kGroupWord) || OneOf(kAdverbs, a.word(s - 1).norm))) {
        --s;
      }
      if (s == 0 || !a.same_sentence(s - 1, w)) return 0;
      const std::string& subject = a.word(s - 1).norm;
      if (subject == "you" || subject == "y'all")
        return AfterOthersSpeech(a, s - 1) ? 0 : 0.9 * scale;
      if ((subject == "who" || subject == "that") && s >= 2 && a.same_sentence(s - 2, s - 1)) {
        // "Ben, who is a complete snake, ...": the relative's antecedent.
        if (double c = NamedTarget(a, s - 2); c > 0) return c * scale;
        break;
      }
      if ((subject == "everyone" || subject == "everybody") && s < w) return 0.85 * scale;
      if (a.is(s - 1, kYouAre)) return 0.9 * scale;  // "you're being a ..."
      // A person named as the subject: "Dave is such a creep".
      if (s == w && NamedPerson(a, s - 1)) return 0.65 * scale;
      if (n == "being") continue;
      break;  // someone else is the insult's subject
    }
    if (n == "what" && first - w >= 2) {
      // "What a loser." aimed at whoever it answers, unless it is about the
      // sender or someone named after it ("what an idiot I was").
      for (uint32_t f = last + 1; a.in_sentence_of(f, first); ++f) {
        if (a.is(f, kFirstPerson) || a.is(f, kThirdPerson)) return 0;
      }
      return 0.85 * scale;
    }
    // "Mike's a predator": a name and "is" in one word.
    if (n.size() > 2 && n.ends_with("'s") && a.word(w).capitalized && first - w >= 2) {
      if (!Possessed(a, w) && !Lexicon::Get().Known(std::string_view(n).substr(0, n.size() - 2))) {
        return 0.65 * scale;
      }
    }
    if (a.is(w, kFiller | kGroupWord | kInsultAdj | kInsultNoun)) continue;
    // "Only a fool would ...", "even an idiot can see ...": said of whoever
    // does what follows, which is the reader.
    if ((n == "only" || n == "even") && first - w >= 2 && last + 1 < a.words() &&
        a.same_sentence(last + 1, last)) {
      static constexpr std::string_view kModals[] = {"would",    "could",  "can",  "will", "knows",
                                                     "believes", "thinks", "does", "falls"};
      if (OneOf(kModals, a.word(last + 1).norm)) return 0.75 * scale;
    }
    break;
  }
  // "typical narcissist behaviour from you".
  if (a.in_sentence_of(last + 1, last) && a.addresses_you(last)) {
    const std::string& next = a.word(last + 1).norm;
    if (next == "behaviour" || next == "behavior" || next == "energy" || next == "move" ||
        next == "logic") {
      return 0.8;
    }
  }
  // "an idiot like you", "what a clown you are".
  if (a.in_sentence_of(last + 1, last)) {
    const std::string& next = a.word(last + 1).norm;
    if (next == "like" && last + 2 < a.words() && a.word(last + 2).norm == "you") return 0.85;
    if (next == "you" && last + 2 < a.words() && a.word(last + 2).norm == "are") return 0.85;
    if (next == "you're") return 0.85;
  }
  // A form of address: "Nobody asked, loser." "Listen here, stupid, ..."
  // Adjectives only as the two that serve as nouns, and not opening a
  // sentence, where "Stupid, I know, but ..." is about the sender.
  bool opens = a.opens_sentence(first);
  bool noun_like =
      noun || (!opens && (a.word(first).norm == "stupid" || a.word(first).norm == "dumb"));
  if (noun_like && IsVocative(a, first, last) &&
      (opens || !a.is(first - 1, kInsultNoun | kInsultAdj))) {
    return 0.8;
  }
  return 0;
}

}  // namespace

void CheckNameCalling(const Analysis& a, Evidence& ev) {
  bool quoted_insult = false;
  size_t quoted_begin = 0, quoted_end = 0;
  for (uint32_t w = 0; w < a.words(); ++w) {
    if (!a.is(w, kInsultNoun | kInsultAdj)) continue;
    if (!a.plain(w)) {
      if (!quoted_insult && a.word(w).quote != 0) {
        quoted_insult = true;
        quoted_begin = a.word(w).begin;
        quoted_end = a.word(w).end;
      }
      continue;
    }
    double c = InsultTarget(a, w, w, a.is(w, kInsultNoun));
    if (c > 0) ev.Add(c, a.word(w).begin, a.word(w).end);
  }
  for (const PhraseMatch& m : a.phrases()) {
    const Phrase& p = *m.phrase;
    if (!a.plain(m)) continue;
    if (p.kind == PhraseKind::kInsult) {
      double c = InsultTarget(a, m.first_word, m.last_word, true);
      if (c > 0) ev.Add(std::min(c, p.confidence), a.begin(m), a.end(m));
    } else if (p.kind == PhraseKind::kComparison && a.addresses_you(m.first_word)) {
      ev.Add(p.confidence, a.begin(m), a.end(m));
    } else if (p.kind == PhraseKind::kAboutYou && quoted_insult) {
      // An insult quoted, then applied: "he'd have been right about you".
      ev.Add(p.confidence, quoted_begin, quoted_end);
    }
  }
}

}  // namespace kith::moderation
