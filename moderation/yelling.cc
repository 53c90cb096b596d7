// Yelling: sustained capitals or heavy exclamation aimed at people.
#include "detectors.h"

namespace kith::moderation {

void CheckYelling(const Analysis& a, Evidence& ev) {
  size_t run = 0, best_run = 0, run_begin = 0, best_begin = 0, best_end = 0;
  bool aimed = false, celebrating = false, hostile = false;
  for (uint32_t w = 0; w < a.words(); ++w) {
    const Token& t = a.word(w);
    bool caps = t.all_caps && !a.is(w, kAcronym) && a.plain(w);
    // "I" and "A" neither start nor break a run of shouted words.
    bool letter = t.end - t.begin == 1 && t.capitalized;
    if (caps) {
      if (run == 0) run_begin = t.begin;
      if (++run > best_run) best_run = run, best_begin = run_begin, best_end = t.end;
    } else if (!(letter && run > 0)) {
      run = 0;
    }
    if (!a.plain(w)) continue;
    bool sentence_start = a.opens_sentence(w);
    if (a.is(w, kSecondPerson) || (sentence_start && a.is(w, kImperative))) aimed = true;
    // Shouted at the room: "WHY DOES EVERYONE ...", "Everyone STOP ...", "HOW
    // MANY TIMES ...".
    if (a.is(w, kRoomWord)) aimed = true;
    if (caps && t.norm == "times" && w >= 2 && a.word(w - 2).norm == "how" &&
        a.word(w - 1).norm == "many") {
      aimed = true;
    }
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

}  // namespace kith::moderation
