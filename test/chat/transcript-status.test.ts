/**
 * A chat's transcript is stored like a call's recording: R2 failing is retried from the
 * ContactSession's alarm with capped backoff, never given up silently, and where storing it
 * stands is on the contact (`GET /contacts/:id` → `recordingStatus`).
 */
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import type { ContactSession } from "../../src/durable/contact-session";
import { RECORDING_GIVE_UP_MS, RETRY_MAX_MS } from "../../src/recordings/uploads";
import { api } from "../helpers";
import { eventsInclude } from "../routing/helpers";
import { customerSocket, makeChatInstance, session, startChat, userWith, type ChatFixture } from "./helpers";

const listenerToken = (instanceId: string) => userWith(instanceId, "listener", ["contacts.search", "recordings.listen"]);

let restore: (() => void) | undefined;
afterEach(() => {
  restore?.();
  restore = undefined;
});

/**
 * Breaks the R2 bucket binding (the objects share it): while `broken.on`, a put writes the
 * object and then fails (R2 answering 500 after taking the bytes), the worst case for leaving
 * something half-stored.
 */
function breakR2(broken: { on: boolean; puts: number }) {
  const bucket = env.RECORDINGS as R2Bucket & { put: R2Bucket["put"] };
  const put = bucket.put.bind(bucket);
  bucket.put = (async (...args: Parameters<R2Bucket["put"]>) => {
    if (!broken.on) return put(...args);
    broken.puts++;
    await put(...args);
    throw new Error("R2 internal error after upload (simulated)");
  }) as R2Bucket["put"];
  restore = () => void delete (bucket as { put?: unknown }).put;
}

/** A chat in which the customer wrote `text`, its object's R2 broken before the customer ends it. */
async function chatEndedWithR2Down(fx: ChatFixture, text: string, broken: { on: boolean; puts: number }) {
  const { body: chat } = await startChat(fx.instanceId);
  const customer = (await customerSocket(fx.instanceId, chat)).socket!;
  await customer.say(text);
  const stub = session(fx.instanceId, chat.contactId);
  breakR2(broken);
  customer.send({ type: "chat.end" });
  await customer.wait("chat.state", (s) => s.chat.status === "ENDED");
  await stub.settle();
  customer.close();
  return { contactId: chat.contactId as string, stub };
}

const job = (stub: DurableObjectStub<ContactSession>) =>
  runInDurableObject(stub, (_o, state) =>
    state.storage.sql.exec<{ attempts: number; next_at: number; data: string; last_error: string }>("SELECT attempts, next_at, data, last_error FROM chat_jobs WHERE kind = 'storeTranscript'").toArray()[0],
  );
/** Lets the backoff pass, then fires the object's alarm (fails if no alarm is set). */
async function nextAttempt(stub: DurableObjectStub<ContactSession>) {
  await runInDurableObject(stub, (_o, state) => state.storage.sql.exec("UPDATE chat_jobs SET next_at = ? WHERE kind = 'storeTranscript'", Date.now() - 1));
  expect(await runDurableObjectAlarm(stub)).toBe(true);
}
const rows = async (contactId: string) => (await env.DB.prepare("SELECT * FROM recordings WHERE contact_id = ?").bind(contactId).all<any>()).results;
const objects = async (instanceId: string, contactId: string) => (await env.RECORDINGS.list({ prefix: `${instanceId}/transcripts/${contactId}/` })).objects;
const status = async (token: string, contactId: string) => (await api("GET", `/contacts/${contactId}`, { token })).body.recordingStatus;

