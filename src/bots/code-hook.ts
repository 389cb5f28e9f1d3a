/**
 * Dialog and fulfillment code hooks called as Lex V2 calls its Lambda: the same event (format 1.0)
 * POSTed as JSON to the business's HTTPS endpoint, signed like every call Switchboard makes to a
 * business endpoint (`X-Switchboard-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret,
 * "<t>.<body>")>`), and the Lambda's response format read back. An existing Lex Lambda can be
 * fronted by a function URL or API Gateway that checks the signature.
 */
import { z } from "zod";
import type { SlotValue } from "./slot-values";

export const CODE_HOOK_SIGNATURE_HEADER = "X-Switchboard-Signature";

export type CodeHookConfig = {
  url: string;
  secret: string;
  /** Injected so tests (and the Worker's outbound rules) decide where requests go. */
  fetch: typeof fetch;
  timeoutMs?: number;
};

type LexSlotValue = { originalValue: string; interpretedValue: string; resolvedValues: string[] };
type LexSlot = { shape: "Scalar"; value: LexSlotValue } | { shape: "List"; value: LexSlotValue; values: { shape: "Scalar"; value: LexSlotValue }[] };
export type LexSlots = Record<string, LexSlot | null>;
export type LexIntent = { name: string; slots: LexSlots; state: string; confirmationState: string };
export type LexContext = { name: string; contextAttributes: Record<string, string>; timeToLive: { timeToLiveInSeconds: number; turnsToLive: number } };

export type LexEvent = {
  messageVersion: "1.0";
  invocationSource: "DialogCodeHook" | "FulfillmentCodeHook";
  inputMode: "Text" | "Speech" | "DTMF";
  responseContentType: "text/plain; charset=utf-8";
  sessionId: string;
  inputTranscript: string;
  bot: { id: string; name: string; aliasId: string; aliasName: string; localeId: string; version: string };
  interpretations: { intent: LexIntent; nluConfidence?: { score: number } }[];
  requestAttributes: Record<string, string>;
  sessionState: { sessionAttributes: Record<string, string>; activeContexts: LexContext[]; intent: LexIntent; originatingRequestId: string };
};

const lexValue = (v: { original: string; interpreted: string }): LexSlotValue => ({ originalValue: v.original, interpretedValue: v.interpreted, resolvedValues: [v.interpreted] });
/** Our slots as Lex sends them: a multi-value slot as a List with each value a Scalar. */
export const toLexSlots = (slots: Record<string, SlotValue | null>): LexSlots =>
  Object.fromEntries(
    Object.entries(slots).map(([k, v]): [string, LexSlot | null] => [
      k,
      !v ? null : v.values ? { shape: "List", value: lexValue(v), values: v.values.map((x) => ({ shape: "Scalar", value: lexValue(x) })) } : { shape: "Scalar", value: lexValue(v) },
    ]),
  );

const ValueIn = z.object({ originalValue: z.string().nullish(), interpretedValue: z.string().nullish() }).nullish();
const SlotIn = z.object({ value: ValueIn, values: z.array(z.object({ value: ValueIn })).nullish() }).nullish();

/** What a Lex Lambda answers (unknown fields ignored). */
export const LexResponse = z.object({
  sessionState: z.object({
    sessionAttributes: z.record(z.string(), z.coerce.string()).nullish(),
    activeContexts: z
      .array(z.object({ name: z.string(), contextAttributes: z.record(z.string(), z.string()).nullish(), timeToLive: z.object({ timeToLiveInSeconds: z.number(), turnsToLive: z.number() }) }))
      .nullish(),
    dialogAction: z.object({
      type: z.enum(["Close", "ConfirmIntent", "Delegate", "ElicitIntent", "ElicitSlot"]),
      slotToElicit: z.string().nullish(),
    }),
    intent: z
      .object({
        name: z.string(),
        slots: z.record(z.string(), SlotIn).nullish(),
        state: z.enum(["Failed", "Fulfilled", "FulfillmentInProgress", "InProgress", "ReadyForFulfillment", "Waiting"]).nullish(),
        confirmationState: z.enum(["Confirmed", "Denied", "None"]).nullish(),
      })
      .nullish(),
  }),
  messages: z.array(z.object({ contentType: z.string(), content: z.string().nullish() })).nullish(),
});
export type LexResponse = z.infer<typeof LexResponse>;

/** Slot values a hook returned, in our shape (a null clears the slot). */
export function fromLexSlots(slots: NonNullable<NonNullable<LexResponse["sessionState"]["intent"]>["slots"]>): Record<string, SlotValue | null> {
  return Object.fromEntries(
    Object.entries(slots).map(([k, v]) => {
      const list = (v?.values ?? []).flatMap((x) => {
        const interpreted = x.value?.interpretedValue ?? x.value?.originalValue;
        return interpreted ? [{ original: x.value?.originalValue ?? interpreted, interpreted }] : [];
      });
      if (list.length > 1) return [k, { original: v?.value?.originalValue ?? list.map((x) => x.original).join(" "), interpreted: list.map((x) => x.interpreted).join(", "), values: list }];
      const interpreted = v?.value?.interpretedValue ?? v?.value?.originalValue ?? list[0]?.interpreted;
      return [k, interpreted ? { original: v?.value?.originalValue ?? list[0]?.original ?? interpreted, interpreted } : null];
    }),
  );
}

async function hmacHex(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(message)));
  return [...mac].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export async function signCodeHookBody(secret: string, body: string, timestampSeconds: number): Promise<string> {
  return `t=${timestampSeconds},v1=${await hmacHex(secret, `${timestampSeconds}.${body}`)}`;
}

export class CodeHookError extends Error {}

/** POST the event; the hook's answer, or CodeHookError (not HTTPS, timeout, status, not a Lex response). */
export async function callCodeHook(config: CodeHookConfig, event: LexEvent, now: Date): Promise<LexResponse> {
  let url: URL;
  try {
    url = new URL(config.url);
  } catch {
    throw new CodeHookError("the code hook URL is not a URL");
  }
  if (url.protocol !== "https:") throw new CodeHookError("the code hook URL must be HTTPS");
  const body = JSON.stringify(event);
  const signature = await signCodeHookBody(config.secret, body, Math.floor(now.getTime() / 1000));
  let res: Response;
  try {
    res = await config.fetch(url.toString(), {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", [CODE_HOOK_SIGNATURE_HEADER]: signature },
      body,
      signal: AbortSignal.timeout(config.timeoutMs ?? 3000),
    });
  } catch (err) {
    throw new CodeHookError(`the code hook did not answer (${(err as Error).name === "TimeoutError" ? "timed out" : (err as Error).message})`);
  }
  if (!res.ok) throw new CodeHookError(`the code hook answered HTTP ${res.status}`);
  let json: unknown;
  try {
    json = await res.json();
  } catch {
    throw new CodeHookError("the code hook did not answer JSON");
  }
  const parsed = LexResponse.safeParse(json);
  if (!parsed.success) throw new CodeHookError(`the code hook's answer is not a Lex V2 response: ${parsed.error.issues[0]?.path.join(".")}: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}
