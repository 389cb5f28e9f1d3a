import { env } from "cloudflare:test";
import { createContact } from "../../src/db/contacts";
import { indexContactText } from "../../src/recordings/transcript-search";
import { type RecordingsEnv, storeRecording } from "../../src/recordings/store";
import type { Keyring } from "../../src/lib/crypto";
import { api, db } from "../helpers";

export const renv = env as unknown as RecordingsEnv & Env;

/** A dual-channel 8 kHz μ-law WAV of `seconds` (deterministic pseudo-audio). */
export function wav(seconds: number, seed = 1): Uint8Array {
  const data = 8000 * 2 * seconds;
  const out = new Uint8Array(58 + data);
  const v = new DataView(out.buffer);
  const ascii = (at: number, s: string) => [...s].forEach((ch, i) => (out[at + i] = ch.charCodeAt(0)));
  ascii(0, "RIFF"); v.setUint32(4, 50 + data, true); ascii(8, "WAVE");
  ascii(12, "fmt "); v.setUint32(16, 18, true); v.setUint16(20, 7, true); v.setUint16(22, 2, true);
  v.setUint32(24, 8000, true); v.setUint32(28, 16000, true); v.setUint16(32, 2, true); v.setUint16(34, 8, true); v.setUint16(36, 0, true);
  ascii(38, "fact"); v.setUint32(42, 4, true); v.setUint32(46, data / 2, true);
  ascii(50, "data"); v.setUint32(54, data, true);
  let x = seed;
  for (let i = 58; i < out.length; i++) {
    x = (x * 1664525 + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

export function streamOf(bytes: Uint8Array, chunk = 10_000): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.slice(at, at + chunk));
      at += chunk;
    },
  });
}

export async function newContact(instanceId: string, at?: number, customerEndpoint = "+14155550199") {
  return createContact(db(), env.SWITCHBOARD_SECRET, {
    instanceId, channel: "VOICE", initiationMethod: "INBOUND", customerEndpoint, at,
    attributes: { account: "42-1337", reason: "billing" },
  });
}

/** Every R2 key under a prefix. */
export async function r2Keys(prefix: string): Promise<string[]> {
  const listed = await env.RECORDINGS.list({ prefix });
  return listed.objects.map((o) => o.key);
}

export async function r2Bytes(key: string): Promise<Uint8Array> {
  const obj = await env.RECORDINGS.get(key);
  if (!obj) throw new Error(`no object ${key}`);
  return new Uint8Array(await obj.arrayBuffer());
}

export async function r2Replace(key: string, bytes: Uint8Array) {
  const old = await env.RECORDINGS.head(key);
  await env.RECORDINGS.put(key, bytes, { customMetadata: old?.customMetadata, httpMetadata: old?.httpMetadata });
}

/** Fetches media as raw bytes (the JSON helper cannot read audio). */
export async function media(id: string, token: string, headers: Record<string, string> = {}, query = "") {
  const { SELF } = await import("cloudflare:test");
  const res = await SELF.fetch(`https://switchboard.test/api/v1/recordings/${id}/media${query}`, {
    headers: { authorization: `Bearer ${token}`, "cf-connecting-ip": "203.0.113.9", "user-agent": "test-player/1.0", ...headers },
  });
  return res;
}

/**
 * A chat contact whose transcript was stored and its words indexed with `keys`, as the chat
 * channel does when a chat ends (src/durable/chat/channel.ts) — e.g. with the keyring of before a
 * key change. `lines` are [sender, text]; SYSTEM lines are stored but not indexed.
 */
export async function chatIndexedWith(keys: Keyring, instanceId: string, lines: [from: "CUSTOMER" | "AGENT" | "SYSTEM", text: string][]) {
  const contactId = await createContact(db(), keys, { instanceId, channel: "CHAT", initiationMethod: "INBOUND" });
  const messages = lines.map(([from, text], i) => ({ seq: i + 1, from, text, at: Date.now() }));
  const transcript = { format: "switchboard.chat-transcript/1", instanceId, contactId, endedAt: Date.now(), messages };
  const recording = await storeRecording(renv, {
    instanceId, contactId, kind: "transcript", body: JSON.stringify(transcript), contentType: "application/json", keys,
    externalId: `chat-transcript:${contactId}`,
  });
  await indexContactText(db(), keys, instanceId, contactId, messages.filter((m) => m.from !== "SYSTEM").map((m) => m.text));
  return { contactId, recording };
}

/** The key versions of a contact's search terms, each with how many terms have it. */
export async function termVersions(instanceId: string, contactId: string): Promise<Record<number, number>> {
  const { results } = await env.DB.prepare("SELECT key_version AS v, count(*) AS n FROM contact_search_terms WHERE instance_id = ? AND contact_id = ? GROUP BY key_version")
    .bind(instanceId, contactId)
    .all<{ v: number; n: number }>();
  return Object.fromEntries(results.map((r) => [r.v, r.n]));
}

/** Runs `POST /recordings/rewrap` pass to its end (following `nextCursor`); every page's report, in order. */
export async function rewrapPass(token: string, limit: number, maxCalls = 50) {
  const pages: any[] = [];
  let cursor: string | undefined;
  do {
    const res = await api("POST", "/recordings/rewrap", { token, body: cursor ? { limit, cursor } : { limit } });
    if (res.status !== 200) throw new Error(`rewrap answered ${res.status}: ${JSON.stringify(res.body)}`);
    pages.push(res.body);
    cursor = res.body.nextCursor ?? undefined;
    if (pages.length >= maxCalls) throw new Error(`the pass did not end within ${maxCalls} calls`);
  } while (cursor);
  return pages;
}
