#include "lexicon.h"

#include "absl/strings/str_split.h"

namespace kith::moderation {
namespace {

absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

}  // namespace

const Lexicon& Lexicon::Get() {
  static const Lexicon* lexicon = new Lexicon();
  return *lexicon;
}

void Lexicon::AddWords(std::initializer_list<std::string_view> words, uint32_t cls) {
  for (auto w : words) classes_[Absl(w)] |= cls;
}

void Lexicon::AddPhrases(PhraseKind kind,
                         std::initializer_list<std::pair<std::string_view, double>> list,
                         uint8_t flags) {
  for (const auto& [text, confidence] : list) {
    Phrase p{absl::StrSplit(Absl(text), ' '), kind, confidence, flags};
    for (const auto& w : p.words) {
      if (w != "*") classes_.try_emplace(w, 0);
    }
    by_first_word_[p.words[0]].push_back(phrases_.size());
    phrases_.push_back(std::move(p));
  }
}

void Lexicon::MatchAt(const Text& text, uint32_t w, std::vector<PhraseMatch>& out) const {
  const std::string& first = text.tokens[text.words[w]].norm;
  auto it = by_first_word_.find(first);
  if (it == by_first_word_.end()) return;
  uint32_t sentence = text.tokens[text.words[w]].sentence;
  for (uint32_t index : it->second) {
    const Phrase& p = phrases_[index];
    if (w + p.words.size() > text.words.size()) continue;
    bool match = true;
    for (size_t k = 1; k < p.words.size() && match; ++k) {
      const Token& t = text.tokens[text.words[w + k]];
      match = t.sentence == sentence && (p.words[k] == "*" || p.words[k] == t.norm);
    }
    if (match) out.push_back({&p, w, uint32_t(w + p.words.size() - 1)});
  }
}

Lexicon::Lexicon() {
  AddWords({"you", "you're", "ur", "your", "yours", "yourself", "yourselves", "y'all", "you've",
            "you'll", "you'd", "you'r"},
           kSecondPerson);
  AddWords({"you're", "ur", "you'r"}, kYouAre);
  AddWords({"not", "never", "no", "don't", "doesn't", "didn't", "won't", "wouldn't", "isn't",
            "aren't", "wasn't", "weren't", "can't", "cannot", "couldn't", "shouldn't", "hardly",
            "nobody", "ain't", "haven't", "hasn't"},
           kNegator);
  AddWords({"said", "say", "says", "saying", "told", "tell", "tells", "telling", "called", "call",
            "calls", "calling", "scream", "screamed", "screams", "screaming", "yell", "yelled",
            "yells", "yelling", "shout", "shouted", "shouts", "shouting", "text", "texted", "texts",
            "texting", "wrote", "write", "writes", "posted", "messaged", "whispered", "hissed",
            "snapped", "muttered", "spat", "accused", "name", "names", "threatened", "laughed",
            "laughing", "sneered", "mocked"},
           kSpeechVerb);
  AddWords({"he", "she", "they", "he'd", "she'd", "they'd", "he's", "she's", "they're", "he'll",
            "she'll", "they'll", "him", "her", "them", "ex", "mom", "mother", "dad", "father",
            "brother", "sister", "husband", "wife", "boyfriend", "girlfriend", "partner", "boss",
            "someone", "somebody", "people", "family", "aunt", "uncle", "cousin", "grandma",
            "grandpa", "friend", "teacher", "coworker", "stepdad", "stepmom", "abuser", "his",
            "mum", "neighbor", "neighbour", "landlord"},
           kThirdPerson);
  AddWords({"stop", "listen", "quit", "get", "shut", "leave", "mind", "go", "look", "read",
            "back", "answer", "stay", "keep", "give", "don't", "enough", "do", "grow", "drop"},
           kImperative);
  AddWords({"thank", "thanks", "happy", "congrats", "congratulations", "love", "proud", "sober",
            "clean", "yay", "woohoo", "woo", "grateful", "birthday", "merry", "welcome", "amazing",
            "excited", "finally", "celebrate", "celebrating", "hooray", "milestone", "anniversary",
            "congratulate", "cheers", "hugs", "blessed", "thankful", "sobriety"},
           kCelebration);
  AddWords({"aa", "na", "ptsd", "dbt", "cbt", "ok", "okay", "asap", "fyi", "tbh", "et", "pt",
            "est", "pst", "am", "pm", "dv", "us", "usa", "uk", "id", "tv", "er", "icu", "iop",
            "emdr", "ocd", "adhd", "bpd", "lgbtq", "nyc", "ceo", "hr", "dm", "dms", "lol", "omg",
            "btw", "imo", "imho", "aka", "rsvp", "eta", "gp", "md", "rn", "ssri", "ed", "acoa",
            "al-anon", "ca", "sa", "oa", "ga", "ssi", "ssdi", "cps", "dcfs", "ada", "gad", "mdd",
            "iep", "ssn", "ny", "la", "dc", "nhs", "va", "nami", "smart", "cptsd", "tldr", "wtf",
            "irl", "afaik", "ymmv", "nsfw", "tw", "cw", "fwiw", "atm", "asl", "ai", "faq", "pdf",
            "q&a", "qa", "mat", "npd", "uti", "ama", "mri", "xl", "bbq", "diy", "ids"},
           kAcronym);
  AddWords({"street", "st", "avenue", "ave", "road", "rd", "lane", "ln", "court", "ct", "drive",
            "dr", "boulevard", "blvd", "way", "place", "pl", "terrace", "parkway", "pkwy",
            "crescent", "close", "square", "row", "trail", "highway", "hwy", "alley", "grove",
            "gardens", "walk", "circle", "pike", "plaza"},
           kStreetSuffix);
  AddWords({"diner", "dental", "clinic", "hospital", "bank", "cafe", "café", "restaurant",
            "store", "school", "market", "pharmacy", "salon", "gym", "hotel", "bar", "grill",
            "pizza", "bakery", "office", "inc", "llc", "co", "shop", "garage", "motors", "depot",
            "mart", "center", "centre", "library", "factory", "warehouse", "studio", "pub",
            "kitchen", "deli", "dentistry", "medical", "insurance", "services", "academy",
            "repair", "auto", "plumbing", "electric", "cleaners", "laundromat", "hardware",
            "supermarket", "dealership", "motel", "inn", "spa", "nails", "barbershop", "foods",
            "logistics", "construction", "realty", "firm", "daycare", "nursery", "fitness",
            "tires", "hospice", "grocery", "agency", "bistro", "brewery", "tavern"},
           kBusiness);
  AddWords({"i", "i'm", "me", "my", "myself", "mine", "i've", "i'd", "i'll"}, kFirstPerson);
  AddWords({"told", "said", "texted", "wrote", "screamed", "yelled", "shouted", "threatened",
            "used", "would", "once", "swore", "promised"},
           kPastSpeech);
  // How surely a sentence of just this word is sarcasm ("Riveting.").
  for (const auto& [word, confidence] : std::initializer_list<std::pair<std::string_view, double>>{
           {"riveting", 0.8}, {"fascinating", 0.7}, {"groundbreaking", 0.8}, {"shocking", 0.6},
           {"shocker", 0.7}, {"typical", 0.7}, {"cute", 0.7}, {"yawn", 0.7}, {"adorable", 0.6},
           {"brave", 0.5}, {"sure", 0.3}, {"whatever", 0.5}, {"wow", 0.3}, {"again", 0.3},
           {"noted", 0.3}, {"genius", 0.6}, {"impressive", 0.4}, {"classic", 0.5},
           {"cool", 0.3}}) {
    sarcasm_[Absl(word)] = confidence;
    classes_.try_emplace(Absl(word), 0);
  }
  AddWords({"ha", "haha", "lol", "lmao", "ok", "okay", "sure", "another", "your", "so-called",
            "ur", "oh", "right", "yeah", "ugh"},
           kMockCue);
  AddWords({"amazing", "congrats", "congratulations", "happy", "proud", "incredible", "awesome",
            "wonderful", "yay", "omg"},
           kJoy);
  AddWords({"people", "guys", "all", "both", "lot", "two", "lads", "folks", "here"}, kGroupWord);
  AddWords({"cute", "adorable", "sweet", "funny", "hilarious", "precious", "amusing", "charming",
            "priceless", "quaint", "hysterical", "rich"},
           kArchWord);
  AddWords({"interesting", "convenient", "funny", "curious", "amazing", "weird"},
           kEyebrow);
  AddWords({"genius", "brilliant", "groundbreaking", "revolutionary", "earth-shattering",
            "riveting", "profound", "stellar", "life-changing", "mind-blowing", "fascinating",
            "original", "insightful", "enlightening", "visionary", "deep", "novel"},
           kIronicPraise);
  AddWords({"einstein", "sherlock", "genius", "smarty", "smartypants", "hotshot", "mastermind",
            "professor", "princess"},
           kMockTitle);
  AddWords({"whine", "whines", "whining", "whined", "moan", "moans", "moaning", "whinge",
            "whinges", "whinging", "bitching", "bleating", "sulking", "griping", "yapping",
            "yammering", "blubbering", "sniveling", "snivelling", "wailing"},
           kSpeechNoise);
  AddWords({"everyone", "everybody", "anyone", "anybody", "nobody", "people", "y'all"},
           kRoomWord);
  AddWords({"want", "wish", "planning", "plan", "thinking", "ready", "decided", "tempted",
            "considering", "trying", "tired", "hoping", "praying", "reason"},
           kWishWord);
  AddWords({"a", "an", "the", "such", "so", "total", "complete", "absolute", "real", "fucking",
            "freaking", "little", "big", "biggest", "most", "kind", "sort", "of", "being", "just",
            "really", "honestly", "truly", "also", "literally", "bloody", "damn", "actually",
            "still", "always", "nothing", "but", "utter", "pure", "giant", "huge", "ignorant",
            "sad", "old", "fat", "lying", "selfish", "emotional", "whole", "certified", "entitled",
            "spoiled", "spoilt", "stupid", "dumb", "pathetic", "worthless", "useless", "bunch",
            "pack", "like", "seriously", "clearly", "obviously", "tbh", "self-absorbed", "lazy",
            "gold-digging", "miserable", "two-faced", "backstabbing", "good-for-nothing",
            "manipulative", "disgusting", "crazy", "and", "or", "one", "bigger", "worse", "dumber",
            "greater", "massive", "proper", "right", "first-class",
            "world-class", "textbook", "classic", "typical", "damned", "goddamn", "sorry", "known",
            "notorious", "compulsive", "serial", "habitual", "proven", "natural-born", "bitter"},
           kFiller);
  AddWords({"are", "were", "is", "being", "been", "be", "sound", "seem", "look", "act", "acting",
            "sounding", "looking", "behaving", "seeming", "r", "remain", "became", "become",
            "behave", "behaves", "acts", "sounds", "seems", "looks"},
           kCopula);

  AddWords({"idiot", "idiots", "moron", "morons", "loser", "losers", "clown", "clowns", "jerk",
            "jerks", "fraud", "frauds", "freak", "freaks", "psycho", "psychos", "brat", "brats",
            "doormat", "cow", "liar", "liars", "manipulator", "manipulators", "fake", "fakes",
            "phony", "phoney", "drunk", "drunks", "junkie", "junkies", "imbecile", "imbeciles",
            "dumbass", "dimwit", "halfwit", "nitwit", "fool", "fools", "cretin", "retard",
            "scum", "scumbag", "trash", "garbage", "pig", "pigs", "snake", "rat", "parasite",
            "leech", "bitch", "bitches", "bastard", "asshole", "assholes", "arsehole", "dick",
            "prick", "twat", "cunt", "slut", "whore", "skank", "hag", "creep", "creeps", "weirdo",
            "failure", "lowlife", "degenerate", "hypocrite", "hypocrites", "narcissist",
            "crybaby", "coward", "cowards", "wimp", "snowflake", "buffoon", "dork", "douche",
            "douchebag", "troll", "cheat", "cheater", "crackhead", "psychopath", "sociopath",
            "lunatic", "maniac", "nutjob", "nutcase", "dummy", "dumbo", "airhead", "bimbo",
            "pervert", "perv", "disgrace", "embarrassment", "pushover", "wuss", "sissy", "monster",
            "savage", "vermin", "slob", "worm", "loony", "joke", "nobody",
            "simpleton", "twit", "git", "wanker", "tosser", "numbskull", "bonehead", "meathead",
            "blockhead", "knucklehead", "dipshit", "shithead", "jackass", "ass", "whiner",
            "attention-seeker", "fatso", "manchild", "freeloader", "mooch", "deadbeat", "lush",
            "alkie", "stoner", "tweaker", "sheep", "witch", "harpy", "shrew", "toad",
            "brute", "thug", "degenerates", "lightweight", "nonce", "weasel", "cockroach",
            "roach", "hyena", "donkey", "vulture", "rodent", "sleazebag", "sleaze", "dirtbag",
            "slimeball", "hick", "redneck", "peasant", "nut", "jackal", "goblin", "gremlin",
            "muppet", "plonker", "pillock", "prat", "dolt", "oaf", "ignoramus", "halfwits",
            "nitwits", "weirdos", "freeloaders", "narcissists", "sociopaths", "psychopaths",
            "diva", "sicko", "bully", "bullies", "tramp",
            "fatass", "know-it-all", "smartass", "wiseass", "doofus", "dingbat", "dunce",
            "nincompoop", "scrounger", "loudmouth", "blabbermouth", "busybody", "bigot",
            "hothead", "crook", "gaslighter", "gossip", "traitor", "backstabber", "charlatan",
            "conman", "sleazeball", "numpty", "bellend", "wannabe", "poser", "slacker", "swine",
            "snob", "crybabies", "pansy", "dimwits", "dummies", "snakes", "rats", "parasites",
            "leeches", "trolls", "gossips", "traitors", "scumbags",
            "creepo", "sleazebags", "dirtbags", "bozo", "bozos", "nutter", "headcase", "tool",
            "predator", "predators", "crank"},
           kInsultNoun);
  AddWords({"stupid", "dumb", "pathetic", "worthless", "useless", "disgusting", "spineless",
            "gutless", "gullible", "self-absorbed", "selfish", "lazy", "ugly", "brainless",
            "clueless", "ignorant", "delusional", "insane", "crazy", "hysterical", "immature",
            "childish", "petty", "pitiful", "incompetent", "dense", "evil", "vile", "repulsive",
            "revolting", "despicable", "contemptible", "pathological", "manipulative",
            "two-faced", "psychotic", "unhinged", "deranged", "whiny", "whiney", "sniveling",
            "snivelling", "hopeless", "spoiled", "spoilt", "entitled", "arrogant", "idiotic",
            "moronic", "brain-dead", "braindead", "dim", "thick", "gold-digging", "backstabbing",
            "good-for-nothing", "miserable", "disgraceful", "fake", "weak", "toxic", "trashy",
            "nasty", "creepy", "weird", "annoying", "obnoxious", "insufferable", "unbearable",
            "dishonest", "lying", "cowardly", "retarded", "fat", "stupidest", "dumbest",
            "laughable", "dopey", "witless", "dimwitted", "gormless", "simple-minded",
            "small-minded", "pig-headed", "thick-headed", "vain", "shameless", "spiteful",
            "hateful", "heartless", "soulless", "deplorable", "nuts", "mental", "batshit",
            "sleazy", "slimy", "shady", "crooked", "lousy", "rotten", "twisted", "sadistic",
            "vicious", "malicious", "deceitful", "conniving", "scheming", "pompous", "smug",
            "sanctimonious", "self-righteous"},
           kInsultAdj);

  AddPhrases(PhraseKind::kInsult,
             {{"piece of work", 0.85}, {"piece of shit", 0.95}, {"piece of garbage", 0.9},
              {"piece of trash", 0.9}, {"waste of space", 0.9}, {"waste of oxygen", 0.9},
              {"waste of air", 0.9}, {"waste of time", 0.7}, {"excuse for a", 0.9},
              {"excuse of a", 0.9}, {"drama queen", 0.85}, {"attention seeker", 0.85},
              {"attention whore", 0.95}, {"basket case", 0.85}, {"sack of", 0.85},
              {"son of a bitch", 0.95}, {"spoiled child", 0.85}, {"spoiled brat", 0.9},
              {"like a child", 0.8}, {"like a baby", 0.8}, {"like a toddler", 0.85},
              {"like a spoiled", 0.85}, {"like an idiot", 0.85}, {"like a moron", 0.85},
              {"like a fool", 0.8}, {"like an animal", 0.8}, {"sorry excuse", 0.9},
              {"hot mess", 0.6}, {"train wreck", 0.75}, {"trainwreck", 0.75},
              {"lost cause", 0.75}, {"poor excuse", 0.9}, {"queen of drama", 0.85},
              {"waste of skin", 0.9}, {"piece of crap", 0.9}, {"bag of", 0.6},
              {"pile of garbage", 0.85}});
  AddPhrases(PhraseKind::kComparison,
             {{"maturity of a", 0.85}, {"brain of a", 0.85}, {"brains of a", 0.85},
              {"iq of a", 0.9}, {"intelligence of a", 0.85}, {"personality of a", 0.8},
              {"attention span of a", 0.75}, {"manners of a", 0.8},
              {"common sense of a", 0.8}, {"backbone of a", 0.8},
              {"memory of a goldfish", 0.8}, {"brains of a goldfish", 0.85},
              {"spine of a", 0.8}, {"charm of a", 0.75}, {"empathy of a", 0.8}},
             kNeedsYou);
  AddPhrases(PhraseKind::kAboutYou,
             {{"right about you", 0.75}, {"true about you", 0.75}, {"true of you", 0.75},
              {"applies to you", 0.75}, {"fits you", 0.75}, {"describes you", 0.75},
              {"goes for you", 0.7}, {"sounds like you", 0.7}, {"that's you", 0.7},
              {"thats you", 0.7}});

  AddPhrases(PhraseKind::kContempt,
             {{"shut your mouth", 0.9}, {"shut it", 0.8}, {"shut your trap", 0.9},
              {"shut your face", 0.9}, {"get over yourself", 0.85},
              {"cry me a river", 0.85}, {"boo hoo", 0.8}, {"boohoo", 0.8}, {"cool story", 0.8},
              {"go cry", 0.8}, {"cry about it", 0.8}, {"actual problems", 0.75},
              {"real problems", 0.6}, {"real mature", 0.85}, {"very mature", 0.6},
              {"pity party", 0.8}, {"trauma olympics", 0.85}, {"oppression olympics", 0.85},
              {"misery olympics", 0.85}, {"suffering olympics", 0.85}, {"sob story", 0.7},
              {"bless your heart", 0.8}, {"oh great another", 0.7}, {"great another", 0.6},
              {"can't wait for tomorrow's", 0.6},
              {"lucky you", 0.7}, {"must be nice", 0.7}, {"poor you", 0.7}, {"poor baby", 0.7},
              {"must be so hard", 0.55}, {"feel sorry for yourself", 0.8},
              {"feeling sorry for yourself", 0.8}, {"are a joke", 0.85}, {"grow up", 0.75},
              {"get a life", 0.8}, {"mind your own business", 0.8}, {"sick of hearing", 0.75},
              {"tired of hearing", 0.75}, {"sick of you", 0.85}, {"tired of you", 0.8},
              {"wants attention", 0.7}, {"for attention", 0.45}, {"attention seeking", 0.75},
              {"only posts when", 0.7}, {"get out of this group", 0.85},
              {"get out of here", 0.55}, {"stop whining", 0.8}, {"quit whining", 0.8},
              {"stop complaining", 0.7}, {"stop crying", 0.75}, {"spare us", 0.75},
              {"give it a rest", 0.75}, {"not this again", 0.6}, {"not this * again", 0.6}, {"whatever you say", 0.6},
              {"yeah right", 0.55}, {"lol ok", 0.7}, {"ok boomer", 0.8}, {"how original", 0.7},
              {"thanks for nothing", 0.75}, {"nice going", 0.6}, {"real helpful", 0.7},
              {"who do you think you are", 0.75}, {"what a joke", 0.75},
              {"embarrassing yourself", 0.75}, {"learn to read", 0.8}, {"can you even read", 0.8},
              {"you're overreacting", 0.65}, {"you are overreacting", 0.65},
              {"you're being dramatic", 0.7}, {"you're so dramatic", 0.7},
              {"not to be rude but", 0.45}, {"no offense but", 0.4}, {"for the fifth time", 0.45},
              {"for the hundredth time", 0.45}, {"for the millionth time", 0.45},
              {"here we go again", 0.6}, {"here we go", 0.45}, {"play the victim", 0.75},
              {"playing the victim", 0.75}, {"playing victim", 0.75}, {"victim card", 0.75},
              {"who gives a", 0.7},
              {"couldn't care less", 0.6}, {"big deal", 0.5}, {"so what", 0.5},
              {"get over it", 0.7}, {"deal with it", 0.5}, {"not my problem", 0.45},
              {"thanks for the novel", 0.7}, {"tl dr", 0.4}, {"tldr", 0.4},
              {"what else is new", 0.6},
              {"keep telling yourself that", 0.8}, {"you wish", 0.6}, {"as if anyone", 0.75},
              {"stop being such a", 0.6}, {"how brave", 0.6}, {"so brave", 0.45},
              {"sob stories", 0.7}, {"like anyone believes", 0.8}, {"like anyone cares", 0.85},
              {"as if anyone cares", 0.85}, {"spare me", 0.7}, {"ok sweetie", 0.7},
              {"okay sweetie", 0.7}, {"sure sweetie", 0.7}, {"ok honey", 0.6},
              {"whatever helps you sleep", 0.8}, {"that's rich", 0.6},
              {"rich coming from you", 0.85},
              {"sure jan", 0.8}, {"totally believable", 0.6}, {"keep your pity party", 0.9},
              {"we get it", 0.5}, {"get it already", 0.5},
              {"not everything is about you", 0.75}, {"it's not all about you", 0.75},
              {"cry harder", 0.85}, {"stay mad", 0.7}, {"the world's smallest violin", 0.85},
              {"smallest violin", 0.85}, {"you people", 0.4},
              {"who even", 0.5}, {"get a grip", 0.6}, {"man up", 0.7}, {"toughen up", 0.6},
              {"stop playing", 0.45}, {"your opinion", 0.2}, {"wah wah", 0.8}, {"waah", 0.7},
              {"eye roll", 0.3}, {"here comes", 0.35}, {"so original", 0.7},
              {"thanks for the update nobody asked for", 0.9}, {"such a tragic", 0.6},
              {"how tragic", 0.6}, {"so tragic", 0.55}, {"poor thing", 0.55}},
             0);
  AddPhrases(PhraseKind::kContempt, {{"shut up", 0.8}}, kNotAfterJoy);
  AddPhrases(PhraseKind::kContempt, {{"who asked", 0.8}, {"who cares", 0.6}}, kAtSentenceStart);
  AddPhrases(PhraseKind::kContempt,
             {{"no wonder", 0.75}, {"is a joke", 0.75}, {"made up", 0.5},
              {"making it up", 0.6}, {"making this up", 0.6},
              {"get out", 0.45}},
             kNeedsYou);

  AddPhrases(PhraseKind::kContempt,
             {{"typical you", 0.8}, {"classic you", 0.75}, {"typical of you", 0.75},
              {"how very you", 0.6},
              {"always about you", 0.7}, {"can't take you seriously", 0.8},
              {"hard to take you seriously", 0.8}, {"impossible to take you seriously", 0.85},
              {"resident genius", 0.7}, {"resident expert", 0.65}, {"expert on everything", 0.75},
              {"never heard that one before", 0.65}, {"laugh at you", 0.65},
              {"laughs at you", 0.65}, {"laughing at you", 0.65}, {"laugh at your", 0.65},
              {"laughs at your", 0.65}, {"laughing at your", 0.65}},
             kNotAfterJoy);
  AddPhrases(PhraseKind::kContempt,
             {{"enough about your", 0.75}, {"sure tell us", 0.7}, {"captain obvious", 0.8},
              {"must be so proud of yourself", 0.65}, {"maybe if you", 0.4},
              {"ah yes", 0.4}, {"right on schedule", 0.45}, {"meltdown", 0.35},
              {"what a surprise", 0.6}, {"what a shock", 0.55}, {"color me surprised", 0.7},
              {"colour me surprised", 0.7}, {"surprise surprise", 0.7},
              {"supposed to be insightful", 0.7}, {"supposed to be helpful", 0.7},
              {"supposed to be funny", 0.65}, {"supposed to be deep", 0.7},
              {"supposed to be clever", 0.7}, {"supposed to be profound", 0.7},
              {"supposed to be smart", 0.7}, {"supposed to be impressed", 0.75},
              {"because you're the only one", 0.7}},
             0);
  AddPhrases(PhraseKind::kContempt, {{"less time", 0.35}}, kNeedsYou);
  AddPhrases(PhraseKind::kContempt,
             {{"you're not special", 0.75}, {"you are not special", 0.75},
              {"everyone but yourself", 0.75}, {"anyone but yourself", 0.75},
              {"everybody but yourself", 0.75}, {"that always works", 0.55},
              {"because that always works", 0.7}, {"did someone get", 0.45},
              {"feelings hurt", 0.45}, {"explain it to you but", 0.7},
              {"explain it slowly", 0.6}},
             0);
  AddPhrases(PhraseKind::kContempt,
             {{"been through worse", 0.6}, {"crayons", 0.6}, {"smaller words", 0.6},
              {"small words", 0.55}},
             kNeedsYou);
  AddPhrases(PhraseKind::kContempt,
             {{"beneath", 0.7}, {"roll my eyes", 0.7}, {"roll our eyes", 0.7},
              {"roll their eyes", 0.7}, {"rolls their eyes", 0.7}, {"rolling my eyes", 0.7},
              {"rolling our eyes", 0.7}, {"rolls her eyes", 0.6}, {"rolls his eyes", 0.6}},
             kNeedsYou);
  AddPhrases(PhraseKind::kThreat, {{"this isn't over", 0.65}, {"this is not over", 0.65}},
             kStandalone);
  AddPhrases(PhraseKind::kThreat, {{"be there waiting", 0.45}}, kNeedsYou);
  // Material kept against the reader; without a "you" it is a survivor's
  // record ("I kept copies of everything he sent").
  AddPhrases(PhraseKind::kThreat,
             {{"while it lasts", 0.6}, {"while you still can", 0.7}, {"copies of everything", 0.7},
              {"i have copies", 0.6}, {"i kept copies", 0.6}, {"saved every message", 0.6},
              {"kept every message", 0.6}, {"screenshots of everything", 0.6}},
             kNeedsYou);
  // "Making everything about you", "made it about yourself".
  for (std::string_view verb : {"make", "makes", "making", "made"}) {
    for (std::string_view object : {"everything about you", "everything about yourself",
                                    "it about you", "this about you", "it about yourself"}) {
      std::string phrase = std::string(verb) + " " + std::string(object);
      AddPhrases(PhraseKind::kContempt, {{phrase, 0.7}}, kNotAfterJoy);
    }
  }
  // "Must be lovely being perfect": envy worn as sarcasm. Not the hard
  // feelings ("must be hard being ..."), which are sympathy.
  for (std::string_view adjective : {"nice", "lovely", "fun", "great", "wonderful", "exhausting",
                                     "tiring", "easy", "cool", "amazing", "fantastic"}) {
    for (std::string_view tail : {"being", "to be"}) {
      std::string phrase = "must be " + std::string(adjective) + " " + std::string(tail);
      AddPhrases(PhraseKind::kContempt, {{phrase, 0.7}}, 0);
    }
  }

  AddPhrases(PhraseKind::kThreat,
             {{"you'll regret", 0.85}, {"you will regret", 0.85}, {"you'd regret", 0.7},
              {"tend to regret", 0.8}, {"you'll be sorry", 0.85}, {"you will be sorry", 0.85},
              {"see what happens", 0.8}, {"find out what happens", 0.8}, {"watch your back", 0.9},
              {"watch yourself", 0.6}, {"i dare you", 0.7}, {"i know where you", 0.9},
              {"i'll find you", 0.9}, {"i will find you", 0.9}, {"better hope", 0.7},
              {"careful if i were you", 0.85}, {"drive past your", 0.8}, {"your kid's school", 0.7},
              {"your kids school", 0.7}, {"your kids", 0.3}, {"your children's school", 0.7},
              {"make your life hell", 0.9}, {"make your life a living hell", 0.9},
              {"just wait", 0.5}, {"you've been warned", 0.85}, {"last warning", 0.6},
              {"you'll pay", 0.8}, {"make you pay", 0.85}, {"pay for this", 0.7},
              {"won't know what hit", 0.85}, {"accidents happen", 0.7}, {"gets screenshots", 0.8},
              {"get screenshots", 0.7}, 
              {"as anonymous as you think", 0.85}, {"i know who you are", 0.8},
              {"see you outside", 0.7}, {"meet me outside", 0.7}, {"you're dead", 0.75},
              {"you are dead", 0.75}, {"dead meat", 0.8}, {"break his legs", 0.9},
              {"break her legs", 0.9}, {"break your legs", 0.9}, {"smash your face", 0.9},
              {"come to your house", 0.85}, {"hope i never see you", 0.8},
              {"coming for you", 0.8}, {"i'll be waiting", 0.6}, {"i will be waiting", 0.6},
              {"what happens to you", 0.7}, {"tell everyone what you", 0.7},
              {"keep talking", 0.3}, {"keep reporting", 0.3}, {"one more time and", 0.4},
              {"again and i'll", 0.45}, {"again and i will", 0.45}, {"tell your boss", 0.6},
              {"tell your husband", 0.6}, {"tell your wife", 0.6}, {"tell your family", 0.5},
              {"tell your sponsor", 0.5}, {"show up there", 0.6}, {"show up at your", 0.85},
              {"post your address", 0.8}, {"post your number", 0.8}, {"post your photos", 0.7},
              {"or else", 0.5}, {"be a shame if", 0.75}, {"shame if your", 0.75},
              {"sleep with one eye open", 0.9}, {"know where you live", 0.9},
              {"know where you work", 0.9}, {"find where you live", 0.85},
              {"you won't see it coming", 0.9}, {"you'll find out", 0.6}, {"mark my words", 0.6},
              {"teach you a lesson", 0.85}, {"kick your ass", 0.9}, {"beat you up", 0.9},
              {"beat the", 0.4}, {"someone should go", 0.5}, {"somebody should go", 0.5},
              {"you'll wish", 0.7}, {"expose you", 0.85},
              {"going to regret", 0.85}, {"going regret", 0.85}, {"don't make me", 0.65},
              {"come find you", 0.8}, {"i'll post your", 0.75}, {"i will post your", 0.75},
              {"i'll share your", 0.6}, {"i'll leak your", 0.85}, {"your real name", 0.5},
              {"i have your address", 0.8}, {"i know your address", 0.85},
              {"i have your number", 0.6}, {"remember that", 0.3}, {"you've been warned", 0.85},
              {"you'll get what's coming", 0.85}, {"what's coming to you", 0.85},
              {"count your days", 0.9}, {"your days are numbered", 0.9},
              {"i'd hate for", 0.6}, {"hate for anything to happen", 0.85},
              {"something happened to", 0.5}, {"something bad happens", 0.6},
              {"hurt your", 0.6}, {"you'll get hurt", 0.85}, {"you will get hurt", 0.85},
              {"or you'll", 0.5}, {"or i'll", 0.5}, {"cross me", 0.5}, {"crossing me", 0.5},
              {"you're finished", 0.7}, {"you are finished", 0.7}, {"i'll end you", 0.95},
              {"better be careful", 0.65}, {"you'd better watch", 0.7},
              {"if you know what i mean", 0.45}, {"have a way of getting out", 0.7},
              {"way of coming out", 0.6}, {"end up regretting", 0.75},
              {"end up getting hurt", 0.85}, {"end up sorry", 0.75},
              {"people who cross me", 0.8}, {"people who mess with me", 0.8},
              {"one call from me", 0.7}, {"walk alone at night", 0.5},
              {"if i were you", 0.35}, {"would love to read what you", 0.7},
              {"would love to see what you", 0.65}, {"would love to know what you", 0.65},
              {"put you in the hospital", 0.9}, {"put you in the ground", 0.95},
              {"put you in a wheelchair", 0.9}, {"put you in a coma", 0.9},
              {"how that works out for you", 0.65}, {"get what you deserve", 0.7},
              {"make you regret", 0.85}, {"make you sorry", 0.8}, {"not done with you", 0.8},
              {"not finished with you", 0.8}, {"easy it is to find", 0.8},
              {"easy it would be", 0.45}, {"easy it'd be", 0.45}, {"to find you", 0.45},
              {"see you there", 0.3}},
             0);

  AddPhrases(PhraseKind::kCrisis,
             {{"kill myself", 0.95}, {"killing myself", 0.95}, {"end my life", 0.95},
              {"ending my life", 0.95}, {"take my life", 0.95}, {"take my own life", 0.95},
              {"i'm ending it", 0.9}, {"end it all", 0.9}, {"ending it all", 0.9},
              {"want to die", 0.9}, {"want to be dead", 0.9}, {"wish i was dead", 0.9},
              {"wish i were dead", 0.9}, {"better off dead", 0.9}, {"better off without me", 0.9},
              {"don't want to be here anymore", 0.9}, {"don't want to be alive", 0.95},
              {"don't want to live", 0.9}, {"stay alive", 0.7}, {"be alive", 0.5},
              {"won't be here tomorrow", 0.9}, {"not be here tomorrow", 0.9},
              {"won't be around", 0.8}, {"no point in living", 0.9}, {"don't see the point", 0.75},
              {"point of waking up", 0.8}, {"no reason to live", 0.9}, {"nothing to live for", 0.9},
              {"can't keep going", 0.8}, {"can't go on", 0.8}, {"can't do this anymore", 0.75},
              {"tired of existing", 0.9}, {"tired of living", 0.9}, {"sick of living", 0.9},
              {"nothing matters anymore", 0.8}, {"goodbye letters", 0.9}, {"goodbye letter", 0.9},
              {"goodbye note", 0.9}, {"suicide note", 0.95}, {"said my goodbyes", 0.9},
              {"my goodbyes", 0.8}, {"pills in front of me", 0.95}, {"bottle of pills", 0.8},
              {"took all my pills", 0.95}, {"took all the pills", 0.95}, {"overdose", 0.7},
              {"overdosed", 0.8}, {"cut again", 0.9}, {"cut myself", 0.9}, {"cutting myself", 0.9},
              {"cutting again", 0.9}, {"hurt myself", 0.85}, {"hurting myself", 0.85},
              {"harm myself", 0.9}, {"self-harm", 0.8}, {"self harm", 0.8},
              {"what i might do", 0.85}, {"walk into traffic", 0.9}, {"walking into traffic", 0.9},
              {"jump off", 0.7}, {"at the bridge", 0.75}, {"on the bridge", 0.7},
              {"tonight's the night", 0.8}, {"disappear forever", 0.8}, {"suicidal", 0.9},
              {"suicide", 0.75}, {"done with everything", 0.75}, {"gave my dog", 0.6},
              {"giving away my", 0.6}, {"no point anymore", 0.8}, {"want it all to end", 0.9},
              {"want it to end", 0.8}, {"wish i wasn't here", 0.85}, {"not wake up", 0.8},
              {"never wake up", 0.85}, {"stay on with me", 0.6},
              {"he's outside", 0.5}, {"she's outside", 0.5}, {"outside my door", 0.8},
              {"trying the door", 0.85}, {"banging on the door", 0.85}, {"broke in", 0.8},
              {"breaking in", 0.85}, {"smashed the window", 0.9}, {"locked in the bathroom", 0.9},
              {"hiding in the", 0.8}, {"i'm hiding", 0.8}, {"found where i'm staying", 0.85},
              {"found where i live", 0.85}, {"parked across the street", 0.75},
              {"following me", 0.7}, {"i'm not safe", 0.9}, {"not safe right now", 0.9},
              {"he hit me", 0.85}, {"he's hitting me", 0.95}, {"choked me", 0.9},
              {"call the police", 0.5}, {"call 911", 0.8}, {"please help me", 0.7},
              {"help me please", 0.7}, {"don't want to wake up", 0.9},
              {"never want to wake up", 0.9}, {"rope ready", 0.9}, {"have the rope", 0.85},
              {"tied the rope", 0.9}, {"wasn't here", 0.55}, {"weren't here", 0.55},
              {"if i just disappeared", 0.8},  {"on the roof", 0.6},
              {"can't stop shaking", 0.5}, {"saving up my meds", 0.85},
              {"saving my pills", 0.85}, {"saving up pills", 0.85}, {"stockpiling", 0.7},
              {"tonight's it", 0.7}, {"tonight is the night", 0.8}, {"i'm sorry everyone", 0.55},
              {"sorry for everything", 0.6}, {"goodbye everyone", 0.75}, {"last message", 0.6},
              {"no way out", 0.7}, {"can't take it anymore", 0.75}, {"want to disappear", 0.7},
              {"not worth living", 0.9}, {"life isn't worth", 0.85}, {"ready to go", 0.4},
              {"he's coming", 0.5}, {"he's here", 0.6}, {"he has my", 0.5},
              {"i'm scared", 0.35}, {"so scared", 0.35}, {"easier if i", 0.5},
              {"easier without me", 0.85}, {"better without me", 0.85},
              {"see a way out", 0.8}, {"see a way through", 0.8}, {"no way through", 0.7},
              {"keep myself safe", 0.85}, {"safe from myself", 0.9},
              {"trust myself to stay safe", 0.9}, {"trust myself tonight", 0.8},
              {"ending things", 0.8}, {"end things", 0.75}, {"thinking about ending", 0.85},
              {"thinking of ending", 0.85}, {"i'm a burden", 0.5}, {"such a burden", 0.5},
              {"am a burden", 0.5}, {"burden to everyone", 0.8}, {"if i was gone", 0.8},
              {"if i were gone", 0.8}, {"if i wasn't around", 0.8}, {"if i weren't around", 0.8},
              {"want everything to stop", 0.8}, {"want it all to stop", 0.8},
              {"painless way", 0.9}, {"keep looking at it", 0.35}, {"keep staring at it", 0.4}, {"said goodbye to", 0.45}, {"written my will", 0.6},
              {"wrote my will", 0.6}, {"given the dog", 0.5}, {"given away my", 0.55},
              {"everything's ready", 0.45}, {"everything is ready", 0.45},
              {"don't care what happens to me", 0.75}, {"don't care if i die", 0.9},
              {"don't care if i wake up", 0.9}, {"in front of a train", 0.8},
              {"in front of a bus", 0.8}, {"in front of a truck", 0.8},
              {"step in front of", 0.8}, {"stepping in front of", 0.8},
              {"watching the house", 0.65}, {"watching my house", 0.7},
              {"finish what he started", 0.85}, {"finish what she started", 0.85},
              {"finish the job", 0.6}, {"want it to be over", 0.75},
              {"want it all to be over", 0.85}, {"never been born", 0.85}, {"if i disappeared", 0.6},
              {"if i died", 0.7}, {"nobody would notice", 0.6}, {"nobody would even notice", 0.6},
              {"no one would notice", 0.6}, {"nobody would miss me", 0.85},
              {"no one would miss me", 0.85}, {"reason to keep going", 0.55},
              {"reason to go on", 0.55}, {"reason to stay", 0.45}, {"in the parking lot", 0.3},
              {"in the driveway", 0.35}, {"at my door", 0.6}, {"how many pills", 0.75}, {"lethal dose", 0.85},
              {"how to end it", 0.85}, {"not here tomorrow", 0.8}, {"engine running", 0.6},
              {"in the garage", 0.3}, {"he found me", 0.8}, {"she found me", 0.8},
              {"he's downstairs", 0.7}, {"letters to my kids", 0.5}, {"letter to my kids", 0.5},
              {"letters to my children", 0.5}, {"just in case", 0.3},
              {"talked out of it", 0.7}, {"talk me out of it", 0.75}, {"i have a plan", 0.4},
              {"taking all my pills", 0.9}, {"take all my pills", 0.9}, {"all my pills", 0.7},
              {"all of my pills", 0.7}, {"whole bottle", 0.6}, {"pills at once", 0.8},
              {"don't want to exist", 0.9}, {"stop existing", 0.85}, {"sleep forever", 0.7}},
             0);
  AddPhrases(PhraseKind::kCrisis,
             {{"kill me", 0.9}, {"going to kill me", 0.9}, {"hurt me", 0.8}},
             kNeedsThirdAgent);
  AddPhrases(PhraseKind::kSelfHarmIdiom,
             {{"rather die than", 1}, {"dying at", 1}, {"dying laughing", 1}, {"to die for", 1},
              {"die of embarrassment", 1}, {"die of laughter", 1}, {"living in fear", 1},
              {"go on pretending", 1}, {"keep pretending", 1}},
             0);

  AddPhrases(PhraseKind::kWorkplace,
             {{"works at", 0.75}, {"work at", 0.75}, {"working at", 0.75}, {"manager at", 0.8},
              {"manager of", 0.8}, {"front desk of", 0.8}, {"front desk at", 0.8},
              {"shift at", 0.7}, {"employed at", 0.8}, {"job at", 0.7}, {"cashier at", 0.8},
              {"nurse at", 0.8}, {"teacher at", 0.8}, {"works for", 0.7}, {"i'm at the", 0.6},
              {"find him at", 0.8}, {"find her at", 0.8}, {"find me at", 0.8},
              {"job is at", 0.75}, {"register at", 0.75}, {"works over at", 0.75}, {"works down at", 0.75}},
             0);
}

}  // namespace kith::moderation
