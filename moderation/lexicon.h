// The words and phrases the ground-rules detectors look for.
//
// Every entry is a normalised spelling (see Token::norm). Word classes are
// bits, so one lookup per token answers every question a detector asks of it;
// phrases are indexed by their first word, so one lookup per word finds every
// phrase that may start there.
#ifndef KITH_MODERATION_LEXICON_H_
#define KITH_MODERATION_LEXICON_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "text.h"

namespace kith::moderation {

// Word classes.
enum WordClass : uint32_t {
  kSecondPerson = 1u << 0,   // you, you're, ur, your, y'all
  kYouAre = 1u << 1,         // you're, ur: "you" and a copula in one word
  kNegator = 1u << 2,        // not, never, don't, ...
  kSpeechVerb = 1u << 3,     // said, called, told, yelled, ...
  kThirdPerson = 1u << 4,    // he, she, my ex, his mother, someone, ...
  kImperative = 1u << 5,     // stop, listen, quit, ... (shouted at someone)
  kCelebration = 1u << 6,    // thank, happy, sober, congrats, ...
  kAcronym = 1u << 7,        // aa, na, ptsd, ok, asap, ...: not shouting
  kStreetSuffix = 1u << 8,   // street, st, avenue, lane, ...
  kInsultNoun = 1u << 9,     // idiot, loser, clown, ...
  kInsultAdj = 1u << 10,     // stupid, pathetic, worthless, ...
  kFiller = 1u << 11,        // a, an, the, such, so, total, ...: skipped between target and insult
  kCopula = 1u << 12,        // are, were, being, act, sound, ...
  kBusiness = 1u << 13,      // diner, dental, clinic, ...
  kFirstPerson = 1u << 14,   // i, i'm, me, my, myself
  kArchWord = 1u << 15,      // cute, adorable, funny: "cute that you think"
  kMockCue = 1u << 16,       // ha, lol, ok, sure, another: with a scare quote, mockery
  kJoy = 1u << 17,           // amazing, congrats, proud: "shut up" is then delight
  kGroupWord = 1u << 18,     // people, guys, all, both, lot: "you people are"
  kPastSpeech = 1u << 19,    // told, said, used (to say), would: recounting, not now
  kEyebrow = 1u << 20,       // interesting, convenient: "interesting how your ..."
  kIronicPraise = 1u << 21,  // genius, groundbreaking: "another genius take"
  kMockTitle = 1u << 22,     // einstein, sherlock: "nice try, Einstein"
  kSpeechNoise = 1u << 23,   // whining, moaning: the reader's speech called noise
  kRoomWord = 1u << 24,      // everyone, anybody, people: the whole room addressed
  kWishWord = 1u << 25,      // want, wish, planning, ready: "I just want to be gone"
};

// What a phrase is evidence of.
enum class PhraseKind : uint8_t {
  kContempt,
  kThreat,
  kCrisis,
  kInsult,         // a multi-word insult ("waste of space"), needing a target like a word
  kComparison,     // an insult by comparison ("maturity of a"): a second person in the sentence suffices
  kWorkplace,      // "works at", "front desk of": a named place may follow
  kAboutYou,       // "right about you": applies a quoted insult to the reader
  kSelfHarmIdiom,  // "rather die than": not crisis
};

enum PhraseFlag : uint8_t {
  kNeedsYou = 1 << 0,         // a second-person word in the same sentence
  kStandalone = 1 << 1,       // the phrase is the whole sentence
  kNeedsThirdAgent = 1 << 2,  // a third person within four words before ("he'll kill me")
  kNotAfterJoy = 1 << 3,      // not when the message is full of delight ("shut up, congrats!")
  kAtSentenceStart = 1 << 4,  // only opening a sentence ("Who asked?", not "for those who asked")
};

struct Phrase {
  std::vector<std::string> words;  // "*" matches any one word
  PhraseKind kind;
  double confidence;
  uint8_t flags;
};

struct PhraseMatch {
  const Phrase* phrase;
  uint32_t first_word;  // indices into Text::words, inclusive
  uint32_t last_word;
};

class Lexicon {
 public:
  static const Lexicon& Get();

  uint32_t Classes(std::string_view norm) const {
    auto it = classes_.find(absl::string_view(norm.data(), norm.size()));
    return it == classes_.end() ? 0 : it->second;
  }
  // How surely a sentence of just `norm` is sarcasm ("Riveting."); 0 if not.
  double SarcasmConfidence(std::string_view norm) const {
    auto it = sarcasm_.find(absl::string_view(norm.data(), norm.size()));
    return it == sarcasm_.end() ? 0 : it->second;
  }
  // True for every spelling any detector looks for.
  bool Known(std::string_view norm) const {
    return classes_.contains(absl::string_view(norm.data(), norm.size()));
  }

  // Appends the phrases that start at word `w` and end in the same sentence.
  void MatchAt(const Text& text, uint32_t w, std::vector<PhraseMatch>& out) const;

 private:
  Lexicon();
  void AddWords(std::initializer_list<std::string_view> words, uint32_t cls);
  void AddPhrases(PhraseKind kind, std::initializer_list<std::pair<std::string_view, double>> list,
                  uint8_t flags = 0);

  absl::flat_hash_map<std::string, uint32_t> classes_;
  absl::flat_hash_map<std::string, double> sarcasm_;
  std::vector<Phrase> phrases_;
  absl::flat_hash_map<std::string, std::vector<uint32_t>> by_first_word_;
};

}  // namespace kith::moderation

#endif  // KITH_MODERATION_LEXICON_H_
