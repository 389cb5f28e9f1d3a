/**
 * The rotation command as a pass: `POST /recordings/rewrap` pages through an instance's stale
 * recordings, caller numbers and transcript indexes with a cursor (`nextCursor` given back as
 * `cursor`), past rows that fail, so a loop on it always ends — everything at the current key
 * version, or what failed named in the pages' reports and counted in `remaining`.
 * Tests run as a deployment at key version 2 (vitest.config.ts).
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createContact } from "../../src/db/contacts";
import { parseHeader } from "../../src/recordings/envelope";
import { storeRecording } from "../../src/recordings/store";
import { base64Url, makeKeyring } from "../../src/lib/crypto";
import { api, db, otherInstance } from "../helpers";
import { chatIndexedWith, r2Bytes, r2Replace, renv, rewrapPass, termVersions, wav } from "./fixtures";

const v1 = () => makeKeyring(env.SWITCHBOARD_SECRET, 1);

const recordingVersion = async (id: string) =>
  (await env.DB.prepare("SELECT key_version AS v FROM recordings WHERE id = ?").bind(id).first<{ v: number }>())!.v;
const hashVersion = async (id: string) =>
  (await env.DB.prepare("SELECT customer_endpoint_hash_version AS v FROM contacts WHERE id = ?").bind(id).first<{ v: number }>())!.v;

/** A contact (version 1) with `n` version 1 recordings. */
async function oldRecordings(instanceId: string, n: number) {
  const contactId = await createContact(db(), v1(), { instanceId, channel: "VOICE", initiationMethod: "INBOUND", customerEndpoint: "+14155550123" });
  const rows = [];
  for (let i = 0; i < n; i++) rows.push(await storeRecording(renv, { instanceId, contactId, body: wav(1, i + 1), contentType: "audio/wav", keys: v1() }));
  return rows;
}

/** Flips a byte of the stored object's key block: it no longer unwraps. */
async function corrupt(r2Key: string) {
  const bytes = await r2Bytes(r2Key);
  bytes[40] ^= 0xff;
  await r2Replace(r2Key, bytes);
}

const failedIds = (pages: any[], list: (p: any) => { id: string }[]) => pages.flatMap((p) => list(p).map((f) => f.id)).sort();

