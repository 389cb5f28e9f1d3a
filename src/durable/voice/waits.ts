/**
 * What a voice action throws when it cannot run yet, though nothing has gone wrong. The
 * contact's work loop (../contact-work.ts) tells these from failures.
 */

/** Not due yet: run again at `at`, its attempts untouched. */
export class NotYet extends Error {
  constructor(readonly at: number, reason: string) {
    super(reason);
  }
}

/**
 * The call's conference is not there yet for this action (nobody has joined, or the agent's leg
 * is still on its way in): retried with the usual backoff, and again as soon as someone joins
 * (WAIT_FOR_CONFERENCE). Logged as a wait, not as a failure.
 */
export class ConferenceNotReady extends Error {}
