// The crisis signal: risk to the sender or immediate danger. Never a
// violation.
#include "detectors.h"

namespace kith::moderation {

void CheckCrisis(const Analysis& a, Evidence& ev) {
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
    bool idiom = false;
    for (const PhraseMatch& o : a.phrases()) {
      if (o.phrase->kind == PhraseKind::kSelfHarmIdiom && o.first_word <= m.last_word &&
          m.first_word <= o.last_word) {
        idiom = true;
      }
    }
    if (!idiom) ev.Add(p.confidence, a.begin(m), a.end(m));
  }
}

}  // namespace kith::moderation
