import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { FINISHED_CONTACT_KEEP_MS } from "../../src/durable/contact-session";
import { contactRoomName } from "../../src/lib/object-names";
import { eraseSessionContent } from "../../src/recordings/personal-data";
import { voiceContactId } from "../../src/workers/twilio/routes";
import { makeVoiceInstance, settleContact, simulatedTwilio } from "./helpers";

const CALLER = "+14155550199";
let restore: (() => void) | undefined;
afterEach(() => {
  restore?.();
  restore = undefined;
});

type Stub = DurableObjectStub<import("../../src/durable/contact-session").ContactSession>;

/** Every row of every table in the object's SQLite, as text, and the database's size. */
function dump(stub: Stub) {
  return runInDurableObject(stub, (_o, state) => {
    const sql = state.storage.sql;
    const tables = sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'").toArray().map((t) => t.name);
    const rows = tables.map((t) => sql.exec(`SELECT * FROM "${t}"`).toArray());
    return { tables, text: rows.map((r) => JSON.stringify(r)).join("\n"), rows: rows.reduce((n, r) => n + r.length, 0), bytes: sql.databaseSize };
  });
}

/** Moves the contact's end back by `ms` (as if that much time had passed since). */
function endedAgo(stub: Stub, ms: number) {
  return runInDurableObject(stub, (_o, state) => void state.storage.sql.exec("UPDATE session SET ended_at = ended_at - ?", ms));
}

/** A caller who hangs up in the IVR. */
async function finishedCall() {
  const net = simulatedTwilio();
  restore = net.restore;
  const fx = await makeVoiceInstance({});
  const call = await net.phone.call({ from: CALLER, to: fx.number });
  await call.hangup();
  const contactId = await voiceContactId(fx.instanceId, call.sid);
  await settleContact(fx.instanceId, contactId);
  return { fx, contactId, stub: env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, contactId)) as Stub };
}

describe("a finished contact's object", () => {
  it("drops the caller's number and the last TwiML at the end, and is emptied 24 hours later", async () => {
    const { stub } = await finishedCall();
    const atEnd = await dump(stub);
    expect(atEnd.tables).toContain("session");
    expect(atEnd.text).not.toContain(CALLER);
    expect(atEnd.text).not.toContain("<Response>");
    // Its alarm stands at the end of the 24 hours.
    const alarm = await runInDurableObject(stub, (_o, state) => state.storage.getAlarm());
    const { ended_at } = await runInDurableObject(stub, (_o, state) => state.storage.sql.exec<{ ended_at: number }>("SELECT ended_at FROM session").one());
    expect(alarm).toBe(ended_at + FINISHED_CONTACT_KEEP_MS);

    await endedAgo(stub, FINISHED_CONTACT_KEEP_MS + 1000);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const after = await dump(stub);
    expect(after.tables).toEqual([]);
    expect(await runInDurableObject(stub, (_o, state) => state.storage.getAlarm())).toBeNull();
    // A late duplicate status callback finds nothing to change and brings nothing back.
    await stub.voiceStatus("customer", "CA-late", "completed");
    expect(await stub.snapshot()).toBeNull();
  });

  it("a personal-data request (or retention) empties an ended contact's object at once", async () => {
    const { fx, contactId, stub } = await finishedCall();
    expect((await dump(stub)).tables.length).toBeGreaterThan(0);
    // What DELETE /contacts/:id/personal-data and the retention job ask of the object.
    expect(await eraseSessionContent(env, fx.instanceId, { id: contactId, channel: "VOICE" }, "personal_data")).toEqual({ chatMessages: 0, transcriptFragments: 0 });
    expect((await dump(stub)).tables).toEqual([]);
  });

  it("1,000 finished contacts leave nothing behind once their 24 hours are up", async () => {
    const fx = await makeVoiceInstance({ flow: () => ({ Version: "2019-10-30", StartAction: "bye", Actions: [{ Identifier: "bye", Type: "DisconnectParticipant", Parameters: {}, Transitions: {} }] }) });
    const stubs: Stub[] = [];
    for (let batch = 0; batch < 20; batch++) {
      await Promise.all(Array.from({ length: 50 }, async (_, i) => {
        const n = batch * 50 + i;
        const stub = env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, `finished-${n}`)) as Stub;
        await stub.voiceStart({ callSid: `CA${String(n).padStart(32, "0")}`, from: CALLER, to: fx.number, flowId: fx.flowId, publicBaseUrl: "https://calls.example.com" });
        await stub.settle();
        stubs.push(stub);
      }));
    }
    let before = 0;
    let after = 0; // the largest database left
    let left = 0; // tables and rows left
    for (let batch = 0; batch < stubs.length; batch += 50) {
      await Promise.all(stubs.slice(batch, batch + 50).map(async (stub) => {
        const d = await dump(stub);
        before += d.rows;
        if (d.rows === 0) throw new Error("a finished contact with nothing stored");
        await endedAgo(stub, FINISHED_CONTACT_KEEP_MS + 1000);
        await runDurableObjectAlarm(stub);
        const e = await dump(stub);
        after = Math.max(after, e.bytes);
        left += e.tables.length + e.rows;
      }));
    }
    console.log(`1,000 finished contacts: ${before} rows in their objects at the end; 24 hours later none, each object's database at most ${after} bytes (an empty one)`);
    // Nothing is left in any of them: not a table, not a row; each database is an empty one (one page at most).
    expect(left).toBe(0);
    expect(after).toBeLessThanOrEqual(4096);
  }, 300_000);
});
