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
  static constexpr std::string_view kDeath[] = {"die",    "dead",     "disappear", "gone",
                                                "vanish", "overdose", "suicide"};
  static constexpr std::string_view kLife[] = {"live",   "alive",    "here",   "exist",    "wake",
                                               "living", "existing", "around", "continue", "born"};
  for (uint32_t w = 0; w < a.words(); ++w) {
    if (!a.plain(w) || !a.is(w, kWishWord)) continue;
    // The sender's own wish: "I", "I'm", or nothing (a sentence that opens
    // with it, "Want to disappear.").
    bool mine = a.opens_sentence(w);
    bool negated = false;
    for (uint32_t k = w; k > 0 && w - k < 4 && a.same_sentence(k - 1, w); --k) {
      if (a.is(k - 1, kFirstPerson)) mine = true;
      if (a.is(k - 1, kThirdPerson | kSecondPerson)) break;
      if (a.is(k - 1, kNegator)) negated = true;
    }
    if (!mine) continue;
    for (uint32_t k = w + 1; k <= w + 6 && a.in_sentence_of(k, w); ++k) {
      const std::string& n = a.word(k).norm;
      // "I wish I'd never been born": a negation between wish and life.
      if (a.is(k, kNegator)) negated = true;
      // "dying", but not "dying to", "dying for", "dying of laughter".
      const std::string& next = k + 1 < a.words() ? a.word(k + 1).norm : n;
      bool dying =
          n == "dying" && next != "to" && next != "for" && next != "of" && next != "laughing";
      bool death = OneOf(kDeath, n) || dying ||
                   ((n == "kill" || n == "end" || n == "hurt") && k + 1 < a.words() &&
                    (a.word(k + 1).norm == "myself" || a.word(k + 1).norm == "it" ||
                     a.word(k + 1).norm == "my" || a.word(k + 1).norm == "everything"));
      // "keep going." and "go on", not "keep going to therapy".
      const bool closes = a.closes_sentence(k);
      bool life = OneOf(kLife, n) || ((n == "going" || n == "go") && (closes || next == "on"));
      if ((death && !negated && !InIdiom(a, k, k)) || (life && negated)) {
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
      "downstairs", "upstairs", "breaking", "banging",    "pounding", "kicking", "hitting",
      "punching",   "shoving",  "choking",  "strangling", "chasing",  "smashing"};
  static constexpr std::string_view kWeapons[] = {"knife", "gun", "weapon", "bat", "hammer"};
  // Violence that has just happened: "he just threw me against the wall".
  static constexpr std::string_view kAssault[] = {"threw",    "hit",       "pushed", "choked",
                                                  "punched",  "slapped",   "kicked", "grabbed",
                                                  "attacked", "strangled", "beat",   "shoved"};
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
    for (uint32_t k = w + 1; k <= w + 4 && a.in_sentence_of(k, w); ++k) {
      const std::string& n = a.word(k).norm;
      // "found me" and "broke in", not "found out" or "broke it off".
      const std::string& after = k + 1 < a.words() ? a.word(k + 1).norm : n;
      // "outside my door", "he's outside.", not "outside having a smoke".
      bool outside = n == "outside" && (a.closes_sentence(k) || OneOf(kMyPlace, after));
      // "he won't leave", "he won't let me go".
      bool wont =
          n == "won't" && (after == "leave" || after == "let" || after == "stop" || after == "go");
      // "has a knife", not "has a gun license".
      bool armed = OneOf(kWeapons, n) && k > w + 1 &&
                   (a.word(k - 1).norm == "a" || a.word(k - 1).norm == "the" ||
                    a.word(k - 1).norm == "his" || a.word(k - 1).norm == "her") &&
                   after != "license" && after != "licence" && after != "permit" &&
                   after != "collection" && after != "safe";
      bool just_now = n == "just" && OneOf(kAssault, after);
      bool now = OneOf(kDanger, n) || armed || just_now || outside || wont ||
                 (n == "found" && (after == "me" || after == "us")) ||
                 (n == "broke" && after == "in") || (n == "locked" && after == "me");
      if (!now) continue;
      bool past = false;
      for (uint32_t t = 0; t < a.words(); ++t) {
        if (a.same_sentence(t, w) && OneOf(kPast, a.word(t).norm)) past = true;
      }
      // "He's outside?" asks; it does not tell.
      if (!past && !a.in_question(w))
        ev.Add(just_now ? 0.85 : 0.65, a.word(w).begin, a.word(k).end);
      break;
    }
  }
}

