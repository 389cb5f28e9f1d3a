// Contact-center words for the AFINN lexicon the `sentiment` package carries: what callers say
// when things go wrong ("on hold", "disconnected", "overcharged") scores negative, what they say
// when it is sorted ("fixed", "resolved") positive, and the courtesy and request words of a
// service call ("please", "I'd like", "help", "yes", "no", "sorry") carry no sentiment of their own.
export const CONTACT_CENTER_WORDS: Record<string, number> = {
  // courtesy, requests and answers: neutral on a service line
  please: 0, like: 0, want: 0, help: 0, yes: 0, no: 0, pay: 0, sorry: 0, apologize: 0, apologise: 0,
  joke: -2, free: 0, top: 0, charged: -1, fine: 1, worry: 0, worried: -1, cancel: 0, kind: 1, bother: 0,
  sure: 0, ok: 0, use: 0, answer: 0, response: 0, reply: 0, one: 0, callback: 0, service: 0, signal: 0, internet: 0, power: 0, idea: 0, clue: 0, okay: 0, well: 0, hope: 0, hoping: 0, please_hold: 0, care: 0, pretty: 0,
  // things going wrong
  still: -1, waiting: -1, waited: -2, hold: 0, never: -1, promised: -1, fix: 1, crashing: -2, locked: -2, unfair: -2, cold: -1, overcharged: -3, disconnected: -2, dropped: -2, transferred: -1,
  late: -1, delayed: -2, again: -1, incorrect: -2, wrong: -2, fee: -1, fees: -1, outage: -2,
  missing: -2, escalate: -2, supervisor: -1, manager: -1, nightmare: -3, unacceptable: -3,
  refund: 0, broke: -2, broken: -2, twice: -1, crashed: -2, crashes: -2, unusable: -3, slow: -2,
  "doesn't": 0, hassle: -2, seriously: -1, useless: -3, incompetent: -3, scam: -3, ripoff: -3,
  ignored: -2, excuse: -1, excuses: -2, nobody: -1, sick: -2, tired: -2, fed: -1, complain: -2,
  canceling: -1, cancelling: -1, charging: -1, overdraft: -2, declined: -2, denied: -2, fault: -2,
  failed: -2, fails: -2, failing: -2, stuck: -2, confusing: -2, confused: -2, hours: -1, forever: -2,
  // things sorted
  resolved: 3, fixed: 3, sorted: 2, solved: 3, works: 2, working: 1, quickly: 1, quick: 1, fast: 1,
  smooth: 2, patient: 2, friendly: 2, professional: 2, lifesaver: 3, appreciated: 2, thankful: 3,
  grateful: 3, helped: 2, refunded: 2, credited: 2, wonderful: 4, brilliant: 4, delighted: 4,
};

/** Words that turn the sentiment of a word up to three words after them. */
export const NEGATORS = new Set(
  "not no never nothing nobody none neither nor hardly barely without cannot cant can't dont don't doesnt doesn't didnt didn't isnt isn't wasnt wasn't arent aren't werent weren't wont won't wouldnt wouldn't couldnt couldn't shouldnt shouldn't havent haven't hasnt hasn't hadnt hadn't aint ain't".split(" "),
);

/** Neutral words that "no" makes a complaint: "no help", "no answer", "no one called". */
export const NO_WHAT = new Set(["help", "use", "answer", "response", "reply", "one", "callback", "service", "signal", "internet", "power", "idea", "clue"]);

/** Words that turn the next word's sentiment up. */
export const INTENSIFIERS: Record<string, number> = {
  very: 1.5, really: 1.4, so: 1.3, extremely: 1.8, absolutely: 1.7, totally: 1.5, completely: 1.5,
  incredibly: 1.7, super: 1.5, truly: 1.4, most: 1.3, too: 1.3, utterly: 1.8,
};
