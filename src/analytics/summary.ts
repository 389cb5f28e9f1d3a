// The embedded engine's extractive summary: the few turns that carry the most of what the
// conversation is about (its most frequent content words), with a lift for the customer's
// statement of the issue and the agent's stated outcome, in the order they were said.

const STOP = new Set(
  "a an the and or but so if then of to in on at by for with from as is are was were be been being am i you he she it we they me my your our their this that these those do does did have has had will would can could should may might must not no yes ok okay um uh just really very please thanks thank hi hello bye there here what when where who how why which all any some one about out up down over again also too now well oh yeah sure right let get got go going know like want need its it's i'm i've i'll you're that's don't can't".split(" "),
);
const ISSUE = /\b(calling (?:about|because)|problem|issue|not working|broken|charged|wrong|cancel|refund|missing|never arrived|need to|want to|trying to)\b/i;
const OUTCOME = /\b(i've|i have|i will|i'll|we'll|we will|has been|refund(?:ed)?|credit(?:ed)?|fixed|resolved|sent|scheduled|updated|cancelled|reset)\b/i;

export interface SummaryTurn {
  speaker: string;
  text: string;
}

export const words = (text: string) => text.toLowerCase().match(/[a-z][a-z']+/g)?.filter((w) => !STOP.has(w) && w.length > 2) ?? [];

export function extractiveSummary(turns: SummaryTurn[], isCustomer: (speaker: string) => boolean, count = 3): string {
  const frequency = new Map<string, number>();
  for (const t of turns) for (const w of new Set(words(t.text))) frequency.set(w, (frequency.get(w) ?? 0) + 1);
  const scored = turns.map((t, index) => {
    const ws = words(t.text);
    let score = ws.length ? ws.reduce((sum, w) => sum + (frequency.get(w) ?? 0), 0) / Math.sqrt(ws.length) : 0;
    if (isCustomer(t.speaker) && ISSUE.test(t.text)) score *= 2;
    if (!isCustomer(t.speaker) && OUTCOME.test(t.text)) score *= 1.5;
    return { index, score, t };
  });
  return scored
    .filter((s) => s.score > 0)
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, count)
    .sort((a, b) => a.index - b.index)
    .map((s) => `${s.t.speaker}: ${s.t.text}`)
    .join(" ");
}

const ISSUE_MAX = 160;

/**
 * The customer's statements of what is wrong (the issue words above), each cut to a sentence, the
 * first `count` in the order they were said: what Contact Lens lists as the contact's issues.
 */
export function detectIssues(turns: SummaryTurn[], isCustomer: (speaker: string) => boolean, count = 3): string[] {
  const found: string[] = [];
  for (const t of turns) {
    if (!isCustomer(t.speaker)) continue;
    for (const sentence of t.text.split(/(?<=[.!?])\s+/)) {
      if (!ISSUE.test(sentence)) continue;
      const s = sentence.trim();
      const issue = s.length > ISSUE_MAX ? `${s.slice(0, ISSUE_MAX - 1)}…` : s;
      if (!found.includes(issue)) found.push(issue);
      if (found.length === count) return found;
    }
  }
  return found;
}

/** The content words said most often across the conversation (masked types left out), most frequent first. */
export function keyPhrases(turns: SummaryTurn[], count = 8): string[] {
  const frequency = new Map<string, number>();
  for (const t of turns) {
    // "[CREDIT_DEBIT_NUMBER]" is a mask, not a word the caller said.
    for (const w of words(t.text.replace(/\[[A-Z_]+\]/g, " "))) frequency.set(w, (frequency.get(w) ?? 0) + 1);
  }
  return [...frequency]
    .filter(([, n]) => n > 1)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, count)
    .map(([w]) => w);
}
