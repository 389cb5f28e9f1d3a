/**
 * What Twilio gets when a webhook fails on our side (D1 or a Durable Object unreachable, a bug):
 * never a JSON 500, which Twilio would answer by playing "an application error has occurred" and
 * hanging up on the caller. A webhook whose answer is a TwiML document gets an apology and a
 * <Redirect> to the same URL, carrying what Twilio sent only with the first request (the digits
 * pressed, the dial's outcome), so the turn runs again; after MAX_WEBHOOK_RETRIES it gets a safe
 * hang-up. A callback whose body Twilio ignores (call status, recording, transcription,
 * conference events) gets 503 with an empty TwiML document: Twilio logs it, and what a lost
 * callback would have changed the contact's session reconciles from its alarm.
 *
 * Refusals stay what they are: a bad or missing signature is 403 and bad input 400, with the
 * API's error body, and nothing changes.
 */
import type { Context } from "hono";
import { sayAndHangup } from "../../durable/voice/twiml";
import { ApiError } from "../../lib/errors";
import { el, response } from "../../twilio/twiml";
import type { AppEnv } from "../env";

/** Redirects a failed document webhook gets before the caller is let go. */
export const MAX_WEBHOOK_RETRIES = 2;

/** The query parameter counting a webhook's retries (covered by the signature like the rest of the query). */
const ATTEMPT = "attempt";

/** Parameters Twilio sends only with the request it retries from: carried in the retry's query. */
const CARRIED = ["Digits", "SpeechResult", "Confidence", "DialCallStatus"] as const;

/** The webhooks whose answer the call runs (TwiML documents), by path under /twilio. */
const DOCUMENTS = new Set(["/voice", "/voice/gather", "/voice/gather-timeout", "/voice/resume", "/voice/dial", "/voice/queue", "/voice/bridge", "/voice/agent"]);

const xml = (c: Context<AppEnv>, twiml: string, status: 200 | 503 = 200) => c.body(twiml, status, { "content-type": "text/xml; charset=utf-8" });

/** What a retried request carried over from the first (see CARRIED): merged under the form's own parameters. */
export function carriedParams(query: Record<string, string>, form: Record<string, string>): Record<string, string> {
  const carried: Record<string, string> = {};
  if (query[ATTEMPT] === undefined) return form;
  for (const k of CARRIED) if (query[k] !== undefined) carried[k] = query[k];
  return { ...carried, ...form };
}

/**
 * The retry's URL: this request's path and query (relative, so Twilio resolves it against the URL
 * it called, which is the one the signature covers) with the attempt counted and the carried
 * parameters added.
 */
function retryUrl(requestUrl: string, form: Record<string, string>, attempt: number): string {
  const u = new URL(requestUrl);
  u.searchParams.set(ATTEMPT, String(attempt));
  for (const k of CARRIED) if (form[k] !== undefined && !u.searchParams.has(k)) u.searchParams.set(k, form[k]);
  return `${u.pathname}${u.search}`;
}

/** A moment's apology, then the same webhook again (`url`: the retry's, see retryUrl). */
export function apologyAndRetry(url: string): string {
  return response(el("Say", {}, "Sorry, one moment please."), el("Pause", { length: 1 }), el("Redirect", { method: "POST" }, url));
}

/** The answer to a webhook that failed (see the top of this file). `form`: Twilio's parameters, if they were read. */
export function webhookFailure(c: Context<AppEnv>, err: unknown, form: Record<string, string> | undefined): Response {
  if (err instanceof ApiError && err.status < 500) {
    return c.json({ error: { code: err.code, message: err.message } }, err.status);
  }
  const path = c.req.path.replace(/^\/twilio/, "");
  const attempt = Number(c.req.query(ATTEMPT) ?? "0") + 1;
  const document = DOCUMENTS.has(path);
  console.error(JSON.stringify({ event: "twilio_webhook_error", path: c.req.path, attempt, error: String(err) }));
  if (!document) return xml(c, response(), 503);
  if (attempt > MAX_WEBHOOK_RETRIES) {
    return xml(c, sayAndHangup("We are sorry, we cannot take your call right now. Please call again later. Goodbye."));
  }
  const url = retryUrl(c.req.url, form ?? {}, attempt);
  return xml(c, apologyAndRetry(url));
}
