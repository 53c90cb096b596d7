// The detectors of the ground-rules engine, one per rule and one for the
// crisis signal. Each adds what it finds in a message to `ev`; the engine
// reports a rule when the combined confidence reaches its threshold.
#ifndef KITH_MODERATION_DETECTORS_H_
#define KITH_MODERATION_DETECTORS_H_

#include "analysis.h"

namespace kith::moderation {

void CheckContempt(const Analysis& a, Evidence& ev);
void CheckNameCalling(const Analysis& a, Evidence& ev);
void CheckYelling(const Analysis& a, Evidence& ev);
void CheckThreats(const Analysis& a, Evidence& ev);
void CheckPersonalInfo(const Analysis& a, Evidence& ev);
// A sign of risk to the sender or of immediate danger: not a rule.
void CheckCrisis(const Analysis& a, Evidence& ev);

}  // namespace kith::moderation

#endif  // KITH_MODERATION_DETECTORS_H_