describe("the rotation pass ends, whatever fails", () => {
  it("a corrupt and a missing recording, an unreadable caller number and an unreadable transcript do not block the rest: the pass ends with them reported", async () => {
    const inst = await otherInstance("Broken Co");
    const recs = await oldRecordings(inst.instanceId, 5);
    await corrupt(recs[0].r2Key);
    await env.RECORDINGS.delete(recs[2].r2Key);
    const callers = [];
    for (let i = 0; i < 4; i++) {
      callers.push(await createContact(db(), v1(), { instanceId: inst.instanceId, channel: "VOICE", initiationMethod: "INBOUND", customerEndpoint: `+1415555020${i}` }));
    }
    await env.DB.prepare("UPDATE contacts SET customer_endpoint_enc = 'v1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAA' WHERE id = ?").bind(callers[0]).run();
    const chats = [];
    for (let i = 0; i < 3; i++) chats.push(await chatIndexedWith(v1(), inst.instanceId, [["CUSTOMER", `teapot number ${i}`]]));
    await corrupt(chats[0].recording.r2Key);
    const brokenChat = chats[0].contactId;

    // Without a cursor every call selects the same oldest stale rows first: with limit 1 nothing moves past the broken ones.
    for (let i = 0; i < 2; i++) {
      const stuck = await api("POST", "/recordings/rewrap", { token: inst.token, body: { limit: 1 } });
      expect(stuck.body.failed.map((f: any) => f.id)).toEqual([recs[0].id]);
    }

    const pages = await rewrapPass(inst.token, 1);
    const last = pages.at(-1);
    // The broken transcript's object is a recording too: it fails to re-wrap as well.
    expect(last).toMatchObject({ nextCursor: null, done: false, remaining: 3, callerNumbers: { remaining: 1 }, transcripts: { remaining: 1 } });
    expect(failedIds(pages, (p) => p.failed)).toEqual([recs[0].id, recs[2].id, chats[0].recording.id].sort());
    expect(failedIds(pages, (p) => p.callerNumbers.failed)).toEqual([callers[0]]);
    expect(failedIds(pages, (p) => p.transcripts.failed)).toEqual([brokenChat]);
    for (const p of pages) expect(p.failed.every((f: any) => typeof f.error === "string" && f.error.length > 0)).toBe(true);

    // Everything else is at version 2.
    expect(await Promise.all(recs.map((r) => recordingVersion(r.id)))).toEqual([1, 2, 1, 2, 2]);
    expect(await Promise.all(chats.map((c) => recordingVersion(c.recording.id)))).toEqual([1, 2, 2]);
    expect(parseHeader(await r2Bytes(recs[1].r2Key)).keyVersion).toBe(2);
    expect(await Promise.all(callers.map(hashVersion))).toEqual([1, 2, 2, 2]);
    expect(await termVersions(inst.instanceId, brokenChat)).toEqual({ 1: expect.any(Number) });
    for (const c of chats.slice(1)) expect(await termVersions(inst.instanceId, c.contactId)).toEqual({ 2: expect.any(Number) });
    // The chat whose transcript failed is still found by its words (its version 1 terms), as are the others.
    const search = async (q: string) => (await api("GET", `/contacts?q=${encodeURIComponent(q)}`, { token: inst.token })).body.items.map((c: any) => c.id).sort();
    expect(await search("teapot")).toEqual(chats.map((c) => c.contactId).sort());
    expect(await search("teapot 0")).toEqual([brokenChat]);

    // A new pass tries the failed ones again, and ends again.
    const again = await rewrapPass(inst.token, 100);
    expect(again).toHaveLength(1);
    expect(again[0]).toMatchObject({ rewrapped: 0, remaining: 3, nextCursor: null, done: false, callerNumbers: { rehashed: 0, remaining: 1 }, transcripts: { reindexed: 0, remaining: 1 } });
    expect(again[0].failed).toHaveLength(3);

    const log = await api("GET", "/audit-log?resourceType=recording&limit=50", { token: inst.token });
    expect(log.body.items.find((e: any) => e.action === "rewrap")).toMatchObject({
      details: expect.objectContaining({ remaining: 3, failed: 3, transcripts: { reindexed: 0, removed: 0, failed: 1, remaining: 1 }, passOver: true, done: false }),
    });
  });

  it("a clean pass: each call advances, `nextCursor` is null and `done` true once everything is current; a list's end is kept in the cursor", async () => {
    const inst = await otherInstance("Clean Co");
    const recs = await oldRecordings(inst.instanceId, 3); // and one contact with a number
    const pages = await rewrapPass(inst.token, 2);
    expect(pages.map((p) => [p.rewrapped, p.remaining, p.callerNumbers.rehashed, p.done, p.nextCursor === null])).toEqual([
      [2, 1, 1, false, false],
      [1, 0, 0, true, true],
    ]);
    expect(await Promise.all(recs.map((r) => recordingVersion(r.id)))).toEqual([2, 2, 2]);
    expect((await rewrapPass(inst.token, 2)).map((p) => [p.rewrapped, p.done, p.nextCursor])).toEqual([[0, true, null]]);
  });

  it("bad input answers 400 with the error envelope and changes nothing", async () => {
    const inst = await otherInstance("Careful Co");
    const [rec] = await oldRecordings(inst.instanceId, 2);
    const cursorOf = (value: unknown) => base64Url(new TextEncoder().encode(JSON.stringify(value)));
    const bodies = [
      { limit: 0 },
      { limit: 101 },
      { limit: "all" },
      { limit: 10, after: "x" }, // unknown field
      { cursor: 42 },
      { cursor: "not a cursor" },
      { cursor: cursorOf({ keyVersion: 2, recordings: [1, ""] }) },
      { cursor: cursorOf({ keyVersion: 2, recordings: "later" }) },
      { cursor: cursorOf({ keyVersion: 2, callerNumbers: "end", extra: true }) },
      { cursor: cursorOf({ keyVersion: 1 }) }, // a pass of another key version
    ];
    for (const body of bodies) {
      const res = await api("POST", "/recordings/rewrap", { token: inst.token, body });
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(res.body.error).toMatchObject({ code: "validation_failed", message: expect.stringMatching(/limit|after|cursor|key version/) });
    }
    expect(await recordingVersion(rec.id)).toBe(1);
    expect(parseHeader(await r2Bytes(rec.r2Key)).keyVersion).toBe(1);
    const log = await api("GET", "/audit-log?resourceType=recording&limit=50", { token: inst.token });
    expect(log.body.items.filter((e: any) => e.action === "rewrap")).toEqual([]);

    // A cursor this endpoint returned is accepted.
    const first = await api("POST", "/recordings/rewrap", { token: inst.token, body: { limit: 1 } });
    expect(first.body.nextCursor).toEqual(expect.any(String));
    expect((await api("POST", "/recordings/rewrap", { token: inst.token, body: { limit: 1, cursor: first.body.nextCursor } })).status).toBe(200);
  });
});
