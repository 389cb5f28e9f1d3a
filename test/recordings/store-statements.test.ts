/**
 * What storing a call's recording costs D1 (issue #29: D1 is the first limit at 100 calls a
 * second): one statement, the insert, which checks the contact (in the instance) and a recording
 * already stored under the same Twilio id itself, and whose row comes back with it. Idempotence
 * and tenancy hold as before: a store that inserts nothing leaves no object behind.
 */
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { recordings } from "../../src/db/schema";
import { InstanceScope } from "../../src/db/scoped";
import { type RecordingsEnv, storeRecording } from "../../src/recordings/store";
import { contactUploads, noteUpload } from "../../src/recordings/uploads";
import { countingD1 } from "../d1-count";
import { db, DEMO, otherInstance, seed } from "../helpers";
import { newContact, r2Keys, renv, wav } from "./fixtures";

beforeAll(() => seed());

describe("storing a recording", () => {
  const audio = wav(2, 3);

  it("is one D1 statement, answering with the row as stored", async () => {
    const contactId = await newContact(DEMO.instanceId);
    const d1 = countingD1(renv.DB);
    const row = await storeRecording({ ...renv, DB: d1.db } as RecordingsEnv, {
      instanceId: DEMO.instanceId, contactId, body: audio, contentType: "audio/wav", externalId: `RE-count-${contactId}`, durationSeconds: 2, channels: 2,
    });
    expect(d1.statements).toEqual(["insert recordings"]);
    const [stored] = await db().select().from(recordings).where(eq(recordings.id, row.id));
    expect(row).toEqual(stored);
    expect(row).toMatchObject({ contactId, status: "stored", externalId: `RE-count-${contactId}`, durationSeconds: 2, sizeBytes: audio.length });

    // Twilio's callback again: the insert stores nothing, the row stored first is the answer, and
    // the object the retry wrote is removed.
    d1.reset();
    const again = await storeRecording({ ...renv, DB: d1.db } as RecordingsEnv, {
      instanceId: DEMO.instanceId, contactId, body: audio, contentType: "audio/wav", externalId: `RE-count-${contactId}`,
    });
    expect(again).toEqual(stored);
    expect(d1.statements).toEqual(["insert recordings", "select recordings"]);
    expect(await db().select().from(recordings).where(eq(recordings.contactId, contactId))).toHaveLength(1);
    expect(await r2Keys(`${DEMO.instanceId}/recordings/${contactId}/`)).toEqual([row.r2Key]);
  });

  it("two stores of one Twilio recording at once keep one row and one object", async () => {
    const contactId = await newContact(DEMO.instanceId);
    const input = { instanceId: DEMO.instanceId, contactId, body: audio, contentType: "audio/wav", externalId: `RE-race-${contactId}` };
    const [a, b] = await Promise.all([storeRecording(renv, input), storeRecording(renv, input)]);
    expect(a.id).toBe(b.id);
    expect(await db().select().from(recordings).where(eq(recordings.contactId, contactId))).toHaveLength(1);
    expect(await r2Keys(`${DEMO.instanceId}/recordings/${contactId}/`)).toEqual([a.r2Key]);
  });

  it("a transcript with no external id is stored on its contact", async () => {
    const contactId = await newContact(DEMO.instanceId);
    const row = await storeRecording(renv, { instanceId: DEMO.instanceId, contactId, kind: "transcript", body: "hello", contentType: "application/json" });
    expect(row).toMatchObject({ contactId, kind: "transcript", externalId: null, sizeBytes: 5 });
  });

  it("another instance's contact is not found, and a recording id of another instance is not answered", async () => {
    const contactId = await newContact(DEMO.instanceId);
    const mine = await storeRecording(renv, { instanceId: DEMO.instanceId, contactId, body: audio, contentType: "audio/wav", externalId: `RE-tenant-${contactId}` });
    const other = await otherInstance();
    await expect(storeRecording(renv, { instanceId: other.instanceId, contactId, body: audio, contentType: "audio/wav", externalId: `RE-x-${contactId}` })).rejects.toThrow(/not found/i);
    // Refused in the insert itself: no row under either instance, no object left in R2.
    expect(await db().select().from(recordings).where(eq(recordings.externalId, `RE-x-${contactId}`))).toEqual([]);
    expect(await r2Keys(`${other.instanceId}/recordings/${contactId}/`)).toEqual([]);
    expect(await db().select().from(recordings).where(eq(recordings.contactId, contactId))).toHaveLength(1);
    const theirs = await newContact(other.instanceId);
    const row = await storeRecording(renv, { instanceId: other.instanceId, contactId: theirs, body: audio, contentType: "audio/wav", externalId: `RE-tenant-${contactId}` });
    expect(row.id).not.toBe(mine.id);
    expect(row).toMatchObject({ instanceId: other.instanceId, contactId: theirs });
  });

  it("an unknown contact is not found, unless the recording was stored before under its id", async () => {
    await expect(storeRecording(renv, { instanceId: DEMO.instanceId, contactId: "no-such-contact", body: audio, contentType: "audio/wav", externalId: "RE-nobody" })).rejects.toThrow(/not found/i);
    expect(await r2Keys(`${DEMO.instanceId}/recordings/no-such-contact/`)).toEqual([]);
    const contactId = await newContact(DEMO.instanceId);
    const first = await storeRecording(renv, { instanceId: DEMO.instanceId, contactId, body: audio, contentType: "audio/wav", externalId: `RE-moved-${contactId}` });
    const again = await storeRecording(renv, { instanceId: DEMO.instanceId, contactId: "no-such-contact", body: audio, contentType: "audio/wav", externalId: `RE-moved-${contactId}` });
    expect(again.id).toBe(first.id);
  });

  it("a call recording's row and its stored note are one statement; a retried one's note turns stored", async () => {
    const contactId = await newContact(DEMO.instanceId);
    const scope = new InstanceScope(db(), DEMO.instanceId);
    // Twilio's recording failed to store once: the retry's note says when it is tried again.
    await noteUpload(renv, { instanceId: DEMO.instanceId, contactId, kind: "recording", externalId: `RE-note-${contactId}`, status: "pending", attempts: 1, lastError: "R2 down", nextAttemptAt: Date.now() + 2000 });
    const d1 = countingD1(renv.DB);
    const row = await storeRecording({ ...renv, DB: d1.db } as RecordingsEnv, {
      instanceId: DEMO.instanceId, contactId, body: audio, contentType: "audio/wav", externalId: `RE-note-${contactId}`,
    });
    expect(d1.statements).toEqual(["insert recordings"]);
    const [note, ...more] = await contactUploads(scope, contactId);
    expect(more).toHaveLength(0);
    expect(note).toMatchObject({ kind: "recording", externalId: `RE-note-${contactId}`, status: "stored", attempts: 0, lastError: null, nextAttemptAt: null, recordingId: row.id });

    // Stored on the first attempt: the note is there with it; another instance sees none of it.
    const first = await newContact(DEMO.instanceId);
    const firstRow = await storeRecording(renv, { instanceId: DEMO.instanceId, contactId: first, body: audio, contentType: "audio/wav", externalId: `RE-first-${first}` });
    expect(await contactUploads(scope, first)).toMatchObject([{ kind: "recording", status: "stored", attempts: 0, recordingId: firstRow.id }]);
    expect(await contactUploads(new InstanceScope(db(), (await otherInstance()).instanceId), first)).toEqual([]);

    // Transcripts and attachments are noted by their channels, not here.
    const transcript = await storeRecording(renv, { instanceId: DEMO.instanceId, contactId: first, kind: "transcript", body: "hi", contentType: "application/json", externalId: `TR-${first}` });
    expect(transcript.kind).toBe("transcript");
    expect(await contactUploads(scope, first)).toHaveLength(1);
  });
});
