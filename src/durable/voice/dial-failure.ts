/**
 * Why an agent's outbound call was never connected, in the two forms it is kept: a disconnect
 * reason for the contact record (Amazon Connect's names for outbound calls that fail) and a
 * sentence for the agent's workspace. Pure: no I/O.
 */
import { TwilioApiError } from "../../twilio/rest";

export type DialFailure = {
  /** The contact record's disconnect reason. */
  reason: string;
  /** What the agent reads. */
  message: string;
  /** Twilio's CallStatus for the customer's leg, when it got that far. */
  status?: string;
};

/** The customer's leg ended without being answered (its final CallStatus). */
export function notAnsweredFailure(status: string): DialFailure {
  switch (status) {
    case "busy":
      return { reason: "TELECOM_BUSY", message: "Busy: the customer's line was busy", status };
    case "no-answer":
      return { reason: "TELECOM_UNANSWERED", message: "No answer: the customer did not pick up", status };
    case "canceled":
      return { reason: "OUTBOUND_ATTEMPT_FAILED", message: "The call was cancelled before the customer answered", status };
    default:
      return { reason: "OUTBOUND_DESTINATION_ENDPOINT_ERROR", message: `The call could not be connected: Twilio says the call ${status}`, status };
  }
}

/**
 * Placing the call through Twilio's REST API failed. `permanent`: retrying cannot help (Twilio
 * refused the request: a bad number, a caller id it will not use, wrong credentials), so the agent
 * is told at once; otherwise (5xx, 429, unreachable) after the last quick retry.
 */
export function restFailure(err: unknown, apiBaseUrl: string): DialFailure & { permanent: boolean } {
  if (err instanceof TwilioApiError) {
    const permanent = err.status >= 400 && err.status < 500 && err.status !== 429;
    const detail = err.message.replace(/^Twilio \S+ \S+: \d+ ?/, "");
    return {
      reason: permanent ? "OUTBOUND_DESTINATION_ENDPOINT_ERROR" : "OUTBOUND_ATTEMPT_FAILED",
      message: `The call could not be placed: Twilio answered ${err.status}${detail ? ` (${detail})` : ""}`,
      permanent,
    };
  }
  const local = !/^https:\/\/api\.twilio\.com\/?$/.test(apiBaseUrl);
  return {
    reason: "OUTBOUND_ATTEMPT_FAILED",
    message: local
      ? `The call could not be placed: Twilio's API (the phone simulator in local mode) is not reachable at ${apiBaseUrl}: run \`npm run phone -- serve\``
      : `The call could not be placed: Twilio's API is not reachable (${err instanceof Error ? err.message : String(err)})`,
    permanent: false,
  };
}

/** Carries a dial failure from the action that met it to the session's give-up (./actions.ts). */
export class DialError extends Error {
  constructor(readonly failure: DialFailure) {
    super(failure.message);
  }
}
