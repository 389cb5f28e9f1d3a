/**
 * Every Twilio webhook is checked before anything else happens: the body is size-limited and
 * parsed as a form, the instance is found (from `To` for a new call, from the `instance` query
 * parameter on URLs the Worker generated — the signature covers the query), and
 * X-Twilio-Signature is verified with the instance's auth token against the URL built from the
 * instance's configured public base URL (never from Host or X-Forwarded-* headers).
 */
import type { Context } from "hono";
import { getExpectedTwilioSignature, validateRequest } from "twilio/lib/webhooks/webhooks";
import type { TwilioInstance } from "../../db/twilio-instances";
import type { AppEnv } from "../env";
import { timingSafeEqualString } from "../../lib/crypto";
import { ApiError } from "../../lib/errors";
import { BODY_LIMITS } from "../body-limits";

export const MAX_WEBHOOK_BYTES = BODY_LIMITS[0].maxBytes;

export type VerifiedWebhook = { instance: TwilioInstance; params: Record<string, string>; url: string };

/** Twilio's form parameters (app.ts's bodyLimit has already refused a body over MAX_WEBHOOK_BYTES). */
export async function readForm(c: Context<AppEnv>): Promise<Record<string, string>> {
  const buf = await c.req.arrayBuffer();
  if (c.req.method === "GET") return Object.fromEntries(new URL(c.req.url).searchParams);
  return Object.fromEntries(new URLSearchParams(new TextDecoder().decode(buf)));
}

/** The URL Twilio signed: the configured public base URL + this request's path and query. */
export function signedUrl(instance: TwilioInstance, requestUrl: string): string {
  const u = new URL(requestUrl);
  return `${instance.publicBaseUrl.replace(/\/$/, "")}${u.pathname}${u.search}`;
}

/**
 * Twilio's signature over the exact URL the instance is configured with (what Twilio signs), then,
 * only if that fails, twilio's full check, which also tries the URL with and without its port and
 * in escaped forms. A base URL with a port (every local run) would otherwise cost every webhook
 * two HMACs: the full check tries the URL without its port first.
 */
function signatureValid(authToken: string, signature: string, url: string, params: Record<string, string>): boolean {
  return timingSafeEqualString(signature, getExpectedTwilioSignature(authToken, url, params)) || validateRequest(authToken, signature, url, params);
}

/** 403 unless the request carries a valid signature for this instance. */
export function assertSignature(c: Context<AppEnv>, instance: TwilioInstance, params: Record<string, string>): string {
  const signature = c.req.header("x-twilio-signature");
  const url = signedUrl(instance, c.req.url);
  const signedParams = c.req.method === "GET" ? {} : params;
  if (!signature || !signatureValid(instance.authToken, signature, url, signedParams)) {
    console.warn(JSON.stringify({ event: "twilio_signature_rejected", instanceId: instance.id, path: new URL(c.req.url).pathname }));
    throw new ApiError(403, "invalid_signature", "X-Twilio-Signature is missing or does not match");
  }
  if (params.AccountSid && params.AccountSid !== instance.accountSid) {
    throw new ApiError(403, "invalid_signature", "The request is for another Twilio account");
  }
  return url;
}