describe("a chat transcript is never dropped silently", () => {
  it("R2 failing more often than the old 8 attempts: retried from the alarm with capped backoff, pending on the contact with nothing half-stored, then stored and readable", async () => {
    const fx = await makeChatInstance({ agents: [] });
    const token = await listenerToken(fx.instanceId);
    const broken = { on: true, puts: 0 };
    const { contactId, stub } = await chatEndedWithR2Down(fx, "My order 4417 never arrived", broken);

    const failures = 13;
    for (let attempt = 1; attempt <= failures; attempt++) {
      const j = await job(stub);
      expect(j.attempts).toBe(attempt);
      expect(j.last_error).toContain("R2 internal error");
      expect(j.next_at - Date.now()).toBeLessThanOrEqual(RETRY_MAX_MS);
      if (attempt >= 12) expect(j.next_at - Date.now()).toBeGreaterThan(RETRY_MAX_MS - 60_000);
      expect(await status(token, contactId)).toEqual([
        expect.objectContaining({ kind: "transcript", status: "pending", attempts: attempt, lastError: expect.stringContaining("R2 internal error"), recordingId: null, nextAttemptAt: new Date(j.next_at).toISOString() }),
      ]);
      // Nothing half-stored: the object R2 took was removed, no row points anywhere.
      expect(await rows(contactId)).toEqual([]);
      expect(await objects(fx.instanceId, contactId)).toEqual([]);
      expect((await api("GET", `/contacts/${contactId}/recordings`, { token })).body.items).toEqual([]);
      if (attempt < failures) await nextAttempt(stub);
    }
    expect(broken.puts).toBe(failures);

    broken.on = false;
    await nextAttempt(stub);
    const [row] = await rows(contactId);
    expect(row).toMatchObject({ kind: "transcript", external_id: `chat-transcript:${contactId}` });
    expect((await objects(fx.instanceId, contactId)).map((o) => o.key)).toEqual([row.r2_key]);
    expect(await job(stub)).toBeUndefined();
    expect(await status(token, contactId)).toEqual([
      expect.objectContaining({ kind: "transcript", status: "stored", attempts: failures, recordingId: row.id, nextAttemptAt: null, lastError: null }),
    ]);
    await eventsInclude(fx.instanceId, contactId, ["TRANSCRIPT_STORED"]);
    const media = await api("GET", `/recordings/${row.id}/media`, { token });
    expect(media.status).toBe(200);
    expect(JSON.stringify(media.body)).toContain("My order 4417 never arrived");
    // Its words are searchable, as any stored chat transcript's.
    expect((await api("GET", `/contacts?q=${encodeURIComponent("order 4417")}`, { token })).body.items.map((c: any) => c.id)).toEqual([contactId]);
  });

  it("stored at the first attempt: the contact shows it stored, with no failed attempts", async () => {
    const fx = await makeChatInstance({ agents: [] });
    const token = await listenerToken(fx.instanceId);
    const { contactId } = await chatEndedWithR2Down(fx, "Hello", { on: false, puts: 0 });
    const [row] = await rows(contactId);
    expect(await status(token, contactId)).toEqual([expect.objectContaining({ kind: "transcript", status: "stored", attempts: 0, recordingId: row.id })]);
  });

  it("still failing 7 days after the chat ended: given up visibly — failed with the last error, no retry left, nothing stored", async () => {
    const fx = await makeChatInstance({ agents: [] });
    const token = await listenerToken(fx.instanceId);
    const broken = { on: true, puts: 0 };
    const { contactId, stub } = await chatEndedWithR2Down(fx, "Please call me back", broken);
    expect(JSON.parse((await job(stub)).data).since).toBeGreaterThan(Date.now() - 60_000);
    // The chat ended 7 days ago (its give-up clock started then); the next attempt fails too.
    await runInDurableObject(stub, (_o, state) =>
      state.storage.sql.exec("UPDATE chat_jobs SET data = ? WHERE kind = 'storeTranscript'", JSON.stringify({ since: Date.now() - RECORDING_GIVE_UP_MS - 1 })),
    );
    await nextAttempt(stub);
    expect(await job(stub)).toBeUndefined();
    expect(await status(token, contactId)).toEqual([
      expect.objectContaining({ kind: "transcript", status: "failed", attempts: 2, lastError: expect.stringContaining("R2 internal error"), nextAttemptAt: null, recordingId: null }),
    ]);
    expect(await rows(contactId)).toEqual([]);
    expect(await objects(fx.instanceId, contactId)).toEqual([]);
  });
});
