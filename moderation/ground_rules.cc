#include "kith/ground_rules.h"

#include <algorithm>

#include "kith/rules.h"
#include "lexicon.h"
#include "text.h"

namespace kith::moderation {
namespace {

constexpr double kReportThreshold = 0.5;
constexpr double kCrisisThreshold = 0.6;

bool KnownWord(std::string_view w) { return Lexicon::Get().Known(w); }

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
  explicit Analysis(std::string_view raw)
      : lex_(Lexicon::Get()), text_(Tokenize(raw, &KnownWord)) {
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
  bool same_sentence(uint32_t a, uint32_t b) const {
    return word(a).sentence == word(b).sentence;
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
  void MarkReported() {
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

  const Lexicon& lex_;
  Text text_;
  std::vector<uint32_t> classes_;
  std::vector<PhraseMatch> phrases_;
  std::vector<bool> reported_;
  bool joy_ = false;
};

bool IsSentenceEnd(const Token* t) {
  return t == nullptr ||
         (t->kind == TokenKind::kPunct &&
          (t->norm[0] == '.' || t->norm[0] == '!' || t->norm[0] == '?' || t->norm[0] == '\n'));
}

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
    if (n == "you" || n == "y'all") return AfterOthersSpeech(a, w) ? 0 : 0.9 * scale;
    if (a.is(w, kNegator)) return 0;
    if (a.is(w, kCopula)) {
      // "you are", "you people are", "everyone here is".
      uint32_t s = w;
      while (s > 0 && a.same_sentence(s - 1, w) && a.is(s - 1, kGroupWord)) --s;
      if (s == 0 || !a.same_sentence(s - 1, w)) return 0;
      const std::string& subject = a.word(s - 1).norm;
      if (subject == "you" || subject == "y'all") return AfterOthersSpeech(a, s - 1) ? 0 : 0.9 * scale;
      if ((subject == "everyone" || subject == "everybody") && s < w) return 0.85 * scale;
      if (a.is(s - 1, kYouAre)) return 0.9 * scale;  // "you're being a ..."
      // A person named as the subject, likely a member: "Dave is such a creep".
      // Not "my ex Dave", whom a survivor may describe as they like.
      const Token& named = a.word(s - 1);
      bool possessed = s >= 2 && a.same_sentence(s - 2, s - 1) &&
                       a.is(s - 2, kFirstPerson | kThirdPerson);
      if (named.capitalized && !named.all_caps && !a.lexicon_word(s - 1) && !possessed &&
          s == w) {
        return 0.65 * scale;
      }
      if (n == "being") continue;
      break;  // someone else is the insult's subject
    }
    if (n == "what" && first - w >= 2) {
      // "What a loser." aimed at whoever it answers, unless it is about the
      // sender or someone named after it ("what an idiot I was").
      for (uint32_t f = last + 1; f < a.words() && a.same_sentence(f, first); ++f) {
        if (a.is(f, kFirstPerson) || a.is(f, kThirdPerson)) return 0;
      }
      return 0.85 * scale;
    }
    if (a.is(w, kFiller | kGroupWord | kInsultAdj | kInsultNoun)) continue;
    break;
  }
  // "typical narcissist behaviour from you".
  if (last + 1 < a.words() && a.same_sentence(last + 1, last) && a.addresses_you(last)) {
    const std::string& next = a.word(last + 1).norm;
    if (next == "behaviour" || next == "behavior" || next == "energy" || next == "move" ||
        next == "logic") {
      return 0.8;
    }
  }
  // "an idiot like you", "what a clown you are".
  if (last + 1 < a.words() && a.same_sentence(last + 1, last)) {
    const std::string& next = a.word(last + 1).norm;
    if (next == "like" && last + 2 < a.words() && a.word(last + 2).norm == "you") return 0.85;
    if (next == "you" && last + 2 < a.words() && a.word(last + 2).norm == "are") return 0.85;
    if (next == "you're") return 0.85;
  }
  // A vocative at the end: "Nobody asked, loser."
  const Token* before = a.token_before(first);
  if (noun && IsSentenceEnd(a.token_after(last)) && before != nullptr && before->norm == "," &&
      first > 0 && a.same_sentence(first - 1, first) &&
      !a.is(first - 1, kInsultNoun | kInsultAdj)) {
    return 0.8;
  }
  return 0;
}

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

bool IsEyeRoll(std::string_view symbol) {
  return symbol == "\xF0\x9F\x99\x84" /* U+1F644 */ || symbol == "\xF0\x9F\x98\x92" /* U+1F612 */;
}

void CheckContempt(const Analysis& a, Evidence& ev) {
  for (const PhraseMatch& m : a.phrases()) {
    const Phrase& p = *m.phrase;
    if (p.kind != PhraseKind::kContempt || !a.plain(m)) continue;
    if ((p.flags & kAtSentenceStart) && m.first_word > 0 &&
        a.same_sentence(m.first_word - 1, m.first_word)) {
      continue;
    }
    if ((p.flags & kNeedsYou) && !a.addresses_you(m.first_word)) continue;
    // "Nobody asked me": the sender is its object.
    if (m.last_word + 1 < a.words() && a.same_sentence(m.last_word + 1, m.last_word) &&
        (a.word(m.last_word + 1).norm == "me" || a.word(m.last_word + 1).norm == "myself")) {
      continue;
    }
    if ((p.flags & kNotAfterJoy) && a.joy()) continue;
    ev.Add(p.confidence, a.begin(m), a.end(m));
  }
  bool mock_cue = false;
  for (uint32_t w = 0; w < a.words(); ++w) {
    if (!a.plain(w)) continue;
    const Token& t = a.word(w);
    const std::string& n = t.norm;
    if (a.is(w, kMockCue) && n != "your" && n != "ur" && n != "another") mock_cue = true;
    // A sentence of one sarcastic word: "Riveting."
    bool alone = (w == 0 || !a.same_sentence(w - 1, w)) &&
                 (w + 1 == a.words() || !a.same_sentence(w + 1, w));
    if (alone) {
      if (double c = Lexicon::Get().SarcasmConfidence(n); c > 0) ev.Add(c, t.begin, t.end);
    }
    // "your story is boring", "your trauma is a joke".
    if (n == "your" || n == "ur") {
      static constexpr std::string_view kJudgements[] = {
          "boring", "fake", "pathetic", "laughable", "ridiculous", "nonsense", "tiresome",
          "cringe", "cringey", "irrelevant", "embarrassing", "fiction", "exaggerated", "lies",
          "attention"};
      for (uint32_t k = w + 1; k < a.words() && k <= w + 5 && a.same_sentence(k, w); ++k) {
        if (std::find(std::begin(kJudgements), std::end(kJudgements), a.word(k).norm) !=
            std::end(kJudgements)) {
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

void CheckYelling(const Analysis& a, Evidence& ev) {
  size_t run = 0, best_run = 0, run_begin = 0, best_begin = 0, best_end = 0;
  bool aimed = false, celebrating = false, hostile = false;
  for (uint32_t w = 0; w < a.words(); ++w) {
    const Token& t = a.word(w);
    bool caps = t.all_caps && !a.is(w, kAcronym) && a.plain(w);
    if (caps) {
      if (run == 0) run_begin = t.begin;
      if (++run > best_run) best_run = run, best_begin = run_begin, best_end = t.end;
    } else {
      run = 0;
    }
    if (!a.plain(w)) continue;
    bool sentence_start = w == 0 || !a.same_sentence(w - 1, w);
    if (a.is(w, kSecondPerson) || (sentence_start && a.is(w, kImperative))) aimed = true;
    // A name called out first: "Kevin, ..."
    const Token* after = a.token_after(w);
    if (sentence_start && t.capitalized && !t.all_caps && after != nullptr && after->norm == ",") {
      aimed = true;
    }
    if (a.is(w, kCelebration)) celebrating = true;
    if (a.is(w, kInsultNoun)) hostile = true;
  }
  size_t bangs = 0, bang_begin = 0, bang_end = 0;
  for (const Token& t : a.text().tokens) {
    if (t.kind != TokenKind::kPunct || t.quote != 0) continue;
    // "?!?!" shouts as loudly as "!!!!".
    size_t n = t.norm.find('!') == std::string::npos ? 0 : t.norm.size();
    if (n > bangs) bangs = n, bang_begin = t.begin, bang_end = t.end;
  }
  if (!aimed || (celebrating && !hostile)) return;
  if (best_run >= 3 || (best_run >= 2 && bangs >= 3)) {
    ev.Add(0.9, best_begin, best_end);
  } else if (bangs >= 4) {
    ev.Add(0.7, bang_begin, bang_end);
  }
}

// "I'll hurt you", "I am going to destroy your ...": intent in the first
// person, a harm verb, and a victim.
void CheckHarmIntent(const Analysis& a, Evidence& ev) {
  static constexpr std::string_view kHarm[] = {
      "kill", "hurt", "smash", "break", "beat", "punch", "stab", "shoot", "burn", "destroy",
      "ruin", "end", "expose", "wreck", "bash", "strangle", "choke", "slap", "kick", "hunt",
      "dox", "doxx", "bury", "cut", "murder"};
  static constexpr std::string_view kVictims[] = {"you", "your", "yourself", "him", "her",
                                                  "his", "them", "their", "y'all"};
  auto in = [](const auto& list, const std::string& w) {
    return std::find(std::begin(list), std::end(list), w) != std::end(list);
  };
  for (uint32_t w = 0; w < a.words(); ++w) {
    const std::string& n = a.word(w).norm;
    if (!a.plain(w)) continue;
    bool intent = n == "i'll" || (n == "i" && w + 1 < a.words() && a.word(w + 1).norm == "will") ||
                  ((n == "i'm" || n == "i") && w + 2 < a.words() &&
                   a.word(w + 1).norm == "going" && a.word(w + 2).norm == "to");
    if (!intent) continue;
    for (uint32_t k = w + 1; k < a.words() && k <= w + 6 && a.same_sentence(k, w); ++k) {
      if (a.is(k, kNegator)) break;
      if (!in(kHarm, a.word(k).norm)) continue;
      for (uint32_t v = k + 1; v < a.words() && v <= k + 5 && a.same_sentence(v, k); ++v) {
        if (in(kVictims, a.word(v).norm)) {
          ev.Add(0.9, a.word(w).begin, a.word(v).end);
          break;
        }
      }
      break;
    }
  }
}

void CheckThreats(const Analysis& a, Evidence& ev) {
  for (const PhraseMatch& m : a.phrases()) {
    const Phrase& p = *m.phrase;
    if (p.kind != PhraseKind::kThreat || !a.plain(m)) continue;
    if (m.first_word > 0 && a.same_sentence(m.first_word - 1, m.first_word) &&
        a.is(m.first_word - 1, kNegator)) {
      continue;
    }
    ev.Add(p.confidence, a.begin(m), a.end(m));
  }
  CheckHarmIntent(a, ev);
}

// Email addresses: local@domain.tld.
void FindEmails(std::string_view s, Evidence& ev) {
  auto local = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'; };
  auto domain = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-'; };
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
    bool starts = std::isdigit(c) || ((c == '+' || c == '(') && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1])));
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
        if (d == ' ' && i + 1 < s.size() && !std::isdigit(static_cast<unsigned char>(s[i + 1])) && s[i + 1] != '(') break;
      } else {
        break;
      }
      ++i;
    }
    if (groups.back() == 0) groups.pop_back();
    if (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i])) && last_digit + 1 == i) continue;
    if (digits.size() < 7 || digits.size() > 15 || groups.empty()) continue;
    if (groups.size() > 1 && groups.back() < 4) continue;
    std::string_view national = digits;
    if (national.size() == 11 && national[0] == '1') national.remove_prefix(1);
    static constexpr std::string_view kTollFree[] = {"800", "888", "877", "866", "855", "844", "833"};
    if (std::find(std::begin(kTollFree), std::end(kTollFree), national.substr(0, 3)) != std::end(kTollFree)) continue;
    bool years = groups.size() > 1 && std::all_of(groups.begin(), groups.end(), [](size_t g) { return g == 4; }) &&
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
           (a.word(w - 1).capitalized || std::isdigit(static_cast<unsigned char>(a.word(w - 1).norm[0])));
  };
  for (uint32_t w = 0; w < a.words(); ++w) {
    if (!street_at(w)) continue;
    uint32_t s = w - 1;
    while (s > 0 && w - s < 4 && a.word(s).capitalized && a.same_sentence(s - 1, w)) --s;
    const std::string& lead = a.word(s).norm;
    bool numbered = !lead.empty() && std::isdigit(static_cast<unsigned char>(lead[0])) &&
                    std::all_of(lead.begin(), lead.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || std::isalpha(static_cast<unsigned char>(c)); }) &&
                    lead.size() <= 6 && !(lead.ends_with("th") || lead.ends_with("st") || lead.ends_with("nd") || lead.ends_with("rd"));
    if (numbered) {
      ev.Add(0.9, a.word(s).begin, a.word(w).end);
      continue;
    }
    // A named street with a named place of business or a workplace cue.
    bool place = false;
    for (uint32_t k = 0; k < a.words(); ++k) {
      if (a.same_sentence(k, w) && k < s && a.word(k).capitalized && a.is(k, kBusiness)) place = true;
    }
    for (const PhraseMatch& m : a.phrases()) {
      if (m.phrase->kind == PhraseKind::kWorkplace && a.same_sentence(m.first_word, w)) place = true;
    }
    if (place) ev.Add(0.85, a.word(s).begin, a.word(w).end);
  }
  // A workplace cue followed by a named place: "works at Sunrise Bakery".
  for (const PhraseMatch& m : a.phrases()) {
    if (m.phrase->kind != PhraseKind::kWorkplace) continue;
    for (uint32_t k = m.last_word + 1; k < a.words() && k <= m.last_word + 3 && a.same_sentence(k, m.first_word); ++k) {
      if (a.word(k).capitalized && !a.is(k, kFirstPerson)) {
        bool business = false;
        uint32_t e = k;
        while (e + 1 < a.words() && a.word(e + 1).capitalized && a.same_sentence(e + 1, k)) {
          ++e;
          if (a.is(e, kBusiness)) business = true;
        }
        if (a.is(k, kBusiness)) business = true;
        ev.Add(business ? m.phrase->confidence : m.phrase->confidence - 0.2, a.begin(m), a.word(e).end);
        break;
      }
    }
  }
}

