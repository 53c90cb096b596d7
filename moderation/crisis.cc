// The crisis signal: risk to the sender or immediate danger. Never a
// violation.
#include "detectors.h"

namespace kith::moderation {
namespace {

bool InIdiom(const Analysis& a, uint32_t first, uint32_t last) {
  for (const PhraseMatch& o : a.phrases()) {
    if (o.phrase->kind == PhraseKind::kSelfHarmIdiom && o.first_word <= last &&
        first <= o.last_word) {
      return true;
    }
  }
  return false;
}

// "I just want to die", "thinking about not waking up", "I don't want to be
// alive anymore": the sender's wish or plan to die, or not to live. Not "I
// don't want to die", nor "I'm going to die of embarrassment".
void CheckDeathWish(const Analysis& a, Evidence& ev) {
  static constexpr std::string_view kWish[] = {
      "want",    "wish",        "planning", "plan",  "thinking", "ready",  "decided",
      "tempted", "considering", "trying",   "tired", "hoping",   "praying"};
  static constexpr std::string_view kDeath[] = {"die",    "dead",     "disappear", "gone",
                                                "vanish", "overdose", "suicide"};
  static constexpr std::string_view kLife[] = {"live",   "alive",    "here",   "exist",   "wake",
                                               "living", "existing", "around", "continue"};
  for (uint32_t w = 0; w < a.words(); ++w) {
    if (!a.plain(w) || !OneOf(kWish, a.word(w).norm)) continue;
    // The sender's own wish: "I", "I'm", or nothing (a sentence that opens
    // with it, "Want to disappear.").
    bool mine = w == 0 || !a.same_sentence(w - 1, w);
    bool negated = false;
    for (uint32_t k = w; k > 0 && w - k < 4 && a.same_sentence(k - 1, w); --k) {
      if (a.is(k - 1, kFirstPerson)) mine = true;
      if (a.is(k - 1, kThirdPerson | kSecondPerson)) break;
      if (a.is(k - 1, kNegator)) negated = true;
    }
    if (!mine) continue;
    for (uint32_t k = w + 1; k < a.words() && k <= w + 6 && a.same_sentence(k, w); ++k) {
      const std::string& n = a.word(k).norm;
      bool negated_here = negated || (k > w + 1 && a.is(k - 1, kNegator));
      // "dying", but not "dying to", "dying for", "dying of laughter".
      const std::string& next = k + 1 < a.words() ? a.word(k + 1).norm : n;
      bool dying =
          n == "dying" && next != "to" && next != "for" && next != "of" && next != "laughing";
      bool death = OneOf(kDeath, n) || dying ||
                   ((n == "kill" || n == "end" || n == "hurt") && k + 1 < a.words() &&
                    (a.word(k + 1).norm == "myself" || a.word(k + 1).norm == "it" ||
                     a.word(k + 1).norm == "my" || a.word(k + 1).norm == "everything"));
      bool life = OneOf(kLife, n);
      if ((death && !negated_here && !InIdiom(a, k, k)) || (life && negated_here)) {
        ev.Add(0.85, a.word(w).begin, a.word(k).end);
        return;
      }
      if (death || life) break;
    }
  }
}

// "He's downstairs", "my ex has a knife", "he won't let me leave": someone
// is a danger to the sender now. Not when it is told as the past.
void CheckDangerNow(const Analysis& a, Evidence& ev) {
  static constexpr std::string_view kDanger[] = {
      "downstairs", "upstairs", "knife",   "gun",        "weapon",  "breaking", "banging",
      "kicking",    "hitting",  "choking", "strangling", "chasing", "smashing"};
  static constexpr std::string_view kMyPlace[] = {"my", "the", "our"};
  static constexpr std::string_view kPast[] = {"ago",    "last",     "used", "once", "years",
                                               "before", "remember", "was",  "were", "had",
                                               "when",   "back",     "would"};
  for (uint32_t w = 0; w < a.words(); ++w) {
    if (!a.plain(w) || !a.is(w, kThirdPerson)) continue;
    const std::string& agent = a.word(w).norm;
    // People, not "his" or "her" as possessives, nor "someone" in general.
    if (agent == "his" || agent == "someone" || agent == "somebody" || agent == "people" ||
        agent == "them" || agent == "him") {
      continue;
    }
    for (uint32_t k = w + 1; k < a.words() && k <= w + 4 && a.same_sentence(k, w); ++k) {
      const std::string& n = a.word(k).norm;
      // "found me" and "broke in", not "found out" or "broke it off".
      const std::string& after = k + 1 < a.words() ? a.word(k + 1).norm : n;
      // "outside my door", "he's outside.", not "outside having a smoke".
      bool outside = n == "outside" &&
                     (k + 1 == a.words() || !a.same_sentence(k + 1, k) || OneOf(kMyPlace, after));
      bool now = OneOf(kDanger, n) || outside ||
                 (n == "found" && (after == "me" || after == "us")) ||
                 (n == "broke" && after == "in") || (n == "locked" && after == "me");
      if (!now) continue;
      bool past = false;
      for (uint32_t t = 0; t < a.words(); ++t) {
        if (a.same_sentence(t, w) && OneOf(kPast, a.word(t).norm)) past = true;
      }
      if (!past) ev.Add(0.65, a.word(w).begin, a.word(k).end);
      break;
    }
  }
}

}  // namespace

void CheckCrisis(const Analysis& a, Evidence& ev) {
  CheckDeathWish(a, ev);
  CheckDangerNow(a, ev);
  for (const PhraseMatch& m : a.phrases()) {
    const Phrase& p = *m.phrase;
    if (p.kind != PhraseKind::kCrisis || a.word(m.first_word).quote != 0) continue;
    if (p.flags & kNeedsThirdAgent) {
      bool agent = false;
      for (uint32_t k = m.first_word;
           k > 0 && m.first_word - k < 4 && a.same_sentence(k - 1, m.first_word); --k) {
        if (a.is(k - 1, kThirdPerson)) agent = true;
      }
      if (!agent) continue;
      // "He told me he'd hurt me" recounts; "he says he's going to kill me" is now.
      bool recounted = false;
      for (uint32_t k = 0; k < m.first_word; ++k) {
        if (a.same_sentence(k, m.first_word) && a.is(k, kPastSpeech)) recounted = true;
      }
      if (recounted) continue;
    }
    // "I don't want to die", "I'm not suicidal". Negation turns a wish or an
    // act round; it does not turn "can't keep myself safe" round.
    static constexpr std::string_view kWishOrAct[] = {
        "want",    "wish", "suicidal", "kill",    "killing",  "end",       "ending", "hurt",
        "hurting", "harm", "cut",      "cutting", "overdose", "overdosed", "take",   "suicide"};
    if (m.first_word > 0 && a.same_sentence(m.first_word - 1, m.first_word) &&
        a.is(m.first_word - 1, kNegator) && OneOf(kWishOrAct, a.word(m.first_word).norm)) {
      continue;
    }
    if (!InIdiom(a, m.first_word, m.last_word)) ev.Add(p.confidence, a.begin(m), a.end(m));
  }
}

}  // namespace kith::moderation
