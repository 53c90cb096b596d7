// Contempt: mockery, sarcasm and dismissal aimed at another member.

#include "detectors.h"

namespace kith::moderation {
namespace {

bool IsEyeRoll(std::string_view symbol) {
  return symbol == "\xF0\x9F\x99\x84" /* U+1F644 */ || symbol == "\xF0\x9F\x98\x92" /* U+1F612 */;
}

// "Nobody here takes you seriously", "none of us care what you think": the
// group said to care nothing for the reader. Not when framed as a feeling or
// a fear ("it feels like nobody listens"), nor about something else
// ("nobody cares about the past here").
void CheckDismissal(const Analysis& a, Evidence& ev) {
  static constexpr std::string_view kVerbs[] = {
      "cares",     "care",    "asked",     "wants",     "want",     "likes",
      "believes",  "believe", "takes",     "take",      "listens",  "reads",
      "read",      "needs",   "gives",     "give",      "respects", "trusts",
      "buys",      "misses",  "missed",    "remembers", "wanted",   "buying",
      "listening", "reading", "believing", "impressed", "fooled"};
  // Verbs that dismiss without the reader as object: "Nobody cares."
  // "Nobody's buying it." "Nobody is impressed."
  static constexpr std::string_view kBare[] = {"cares", "care",   "asked",     "gives",
                                               "give",  "buying", "impressed", "fooled"};
  static constexpr std::string_view kBetween[] = {
      "here",     "in",       "this",      "the",    "group",     "room",   "chat", "thread",
      "of",       "us",       "else",      "at",     "all",       "really", "even", "ever",
      "honestly", "actually", "seriously", "around", "literally", "still",  "will", "would",
      "is",       "does",     "did",       "here's", "truly"};
  static constexpr std::string_view kFraming[] = {
      "feel",   "feels", "felt", "feeling", "like", "seems",  "seemed", "worry", "worried",
      "afraid", "if",    "when", "thought", "fear", "scared", "as",     "that",  "sure"};
  static constexpr std::string_view kAnyObject[] = {"buying", "buys", "impressed", "fooled"};
  static constexpr std::string_view kOtherObject[] = {
      "the", "my", "our", "his", "her", "their", "me", "myself", "him", "them", "it's"};
  for (uint32_t w = 0; w < a.words(); ++w) {
    if (!a.plain(w)) continue;
    const std::string& n = a.word(w).norm;
    uint32_t next = w + 1;
    auto follows = [&](uint32_t k, std::string_view word) {
      return a.in_sentence_of(k, w) && a.word(k).norm == word;
    };
    bool subject = n == "nobody" || n == "noone" || n == "nobody's";
    if (n == "no" && follows(w + 1, "one")) subject = true, next = w + 2;
    if (n == "none" && follows(w + 1, "of") && follows(w + 2, "us")) subject = true, next = w + 3;
    if (n == "not" && follows(w + 1, "one") &&
        (follows(w + 2, "person") || follows(w + 2, "soul"))) {
      subject = true, next = w + 3;
    }
    if (n == "not" && follows(w + 1, "a") && follows(w + 2, "single") &&
        (follows(w + 3, "person") || follows(w + 3, "soul"))) {
      subject = true, next = w + 4;
    }
    if (!subject) continue;
    bool framed = false;
    for (uint32_t k = w; k > 0 && w - k < 3 && a.same_sentence(k - 1, w); --k) {
      if (OneOf(kFraming, a.word(k - 1).norm)) framed = true;
    }
    if (framed) continue;
    uint32_t v = next;
    while (v < next + 4 && a.in_sentence_of(v, w) &&
           !OneOf(kVerbs, a.word(v).norm) && OneOf(kBetween, a.word(v).norm)) {
      ++v;
    }
    if (!a.in_sentence_of(v, w) || !OneOf(kVerbs, a.word(v).norm)) continue;
    const bool bare = OneOf(kBare, a.word(v).norm);
    uint32_t object = v + 1;
    if (follows(object, "about") || follows(object, "for") || follows(object, "what")) ++object;
    bool at_you = a.in_sentence_of(object, w) && a.plain(object) &&
                  a.is(object, kSecondPerson);
    // "Nobody's buying the act": these dismiss whatever their object.
    const bool any_object = OneOf(kAnyObject, a.word(v).norm) && !follows(object, "me");
    if (!any_object && a.in_sentence_of(object, w) &&
        (OneOf(kOtherObject, a.word(object).norm) || a.word(object).norm == "to")) {
      // "Nobody needs to know" is kind; "nobody wants to hear it" and
      // "nobody's listening to you" are not.
      bool to_hear = a.word(object).norm == "to" &&
                     (follows(object + 1, "hear") || follows(object + 1, "read") ||
                      follows(object + 1, "you") || follows(object + 1, "your"));
      if (!to_hear) continue;
      at_you = true;
    }
    if (!at_you) {
      // "what you think", "a word you say": the reader, a little later.
      for (uint32_t k = object; k <= object + 2 && a.in_sentence_of(k, w); ++k) {
        if (a.plain(k) && a.is(k, kSecondPerson)) at_you = true;
      }
    }
    if (at_you && follows(object + 1, "to") && !bare) continue;  // "wants you to stay"
    if (!at_you && !bare && !any_object) continue;
    ev.Add(at_you ? 0.8 : 0.75, a.word(w).begin, a.word(v).end);
  }
}

// "Cute that you think ...", "funny how you still believe ...": a belief of
// the reader's held up as a joke.
void CheckMockedBelief(const Analysis& a, Evidence& ev) {
  static constexpr std::string_view kAdverbs[] = {"still",    "actually",  "really",    "even",
                                                  "honestly", "seriously", "genuinely", "somehow",
                                                  "truly",    "always"};
  static constexpr std::string_view kBelief[] = {"think",  "believe", "imagine", "expect",
                                                 "assume", "pretend", "act",     "consider",
                                                 "reckon", "suppose"};
  for (uint32_t w = 0; w + 3 < a.words(); ++w) {
    if (!a.plain(w) || !a.is(w, kArchWord)) continue;
    const std::string& joint = a.word(w + 1).norm;
    if ((joint != "that" && joint != "how") || a.word(w + 2).norm != "you" ||
        !a.same_sentence(w + 3, w)) {
      continue;
    }
    uint32_t k = w + 3;
    while (k < w + 6 && a.in_sentence_of(k, w) && OneOf(kAdverbs, a.word(k).norm))
      ++k;
    if (a.in_sentence_of(k, w) && OneOf(kBelief, a.word(k).norm)) {
      ev.Add(0.75, a.word(w).begin, a.word(k).end);
    }
  }
}

// "Interesting how your sobriety only lasts until the weekend": a pattern
// in the reader's life pointed out with a raised eyebrow.
void CheckInsinuation(const Analysis& a, Evidence& ev) {
  // Not "always" or "never": "funny how you always know what to say" is fond.
  static constexpr std::string_view kPattern[] = {"only", "conveniently", "suddenly", "somehow",
                                                  "magically"};
  for (uint32_t w = 0; w + 3 < a.words(); ++w) {
    if (!a.plain(w) || !a.is(w, kEyebrow) || a.word(w + 1).norm != "how" ||
        !a.is(w + 2, kSecondPerson)) {
      continue;
    }
    for (uint32_t k = w + 3; k <= w + 6 && a.in_sentence_of(k, w); ++k) {
      if (OneOf(kPattern, a.word(k).norm)) {
        ev.Add(0.7, a.word(w).begin, a.word(k).end);
        break;
      }
    }
  }
}

// "Imagine needing a support group for that": the reader's need held up
// for the room to laugh at. Not the hopeful "imagine being free".
void CheckImagine(const Analysis& a, Evidence& ev) {
  static constexpr std::string_view kMocked[] = {
      "needing",    "thinking",    "believing", "crying", "posting",
      "whining",    "caring",      "getting",   "making", "acting",
      "pretending", "complaining", "bragging",  "being",  "having"};
  static constexpr std::string_view kHopeful[] = {"free",  "safe", "happy", "sober", "clean",
                                                  "loved", "able", "well",  "at"};
  for (uint32_t w = 0; w + 1 < a.words(); ++w) {
    bool opens = a.opens_sentence(w);
    if (!opens || !a.plain(w) || a.word(w).norm != "imagine" || !a.same_sentence(w + 1, w) ||
        !OneOf(kMocked, a.word(w + 1).norm)) {
      continue;
    }
    const std::string& gerund = a.word(w + 1).norm;
    if ((gerund == "being" || gerund == "having") && w + 2 < a.words() &&
        OneOf(kHopeful, a.word(w + 2).norm)) {
      continue;
    }
    // "Imagine being" and "imagine having" are as often wistful as mocking.
    ev.Add(gerund == "being" || gerund == "having" ? 0.4 : 0.7, a.word(w).begin, a.word(w + 1).end);
  }
}

// "another genius take", "truly groundbreaking advice": praise that no one
// gives straight, with a marker of irony before it.
void CheckIronicPraise(const Analysis& a, Evidence& ev) {
  static constexpr std::string_view kThings[] = {
      "take",         "takes",         "insight",  "insights",   "idea",    "ideas",    "advice",
      "contribution", "contributions", "post",     "posts",      "comment", "comments", "stuff",
      "point",        "observation",   "thought",  "thoughts",   "wisdom",  "input",    "analysis",
      "share",        "opinion",       "opinions", "suggestion", "plan",    "logic",    "theory",
      "question",     "story",         "words",    "response"};
  static constexpr std::string_view kMarkers[] = {"another", "wow",  "oh",    "truly",  "yet",
                                                  "more",    "real", "such",  "look",   "ooh",
                                                  "ah",      "gee",  "golly", "really", "so"};
  for (uint32_t w = 0; w + 1 < a.words(); ++w) {
    if (!a.plain(w) || !a.is(w, kIronicPraise) || !a.same_sentence(w + 1, w) ||
        !OneOf(kThings, a.word(w + 1).norm)) {
      continue;
    }
    for (uint32_t k = w; k > 0 && w - k < 3 && a.same_sentence(k - 1, w); --k) {
      if (OneOf(kMarkers, a.word(k - 1).norm)) {
        ev.Add(0.7, a.word(k - 1).begin, a.word(w + 1).end);
        break;
      }
    }
  }
}

// "Nice try, Einstein." A mocking title as a form of address.
void CheckMockingTitle(const Analysis& a, Evidence& ev) {
  for (uint32_t w = 0; w < a.words(); ++w) {
    if (!a.plain(w) || !a.is(w, kMockTitle)) continue;
    bool opens = a.opens_sentence(w);
    if (!opens && IsVocative(a, w, w)) ev.Add(0.7, a.word(w).begin, a.word(w).end);
  }
}

// "All you do is whine", "your moaning": the reader's speech called noise.
void CheckBelittledSpeech(const Analysis& a, Evidence& ev) {
  for (uint32_t w = 0; w < a.words(); ++w) {
    if (!a.plain(w) || !a.is(w, kSpeechNoise)) continue;
    for (uint32_t k = w; k > 0 && w - k < 5 && a.same_sentence(k - 1, w); --k) {
      uint32_t c = k - 1;
      if (a.is(c, kNegator) || a.is(c, kFirstPerson) || a.is(c, kThirdPerson)) break;
      if (a.plain(c) && a.is(c, kSecondPerson)) {
        ev.Add(0.7, a.word(c).begin, a.word(w).end);
        break;
      }
    }
  }
}

// "You just don't get it." "You'll never learn."
void CheckWrittenOff(const Analysis& a, Evidence& ev) {
  static constexpr std::string_view kAdverbs[] = {"just",      "clearly", "still",    "really",
                                                  "obviously", "simply",  "honestly", "truly"};
  for (uint32_t w = 0; w + 2 < a.words(); ++w) {
    const std::string& n = a.word(w).norm;
    if (!a.plain(w) || (n != "you" && n != "you'll")) continue;
    uint32_t k = w + 1;
    bool adverb = false, never = false;
    while (a.in_sentence_of(k, w) && OneOf(kAdverbs, a.word(k).norm))
      ++k, adverb = true;
    if (!a.in_sentence_of(k, w)) continue;
    const std::string& neg = a.word(k).norm;
    if (neg == "never" || (neg == "will" && k + 1 < a.words() && a.word(k + 1).norm == "never")) {
      never = true;
      k += neg == "will" ? 2 : 1;
    } else if (neg == "don't" || neg == "won't" || neg == "can't") {
      ++k;
    } else {
      continue;
    }
    if (!a.in_sentence_of(k, w)) continue;
    const std::string& verb = a.word(k).norm;
    uint32_t end = k;
    if (verb == "get" && k + 1 < a.words() && a.word(k + 1).norm == "it") {
      end = k + 1;
    } else if (verb != "learn" && verb != "understand") {
      continue;
    }
    const Token* after = a.token_after(end);
    bool final = IsSentenceEnd(after) || after->norm == ",";
    if (adverb || (never && verb != "understand") || (final && verb != "understand")) {
      ev.Add(0.65, a.word(w).begin, a.word(end).end);
    }
  }
}

// "Lol, you think three meetings makes you an expert?" "You really think
// anyone buys that?" A belief of the reader's put back to them as a joke.
// Not "Do you think I should call?", which asks.
void CheckMockQuestion(const Analysis& a, Evidence& ev) {
  static constexpr std::string_view kInterjections[] = {"lol", "lmao", "haha",  "oh",  "wow",
                                                        "so",  "wait", "sure",  "aww", "aw",
                                                        "ok",  "okay", "please"};
  static constexpr std::string_view kAdverbs[] = {"really",   "seriously", "actually",
                                                  "honestly", "truly",     "genuinely"};
  static constexpr std::string_view kBelief[] = {"think",  "believe", "expect",  "imagine",
                                                 "reckon", "thought", "believed"};
  for (uint32_t w = 0; w < a.words(); ++w) {
    if (!a.opens_sentence(w)) continue;
    uint32_t k = w;
    bool cue = false, adverb = false;
    while (a.in_sentence_of(k, w) && OneOf(kInterjections, a.word(k).norm)) {
      ++k, cue = true;
    }
    if (!a.in_sentence_of(k, w) || a.word(k).norm != "you" || !a.plain(k)) {
      continue;
    }
    uint32_t v = k + 1;
    while (a.in_sentence_of(v, w) && OneOf(kAdverbs, a.word(v).norm)) {
      ++v, adverb = true;
    }
    if (a.in_sentence_of(v, w) && OneOf(kBelief, a.word(v).norm) &&
        (cue || adverb) && a.in_question(w)) {
      ev.Add(0.7, a.word(w).begin, a.word(v).end);
    }
  }
}

// "Congrats on discovering feelings, I guess." Praise taken back as it is
// given.
void CheckGrudgingPraise(const Analysis& a, Evidence& ev) {
  static constexpr std::string_view kPraise[] = {
      "congrats", "congratulations", "bravo",      "well", "good",  "great", "nice",
      "wow",      "amazing",         "impressive", "cool", "proud", "yay"};
  for (uint32_t w = 1; w < a.words(); ++w) {
    // "..., I guess" closing a sentence.
    if (a.word(w).norm != "guess" || a.word(w - 1).norm != "i" || !a.plain(w)) continue;
    const Token* before = a.token_before(w - 1);
    if (before == nullptr || before->norm != "," || !IsSentenceEnd(a.token_after(w))) continue;
    for (uint32_t k = w - 1; k > 0 && a.same_sentence(k - 1, w); --k) {
      if (OneOf(kPraise, a.word(k - 1).norm)) {
        ev.Add(0.7, a.word(k - 1).begin, a.word(w).end);
        break;
      }
    }
  }
}

}  // namespace

void CheckContempt(const Analysis& a, Evidence& ev) {
  CheckMockQuestion(a, ev);
  CheckGrudgingPraise(a, ev);
  CheckDismissal(a, ev);
  CheckMockedBelief(a, ev);
  CheckInsinuation(a, ev);
  CheckImagine(a, ev);
  CheckIronicPraise(a, ev);
  CheckMockingTitle(a, ev);
  CheckBelittledSpeech(a, ev);
  CheckWrittenOff(a, ev);
  for (const PhraseMatch& m : a.phrases()) {
    const Phrase& p = *m.phrase;
    if (p.kind != PhraseKind::kContempt || !a.plain(m)) continue;
    if (!FlagsHold(a, m)) continue;
    // "Nobody asked me": the sender is its object.
    if (a.in_sentence_of(m.last_word + 1, m.last_word) &&
        (a.word(m.last_word + 1).norm == "me" || a.word(m.last_word + 1).norm == "myself")) {
      continue;
    }
    ev.Add(p.confidence, a.begin(m), a.end(m));
  }
  bool mock_cue = false;
  for (uint32_t w = 0; w < a.words(); ++w) {
    if (!a.plain(w)) continue;
    const Token& t = a.word(w);
    const std::string& n = t.norm;
    if (a.is(w, kMockCue) && n != "your" && n != "ur" && n != "another") mock_cue = true;
    // A sentence of one sarcastic word: "Riveting."
    bool alone = a.opens_sentence(w) && a.closes_sentence(w);
    if (alone) {
      if (double c = Lexicon::Get().SarcasmConfidence(n); c > 0) ev.Add(c, t.begin, t.end);
    }
    // "your story is boring", "your trauma is a joke".
    if (n == "your" || n == "ur") {
      static constexpr std::string_view kJudgements[] = {
          "boring",       "fake",     "pathetic",    "laughable", "ridiculous",
          "nonsense",     "tiresome", "cringe",      "cringey",   "irrelevant",
          "embarrassing", "fiction",  "exaggerated", "lies",      "attention"};
      for (uint32_t k = w + 1; k <= w + 5 && a.in_sentence_of(k, w); ++k) {
        if (OneOf(kJudgements, a.word(k).norm)) {
          ev.Add(0.75, t.begin, a.word(k).end);
          break;
        }
      }
    }
  }
  for (const Token& t : a.text().tokens) {
    if (t.kind == TokenKind::kSymbol && t.quote == 0 && IsEyeRoll(t.norm)) {
      ev.Add(0.6, t.begin, t.end);
      mock_cue = true;
    }
  }
  // Scare quotes: lol ok "survivor", your "trauma", another "day one" post.
  for (const Quote& q : a.text().quotes) {
    if (q.words == 0 || q.words > 2 || q.first == 0) continue;
    const Token& first = a.text().tokens[q.first];
    // The word right before the opening quote.
    const Token* before = nullptr;
    for (uint32_t t = q.first; t > 0; --t) {
      const Token& c = a.text().tokens[t - 1];
      if (c.kind == TokenKind::kWord) {
        before = &c;
        break;
      }
      if (c.norm != ",") break;
    }
    if (before == nullptr) continue;
    uint32_t cls = Lexicon::Get().Classes(before->norm);
    if (cls & (kSpeechVerb)) continue;
    const Token& last = a.text().tokens[q.last];
    if (cls & kMockCue) {
      ev.Add(0.7, before->begin, last.end);
    } else if (mock_cue) {
      ev.Add(0.55, first.begin, last.end);
    }
  }
}

}  // namespace kith::moderation
