/**
 * Queued callbacks, as Amazon Connect's flows make them: UpdateContactCallbackNumber sets the
 * number a callback calls (else the customer's own), and CreateCallbackContact makes the
 * callback — a new VOICE contact, initiated CALLBACK, linked to this one, that waits in the
 * working queue (a caller's CUSTOMER_QUEUE flow: their own queue, keeping their place) until an
 * agent accepts it; then Twilio calls the agent and the customer (src/durable/voice/callback.ts).
 */
import { destinationAllowed } from "../../lib/destinations";
import { integer, isReference } from "../values";
import { checkQueueRef, fail, idFromArn, next, WHISPERS, type ActionHandler, type Report } from "./types";

const E164 = /^\+[1-9]\d{6,14}$/;

/** A callback number as typed or stored ("+1 (415) 555-0123" → "+14155550123"), or null when it is not an E.164 number. */
export function callbackNumber(raw: string): string | null {
  const n = raw.replace(/[\s().-]/g, "");
  return E164.test(n) ? n : null;
}

export const UpdateContactCallbackNumber: ActionHandler = {
  type: "UpdateContactCallbackNumber",
  errors: ["InvalidCallbackNumber", "CallbackNumberNotDialable", "NoMatchingError"],
  notIn: WHISPERS,
  check(params, report) {
    const n = params.CallbackNumber;
    if (typeof n !== "string" || !(isReference(n) || callbackNumber(n))) report("CallbackNumber", "must be an E.164 number such as +14155550123, or a reference such as $.StoredCustomerInput");
  },
  run(r) {
    if (r.state.channel !== "VOICE") return fail("NoMatchingError", "a callback number needs a voice contact");
    const given = r.value(r.params.CallbackNumber);
    const number = callbackNumber(given);
    if (!number) return fail("InvalidCallbackNumber", `"${given}" is not an E.164 phone number`);
    // Toll fraud: a callback never calls a number outside the instance's destinations (a caller typed it).
    const destinations = r.ctx.outboundDestinations;
    if (destinations && !destinationAllowed(number, destinations)) {
      return fail("CallbackNumberNotDialable", `${number} is outside the instance's outbound destinations (${destinations.join(", ")})`, { refused: "destination_not_allowed" });
    }
    r.state.callbackNumber = number;
    return next();
  },
};

function checkSeconds(params: Record<string, unknown>, field: string, max: number, report: Report) {
  const v = params[field];
  if (v === undefined || isReference(v)) return;
  const n = integer(v);
  if (n === undefined || n < 0 || n > max) report(field, `must be a whole number from 0 to ${max}`);
}

/** Amazon Connect's defaults for a callback's attempts (the block's "Retry settings"). */
export const CALLBACK_DEFAULTS = { initialDelaySeconds: 0, retryDelaySeconds: 600, maxAttempts: 1 };
/** Attempts at most (Amazon Connect allows up to 10 retries after the first call). */
export const MAX_CALLBACK_ATTEMPTS = 11;

export const CreateCallbackContact: ActionHandler = {
  type: "CreateCallbackContact",
  errors: ["NoMatchingError"],
  notIn: WHISPERS,
  check(params, report) {
    checkQueueRef(params.QueueId, "QueueId", report);
    checkSeconds(params, "InitialCallDelaySeconds", 259_200, report);
    checkSeconds(params, "RetryDelaySeconds", 259_200, report);
    checkSeconds(params, "MaximumConnectionAttempts", MAX_CALLBACK_ATTEMPTS, report);
  },
  run(r) {
    if (r.state.channel !== "VOICE") return fail("NoMatchingError", "a callback needs a voice contact");
    // The block's queue, else the working queue, else (in a CUSTOMER_QUEUE flow) the queue the caller waits in.
    const queueId = r.params.QueueId !== undefined ? idFromArn(r.value(r.params.QueueId)) : (r.state.targetQueueId ?? r.state.queue?.id ?? null);
    if (!queueId) return fail("NoMatchingError", "no working queue is set (use UpdateContactTargetQueue first)");
    if (r.ctx.queues && !r.ctx.queues[queueId]) return fail("NoMatchingError", `queue "${queueId}" does not exist`);
    const given = r.state.callbackNumber ?? r.state.customerEndpoint ?? "";
    const phoneNumber = callbackNumber(given);
    if (!phoneNumber) return fail("NoMatchingError", `no callback number: "${given}" is not an E.164 phone number`);
    const destinations = r.ctx.outboundDestinations;
    if (destinations && !destinationAllowed(phoneNumber, destinations)) {
      return fail("NoMatchingError", `${phoneNumber} is outside the instance's outbound destinations (${destinations.join(", ")})`, { refused: "destination_not_allowed" });
    }
    const seconds = (field: string, fallback: number) => {
      const n = r.params[field] === undefined ? undefined : integer(r.value(r.params[field]));
      return n === undefined || n < 0 ? fallback : n;
    };
    // MaximumConnectionAttempts counts the retries after the first call in Amazon Connect's designer
    // ("0" in an export: call once); our count is of calls in all.
    const retries = seconds("MaximumConnectionAttempts", CALLBACK_DEFAULTS.maxAttempts - 1);
    r.emit({
      type: "create_callback", queueId, phoneNumber,
      initialDelaySeconds: seconds("InitialCallDelaySeconds", CALLBACK_DEFAULTS.initialDelaySeconds),
      retryDelaySeconds: seconds("RetryDelaySeconds", CALLBACK_DEFAULTS.retryDelaySeconds),
      maxAttempts: Math.min(MAX_CALLBACK_ATTEMPTS, retries + 1),
    });
    return { kind: "wait", status: "waiting_effect", pending: { kind: "callback", actionId: r.action.Identifier }, data: { queueId } };
  },
  resume(_r, event, pending) {
    if (event.type !== "callback_result" || pending.kind !== "callback") return { kind: "ignore" };
    if (!event.ok) return fail("NoMatchingError", `the callback could not be created: ${event.error}`);
    return next({ callbackContactId: event.contactId });
  },
};
