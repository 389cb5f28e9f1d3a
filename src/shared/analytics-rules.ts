// A conversation-analytics rule, as Contact Lens has them: when every condition holds, the contact
// is tagged with the rule's category. Shared with the browser (the console's rules screen).
//
// Conditions (all must hold):
//  - WORDS: any or all of some words/phrases, said by the CUSTOMER, the AGENT or EITHER, in the
//    whole contact or its first/last N seconds; with `within`, all the phrases inside one turn no
//    more than N words apart. Matching ignores case, punctuation and simple plurals.
//  - SENTIMENT: the customer's or agent's score (-1…+1) over the contact (OVERALL) or in any one
//    turn (ANY_TURN) below and/or above a threshold.
//  - NON_TALK: a silence longer than N seconds between two turns.
// Filters: only contacts of these queues / handled by these agents (empty: any).
// `live`: evaluated as the contact goes on (voice transcription, chat messages) and alerts
// supervisors on the dashboard when it first matches; every rule also runs after the contact.
import { z } from "zod";

export const RULE_SPEAKERS = ["CUSTOMER", "AGENT", "EITHER"] as const;
export type RuleSpeaker = (typeof RULE_SPEAKERS)[number];

const Phrase = z.string().trim().min(1).max(200).refine((p) => /[\p{L}\p{N}]/u.test(p), "must contain a letter or a digit");

/** Which part of the contact a condition looks at: the first or last N seconds, or all of it (absent). */
export const RulePart = z.object({
  from: z.enum(["START", "END"]),
  seconds: z.number().int().min(1).max(86_400),
}).strict();

export const WordsCondition = z.object({
  type: z.literal("WORDS"),
  phrases: z.array(Phrase).min(1).max(50),
  match: z.enum(["ANY", "ALL"]).default("ANY"),
  /** All the phrases in one turn, at most this many words apart (only with match ALL). */
  within: z.number().int().min(0).max(100).nullable().default(null),
  speaker: z.enum(RULE_SPEAKERS).default("EITHER"),
  part: RulePart.nullable().default(null),
}).strict().refine((c) => c.within === null || c.match === "ALL", { message: "within: needs match ALL", path: ["within"] });

export const SentimentCondition = z.object({
  type: z.literal("SENTIMENT"),
  speaker: z.enum(["CUSTOMER", "AGENT"]),
  scope: z.enum(["OVERALL", "ANY_TURN"]).default("OVERALL"),
  below: z.number().min(-1).max(1).nullable().default(null),
  above: z.number().min(-1).max(1).nullable().default(null),
}).strict()
  .refine((c) => c.below !== null || c.above !== null, { message: "below or above: give at least one", path: ["below"] })
  .refine((c) => c.below === null || c.above === null || c.above < c.below, { message: "above: must be less than below", path: ["above"] });

export const NonTalkCondition = z.object({
  type: z.literal("NON_TALK"),
  /** A silence between two turns longer than this. */
  seconds: z.number().int().min(1).max(3600),
}).strict();

export const RuleCondition = z.union([WordsCondition, SentimentCondition, NonTalkCondition]);
export type RuleCondition = z.infer<typeof RuleCondition>;
export type WordsCondition = z.infer<typeof WordsCondition>;
export type SentimentCondition = z.infer<typeof SentimentCondition>;

export const CATEGORY_NAME = /^[\p{L}\p{N}][\p{L}\p{N} _.\-/&]*$/u;
export const CategoryName = z.string().trim().min(1).max(100).regex(CATEGORY_NAME, "letters, digits, spaces and _ . - / &");

/** What a rule says, without its id and bookkeeping. */
export const RuleBody = z.object({
  category: CategoryName,
  live: z.boolean().default(false),
  conditions: z.array(RuleCondition).min(1).max(20),
  queueIds: z.array(z.string().min(1).max(64)).max(100).default([]),
  agentIds: z.array(z.string().min(1).max(64)).max(100).default([]),
}).strict();
export type RuleBody = z.infer<typeof RuleBody>;

/** A rule as the matcher takes it. */
export type AnalyticsRule = RuleBody & { id: string };

/** One rule matched on a contact. */
export interface CategoryMatch {
  category: string;
  ruleId: string;
  /** Indexes of the turns that made the rule match (words said, a turn's sentiment, the turn after a silence). */
  turns: number[];
}

/** A category on a contact, on the wire (API, dashboard alert). */
export interface ContactCategory {
  category: string;
  ruleId: string;
  matchedAt: string;
  source: "LIVE" | "POST_CONTACT";
}
