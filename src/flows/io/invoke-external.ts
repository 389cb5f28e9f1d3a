/**
 * Performs an `invoke_external` effect: POSTs the JSON payload to the business's endpoint,
 * signed, within the effect's time limit, and turns the outcome into the `external_result`
 * event that resumes the flow. The only module under src/flows that does I/O.
 *
 * Signature: `X-Switchboard-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
 * The endpoint recomputes it over the raw body and rejects old timestamps (replays).
 */
import type { Effect, FlowEvent } from "../types";

export const SIGNATURE_HEADER = "X-Switchboard-Signature";
const MAX_RESPONSE_BYTES = 32 * 1024;

const hex = (buf: ArrayBuffer) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");

async function hmac(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return hex(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(message)));
}

export async function signatureHeader(secret: string, body: string, timestampSeconds: number): Promise<string> {
  return `t=${timestampSeconds},v1=${await hmac(secret, `${timestampSeconds}.${body}`)}`;
}

/** For endpoint authors (and tests): checks a signature header in constant time. */
export async function verifySignature(secret: string, body: string, header: string | null, nowSeconds: number, toleranceSeconds = 300): Promise<boolean> {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? "");
  if (!m) return false;
  const t = Number(m[1]);
  if (Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = await hmac(secret, `${t}.${body}`);
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ m[2].charCodeAt(i);
  return diff === 0;
}

export type InvokeOptions = {
  /** The instance's signing secret for external endpoints. */
  secret: string;
  fetch?: typeof fetch;
  now?: () => number;
};

/** Calls the endpoint and maps every outcome to the resume event: timeout, non-2xx and bad JSON are errors. */
export async function invokeExternal(effect: Extract<Effect, { type: "invoke_external" }>, opts: InvokeOptions): Promise<FlowEvent> {
  const body = JSON.stringify(effect.payload);
  const ts = Math.floor((opts.now?.() ?? Date.now()) / 1000);
  const doFetch = opts.fetch ?? fetch;
  let res: Response;
  try {
    res = await doFetch(effect.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", [SIGNATURE_HEADER]: await signatureHeader(opts.secret, body, ts) },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(Math.min(8, effect.timeoutSeconds) * 1000),
    });
  } catch (err) {
    const name = (err as Error)?.name;
    const timedOut = name === "TimeoutError" || name === "AbortError";
    return { type: "external_result", ok: false, error: timedOut ? `timeout: no answer within ${effect.timeoutSeconds} s` : `request failed: ${String((err as Error)?.message ?? err)}` };
  }
  let text: string;
  try {
    text = await res.text();
  } catch (err) {
    return { type: "external_result", ok: false, error: `reading the answer failed: ${String((err as Error)?.message ?? err)}` };
  }
  if (res.status < 200 || res.status > 299) return { type: "external_result", ok: false, error: `HTTP ${res.status}` };
  if (text.length > MAX_RESPONSE_BYTES) return { type: "external_result", ok: false, error: "the answer is larger than 32 KB" };
  try {
    const json: unknown = JSON.parse(text);
    if (typeof json !== "object" || json === null || Array.isArray(json)) return { type: "external_result", ok: false, error: "bad JSON: the answer must be a JSON object" };
    return { type: "external_result", ok: true, json };
  } catch {
    return { type: "external_result", ok: false, error: "bad JSON: the answer is not JSON" };
  }
}