void CheckPersonalInfo(const Analysis& a, Evidence& ev) {
  FindEmails(a.text().raw, ev);
  FindPhones(a.text().raw, ev);
  FindPlaces(a, ev);
}

void CheckCrisis(const Analysis& a, Verdict& verdict) {
  Evidence ev;
  for (const PhraseMatch& m : a.phrases()) {
    const Phrase& p = *m.phrase;
    if (p.kind != PhraseKind::kCrisis || a.word(m.first_word).quote != 0) continue;
    if (p.flags & kNeedsThirdAgent) {
      bool agent = false;
      for (uint32_t k = m.first_word; k > 0 && m.first_word - k < 4 && a.same_sentence(k - 1, m.first_word); --k) {
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
    bool idiom = false;
    for (const PhraseMatch& o : a.phrases()) {
      if (o.phrase->kind == PhraseKind::kSelfHarmIdiom && o.first_word <= m.last_word &&
          m.first_word <= o.last_word) {
        idiom = true;
      }
    }
    if (!idiom) ev.Add(p.confidence, a.begin(m), a.end(m));
  }
  if (ev.confidence() >= kCrisisThreshold) {
    verdict.crisis = true;
    verdict.crisis_begin = ev.begin();
    verdict.crisis_end = ev.end();
  }
}

}  // namespace

std::string_view RuleName(Rule rule) {
  switch (rule) {
    case kNoContempt: return kBuiltinRules[0];
    case kNoNameCalling: return kBuiltinRules[1];
    case kNoYelling: return kBuiltinRules[2];
    case kNoThreats: return kBuiltinRules[3];
    case kNoPersonalInfo: return kBuiltinRules[4];
  }
  return "";
}

std::string_view RuleLabel(Rule rule) {
  switch (rule) {
    case kNoContempt: return "contempt";
    case kNoNameCalling: return "name_calling";
    case kNoYelling: return "yelling";
    case kNoThreats: return "threat";
    case kNoPersonalInfo: return "personal_info";
  }
  return "";
}

RuleSet RuleSetFromNames(std::span<const std::string> names) {
  RuleSet set = 0;
  for (const std::string& name : names) {
    for (uint8_t bit = 1; bit & kAllRules; bit <<= 1) {
      if (RuleName(static_cast<Rule>(bit)) == name) set |= bit;
    }
  }
  return set;
}

Verdict CheckMessage(std::string_view text, RuleSet rules) {
  Analysis a(text);
  Verdict verdict;
  using Check = void (*)(const Analysis&, Evidence&);
  static constexpr std::pair<Rule, Check> kChecks[] = {
      {kNoContempt, &CheckContempt},   {kNoNameCalling, &CheckNameCalling},
      {kNoYelling, &CheckYelling},     {kNoThreats, &CheckThreats},
      {kNoPersonalInfo, &CheckPersonalInfo}};
  for (const auto& [rule, check] : kChecks) {
    if (!(rules & rule)) continue;
    Evidence ev;
    check(a, ev);
    if (ev.confidence() >= kReportThreshold) {
      verdict.violations.push_back({rule, ev.confidence(), ev.begin(), ev.end()});
    }
  }
  CheckCrisis(a, verdict);
  return verdict;
}

}  // namespace kith::moderation
