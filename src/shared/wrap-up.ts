/**
 * Wrap-up codes (Amazon Connect's dispositions): the short outcome an agent chooses in after
 * contact work, stored on the contact record (`disposition`) for search and reports. A queue may
 * list its own codes; a contact of a queue with none (or of an agent's personal queue) may take
 * any code the instance uses. Shared by the Worker (which checks a saved code) and the web app.
 */

/** The codes offered when no queue lists its own. */
export const DEFAULT_WRAP_UP_CODES = ["Resolved", "Follow-up needed", "Callback requested", "Escalated", "Sale", "No resolution", "Wrong number"];

export const MAX_WRAP_UP_CODES = 50;
export const MAX_WRAP_UP_CODE_LENGTH = 100;

/**
 * The codes an agent may choose for a contact of a queue: the queue's own when it lists some,
 * else every code of the instance (the defaults, then each queue's, each once).
 */
export function wrapUpChoices(queueCodes: readonly string[] | null | undefined, allQueues: readonly { wrapUpCodes?: readonly string[] | null }[]): string[] {
  if (queueCodes?.length) return [...queueCodes];
  return [...new Set([...DEFAULT_WRAP_UP_CODES, ...allQueues.flatMap((q) => q.wrapUpCodes ?? [])])];
}
