import { env, runDurableObjectAlarm } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { contactCategories, contactEvents, contacts, instances, recordings } from "../../src/db/schema";
import { HEADER_SIZE, parseHeader } from "../../src/recordings/envelope";
import { DAY_MS, runRetention } from "../../src/recordings/retention";
import { type RecordingsEnv, storeRecording } from "../../src/recordings/store";
import { makeKeyring } from "../../src/lib/crypto";
import { api, db, demoAdmin, demoSupervisor, DEMO, otherInstance, seed } from "../helpers";
import { media, newContact, r2Bytes, r2Keys, renv, streamOf, wav } from "./fixtures";

const rows = (contactId: string) => db().select().from(recordings).where(eq(recordings.contactId, contactId));

/** The real bucket, except `put`, which fails as told. */
function flakyBucket(mode: "mid-stream" | "after-write"): R2Bucket {
  const real = env.RECORDINGS;
  return new Proxy(real, {
    get(target, prop) {
      if (prop === "put") {
        return async (key: string, value: ReadableStream<Uint8Array>, opts?: R2PutOptions) => {
          if (mode === "after-write") {
            await target.put(key, value, opts);
            throw new Error("network error after R2 committed the object (simulated)");
          }
          const reader = value.getReader();
          let n = 0;
          while (n < 150_000) {
            const r = await reader.read();
            if (r.done) break;
            n += r.value.length;
          }
          throw new Error("R2 unavailable mid-upload (simulated)");
        };
      }
      const v = Reflect.get(target, prop);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

/** The real database, except that inserting a recording row fails. */
function failingDb(): D1Database {
  return new Proxy(env.DB, {
    get(target, prop) {
      if (prop === "prepare") {
        return (sql: string) => {
          if (/insert into "recordings"/i.test(sql)) throw new Error("D1 unavailable (simulated)");
          return target.prepare(sql);
        };
      }
      const v = Reflect.get(target, prop);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

beforeAll(() => seed());

describe("a failed store leaves no row and no object, and is safe to retry", () => {
  const audio = wav(15, 9);
  for (const mode of ["mid-stream", "after-write"] as const) {
    it(`R2 fails ${mode}`, async () => {
      const contactId = await newContact(DEMO.instanceId);
      const input = { instanceId: DEMO.instanceId, contactId, contentType: "audio/wav", externalId: `RE-flaky-${mode}` };
      const flaky = { ...renv, RECORDINGS: flakyBucket(mode) } as RecordingsEnv;
      await expect(storeRecording(flaky, { ...input, body: streamOf(audio), length: audio.length })).rejects.toThrow(/simulated/);
      expect(await rows(contactId)).toEqual([]);
      expect(await r2Keys(`${DEMO.instanceId}/recordings/${contactId}/`)).toEqual([]);
      // The retry (Twilio's callback again, or the voice channel's backoff) stores it once.
      const row = await storeRecording(renv, { ...input, body: streamOf(audio), length: audio.length });
      expect(await rows(contactId)).toHaveLength(1);
      expect(await r2Keys(`${DEMO.instanceId}/recordings/${contactId}/`)).toEqual([row.r2Key]);
      const res = await media(row.id, await demoSupervisor());
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(audio);
    });
  }

  it("D1 fails after the object was written: the object is removed", async () => {
    const contactId = await newContact(DEMO.instanceId);
    await expect(
      storeRecording({ ...renv, DB: failingDb() } as RecordingsEnv, { instanceId: DEMO.instanceId, contactId, body: audio, contentType: "audio/wav" }),
    ).rejects.toThrow(/D1 unavailable/);
    expect(await rows(contactId)).toEqual([]);
    expect(await r2Keys(`${DEMO.instanceId}/recordings/${contactId}/`)).toEqual([]);
  });

  it("a body shorter than its declared length stores nothing", async () => {
    const contactId = await newContact(DEMO.instanceId);
    await expect(
      storeRecording(renv, { instanceId: DEMO.instanceId, contactId, body: streamOf(audio.slice(0, 1000)), length: audio.length, contentType: "audio/wav" }),
    ).rejects.toThrow();
    expect(await rows(contactId)).toEqual([]);
    expect(await r2Keys(`${DEMO.instanceId}/recordings/${contactId}/`)).toEqual([]);
  });
});

describe("key rotation", () => {
  it("old objects still play; re-wrap moves them to the current version, changing only the header", async () => {
    const admin = await demoAdmin();
    const supervisor = await demoSupervisor();
    const v1 = makeKeyring(env.SWITCHBOARD_SECRET, 1);
    const contactId = await newContact(DEMO.instanceId);
    const audio = wav(10, 4);
    const old = [];
    for (let i = 0; i < 3; i++) {
      old.push(await storeRecording(renv, { instanceId: DEMO.instanceId, contactId, body: audio, contentType: "audio/wav", keys: v1 }));
    }
    const before = await Promise.all(old.map((r) => r2Bytes(r.r2Key)));
    expect(before.map((b) => parseHeader(b).keyVersion)).toEqual([1, 1, 1]);
    // Version 1 objects play in a deployment at version 2.
    expect(new Uint8Array(await (await media(old[0].id, supervisor)).arrayBuffer())).toEqual(audio);

    expect((await api("POST", "/recordings/rewrap", { token: supervisor, body: {} })).status).toBe(403);
    const first = await api("POST", "/recordings/rewrap", { token: admin, body: { limit: 2 } });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ keyVersion: 2, rewrapped: 2, failed: [] });
    const rest = await api("POST", "/recordings/rewrap", { token: admin, body: { limit: 100 } });
    expect(rest.body).toMatchObject({ keyVersion: 2, remaining: 0, failed: [] });
    expect(first.body.rewrapped + rest.body.rewrapped).toBeGreaterThanOrEqual(3);

    for (let i = 0; i < old.length; i++) {
      const after = await r2Bytes(old[i].r2Key);
      expect(parseHeader(after).keyVersion).toBe(2);
      expect(after.length).toBe(before[i].length);
      expect(after.subarray(0, 28)).toEqual(before[i].subarray(0, 28)); // header core
      expect(after.subarray(28, HEADER_SIZE)).not.toEqual(before[i].subarray(28, HEADER_SIZE)); // key block
      expect(after.subarray(HEADER_SIZE)).toEqual(before[i].subarray(HEADER_SIZE)); // media segments
      expect((await env.RECORDINGS.head(old[i].r2Key))?.customMetadata?.keyVersion).toBe("2");
      expect(new Uint8Array(await (await media(old[i].id, supervisor)).arrayBuffer())).toEqual(audio);
    }
    const stored = await rows(contactId);
    expect(stored.map((r) => r.keyVersion)).toEqual([2, 2, 2]);
    const log = await api("GET", "/audit-log?resourceType=recording&limit=10", { token: admin });
    expect(log.body.items.find((e: any) => e.action === "rewrap")).toMatchObject({ userId: expect.any(String), details: expect.objectContaining({ keyVersion: 2 }) });
  });

  it("re-wrap only touches the caller's instance", async () => {
    const other = await otherInstance();
    const contactId = await newContact(other.instanceId);
    const row = await storeRecording(renv, {
      instanceId: other.instanceId, contactId, body: wav(1), contentType: "audio/wav", keys: makeKeyring(env.SWITCHBOARD_SECRET, 1),
    });
    await api("POST", "/recordings/rewrap", { token: await demoAdmin(), body: { limit: 100 } });
    expect(parseHeader(await r2Bytes(row.r2Key)).keyVersion).toBe(1);
    const res = await api("POST", "/recordings/rewrap", { token: other.token, body: {} });
    expect(res.body).toMatchObject({ rewrapped: 1, remaining: 0 });
    expect(parseHeader(await r2Bytes(row.r2Key)).keyVersion).toBe(2);
  });
});

describe("retention", () => {
  let inst: { instanceId: string; token: string };
  const now = Date.now();
  const ago = (days: number) => now - days * DAY_MS;
  const setCreated = (id: string, at: number) => db().update(recordings).set({ createdAt: at }).where(eq(recordings.id, id));

  beforeAll(async () => {
    inst = await otherInstance("Retention Co");
    await db().update(instances).set({ recordingRetentionDays: 30, transcriptRetentionDays: 7, contactRetentionDays: 90 }).where(eq(instances.id, inst.instanceId));
  });

  it("deletes exactly the recordings, transcripts and contacts past their periods, and logs them", async () => {
    const store = (contactId: string, kind: "recording" | "transcript") =>
      storeRecording(renv, { instanceId: inst.instanceId, contactId, kind, body: wav(1), contentType: "audio/wav" });
    const recent = await newContact(inst.instanceId, ago(10));
    const ancient = await newContact(inst.instanceId, ago(91));
    const borderline = await newContact(inst.instanceId, ago(89));
    const oldRec = await store(recent, "recording");
    await setCreated(oldRec.id, ago(31));
    const keptRec = await store(recent, "recording");
    await setCreated(keptRec.id, ago(29));
    const oldTr = await store(recent, "transcript");
    await setCreated(oldTr.id, ago(8));
    const keptTr = await store(recent, "transcript");
    await setCreated(keptTr.id, ago(6));
    const ancientRec = await store(ancient, "recording");
    await setCreated(ancientRec.id, ago(20)); // within the recording period, but its contact is past its own
    const borderRec = await store(borderline, "recording");
    // Categories analytics rules gave the contacts go with their contact.
    for (const contactId of [ancient, borderline]) {
      await db().insert(contactCategories).values({ instanceId: inst.instanceId, contactId, ruleId: "r", category: "Cancellation", source: "POST_CONTACT", matchedAt: Date.now() });
    }

    const res = await api("POST", "/recordings/retention/run", { token: inst.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ recordings: 1, transcripts: 1, contacts: 1, orphans: 0, more: false });

    const byId = async (id: string) => (await db().select().from(recordings).where(eq(recordings.id, id)))[0];
    expect((await byId(oldRec.id)).status).toBe("deleted");
    expect((await byId(oldTr.id)).status).toBe("deleted");
    expect((await byId(keptRec.id)).status).toBe("stored");
    expect((await byId(keptTr.id)).status).toBe("stored");
    expect((await byId(borderRec.id)).status).toBe("stored");
    expect(await byId(ancientRec.id)).toBeUndefined();
    expect(await env.RECORDINGS.head(oldRec.r2Key)).toBeNull();
    expect(await env.RECORDINGS.head(oldTr.r2Key)).toBeNull();
    expect(await env.RECORDINGS.head(ancientRec.r2Key)).toBeNull();
    expect(await env.RECORDINGS.head(keptRec.r2Key)).not.toBeNull();
    expect(await env.RECORDINGS.head(borderRec.r2Key)).not.toBeNull();
    expect(await db().select().from(contacts).where(eq(contacts.id, ancient))).toEqual([]);
    expect(await db().select().from(contactEvents).where(eq(contactEvents.contactId, ancient))).toEqual([]);
    expect(await db().select().from(contacts).where(eq(contacts.id, borderline))).toHaveLength(1);
    expect(await db().select().from(contactCategories).where(eq(contactCategories.contactId, ancient))).toEqual([]);
    expect(await db().select().from(contactCategories).where(eq(contactCategories.contactId, borderline))).toHaveLength(1);

    const log = await api("GET", "/audit-log?limit=20", { token: inst.token });
    const retention = log.body.items.filter((e: any) => e.action === "retention.delete");
    expect(retention.map((e: any) => [e.resourceType, e.details.ids]).sort()).toEqual(
      [["contact", [ancient]], ["recording", [oldRec.id]], ["transcript", [oldTr.id]]].sort(),
    );
    expect(retention.every((e: any) => e.userId === null)).toBe(true);

    // Nothing more is due: a second run deletes nothing.
    expect((await api("POST", "/recordings/retention/run", { token: inst.token })).body).toEqual({ recordings: 0, transcripts: 0, contacts: 0, orphans: 0, more: false });
  });

  it("runs from the RetentionJob alarm (cron-scheduled) and needs instance.configure to run by hand", async () => {
    const contactId = await newContact(inst.instanceId, ago(1));
    const rec = await storeRecording(renv, { instanceId: inst.instanceId, contactId, body: wav(1), contentType: "audio/wav" });
    await setCreated(rec.id, ago(40));
    const stub = env.RETENTION_JOB.getByName(inst.instanceId);
    await stub.schedule(inst.instanceId);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await db().select().from(recordings).where(eq(recordings.id, rec.id)))[0].status).toBe("deleted");
    expect(await env.RECORDINGS.head(rec.r2Key)).toBeNull();
    // No backlog: the alarm is not re-armed.
    expect(await runDurableObjectAlarm(stub)).toBe(false);
    expect((await api("POST", "/recordings/retention/run", { token: await demoSupervisor() })).status).toBe(403);
  });
});

describe("orphaned objects", () => {
  it("an object whose row was never written (store interrupted) is removed once a day old; live ones stay", async () => {
    const inst = await otherInstance("Orphan Co");
    const contactId = await newContact(inst.instanceId);
    const live = await storeRecording(renv, { instanceId: inst.instanceId, contactId, body: wav(1), contentType: "audio/wav" });
    const orphanKey = `${inst.instanceId}/recordings/${contactId}/never-recorded`;
    await env.RECORDINGS.put(orphanKey, new Uint8Array(200));
    // Today both are young: nothing is removed (a store may still be writing its row).
    expect((await runRetention(renv, inst.instanceId)).orphans).toEqual([]);
    const later = await runRetention(renv, inst.instanceId, { now: Date.now() + 2 * DAY_MS });
    expect(later.orphans).toEqual([orphanKey]);
    expect(await env.RECORDINGS.head(orphanKey)).toBeNull();
    expect(await env.RECORDINGS.head(live.r2Key)).not.toBeNull();
    const log = await api("GET", "/audit-log?resourceType=orphaned_object", { token: inst.token });
    expect(log.body.items[0]).toMatchObject({ action: "retention.delete", details: { keys: [orphanKey] } });
  });
});

describe("deleting a contact's personal data on request", () => {
  it("keeps the record, removes the caller number, attributes, notes, recordings and transcripts", async () => {
    const admin = await demoAdmin();
    const contactId = await newContact(DEMO.instanceId, undefined, "+14155550777");
    const rec = await storeRecording(renv, { instanceId: DEMO.instanceId, contactId, body: wav(2), contentType: "audio/wav", externalId: "RE-erase" });
    const tr = await storeRecording(renv, { instanceId: DEMO.instanceId, contactId, kind: "transcript", body: "hello, my address is…", contentType: "text/plain" });
    const before = await api("GET", `/contacts/${contactId}`, { token: admin });
    expect(before.body.customerEndpoint).toBe("+14155550777");

    expect((await api("DELETE", `/contacts/${contactId}/personal-data`, { token: await demoSupervisor() })).status).toBe(403);
    const other = await otherInstance();
    expect((await api("DELETE", `/contacts/${contactId}/personal-data`, { token: other.token })).status).toBe(404);

    const res = await api("DELETE", `/contacts/${contactId}/personal-data`, { token: admin });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ contactId, recordings: 1, transcripts: 1, chatMessages: 0, transcriptFragments: 0 });

    const after = await api("GET", `/contacts/${contactId}`, { token: admin });
    expect(after.status).toBe(200);
    expect(after.body).toMatchObject({ id: contactId, channel: "VOICE", customerEndpoint: null, attributes: {}, notes: null });
    expect(after.body.events.map((e: any) => e.type)).toEqual(["INITIATED", "PERSONAL_DATA_DELETED"]);
    const search = await api("GET", `/contacts?customerNumber=${encodeURIComponent("+14155550777")}`, { token: admin });
    expect(search.body.items.map((c: any) => c.id)).not.toContain(contactId);
    expect(await r2Keys(`${DEMO.instanceId}/recordings/${contactId}/`)).toEqual([]);
    expect(await r2Keys(`${DEMO.instanceId}/transcripts/${contactId}/`)).toEqual([]);
    expect((await api("GET", `/contacts/${contactId}/recordings`, { token: admin })).body.items).toEqual([]);
    expect((await media(rec.id, admin)).status).toBe(404);
    expect((await media(tr.id, admin)).status).toBe(404);
    // A late retry of Twilio's recording callback does not bring the recording back.
    const retried = await storeRecording(renv, { instanceId: DEMO.instanceId, contactId, body: wav(2), contentType: "audio/wav", externalId: "RE-erase" });
    expect(retried.status).toBe("deleted");
    expect(await r2Keys(`${DEMO.instanceId}/recordings/${contactId}/`)).toEqual([]);
    const log = await api("GET", "/audit-log?resourceType=contact&limit=5", { token: admin });
    expect(log.body.items.find((e: any) => e.action === "delete_personal_data")).toMatchObject({ resourceId: contactId, userId: expect.any(String), details: { recordings: 1, transcripts: 1 } });
  });
});
