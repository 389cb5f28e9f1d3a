import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { HEADER_SIZE, parseHeader } from "../../src/recordings/envelope";
import { storeRecording } from "../../src/recordings/store";
import { makeKeyring } from "../../src/lib/crypto";
import { api, demoAdmin, demoAgent, demoSupervisor, DEMO, otherInstance } from "../helpers";
import { media, newContact, r2Bytes, r2Keys, r2Replace, renv, streamOf, wav } from "./fixtures";

const SEG = 64 * 1024;

describe("recording playback through the API", () => {
  let admin: string;
  let supervisor: string;
  let contactId: string;
  let audio: Uint8Array;
  let recId: string;
  let r2Key: string;

  beforeAll(async () => {
    admin = await demoAdmin();
    supervisor = await demoSupervisor();
    contactId = await newContact(DEMO.instanceId);
    audio = wav(20); // 320 KB: five 64 KiB segments and a ragged last one
    const row = await storeRecording(renv, {
      instanceId: DEMO.instanceId, contactId, body: streamOf(audio), length: audio.length,
      contentType: "audio/wav", externalId: "RE-round-trip", durationSeconds: 20, channels: 2,
    });
    recId = row.id;
    r2Key = row.r2Key;
  });

  it("stores the object encrypted under the current key version, never as plaintext", async () => {
    expect(r2Key).toBe(`${DEMO.instanceId}/recordings/${contactId}/${recId}`);
    const stored = await r2Bytes(r2Key);
    expect(new TextDecoder().decode(stored.subarray(0, 4))).toBe("SBRE");
    expect(parseHeader(stored).keyVersion).toBe(2);
    expect(stored.length).toBe(HEADER_SIZE + audio.length + 16 * Math.ceil(audio.length / SEG));
    const head = await env.RECORDINGS.head(r2Key);
    expect(head?.customMetadata).toMatchObject({ keyVersion: "2", plaintextLength: String(audio.length), contentType: "audio/wav" });
    expect(head?.customMetadata?.algorithm).toMatch(/AES-256-GCM/);
    // No 64-byte run of the audio appears in what R2 holds.
    const needle = Array.from(audio.subarray(1000, 1064)).join(",");
    expect(Array.from(stored).join(",").includes(needle)).toBe(false);
  });

  it("lists the contact's recordings for a supervisor with recordings.listen", async () => {
    const res = await api("GET", `/contacts/${contactId}/recordings`, { token: supervisor });
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      expect.objectContaining({ id: recId, kind: "recording", sizeBytes: audio.length, durationSeconds: 20, channels: 2, contentType: "audio/wav", mediaUrl: `/api/v1/recordings/${recId}/media` }),
    ]);
  });

  it("plays the whole recording (200) and writes who, what, when and from where to the audit log", async () => {
    const res = await media(recId, supervisor);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("audio/wav");
    expect(res.headers.get("accept-ranges")).toBe("bytes");
    expect(res.headers.get("content-length")).toBe(String(audio.length));
    expect(res.headers.get("cache-control")).toContain("no-store");
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(audio);
    const log = await api("GET", "/audit-log?resourceType=recording&limit=5", { token: admin });
    const play = log.body.items.find((e: any) => e.action === "play" && e.resourceId === recId);
    expect(play).toMatchObject({ userId: "demo:user:carol", ip: "203.0.113.9", userAgent: "test-player/1.0", details: { contactId, range: null, bytes: audio.length } });
    expect(Date.now() - Date.parse(play.at)).toBeLessThan(60_000);
  });

  it("serves byte ranges with 206 and Content-Range, across segment boundaries, suffix and open-ended", async () => {
    const L = audio.length;
    for (const [header, s, e] of [
      ["bytes=0-1", 0, 1],
      [`bytes=${SEG - 10}-${SEG + 10}`, SEG - 10, SEG + 10],
      ["bytes=100000-250000", 100000, 250000],
      [`bytes=${L - 100}-`, L - 100, L - 1],
      ["bytes=-500", L - 500, L - 1],
      [`bytes=${L - 5}-${L + 1000}`, L - 5, L - 1],
    ] as const) {
      const res = await media(recId, supervisor, { range: header });
      expect(res.status, header).toBe(206);
      expect(res.headers.get("content-range")).toBe(`bytes ${s}-${e}/${L}`);
      expect(res.headers.get("content-length")).toBe(String(e - s + 1));
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(audio.slice(s, e + 1));
    }
    const bad = await media(recId, supervisor, { range: `bytes=${L}-` });
    expect(bad.status).toBe(416);
    expect(bad.headers.get("content-range")).toBe(`bytes */${L}`);
  });

  it("logs a download as a download, with the range", async () => {
    const res = await media(recId, supervisor, { range: "bytes=0-99" }, "?download=1");
    expect(res.status).toBe(206);
    expect(res.headers.get("content-disposition")).toMatch(/^attachment;/);
    await res.arrayBuffer();
    const log = await api("GET", "/audit-log?resourceType=recording&limit=5", { token: admin });
    expect(log.body.items[0]).toMatchObject({ action: "download", resourceId: recId, userId: "demo:user:carol", details: { range: "bytes=0-99", bytes: 100 } });
  });

  it("refuses an agent without recordings.listen (403), for listing and for media", async () => {
    const agent = await demoAgent();
    expect((await api("GET", `/contacts/${contactId}/recordings`, { token: agent })).status).toBe(403);
    const res = await media(recId, agent);
    expect(res.status).toBe(403);
    expect((await res.json<any>()).error.code).toBe("forbidden");
  });

  it("answers 404 to another instance, exactly as for a missing recording, and logs no playback", async () => {
    const other = await otherInstance();
    const foreign = await media(recId, other.token);
    const missing = await media("no-such-recording", other.token);
    expect(foreign.status).toBe(404);
    expect(await foreign.json()).toEqual(await missing.json());
    expect((await api("GET", `/contacts/${contactId}/recordings`, { token: other.token })).status).toBe(404);
    const log = await api("GET", "/audit-log?resourceType=recording", { token: other.token });
    expect(log.body.items.filter((e: any) => e.action === "play")).toEqual([]);
  });

  it("is idempotent on the Twilio RecordingSid: a retried callback returns the same row, one object", async () => {
    const again = await storeRecording(renv, {
      instanceId: DEMO.instanceId, contactId, body: audio, contentType: "audio/wav", externalId: "RE-round-trip",
    });
    expect(again.id).toBe(recId);
    expect(await r2Keys(`${DEMO.instanceId}/recordings/${contactId}/`)).toEqual([r2Key]);
  });

  it("stores chat transcripts the same way (kind transcript)", async () => {
    const transcript = JSON.stringify({ messages: [{ from: "customer", text: "my card number is 4111…" }] });
    const row = await storeRecording(renv, { instanceId: DEMO.instanceId, contactId, kind: "transcript", body: transcript, contentType: "application/json" });
    expect(row.r2Key).toBe(`${DEMO.instanceId}/transcripts/${contactId}/${row.id}`);
    expect(new TextDecoder().decode(await r2Bytes(row.r2Key))).not.toContain("card number");
    const res = await media(row.id, supervisor);
    expect(await res.text()).toBe(transcript);
    expect(res.headers.get("content-type")).toBe("application/json");
  });

  it("refuses to store for a contact of another instance", async () => {
    const other = await otherInstance();
    await expect(storeRecording(renv, { instanceId: other.instanceId, contactId, body: audio, contentType: "audio/wav" })).rejects.toThrow(/Contact not found/);
  });
});

