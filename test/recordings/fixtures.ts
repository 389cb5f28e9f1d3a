import { env } from "cloudflare:test";
import { createContact } from "../../src/db/contacts";
import type { RecordingsEnv } from "../../src/recordings/store";
import { db } from "../helpers";

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
