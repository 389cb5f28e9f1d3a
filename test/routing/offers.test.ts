import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { queueRoom } from "../../src/durable/routing";
import { agentSocket, editQueueStorage, contactEvents, contactRow, eventsInclude, eventually, makeInstance } from "./helpers";

const oneQueue = (agents: string[]) =>
  makeInstance({
    queues: [{ id: "sales" }],
    profiles: [{ id: "rp", queues: [{ queueId: "sales", priority: 1 }] }],
    agents: agents.map((id) => ({ id, profile: "rp" })),
  });

describe("offers", () => {
  it("offers a waiting contact to an Available agent's socket, and accept connects it (ENQUEUED, OFFERED, CONNECTED in D1)", async () => {
    const fx = await oneQueue(["ann"]);
    const ann = await agentSocket(fx, "ann");
    const { contactId, result } = await fx.enqueue("sales", { attributes: { account: "42" } });
    expect(result).toMatchObject({ status: "QUEUED", position: 1 });
    const offer = await ann.next("offer");
    expect(offer.contact).toMatchObject({ contactId, state: "INCOMING", channel: "VOICE", attributes: { account: "42" } });
    expect(offer.contact.offerExpiresAt - offer.contact.offeredAt).toBeGreaterThanOrEqual(19_000);
    expect((await ann.command({ type: "contact.accept", contactId })).type).toBe("ack");
    const upd = await ann.next("contact.update", (m) => m.contact.contactId === contactId);
    expect(upd.contact.state).toBe("CONNECTED");
    await eventsInclude(fx.instanceId, contactId, ["ENQUEUED", "OFFERED", "CONNECTED"]);
    const row = await eventually(async () => {
      const r = await contactRow(fx.instanceId, contactId);
      return r?.state === "CONNECTED" ? r : null;
    });
    expect(row).toMatchObject({ agent_id: fx.agentId("ann"), queue_id: fx.queueId("sales") });
    expect(row.enqueued_at).toBeTypeOf("number");
    expect(row.connected_at).toBeGreaterThanOrEqual(row.enqueued_at);
    // Accepting again is idempotent: no second CONNECTED.
    expect((await ann.command({ type: "contact.accept", contactId })).type).toBe("ack");
    expect((await contactEvents(fx.instanceId, contactId)).filter((e) => e.type === "CONNECTED")).toHaveLength(1);
  });

  it("invariant 1: one contact, two agents: it rings for exactly one and is connected once", async () => {
    const fx = await oneQueue(["ann", "bob"]);
    const ann = await agentSocket(fx, "ann");
    const bob = await agentSocket(fx, "bob");
    const { contactId } = await fx.enqueue("sales");
    const offered = await Promise.race([ann.next("offer").then(() => ann), bob.next("offer").then(() => bob)]);
    const other = offered === ann ? bob : ann;
    // The other agent gets no offer, and accepting a contact it was not offered fails.
    const r = await other.command({ type: "contact.accept", contactId });
    expect(r).toMatchObject({ type: "error", code: "not_found" });
    expect(other.messages.some((m) => m.type === "offer")).toBe(false);
    await offered.command({ type: "contact.accept", contactId });
    const events = await eventsInclude(fx.instanceId, contactId, ["OFFERED", "CONNECTED"]);
    expect(events.filter((t) => t === "OFFERED")).toHaveLength(1);
    expect(events.filter((t) => t === "CONNECTED")).toHaveLength(1);
  });

  it("the agent Available longest gets the offer", async () => {
    const fx = await oneQueue(["ann", "bob", "cat"]);
    const bob = await agentSocket(fx, "bob");
    const ann = await agentSocket(fx, "ann");
    const cat = await agentSocket(fx, "cat");
    const { contactId } = await fx.enqueue("sales");
    const offer = await bob.next("offer");
    expect(offer.contact.contactId).toBe(contactId);
    expect(ann.messages.some((m) => m.type === "offer") || cat.messages.some((m) => m.type === "offer")).toBe(false);
  });

  it("a rejected contact goes to the next agent (REJECTED recorded)", async () => {
    const fx = await oneQueue(["ann", "bob"]);
    const ann = await agentSocket(fx, "ann");
    const bob = await agentSocket(fx, "bob");
    const { contactId } = await fx.enqueue("sales");
    await ann.next("offer");
    await ann.command({ type: "contact.reject", contactId });
    const w = await ann.next("offer.withdrawn");
    expect(w).toMatchObject({ contactId, reason: "REJECTED" });
    const offer = await bob.next("offer");
    expect(offer.contact.contactId).toBe(contactId);
    await eventsInclude(fx.instanceId, contactId, ["OFFERED", "REJECTED", "OFFERED"]);
    // Rejecting keeps the agent Available.
    expect(ann.messages.some((m) => m.type === "state.change" && m.status.kind !== "AVAILABLE")).toBe(false);
  });

  it("a contact whose customer hangs up while ringing is withdrawn from the agent and recorded ABANDONED", async () => {
    const fx = await oneQueue(["ann"]);
    const ann = await agentSocket(fx, "ann");
    const { contactId } = await fx.enqueue("sales");
    await ann.next("offer");
    const r = await queueRoom(env, fx.instanceId, fx.queueId("sales")).disconnect(contactId);
    expect(r.status).toBe("ABANDONED");
    expect(await ann.next("offer.withdrawn")).toMatchObject({ contactId, reason: "CUSTOMER_DISCONNECTED" });
    const accept = await ann.command({ type: "contact.accept", contactId });
    expect(accept).toMatchObject({ type: "error", code: "not_found" });
    await eventsInclude(fx.instanceId, contactId, ["OFFERED", "ABANDONED"]);
    expect((await contactRow(fx.instanceId, contactId)).disconnect_reason).toBe("CUSTOMER_DISCONNECT");
    const snap = await ann.command({ type: "sync" }).then(() => ann.next("state.snapshot"));
    expect(snap.snapshot.contacts).toEqual([]);
    expect(snap.snapshot.status.kind).toBe("AVAILABLE");
  });

  it("an unanswered offer times out when the alarm runs: agent Missed, contact back at its place with its enqueue time, offered to the next agent", async () => {
    const fx = await oneQueue(["ann", "bob"]);
    const ann = await agentSocket(fx, "ann");
    const { contactId } = await fx.enqueue("sales", { ringTimeoutSeconds: 20 });
    const offer = await ann.next("offer");
    const queue = queueRoom(env, fx.instanceId, fx.queueId("sales"));
    // Twenty seconds pass: the reservation's expiry is now in the past; the queue's alarm runs.
    await editQueueStorage(queue, (sql) => {
      sql.exec("UPDATE contacts SET expires_at = ? WHERE contact_id = ?", Date.now() - 1, contactId);
    });
    expect(await runDurableObjectAlarm(queue)).toBe(true);
    expect(await ann.next("offer.withdrawn")).toMatchObject({ contactId, reason: "TIMED_OUT" });
    expect((await ann.next("state.change")).status.kind).toBe("MISSED");
    const pos = await queue.position(contactId);
    expect(pos).toMatchObject({ status: "WAITING", position: 1, enqueuedAt: offer.contact.enqueuedAt });
    // A Missed agent is not offered anything; the next Available agent is.
    const bob = await agentSocket(fx, "bob");
    expect((await bob.next("offer")).contact).toMatchObject({ contactId, enqueuedAt: offer.contact.enqueuedAt });
    expect(ann.messages.filter((m) => m.type === "offer")).toHaveLength(1);
    await eventsInclude(fx.instanceId, contactId, ["OFFERED", "MISSED", "OFFERED"]);
    // Choosing Available again makes ann routable.
    await ann.command({ type: "status.set", status: { kind: "AVAILABLE" } });
    const { contactId: second } = await fx.enqueue("sales");
    expect((await ann.next("offer")).contact.contactId).toBe(second);
  });

  it("an offer rings for its queue's ring timeout (20 s unless the queue sets another)", async () => {
    const fx = await makeInstance({
      queues: [{ id: "slow", ringTimeoutSeconds: 45 }, { id: "plain" }],
      profiles: [{ id: "rp", queues: [{ queueId: "slow", priority: 1 }, { queueId: "plain", priority: 1 }] }],
      agents: [{ id: "ann", profile: "rp" }],
    });
    const ann = await agentSocket(fx, "ann");
    const first = await fx.enqueue("slow");
    const offer = (await ann.next("offer")).contact;
    expect(offer.contactId).toBe(first.contactId);
    expect(offer.offerExpiresAt - offer.enqueuedAt).toBeGreaterThanOrEqual(45_000);
    expect(offer.offerExpiresAt - offer.offeredAt).toBeLessThanOrEqual(45_000);
    await ann.command({ type: "contact.reject", contactId: offer.contactId });
    const second = await fx.enqueue("plain");
    const next = (await ann.next("offer", (m) => m.contact.contactId === second.contactId)).contact;
    expect(next.offerExpiresAt - next.offeredAt).toBeLessThanOrEqual(20_000);
    expect(next.offerExpiresAt - next.enqueuedAt).toBeGreaterThanOrEqual(20_000);
  });

  it("the agent's own alarm also times the offer out (agent Missed, contact back in the queue)", async () => {
    const fx = await oneQueue(["ann"]);
    const ann = await agentSocket(fx, "ann");
    const { contactId } = await fx.enqueue("sales");
    await ann.next("offer");
    const agent = env.AGENT_ROOM.getByName(`${fx.instanceId}:${fx.agentId("ann")}`);
    await runInDurableObject(agent, (_o, state) => {
      state.storage.sql.exec("UPDATE slots SET expires_at = ? WHERE contact_id = ?", Date.now() - 1, contactId);
    });
    expect(await runDurableObjectAlarm(agent)).toBe(true);
    expect(await ann.next("offer.withdrawn")).toMatchObject({ contactId, reason: "TIMED_OUT" });
    expect((await ann.next("state.change")).status.kind).toBe("MISSED");
    const queue = queueRoom(env, fx.instanceId, fx.queueId("sales"));
    await eventually(async () => (await queue.position(contactId)).status === "WAITING");
    await eventsInclude(fx.instanceId, contactId, ["OFFERED", "MISSED"]);
  });

  it("a custom status (Break) is not routable; Available again gets the waiting contact", async () => {
    const fx = await oneQueue(["ann"]);
    const ann = await agentSocket(fx, "ann", false);
    expect((await ann.command({ type: "status.set", status: { kind: "CUSTOM", statusId: fx.breakStatusId } })).type).toBe("ack");
    expect((await ann.next("state.change")).status).toMatchObject({ kind: "CUSTOM", name: "Break" });
    const { contactId } = await fx.enqueue("sales");
    const queue = queueRoom(env, fx.instanceId, fx.queueId("sales"));
    expect((await queue.position(contactId)).status).toBe("WAITING");
    await ann.command({ type: "status.set", status: { kind: "AVAILABLE" } });
    expect((await ann.next("offer")).contact.contactId).toBe(contactId);
    const bad = await ann.command({ type: "status.set", status: { kind: "CUSTOM", statusId: "nope" } });
    expect(bad).toMatchObject({ type: "error", code: "unknown_status" });
  });
});