describe("tampered objects fail closed at the API: no plaintext, an error, an audit entry", () => {
  let supervisor: string;
  let admin: string;
  const audio = wav(12, 3);
  const store = async (contactId: string, instanceId: string = DEMO.instanceId) =>
    storeRecording(renv, { instanceId, contactId, body: streamOf(audio), length: audio.length, contentType: "audio/wav" });

  beforeAll(async () => {
    supervisor = await demoSupervisor();
    admin = await demoAdmin();
  });

  async function expectRefused(id: string, range?: string) {
    const res = await media(id, supervisor, range ? { range } : {});
    expect(res.status).toBe(500);
    const body = await res.json<any>();
    expect(body.error.code).toBe("integrity_check_failed");
  }

  it("a flipped byte in the first segment or the header: 500 before any byte", async () => {
    const contactId = await newContact(DEMO.instanceId);
    const a = await store(contactId);
    const bytes = await r2Bytes(a.r2Key);
    bytes[HEADER_SIZE + 10] ^= 1;
    await r2Replace(a.r2Key, bytes);
    await expectRefused(a.id);
    const b = await store(contactId);
    const hb = await r2Bytes(b.r2Key);
    hb[40] ^= 1; // wrapped key block
    await r2Replace(b.r2Key, hb);
    await expectRefused(b.id);
    await expectRefused(b.id, "bytes=100000-100100");
    const log = await api("GET", "/audit-log?resourceType=recording&limit=3", { token: admin });
    expect(log.body.items[0]).toMatchObject({ action: "play_refused", resourceId: b.id });
  });

  it("a flipped byte in a middle segment: a range over it is refused; a full play never completes and serves only authentic bytes", async () => {
    const contactId = await newContact(DEMO.instanceId);
    const long = wav(120, 5); // 1.9 MB: 30 segments
    const r = await storeRecording(renv, { instanceId: DEMO.instanceId, contactId, body: streamOf(long, 65_000), length: long.length, contentType: "audio/wav" });
    const bytes = await r2Bytes(r.r2Key);
    bytes[HEADER_SIZE + 25 * (SEG + 16) + 100] ^= 0x80; // segment 25
    await r2Replace(r.r2Key, bytes);
    await expectRefused(r.id, `bytes=${25 * SEG + 5}-${25 * SEG + 50}`);
    // Segments before it are intact and still play.
    const ok = await media(r.id, supervisor, { range: "bytes=0-999" });
    expect(new Uint8Array(await ok.arrayBuffer())).toEqual(long.slice(0, 1000));
    // A full play: refused up front, or cut off at the damaged segment — never completed.
    const full = await media(r.id, supervisor);
    if (full.status === 500) return;
    expect(full.status).toBe(200);
    const reader = full.body!.getReader();
    const got: number[] = [];
    let failed = false;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        got.push(...value);
      }
    } catch {
      failed = true;
    }
    expect(failed || got.length < long.length).toBe(true);
    expect(got.length).toBeLessThanOrEqual(25 * SEG);
    expect(new Uint8Array(got)).toEqual(long.slice(0, got.length));
  });

  it("a truncated last segment: refused up front, even for a full play", async () => {
    const contactId = await newContact(DEMO.instanceId);
    const r = await store(contactId);
    const bytes = await r2Bytes(r.r2Key);
    await r2Replace(r.r2Key, bytes.slice(0, bytes.length - 7));
    await expectRefused(r.id);
    await expectRefused(r.id, "bytes=0-10");
  });

  it("a header or whole object swapped in from another contact or another tenant", async () => {
    const c1 = await newContact(DEMO.instanceId);
    const c2 = await newContact(DEMO.instanceId);
    const mine = await store(c1);
    const theirs = await store(c2);
    const other = await otherInstance();
    const foreignContact = await newContact(other.instanceId);
    const foreign = await store(foreignContact, other.instanceId);

    // Same tenant, other contact: header only, then the whole object.
    const m = await r2Bytes(mine.r2Key);
    const t = await r2Bytes(theirs.r2Key);
    const swapped = m.slice();
    swapped.set(t.subarray(0, HEADER_SIZE), 0);
    await r2Replace(mine.r2Key, swapped);
    await expectRefused(mine.id);
    await r2Replace(mine.r2Key, t);
    await expectRefused(mine.id);
    // Another tenant's object copied over ours.
    await r2Replace(mine.r2Key, await r2Bytes(foreign.r2Key));
    await expectRefused(mine.id);
    // The originals are unharmed.
    expect(new Uint8Array(await (await media(theirs.id, supervisor)).arrayBuffer())).toEqual(audio);
  });

  it("an object at a key version this deployment does not have", async () => {
    const contactId = await newContact(DEMO.instanceId);
    const row = await storeRecording(renv, {
      instanceId: DEMO.instanceId, contactId, body: audio, contentType: "audio/wav",
      keys: makeKeyring(env.SWITCHBOARD_SECRET, 3),
    });
    expect(row.keyVersion).toBe(3);
    await expectRefused(row.id);
  });
});
