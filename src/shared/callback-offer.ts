/**
 * A queue's own callback offer (the queue setting `offerCallback`), for a queue with no
 * CUSTOMER_QUEUE flow: once a caller has waited `afterSeconds`, the default queue experience
 * tells them to press `key` to be called back instead, keeping their place. The callback it makes
 * is CreateCallbackContact's: `retries` more calls after an unanswered one, `retryIntervalSeconds` apart.
 */
export type CallbackOffer = {
  /** The key the caller presses: 0–9, * or #. */
  key: string;
  /** Seconds the caller has waited in the queue before the offer is made (0: at once). */
  afterSeconds: number;
  /** Calls after the first one unanswered (Amazon Connect's "Maximum number of retries"). */
  retries: number;
  /** Seconds between unanswered calls. */
  retryIntervalSeconds: number;
};

export const CALLBACK_OFFER_KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "*", "#"] as const;
export const CALLBACK_OFFER_DEFAULTS: CallbackOffer = { key: "1", afterSeconds: 60, retries: 1, retryIntervalSeconds: 600 };
export const CALLBACK_OFFER_LIMITS = { afterSeconds: 3600, retries: 10, retryIntervalSeconds: { min: 60, max: 86_400 } } as const;