// "I took a bunch of pills", "I've got the rope", "I've been saving my
// meds": the means, in the sender's hands. Pills count only in a quantity,
// since "I took my meds this morning" is care.
void CheckMeans(const Analysis& a, Evidence& ev) {
  static constexpr std::string_view kTook[] = {"took",   "taken", "swallowed",
                                               "downed", "ate",   "mixed"};
  static constexpr std::string_view kHold[] = {"have",       "got",      "holding",   "bought",
                                               "saved",      "saving",   "collected", "collecting",
                                               "stockpiled", "hoarding", "counting",  "tied"};
  static constexpr std::string_view kPills[] = {"pills",       "tablets",  "meds",  "medication",
                                                "painkillers", "sleeping", "bottle"};
  static constexpr std::string_view kQuantity[] = {
      "all", "bunch", "handful", "whole", "entire", "lot", "many", "dozen", "every", "extra", "up"};
  static constexpr std::string_view kTools[] = {"rope", "noose", "gun", "bullets", "pistol"};
  // Most people own a razor for shaving: alone it is not enough.
  static constexpr std::string_view kBlades[] = {"razor", "razors", "blade", "blades"};
  for (uint32_t w = 0; w < a.words(); ++w) {
    // The sender, or no subject at all: "Mixed vodka with my pills."
    const bool opens = a.opens_sentence(w);
    if (!a.plain(w) || !(a.is(w, kFirstPerson) || opens)) continue;
    for (uint32_t k = a.is(w, kFirstPerson) ? w + 1 : w;
         k <= w + 3 && a.in_sentence_of(k, w); ++k) {
      const std::string& verb = a.word(k).norm;
      const bool took = OneOf(kTook, verb);
      if (!took && !OneOf(kHold, verb)) continue;
      // Mixing pills with drink is the danger, whatever the amount.
      bool quantity = verb == "mixed";
      for (uint32_t o = k + 1; o <= k + 5 && a.in_sentence_of(o, k); ++o) {
        const std::string& n = a.word(o).norm;
        if (OneOf(kQuantity, n)) quantity = true;
        if (a.is(o, kNegator)) break;
        if ((OneOf(kPills, n) && (quantity || verb == "saving" || verb == "saved" ||
                                  verb == "stockpiled" || verb == "hoarding")) ||
            (!took && OneOf(kTools, n))) {
          ev.Add(took ? 0.85 : 0.7, a.word(w).begin, a.word(o).end);
          return;
        }
        if (!took && OneOf(kBlades, n)) {
          ev.Add(0.4, a.word(w).begin, a.word(o).end);
          return;
        }
      }
      break;
    }
  }
}

// "I don't think I'll make it through tonight", "I can't promise I'll be
// safe tonight": doubt that the sender will last the night.
void CheckLastingTheNight(const Analysis& a, Evidence& ev) {
  static constexpr std::string_view kLasting[] = {"make",  "survive", "safe", "last",
                                                  "alive", "here",    "okay", "ok"};
  static constexpr std::string_view kDoubt[] = {"don't", "can't", "not",    "won't",
                                                "doubt", "might", "unsure", "never"};
  for (uint32_t w = 0; w < a.words(); ++w) {
    const std::string& n = a.word(w).norm;
    const bool night = n == "tonight" || (n == "night" && w > 0 && a.word(w - 1).norm == "the") ||
                       (n == "morning" && w > 0 && a.word(w - 1).norm == "till");
    if (!night || !a.plain(w)) continue;
    bool lasting = false, doubt = false, mine = false;
    for (uint32_t k = 0; k < w; ++k) {
      if (!a.same_sentence(k, w) || !a.plain(k)) continue;
      if (a.is(k, kFirstPerson)) mine = true;
      if (OneOf(kDoubt, a.word(k).norm)) doubt = true;
      if (OneOf(kLasting, a.word(k).norm) && doubt) lasting = true;
    }
    if (mine && lasting) ev.Add(0.8, a.word(w).begin, a.word(w).end);
  }
}

}  // namespace

void CheckCrisis(const Analysis& a, Evidence& ev) {
  CheckLastingTheNight(a, ev);
  CheckMeans(a, ev);
  CheckDeathWish(a, ev);
  CheckDangerNow(a, ev);
  for (const PhraseMatch& m : a.phrases()) {
    const Phrase& p = *m.phrase;
    if (p.kind != PhraseKind::kCrisis || a.word(m.first_word).quote != 0) continue;
    if (p.flags & kNeedsThirdAgent) {
      // Someone else, about to do it: "he'll kill me", "she's going to hurt
      // me", not "he hurt me" or "he tried to kill me", which are the past.
      static constexpr std::string_view kAboutTo[] = {
          "he'll", "she'll", "they'll", "he's",  "she's",       "they're", "will",   "going",
          "gonna", "wants",  "trying",  "about", "threatening", "says",    "swears", "is"};
      bool agent = false, about_to = false;
      for (uint32_t k = m.first_word;
           k > 0 && m.first_word - k < 4 && a.same_sentence(k - 1, m.first_word); --k) {
        if (a.is(k - 1, kThirdPerson)) agent = true;
        if (OneOf(kAboutTo, a.word(k - 1).norm)) about_to = true;
      }
      if (!agent || !about_to) continue;
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
    if (a.after(m.first_word, kNegator) && OneOf(kWishOrAct, a.word(m.first_word).norm)) continue;
    if (!InIdiom(a, m.first_word, m.last_word)) ev.Add(p.confidence, a.begin(m), a.end(m));
  }
}

}  // namespace kith::moderation
