// Threats: intimidation or harm, explicit or veiled, and threats to expose.
#include <algorithm>

#include "detectors.h"

namespace kith::moderation {
namespace {

// "I'll hurt you", "I am going to destroy your ...": intent in the first
// person, a harm verb, and a victim.
void CheckHarmIntent(const Analysis& a, Evidence& ev) {
  static constexpr std::string_view kHarm[] = {
      "kill",   "hurt",    "smash", "break",  "beat",     "punch", "stab", "shoot",
      "burn",   "destroy", "ruin",  "end",    "expose",   "wreck", "bash", "strangle",
      "choke",  "slap",    "kick",  "hunt",   "dox",      "doxx",  "bury", "cut",
      "murder", "slash",   "torch", "poison", "vandalize"};
  // "I'll cut you some slack", "cut you off", "cut you in on it".
  static constexpr std::string_view kHarmless[] = {"slack", "off", "in", "deal"};
  static constexpr std::string_view kVictims[] = {"you", "your", "yourself", "him",  "her",
                                                  "his", "them", "their",    "y'all"};
  static constexpr std::string_view kSpread[] = {"share", "post",    "send",    "leak",
                                                 "show",  "forward", "publish", "spread",
                                                 "email", "upload",  "release"};
  static constexpr std::string_view kPrivate[] = {
      "photos",  "pictures", "pics",   "screenshots", "texts",   "messages",
      "secrets", "nudes",    "videos", "chats",       "address", "number",
      "details", "records",  "diary",  "letters",     "dms"};
  for (uint32_t w = 0; w < a.words(); ++w) {
    const std::string& n = a.word(w).norm;
    if (!a.plain(w)) continue;
    // "I'll", "I will", "I'm going to", "I'm gonna" (read as "going").
    bool intent = n == "i'll" || n == "we'll" ||
                  ((n == "i" || n == "we") && w + 1 < a.words() && a.word(w + 1).norm == "will") ||
                  ((n == "i'm" || n == "i" || n == "we're") && w + 1 < a.words() &&
                   a.word(w + 1).norm == "going");
    if (!intent) continue;
    for (uint32_t k = w + 1; k <= w + 6 && a.in_sentence_of(k, w); ++k) {
      if (a.is(k, kNegator)) break;
      const std::string& verb = a.word(k).norm;
      if (OneOf(kHarm, verb)) {
        for (uint32_t v = k + 1; v <= k + 5 && a.in_sentence_of(v, k); ++v) {
          if (OneOf(kVictims, a.word(v).norm)) {
            bool harmless = false;
            for (uint32_t h = v + 1; h <= v + 2 && a.in_sentence_of(h, v); ++h) {
              if (OneOf(kHarmless, a.word(h).norm)) harmless = true;
            }
            if (!harmless) ev.Add(0.9, a.word(w).begin, a.word(v).end);
            break;
          }
        }
        break;
      }
      if (OneOf(kSpread, verb)) {
        // Exposure: "I'll send your texts to ...", "I'll post the pictures
        // of you". Not "I'll send you the photos", which only shares.
        for (uint32_t v = k + 1; v <= k + 5 && a.in_sentence_of(v, k); ++v) {
          if (!OneOf(kPrivate, a.word(v).norm)) continue;
          bool yours = a.word(v - 1).norm == "your" ||
                       (v + 2 < a.words() && a.word(v + 1).norm == "of" &&
                        (a.word(v + 2).norm == "you" || a.word(v + 2).norm == "yourself"));
          if (yours) ev.Add(0.85, a.word(w).begin, a.word(v).end);
          break;
        }
        break;
      }
    }
  }
}

// "I know where you park", "I know what time you leave work", "friends who
// know where your mom lives": the sender shows they can find the reader or
// theirs. Not "I know where you're coming from".
void CheckWhereabouts(const Analysis& a, Evidence& ev) {
  static constexpr std::string_view kWh[] = {"where", "which", "when", "what"};
  static constexpr std::string_view kWhereabouts[] = {
      "live", "lives", "work",  "works", "park",   "sleep", "stay",  "staying",
      "go",   "goes",  "drive", "leave", "shop",   "eat",   "meet",  "walk",
      "run",  "jog",   "pick",  "drop",  "take",   "hang",  "get",   "sit",
      "pray", "drink", "moved", "move",  "sleeps", "parks", "leaves"};
  static constexpr std::string_view kOwned[] = {
      "address", "schedule",  "routine",  "car",    "plate", "route",    "school", "workplace",
      "shift",   "shifts",    "building", "kids",   "kids'", "children", "street", "door",
      "house",   "apartment", "flat",     "office", "gym",   "church",   "meeting"};
  for (uint32_t w = 0; w + 2 < a.words(); ++w) {
    const std::string& n = a.word(w).norm;
    // The sender, or people of theirs: "friends who know where ...", "my
    // cousins know where ...".
    bool sender = n == "i" || n == "i've" || n == "we" || n == "who";
    bool senders_people = (n == "my" || n == "our") && w + 1 < a.words() &&
                          a.same_sentence(w + 1, w) && !a.is(w + 1, kSecondPerson);
    if (!a.plain(w) || !(sender || senders_people)) continue;
    uint32_t k = senders_people ? w + 2 : w + 1;
    if (k < a.words() && (a.word(k).norm == "also" || a.word(k).norm == "already")) ++k;
    if (k >= a.words() ||
        (a.word(k).norm != "know" && a.word(k).norm != "seen" && a.word(k).norm != "found")) {
      continue;
    }
    ++k;
    if (k < a.words() && (a.word(k).norm == "exactly" || a.word(k).norm == "out")) ++k;
    if (!a.in_sentence_of(k, w)) continue;
    if (a.word(k).norm == "your" && k + 1 < a.words() && OneOf(kOwned, a.word(k + 1).norm)) {
      ev.Add(0.8, a.word(w).begin, a.word(k + 1).end);
      continue;
    }
    if (!OneOf(kWh, a.word(k).norm)) continue;
    // The reader or theirs, then where they go, within the next few words.
    for (uint32_t y = k + 1; y <= k + 4 && a.in_sentence_of(y, k); ++y) {
      if (a.word(y).norm != "you" && a.word(y).norm != "your") continue;
      for (uint32_t v = y + 1; v <= y + 2 && a.in_sentence_of(v, y); ++v) {
        if (OneOf(kWhereabouts, a.word(v).norm)) {
          ev.Add(0.8, a.word(w).begin, a.word(v).end);
          break;
        }
      }
      break;
    }
  }
}

// "Everyone at your job will find out what you did": a threat to expose.
void CheckExposure(const Analysis& a, Evidence& ev) {
  for (uint32_t w = 0; w + 3 < a.words(); ++w) {
    if (!a.plain(w)) continue;
    const std::string& n = a.word(w).norm;
    uint32_t k = w;
    if (n == "will" || n == "gonna") {
      k = w + 1;
    } else if (n == "going" && a.word(w + 1).norm == "to") {
      k = w + 2;
    } else {
      continue;
    }
    if (!a.in_sentence_of(k + 1, w)) continue;
    // Others learn it, not the reader or the sender: "you will know what
    // you need" is advice.
    if (a.after(w, kSecondPerson | kFirstPerson)) continue;
    const std::string& v = a.word(k).norm;
    bool learn = (v == "find" && a.word(k + 1).norm == "out") || v == "know" || v == "learn";
    if (!learn) continue;
    uint32_t o = v == "find" ? k + 2 : k + 1;
    auto word_is = [&](uint32_t i, std::string_view x) {
      return a.in_sentence_of(i, w) && a.word(i).norm == x;
    };
    static constexpr std::string_view kDeeds[] = {"did",  "done",  "really", "are",  "were",
                                                  "said", "wrote", "posted", "hide", "hiding"};
    bool about_you = (word_is(o, "about") && (word_is(o + 1, "you") || word_is(o + 1, "your"))) ||
                     (word_is(o, "the") && word_is(o + 1, "truth") && word_is(o + 2, "about"));
    if ((word_is(o, "what") || word_is(o, "who")) &&
        (word_is(o + 1, "you") || word_is(o + 1, "you've") || word_is(o + 1, "you're"))) {
      for (uint32_t d = o + 1; d <= o + 3 && a.in_sentence_of(d, w); ++d) {
        if (OneOf(kDeeds, a.word(d).norm)) about_you = true;
      }
    }
    if (about_you) ev.Add(0.75, a.word(w).begin, a.word(o).end);
  }
}

// "Remember I still have the key to your place": the sender keeps a way
// into the reader's home or accounts.
void CheckKeptAccess(const Analysis& a, Evidence& ev) {
  static constexpr std::string_view kAccess[] = {
      "key", "keys", "password", "passwords", "passcode", "login", "pin", "code", "codes"};
  for (uint32_t w = 0; w + 2 < a.words(); ++w) {
    const std::string& n = a.word(w).norm;
    if (!a.plain(w) || (n != "i" && n != "i've" && n != "i'm")) continue;
    uint32_t k = w + 1;
    while (k <= w + 3 && a.in_sentence_of(k, w) &&
           (a.word(k).norm == "still" || a.word(k).norm == "got" || a.word(k).norm == "always")) {
      ++k;
    }
    if (!a.in_sentence_of(k, w) ||
        (a.word(k).norm != "have" && a.word(k).norm != "kept" && a.word(k).norm != "got" &&
         a.word(k).norm != "keeping")) {
      continue;
    }
    for (uint32_t x = k + 1; x <= k + 4 && a.in_sentence_of(x, w); ++x) {
      if (!OneOf(kAccess, a.word(x).norm)) continue;
      bool yours = a.word(x - 1).norm == "your";
      for (uint32_t y = x + 1; y <= x + 3 && a.in_sentence_of(y, w); ++y) {
        if (a.word(y).norm == "your") yours = true;
      }
      if (yours) ev.Add(0.8, a.word(w).begin, a.word(x).end);
      break;
    }
  }
}

}  // namespace

void CheckThreats(const Analysis& a, Evidence& ev) {
  CheckKeptAccess(a, ev);
  CheckWhereabouts(a, ev);
  CheckExposure(a, ev);
  for (const PhraseMatch& m : a.phrases()) {
    const Phrase& p = *m.phrase;
    if (p.kind != PhraseKind::kThreat || !a.plain(m) || !FlagsHold(a, m)) continue;
    if (a.after(m.first_word, kNegator)) continue;
    ev.Add(p.confidence, a.begin(m), a.end(m));
  }
  CheckHarmIntent(a, ev);
}

}  // namespace kith::moderation
