// The ground-rules engine: each hard case of the peer-support setting, the
// evaluation figures on the labelled sets, and the rule filter.
#include "kith/ground_rules.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include "kith/rules_eval.h"

namespace kith::moderation {
namespace {

RuleSet Flagged(std::string_view text, RuleSet rules = kAllRules) {
  RuleSet set = 0;
  for (const Violation& v : CheckMessage(text, rules).violations) set |= v.rule;
  return set;
}

std::string SpanOf(std::string_view text, Rule rule) {
  for (const Violation& v : CheckMessage(text).violations) {
    if (v.rule == rule) return std::string(text.substr(v.begin, v.end - v.begin));
  }
  return "";
}

TEST(GroundRulesTest, InsultsAimedAtSomeoneAreNameCalling) {
  EXPECT_EQ(Flagged("You're an idiot."), kNoNameCalling);
  EXPECT_EQ(Flagged("Laura, you're a liar and a manipulator."), kNoNameCalling);
  EXPECT_EQ(Flagged("I used to be an idiot like you, Rosa."), kNoNameCalling);
  EXPECT_EQ(Flagged("You people are all a bunch of idiots."), kNoNameCalling);
  EXPECT_EQ(Flagged("What a loser."), kNoNameCalling);
  EXPECT_EQ(Flagged("You have the emotional maturity of a toddler, Jess."), kNoNameCalling);
  // Inside kind words, and without any swearing.
  EXPECT_EQ(Flagged("Hugs to all. Sam, I love you, but you're being a self-absorbed brat."),
            kNoNameCalling);
}

TEST(GroundRulesTest, ObfuscatedInsultsAreFound) {
  EXPECT_EQ(SpanOf("ur such an id10t, seriously", kNoNameCalling), "id10t");
  EXPECT_EQ(SpanOf("You're a total l0ser", kNoNameCalling), "l0ser");
  EXPECT_EQ(SpanOf("you are an i d i o t", kNoNameCalling), "i d i o t");
  EXPECT_EQ(SpanOf("What a c.l.o.w.n you are, Tom.", kNoNameCalling), "c.l.o.w.n");
  EXPECT_EQ(SpanOf("You're such a sl*t", kNoNameCalling), "sl*t");
  EXPECT_EQ(SpanOf("you're a looooser", kNoNameCalling), "looooser");
}

TEST(GroundRulesTest, QuotedAndReportedAbuseIsNotAViolation) {
  EXPECT_EQ(Flagged("He used to text me \"you're garbage\" ten times a day."), 0);
  EXPECT_EQ(Flagged("My ex texted “you’re nothing, you idiot” again last night."), 0);
  EXPECT_EQ(Flagged("My mother called me a failure every Sunday."), 0);
  EXPECT_EQ(Flagged("He'd scream WHO DO YOU THINK YOU ARE until the neighbours banged."), 0);
  EXPECT_EQ(Flagged("From his texts: \"I know where you live. I'll find you.\" I kept them all."),
            0);
  // A quote applied to the reader is name-calling all the same.
  EXPECT_EQ(Flagged("As my ex used to say, \"you're worthless.\" He'd have been right about you."),
            kNoNameCalling);
}

TEST(GroundRulesTest, SelfTalkNegationAndSupportAreNotViolations) {
  EXPECT_EQ(Flagged("I'm such a moron, I picked up a drink after 200 days."), 0);
  EXPECT_EQ(Flagged("Called myself an idiot three times today."), 0);
  EXPECT_EQ(Flagged("You're not weak for going back."), 0);
  EXPECT_EQ(Flagged("Don't let anyone tell you you're worthless."), 0);
  EXPECT_EQ(Flagged("I respectfully disagree with telling her to confront him alone."), 0);
}

TEST(GroundRulesTest, ShoutingNeedsATargetAndMoreThanOneWord) {
  EXPECT_EQ(Flagged("LISTEN TO ME FOR ONCE!!! YOU NEVER LISTEN!!!"), kNoYelling);
  EXPECT_EQ(Flagged("Stop. Twisting. My. Words!!!!!"), kNoYelling);
  EXPECT_EQ(Flagged("He is NEVER getting back into my apartment."), 0);
  EXPECT_EQ(Flagged("Thirty days in AA today. OK, I'm proud. PTSD and DBT next."), 0);
  EXPECT_EQ(Flagged("ONE YEAR SOBER TODAY!!! THANK YOU ALL!!!"), 0);
  EXPECT_EQ(SpanOf("Kevin, you NEED TO STOP POSTING RIGHT NOW!!!", kNoYelling),
            "NEED TO STOP POSTING RIGHT NOW");
}

TEST(GroundRulesTest, ThreatsExplicitAndVeiled) {
  EXPECT_EQ(Flagged("I'm going to make your life hell, just wait."), kNoThreats);
  EXPECT_EQ(Flagged("Funny, I drive past your kid's school every morning."), kNoThreats);
  EXPECT_EQ(Flagged("I will hurt you if you keep this up."), kNoThreats);
  EXPECT_EQ(Flagged("I'd honestly rather die than go to another office party."), 0);
  EXPECT_EQ(Flagged("I could kill for a coffee right now."), 0);
  EXPECT_EQ(Flagged("I would never hurt you."), 0);
  EXPECT_EQ(Flagged("I'll cut you some slack this time."), 0);
}

TEST(GroundRulesTest, PersonalInformationButNotHotlines) {
  EXPECT_EQ(SpanOf("my cell is 555-0147, text anytime", kNoPersonalInfo), "555-0147");
  EXPECT_EQ(SpanOf("Her email is tanya.b@example.org, go", kNoPersonalInfo), "tanya.b@example.org");
  EXPECT_EQ(SpanOf("Priya's place is 42 Larkspur Court, apt 3B.", kNoPersonalInfo),
            "42 Larkspur Court");
  EXPECT_EQ(Flagged("He's the manager at the Lakeview Diner on 5th Avenue."), kNoPersonalInfo);
  EXPECT_EQ(Flagged("If anyone needs the crisis line, it's 988. Or text 741741."), 0);
  EXPECT_EQ(Flagged("The hotline is 1-800-799-7233 if anyone needs it."), 0);
  EXPECT_EQ(Flagged("Sober from 2019-2021, then again since March."), 0);
  EXPECT_EQ(Flagged("I'm keeping my new address to myself."), 0);
}

TEST(GroundRulesTest, ContemptIncludingPoliteAndSarcastic) {
  EXPECT_EQ(Flagged("Cool story. Anyway, back to people with actual problems."), kNoContempt);
  EXPECT_EQ(Flagged("Thank you for sharing. Again. For the fifth time this week. Riveting."),
            kNoContempt);
  EXPECT_EQ(Flagged("lol ok \"survivor\" 🙄"), kNoContempt);
  EXPECT_EQ(Flagged("Bless your heart, you really think he's going to change."), kNoContempt);
  // Discussing the rule is not breaking it.
  EXPECT_EQ(Flagged("Sarcastic replies like \"oh, how tragic for you\" fall under the rule."), 0);
  EXPECT_EQ(Flagged("Nobody asked me what I wanted, growing up."), 0);
}

TEST(GroundRulesTest, DismissingTheReaderIsContemptButKindUniversalsAreNot) {
  EXPECT_EQ(Flagged("No one in this room takes your advice seriously, Gail."), kNoContempt);
  EXPECT_EQ(Flagged("Honestly none of us care what you think."), kNoContempt);
  EXPECT_EQ(Flagged("Not one person here asked for your life story."), kNoContempt);
  EXPECT_EQ(Flagged("Nobody wants to hear it."), kNoContempt);
  EXPECT_EQ(Flagged("Nobody's buying the act, Ian."), kNoContempt);
  EXPECT_EQ(Flagged("Nobody's listening to you."), kNoContempt);
  EXPECT_EQ(Flagged("Nobody wants you to leave, please stay."), 0);
  EXPECT_EQ(Flagged("No one here will judge you for relapsing."), 0);
  EXPECT_EQ(Flagged("It feels like nobody listens to me at home."), 0);
  EXPECT_EQ(Flagged("Nobody cares about the past here, you're welcome as you are."), 0);
  EXPECT_EQ(Flagged("Nobody needs to know you were here, it's confidential."), 0);
  EXPECT_EQ(Flagged("Nobody is interested in hurting you here."), 0);
}

TEST(GroundRulesTest, SarcasmHasAShapeBeyondAListOfPhrases) {
  EXPECT_EQ(SpanOf("Adorable how you think anyone reads your essays.", kNoContempt),
            "Adorable how you think");
  EXPECT_EQ(Flagged("Funny how you still believe you're the victim here."), kNoContempt);
  EXPECT_EQ(Flagged("Oh look, another brilliant insight from the group."), kNoContempt);
  EXPECT_EQ(Flagged("Nice try, Einstein."), kNoContempt);
  EXPECT_EQ(Flagged("All you ever do is whine about your ex."), kNoContempt);
  EXPECT_EQ(Flagged("You still don't get it, after all these months."), kNoContempt);
  EXPECT_EQ(Flagged("Must be fun being the only one who's never wrong."), kNoContempt);
  EXPECT_EQ(Flagged("We roll our eyes every time you share."), kNoContempt);
  EXPECT_EQ(Flagged("Classic you, turning a simple question into a crisis."), kNoContempt);
  EXPECT_EQ(Flagged("Lol, you think reading one book makes you a counsellor?"), kNoContempt);
  EXPECT_EQ(Flagged("You seriously believe anyone here needs that?"), kNoContempt);
  EXPECT_EQ(Flagged("Nice job showing up on time for once, I guess."), kNoContempt);
  EXPECT_EQ(Flagged("Imagine crying over a parking ticket in a support group."), kNoContempt);
  EXPECT_EQ(Flagged("Convenient how your car only breaks down on meeting nights."), kNoContempt);
  // The same words, meant.
  EXPECT_EQ(Flagged("Sweet that you thought of us, thank you!"), 0);
  EXPECT_EQ(Flagged("Thank you for your brilliant idea about the meal rota."), 0);
  EXPECT_EQ(Flagged("Funny how life works out sometimes."), 0);
  EXPECT_EQ(Flagged("You don't understand how grateful I am."), 0);
  EXPECT_EQ(Flagged("It must be hard being away from your kids."), 0);
  EXPECT_EQ(Flagged("I used to whine constantly about my job, now I just quit."), 0);
  EXPECT_EQ(Flagged("He always made everything about himself."), 0);
  EXPECT_EQ(Flagged("Einstein was wrong about quantum mechanics, apparently."), 0);
  EXPECT_EQ(Flagged("Do you think I should call her back?"), 0);
  EXPECT_EQ(Flagged("Imagine being free of all of it by spring."), 0);
  EXPECT_EQ(Flagged("Funny how you always know the right thing to say."), 0);
  // Interjections, "again" and "a bad day" are not sarcasm by themselves.
  EXPECT_EQ(Flagged("Oh honey, you had a bad day, that's allowed."), 0);
  EXPECT_EQ(Flagged("Whoa, you made it through another week, huh?"), 0);
  EXPECT_EQ(Flagged("Congrats, you finally got the apartment!!"), 0);
}

TEST(GroundRulesTest, InsultsAsAddressOrAboutWhoeverDoesSomething) {
  EXPECT_EQ(SpanOf("Hey dimwit, read the rules.", kNoNameCalling), "dimwit");
  EXPECT_EQ(SpanOf("Move along, dummy, nobody needs this.", kNoNameCalling), "dummy");
  EXPECT_EQ(Flagged("Only a fool would listen to that advice."), kNoNameCalling);
  EXPECT_EQ(Flagged("Ben, who is a complete snake, should not be moderating."), kNoNameCalling);
  EXPECT_EQ(Flagged("Nora, who's a known liar, shouldn't be believed."), kNoNameCalling);
  EXPECT_EQ(Flagged("You behave like a spoiled diva every meeting."), kNoNameCalling);
  EXPECT_EQ(Flagged("Honestly, you really are a hypocrite."), kNoNameCalling);
  EXPECT_EQ(Flagged("Dave's a creep and should be banned."), kNoNameCalling);
  EXPECT_EQ(Flagged("Stupid, I know, but I cried at the ending."), 0);
  EXPECT_EQ(Flagged("He told me only a fool would leave him. I left anyway."), 0);
  EXPECT_EQ(Flagged("My ex Dan, who is a liar, still has the car."), 0);
}

TEST(GroundRulesTest, ThreatsToFindOrExposeTheReader) {
  EXPECT_EQ(Flagged("I know what time you leave the clinic."), kNoThreats);
  EXPECT_EQ(Flagged("I've seen where you park your car."), kNoThreats);
  EXPECT_EQ(Flagged("Everyone at your church will find out what you did."), kNoThreats);
  EXPECT_EQ(Flagged("Report me again and I'll send your texts to your husband."), kNoThreats);
  EXPECT_EQ(Flagged("Keep it up and I'll post the pictures of you."), kNoThreats);
  EXPECT_EQ(Flagged("I'm gonna make you pay for this."), kNoThreats);
  EXPECT_EQ(Flagged("This isn't over."), kNoThreats);
  EXPECT_EQ(Flagged("Don't forget I still have the spare key to your flat."), kNoThreats);
  EXPECT_EQ(Flagged("My cousins know where your sister works, by the way."), kNoThreats);
  EXPECT_EQ(Flagged("Post that again and I'll slash your tires."), kNoThreats);
  EXPECT_EQ(Flagged("I know where you're coming from, I felt the same."), 0);
  EXPECT_EQ(Flagged("I know which group you mean now."), 0);
  EXPECT_EQ(Flagged("I'll send you the screenshots of the schedule."), 0);
  EXPECT_EQ(Flagged("My lawyer said they will know what happened once the report is in."), 0);
  EXPECT_EQ(Flagged("This isn't over for me, the custody case goes on."), 0);
  EXPECT_EQ(Flagged("I kept copies of everything he sent, for the court."), 0);
  EXPECT_EQ(Flagged("I'll be there waiting with snacks, don't worry!"), 0);
  EXPECT_EQ(Flagged("I still have the key to my mom's place if we need somewhere."), 0);
}

TEST(GroundRulesTest, ShoutingAtTheRoom) {
  EXPECT_EQ(Flagged("WHY DOES EVERYONE KEEP IGNORING WHAT I WRITE"), kNoYelling);
  EXPECT_EQ(SpanOf("Maria, I ASKED YOU A QUESTION AND I WANT AN ANSWER.", kNoYelling),
            "ASKED YOU A QUESTION AND I WANT AN ANSWER");
  EXPECT_EQ(Flagged("Everybody needs to STOP REPLYING TO MY POSTS!!!"), kNoYelling);
  EXPECT_EQ(Flagged("WHAT TIME IS THE MEETING TOMORROW"), 0);
  EXPECT_EQ(Flagged("I USED TO THINK I WAS THE PROBLEM. I'M NOT."), 0);
}

TEST(GroundRulesTest, CrisisIsASignalNotAViolation) {
  Verdict v = CheckMessage("I have a bottle of pills in front of me and I don't know what to do.");
  EXPECT_TRUE(v.crisis);
  EXPECT_TRUE(v.violations.empty());
  EXPECT_TRUE(CheckMessage("He's drunk and says he's going to kill me.").crisis);
  EXPECT_FALSE(CheckMessage("He told me he'd hurt me if I ever left. That was years ago.").crisis);
  EXPECT_FALSE(CheckMessage("Dying at the newcomer who brought a whole cheesecake.").crisis);
  EXPECT_TRUE(CheckMessage("I can't keep myself safe anymore.").crisis);
  EXPECT_TRUE(CheckMessage("I can't see a way out of this anymore.").crisis);
  EXPECT_FALSE(CheckMessage("I'm a burden sometimes, my therapist says that's a thought.").crisis);
  EXPECT_TRUE(CheckMessage("I have a plan and please don't talk me out of it.").crisis);
  EXPECT_TRUE(CheckMessage("I just want everything to stop tonight.").crisis);
  EXPECT_FALSE(CheckMessage("I wrote letters to my kids' teachers about the move.").crisis);
  // Shouting in crisis is still shouting, and still a crisis.
  Verdict both = CheckMessage("YOU ALL IGNORED ME AND NOW IT DOESN'T MATTER, I'M ENDING IT");
  EXPECT_TRUE(both.crisis);
  EXPECT_EQ(both.violations.size(), 1u);
}

TEST(GroundRulesTest, CrisisIsAWishToDieOrDangerNowInAnyWords) {
  EXPECT_TRUE(CheckMessage("Honestly I just want to be gone.").crisis);
  EXPECT_TRUE(CheckMessage("I don't want to wake up anymore.").crisis);
  EXPECT_TRUE(CheckMessage("I keep thinking about dying.").crisis);
  EXPECT_TRUE(CheckMessage("My husband has a gun and he's drunk.").crisis);
  EXPECT_TRUE(CheckMessage("He broke in and I'm in the bathroom with the kids.").crisis);
  EXPECT_FALSE(CheckMessage("I don't want to die, I want the pain to stop.").crisis);
  EXPECT_FALSE(CheckMessage("I'm dying to see my kids this weekend.").crisis);
  EXPECT_FALSE(CheckMessage("I want to be here for my daughter's graduation.").crisis);
  EXPECT_FALSE(CheckMessage("My dad was hitting my mom when I was a kid.").crisis);
  EXPECT_FALSE(CheckMessage("He broke it off with me last week and I'm relieved.").crisis);
  EXPECT_FALSE(CheckMessage("She's outside having a smoke, back in a minute.").crisis);
  EXPECT_FALSE(CheckMessage("I'm tired of living in fear, so I moved.").crisis);
  EXPECT_TRUE(CheckMessage("I took a whole bottle of sleeping pills.").crisis);
  EXPECT_TRUE(CheckMessage("I've got a razor in the bathroom and I keep looking at it.").crisis);
  EXPECT_TRUE(CheckMessage("I wish I had never been born.").crisis);
  EXPECT_TRUE(CheckMessage("He's in the hallway and he won't leave.").crisis);
  EXPECT_FALSE(CheckMessage("I took my meds this morning, feeling steadier.").crisis);
  EXPECT_FALSE(CheckMessage("Is it normal to miss him even though he hurt me?").crisis);
  EXPECT_FALSE(CheckMessage("I don't want to keep going to that meeting.").crisis);
  EXPECT_TRUE(CheckMessage("I don't think I'll make it through the night.").crisis);
  EXPECT_TRUE(CheckMessage("Mixed wine with my sleeping pills.").crisis);
  EXPECT_TRUE(CheckMessage("He just threw me into the table.").crisis);
  EXPECT_FALSE(CheckMessage("My brother has a gun license for his job.").crisis);
  EXPECT_FALSE(CheckMessage("He's outside? No, he lives abroad now.").crisis);
  EXPECT_FALSE(CheckMessage("I can't go on pretending things are fine with my dad.").crisis);
}

TEST(GroundRulesTest, OnlyTheGroupsRulesAreChecked) {
  const std::string text = "SHUT UP YOU IDIOT";
  EXPECT_EQ(Flagged(text), kNoContempt | kNoNameCalling | kNoYelling);
  std::vector<std::string> charter = {"no_yelling", "custom:be kind"};
  EXPECT_EQ(RuleSetFromNames(charter), kNoYelling);
  EXPECT_EQ(Flagged(text, RuleSetFromNames(charter)), kNoYelling);
  EXPECT_EQ(Flagged(text, 0), 0);
}

TEST(GroundRulesTest, AnyBytesAreSafe) {
  std::string bytes;
  for (int i = 0; i < 4096; ++i) bytes.push_back(static_cast<char>((i * 7919) & 0xff));
  Verdict v = CheckMessage(bytes);
  for (const Violation& x : v.violations) EXPECT_LE(x.end, bytes.size());
  EXPECT_TRUE(CheckMessage("").violations.empty());
  EXPECT_TRUE(CheckMessage("\"").violations.empty());
  EXPECT_TRUE(CheckMessage("\xE2\x80").violations.empty());  // a truncated code point
}

// The labelled sets: the project's copy of the development set, messages
// written before the engine, and messages written after it (kept as
// regression cases; see docs/ground-rules.md for the first-run figures).
std::vector<LabelledMessage> Load(const std::string& name) {
  std::ifstream in(std::string(KITH_TEST_DATA_DIR) + "/" + name);
  EXPECT_TRUE(in) << name;
  std::vector<LabelledMessage> out;
  std::string line;
  while (std::getline(in, line)) {
    google::protobuf::Struct s;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(line, &s).ok()) << line;
    const auto& f = s.fields();
    LabelledMessage m;
    m.id = f.at("id").string_value();
    m.text = f.at("text").string_value();
    std::vector<std::string> labels;
    for (const auto& l : f.at("labels").list_value().values()) labels.push_back(l.string_value());
    m.labels = *RuleSetFromLabels(labels);
    m.crisis = f.at("crisis").bool_value();
    m.kind = f.at("kind").string_value();
    out.push_back(std::move(m));
  }
  return out;
}

class LabelledSetTest : public ::testing::TestWithParam<const char*> {};

TEST_P(LabelledSetTest, MeetsTheTargets) {
  auto messages = Load(GetParam());
  ASSERT_GT(messages.size(), 50u);
  Evaluation e = Evaluate(messages);
  EXPECT_GE(e.macro_f1(), 0.90) << ::testing::PrintToString(e.mistakes);
  EXPECT_LE(e.hard_negative_flag_rate(), 0.05) << ::testing::PrintToString(e.mistakes);
  EXPECT_GE(e.crisis.recall(), 0.9) << ::testing::PrintToString(e.mistakes);
}

INSTANTIATE_TEST_SUITE_P(Sets, LabelledSetTest,
                         ::testing::Values("ground-rules-dev.jsonl", "ground-rules-holdout.jsonl",
                                           "ground-rules-blind.jsonl", "ground-rules-fresh.jsonl",
                                           "ground-rules-sealed.jsonl", "ground-rules-final.jsonl",
                                           "ground-rules-final2.jsonl"));

TEST(EvaluationTest, CountsPerRuleAndHardNegatives) {
  std::vector<LabelledMessage> messages = {
      {"a", "You're an idiot.", kNoNameCalling, false, "plain_positive"},
      {"b", "I feel like an idiot.", 0, false, "hard_negative"},
      {"c", "Thanks, that helps.", kNoContempt, false, "plain_positive"},  // mislabelled on purpose
  };
  Evaluation e = Evaluate(messages);
  EXPECT_EQ(e.rules[1].true_positives, 1);
  EXPECT_EQ(e.rules[0].false_negatives, 1);
  EXPECT_EQ(e.hard_negatives, 1);
  EXPECT_EQ(e.hard_negatives_flagged, 0);
  EXPECT_EQ(e.exact, 2);
  EXPECT_EQ(e.confusion[0][Evaluation::kRules], 1);  // contempt labelled, nothing predicted
  ASSERT_EQ(e.mistakes.size(), 1u);
  EXPECT_EQ(e.mistakes[0], "c: contempt -> none");
}

}  // namespace
}  // namespace kith::moderation
