// An instance's redaction policy (its settings: src/db/redaction-policy.ts) applied to one text
// before it is stored: on or off, which personal-data types are masked, and whether the text as
// said is kept beside it (sealed, readable only with `transcripts.unredacted`).
import { redact } from "./redaction";
import type { PiiEntity, PiiType } from "./types";

export interface RedactionPolicy {
  /** Mask personal data before a transcript (or anything made from it) is stored. */
  enabled: boolean;
  /** The types masked; null: every type the recogniser knows. */
  types: readonly PiiType[] | null;
  /** Keep an encrypted unredacted copy of each transcript beside the redacted one. */
  keepUnredacted: boolean;
}

/** What a new instance starts with: every type masked, no unredacted copy. */
export const DEFAULT_REDACTION_POLICY: RedactionPolicy = { enabled: true, types: null, keepUnredacted: false };

export interface PolicyRedaction {
  /** What is stored and indexed. */
  text: string;
  /** The text as said, only where something was masked and the policy keeps a copy. */
  original: string | null;
  entities: PiiEntity[];
}

export function redactByPolicy(text: string, policy: RedactionPolicy): PolicyRedaction {
  if (!policy.enabled) return { text, original: null, entities: [] };
  const r = redact(text, policy.types ? { types: policy.types } : {});
  return { text: r.redacted, original: policy.keepUnredacted && r.entities.length ? text : null, entities: r.entities };
}

/**
 * The policy for one contact: the instance's, made stricter where the contact's flow asked for
 * redaction (AnalyticsRedactionBehavior Enabled). A flow turns masking on (every type, if the
 * instance's policy is off) and may refuse the copy as said (`keepOriginal` false); it never turns
 * the instance's masking off or keeps a copy the instance does not keep.
 */
export function contactRedactionPolicy(instance: RedactionPolicy, flow: { keepOriginal: boolean } | undefined): RedactionPolicy {
  if (!flow) return instance;
  return {
    enabled: true,
    types: instance.enabled ? instance.types : null,
    keepUnredacted: instance.keepUnredacted && flow.keepOriginal,
  };
}
