/**
 * Performs an `invoke_external` effect: POSTs the JSON payload to the business's endpoint,
 * signed, within the effect's time limit, and turns the outcome into the `external_result`
 * event that resumes the flow. The only module under src/flows that does I/O.
 *
 * Only a URL under one of the instance's registered endpoints is called, and, unless the Worker
 * runs locally, never a loopback, private or link-local host (src/lib/outbound-url.ts): a flow
 * whose endpoint comes from an attribute cannot be steered at the Worker's own network, not even
 * by a public name that resolves to such an address (`resolveHost`, src/lib/dns-over-https.ts). The
 * answer is read as it streams and given up past MAX_RESPONSE_BYTES.
 *
 * Signature: `X-Switchboard-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
 * The endpoint recomputes it over the raw body and rejects old timestamps (replays).
 */
import ipaddr from "ipaddr.js";
import { endpointRegistered, nonPublicHost } from "../../lib/outbound-url";
import type { Effect, FlowEvent } from "../types";

export const SIGNATURE_HEADER = "X-Switchboard-Signature";
/** The largest answer read; a larger one is an error and its stream is cancelled. */
export const MAX_RESPONSE_BYTES = 256 * 1024;

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
  /** The endpoints the instance's admin registered (`instances.external_endpoints`). */
  allowedEndpoints: readonly string[];
  /** Local development (LOCAL_MODE=true): loopback and private hosts may be called. */
  allowPrivateHosts?: boolean;
  /**
   * Why a host name must not be called once resolved (src/lib/dns-over-https.ts), or null; asked
   * unless private hosts are allowed. Absent: the name alone is judged.
   */
  resolveHost?: (host: string) => Promise<string | null>;
  fetch?: typeof fetch;
  now?: () => number;
};

/** Calls the endpoint and maps every outcome to the resume event: timeout, non-2xx and bad JSON are errors. */
export async function invokeExternal(effect: Extract<Effect, { type: "invoke_external" }>, opts: InvokeOptions): Promise<FlowEvent> {
  const refused = refusal(effect.url, opts) ?? (await resolvedRefusal(effect.url, opts));
  if (refused) return { type: "external_result", ok: false, error: refused };
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
  if (res.status < 200 || res.status > 299) {
    await res.body?.cancel().catch(() => undefined);
    return { type: "external_result", ok: false, error: `HTTP ${res.status}` };
  }
  let text: string;
  try {
    const read = await readCapped(res, MAX_RESPONSE_BYTES);
    if (read === null) return { type: "external_result", ok: false, error: `the answer is larger than ${MAX_RESPONSE_BYTES / 1024} KiB` };
    text = read;
  } catch (err) {
    return { type: "external_result", ok: false, error: `reading the answer failed: ${String((err as Error)?.message ?? err)}` };
  }
  try {
    const json: unknown = JSON.parse(text);
    if (typeof json !== "object" || json === null || Array.isArray(json)) return { type: "external_result", ok: false, error: "bad JSON: the answer must be a JSON object" };
    return { type: "external_result", ok: true, json };
  } catch {
    return { type: "external_result", ok: false, error: "bad JSON: the answer is not JSON" };
  }
}

/** Why this URL may not be called, or null. */
function refusal(target: string, opts: InvokeOptions): string | null {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return `refused: "${target}" is not a URL`;
  }
  if (!endpointRegistered(url, opts.allowedEndpoints)) return `refused: ${url.origin}${url.pathname} is not one of this instance's registered endpoints`;
  if (!opts.allowPrivateHosts) {
    const why = nonPublicHost(url);
    if (why) return `refused: ${why}`;
  }
  return null;
}

/** Why the URL's host name resolves somewhere that may not be called, or null (an address is judged as it is, by `refusal`). */
async function resolvedRefusal(target: string, opts: InvokeOptions): Promise<string | null> {
  if (opts.allowPrivateHosts || !opts.resolveHost) return null;
  const host = new URL(target).hostname.replace(/^\[|\]$/g, "");
  if (ipaddr.isValid(host)) return null;
  const why = await opts.resolveHost(host);
  return why ? `refused: ${why}` : null;
}

/** The body as text, or null once it passes `max` bytes (the rest is not read: the stream is cancelled). */
async function readCapped(res: Response, max: number): Promise<string | null> {
  const declared = Number(res.headers.get("content-length"));
  if (declared > max) {
    await res.body?.cancel().catch(() => undefined);
    return null;
  }
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return new TextDecoder().decode(all);
}
