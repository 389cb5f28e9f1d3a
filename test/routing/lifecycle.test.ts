import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { agentRoomName } from "../../src/lib/object-names";
import { queueRoom } from "../../src/durable/routing";
import { agentSocket, contactRow, eventsInclude, eventually, makeInstance, type TestSocket } from "./helpers";

async function connect(s: TestSocket) {
  const offer = await s.next("offer");
  await s.command({ type: "contact.accept", contactId: offer.contact.contactId });
  await s.next("contact.update", (m) => m.contact.state === "CONNECTED");
  return offer.contact.contactId as string;
}

const setup = (acwSeconds = 30) =>
  makeInstance({
    queues: [{ id: "sales" }, { id: "care" }],
    profiles: [
      { id: "rp", acwSeconds, queues: [{ queueId: "sales", priority: 1 }] },
      { id: "care", queues: [{ queueId: "care", priority: 1 }] },
    ],
    agents: [{ id: "ann", profile: "rp" }, { id: "bob", profile: "care" }, { id: "cy", profile: "rp" }],
  });

describe("contact lifecycle at the agent", () => {
  it("hold, resume, end → after contact work; the ACW timeout (alarm) frees the slot and the next contact is offered", async () => {
    const fx = await setup(45);
    const ann = await agentSocket(fx, "ann");
    await fx.enqueue("sales");
    const id = await connect(ann);
    await ann.command({ type: "contact.hold", contactId: id });
    expect((await ann.next("contact.update")).contact.state).toBe("ON_HOLD");
    await ann.command({ type: "contact.resume", contactId: id });
    expect((await ann.next("contact.update")).contact.state).toBe("CONNECTED");
    await ann.command({ type: "contact.end", contactId: id });
    const acw = (await ann.next("contact.update")).contact;
    expect(acw.state).toBe("AFTER_CONTACT_WORK");
    expect(acw.afterContactWorkEndsAt - acw.endedAt).toBe(45_000);
    const next = await fx.enqueue("sales");
    // In ACW the voice slot is taken: nothing rings.
    const q = queueRoom(env, fx.instanceId, fx.queueId("sales"));
    expect((await q.position(next.contactId)).status).toBe("WAITING");
    const agent = env.AGENT_ROOM.getByName(agentRoomName(fx.instanceId, fx.agentId("ann")));
    // Once the record is written to D1, the one alarm left is the ACW timer.
    await eventually(async () => (await runInDurableObject(agent, (_o, st) => st.storage.getAlarm())) === acw.afterContactWorkEndsAt, "alarm at ACW end");
    await runInDurableObject(agent, (_o, st) => {
      st.storage.sql.exec("UPDATE slots SET acw_ends_at = ? WHERE contact_id = ?", Date.now() - 1, id);
    });
    expect(await runDurableObjectAlarm(agent)).toBe(true);
    expect((await ann.next("contact.removed")).contactId).toBe(id);
    expect((await ann.next("offer")).contact.contactId).toBe(next.contactId);
    await eventsInclude(fx.instanceId, id, ["CONNECTED", "HELD", "RESUMED", "ENDED", "ACW_ENDED"]);
    const row = await eventually(async () => {
      const r = await contactRow(fx.instanceId, id);
      return r?.state === "COMPLETED" ? r : null;
    });
    expect(row.disconnect_reason).toBe("AGENT_DISCONNECT");
    expect(row.acw_ended_at).toBeGreaterThanOrEqual(row.ended_at);
  });

  it("the customer hanging up a connected contact puts the agent's slot in ACW (ENDED with CUSTOMER_DISCONNECT)", async () => {
    const fx = await setup();
    const ann = await agentSocket(fx, "ann");
    await fx.enqueue("sales");
    const id = await connect(ann);
    const r = await queueRoom(env, fx.instanceId, fx.queueId("sales")).disconnect(id);
    expect(r).toMatchObject({ status: "ENDED_AT_AGENT", agentId: fx.agentId("ann") });
    expect((await ann.next("contact.update")).contact.state).toBe("AFTER_CONTACT_WORK");
    await eventsInclude(fx.instanceId, id, ["CONNECTED", "ENDED"]);
    await eventually(async () => (await contactRow(fx.instanceId, id))?.disconnect_reason === "CUSTOMER_DISCONNECT");
    // Clearing twice is fine (idempotent).
    expect((await ann.command({ type: "contact.clear", contactId: id })).type).toBe("ack");
    expect((await ann.command({ type: "contact.clear", contactId: id })).type).toBe("ack");
  });

  it("transfer to another queue keeps the contact's id and history; the agent there gets it", async () => {
    const fx = await setup();
    const ann = await agentSocket(fx, "ann");
    const bob = await agentSocket(fx, "bob");
    const { contactId } = await fx.enqueue("sales", { attributes: { topic: "refund" } });
    await connect(ann);
    const r = await ann.command({ type: "contact.transfer", contactId, target: { type: "QUEUE", queueId: fx.queueId("care") } });
    expect(r.type).toBe("ack");
    expect((await ann.next("contact.update")).contact.state).toBe("AFTER_CONTACT_WORK");
    const offer = await bob.next("offer");
    expect(offer.contact).toMatchObject({ contactId, queueId: fx.queueId("care"), initiationMethod: "TRANSFER", attributes: { topic: "refund" } });
    await bob.command({ type: "contact.accept", contactId });
    await ann.command({ type: "contact.clear", contactId });
    await eventsInclude(fx.instanceId, contactId, ["ENQUEUED", "CONNECTED", "TRANSFERRED", "ENQUEUED", "OFFERED", "CONNECTED"]);
    const row = await eventually(async () => {
      const x = await contactRow(fx.instanceId, contactId);
      return x?.agent_id === fx.agentId("bob") && x.state === "CONNECTED" ? x : null;
    }, "row connected to bob");
    expect(row.queue_id).toBe(fx.queueId("care"));
  });

  it("transfer to a specific agent rings that agent through its personal queue", async () => {
    const fx = await setup();
    const ann = await agentSocket(fx, "ann");
    const cy = await agentSocket(fx, "cy");
    const { contactId } = await fx.enqueue("sales");
    const first = await Promise.race([ann.next("offer").then(() => ann), cy.next("offer").then(() => cy)]);
    const other = first === ann ? cy : ann;
    const otherName = first === ann ? "cy" : "ann";
    await first.command({ type: "contact.accept", contactId });
    await first.next("contact.update", (m) => m.contact.state === "CONNECTED");
    const r = await first.command({ type: "contact.transfer", contactId, target: { type: "AGENT", userId: fx.agentId(otherName) } });
    expect(r.type).toBe("ack");
    const offer = await other.next("offer");
    expect(offer.contact).toMatchObject({ contactId, queueId: `agent:${fx.agentId(otherName)}` });
    const bad = await other.command({ type: "contact.transfer", contactId, target: { type: "QUEUE", queueId: "no-such-queue" } });
    expect(bad).toMatchObject({ type: "error", code: "not_connected" });
  });

  it("commands with bad input answer a readable error and change nothing", async () => {
    const fx = await setup();
    const ann = await agentSocket(fx, "ann");
    ann.sendRaw("{not json");
    expect((await ann.next("error")).code).toBe("invalid_message");
    ann.sendRaw(JSON.stringify({ type: "contact.accept" }));
    expect((await ann.next("error")).message).toMatch(/contactId/);
    expect((await ann.command({ type: "contact.hold", contactId: "nope" }))).toMatchObject({ type: "error", code: "not_found" });
  });
});
