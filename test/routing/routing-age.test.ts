import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { queueRoom } from "../../src/durable/routing";
import { agentSocket, editQueueStorage, makeInstance, type TestSocket } from "./helpers";

/** The contacts an agent is offered, in order, taking and finishing each. */
async function offersTo(ann: TestSocket, n: number): Promise<string[]> {
  const order: string[] = [];
  for (let i = 0; i < n; i++) {
    const offer = await ann.next("offer");
    order.push(offer.contact.contactId);
    await ann.command({ type: "contact.accept", contactId: offer.contact.contactId });
    await ann.next("contact.update", (m) => m.contact.state === "CONNECTED");
    await ann.command({ type: "contact.end", contactId: offer.contact.contactId });
    await ann.command({ type: "contact.clear", contactId: offer.contact.contactId });
  }
  return order;
}

describe("routing age (UpdateContactRoutingBehavior QueueTimeAdjustmentSeconds)", () => {
  it("a later contact whose routing age was raised is offered before an earlier one; priority still comes first; a lowered age goes behind; the true enqueue time is kept", async () => {
    const fx = await makeInstance({
      queues: [{ id: "q" }],
      profiles: [{ id: "rp", queues: [{ queueId: "q", priority: 1 }] }],
      agents: [{ id: "ann", profile: "rp" }],
    });
    const t = Date.now() - 60_000;
    const early = await fx.enqueue("q", { enqueuedAt: t });
    const boosted = await fx.enqueue("q", { enqueuedAt: t + 20_000, ageAdjustSeconds: 30 });
    const urgent = await fx.enqueue("q", { enqueuedAt: t + 40_000, priority: 1 });
    const demoted = await fx.enqueue("q", { enqueuedAt: t - 10_000, ageAdjustSeconds: -60 });
    const q = queueRoom(env, fx.instanceId, fx.queueId("q"));
    expect(await q.position(boosted.contactId)).toMatchObject({ status: "WAITING", position: 2, enqueuedAt: t + 20_000 });
    expect(await q.position(early.contactId)).toMatchObject({ position: 3 });
    expect(await q.position(demoted.contactId)).toMatchObject({ position: 4 });

    const ann = await agentSocket(fx, "ann");
    expect(await offersTo(ann, 4)).toEqual([urgent.contactId, boosted.contactId, early.contactId, demoted.contactId]);
  });

  it("the adjustment is kept in the queue's storage: the order survives a restart, and a queue stored before it keeps its contacts in place", async () => {
    const fx = await makeInstance({
      queues: [{ id: "q" }],
      profiles: [{ id: "rp", queues: [{ queueId: "q", priority: 1 }] }],
      agents: [{ id: "ann", profile: "rp" }],
    });
    const t = Date.now() - 60_000;
    const early = await fx.enqueue("q", { enqueuedAt: t });
    const boosted = await fx.enqueue("q", { enqueuedAt: t + 10_000, ageAdjustSeconds: 15 });
    const stored = await runInDurableObject(queueRoom(env, fx.instanceId, fx.queueId("q")), (_o, st) =>
      st.storage.sql.exec<{ contact_id: string; age_adjust_ms: number }>("SELECT contact_id, age_adjust_ms FROM contacts ORDER BY contact_id").toArray());
    expect(Object.fromEntries(stored.map((r) => [r.contact_id, r.age_adjust_ms]))).toEqual({ [early.contactId]: 0, [boosted.contactId]: 15_000 });

    await evictDurableObject(queueRoom(env, fx.instanceId, fx.queueId("q")));
    const q = queueRoom(env, fx.instanceId, fx.queueId("q"));
    expect(await q.position(boosted.contactId)).toMatchObject({ status: "WAITING", position: 1 });

    // The table as an older version made it (no age column): it gains one, every contact at 0.
    await editQueueStorage(q, (sql) => {
      sql.exec("CREATE TABLE old_contacts AS SELECT contact_id, channel, priority, enqueued_at, attributes, initiation, ring_timeout_ms, notify, state, agent_id, reservation_id, expires_at, excluded FROM contacts");
      sql.exec("DROP TABLE contacts");
      sql.exec("ALTER TABLE old_contacts RENAME TO contacts");
    });
    await evictDurableObject(q);
    const fresh = queueRoom(env, fx.instanceId, fx.queueId("q"));
    expect(await fresh.position(early.contactId)).toMatchObject({ status: "WAITING", position: 1 });
    const ann = await agentSocket(fx, "ann");
    expect(await offersTo(ann, 2)).toEqual([early.contactId, boosted.contactId]);
  });

  it("across an agent's queues of equal priority, the contact with the greater routing age is offered first (invariant 4)", async () => {
    const fx = await makeInstance({
      queues: [{ id: "a" }, { id: "b" }],
      profiles: [{ id: "rp", queues: [{ queueId: "a", priority: 1 }, { queueId: "b", priority: 1 }] }],
      agents: [{ id: "ann", profile: "rp" }],
    });
    const t = Date.now() - 60_000;
    const inA = await fx.enqueue("a", { enqueuedAt: t });
    const inB = await fx.enqueue("b", { enqueuedAt: t + 5_000, ageAdjustSeconds: 20 });
    const ann = await agentSocket(fx, "ann");
    expect(await offersTo(ann, 2)).toEqual([inB.contactId, inA.contactId]);
  });

  it("updateRouting re-ranks a waiting contact at once (FIFO among equals after it), keeps an offered one's offer, is kept across a restart, and answers NOT_WAITING for a contact not there", async () => {
    const fx = await makeInstance({
      queues: [{ id: "q" }],
      profiles: [{ id: "rp", queues: [{ queueId: "q", priority: 1 }] }],
      agents: [{ id: "ann", profile: "rp" }, { id: "bob", profile: "rp" }],
    });
    const t = Date.now() - 60_000;
    const a = await fx.enqueue("q", { enqueuedAt: t });
    const b = await fx.enqueue("q", { enqueuedAt: t + 10_000 });
    const c = await fx.enqueue("q", { enqueuedAt: t + 20_000 });
    const q = queueRoom(env, fx.instanceId, fx.queueId("q"));
    // c raised to priority 1: first. b's routing age +15 s: ahead of a (t - 5 s against t), behind c.
    expect(await q.updateRouting(c.contactId, { priority: 1 })).toEqual({ status: "UPDATED" });
    expect(await q.updateRouting(b.contactId, { ageAdjustSeconds: 15 })).toEqual({ status: "UPDATED" });
    // Totals, not changes: the same update again moves nothing.
    expect(await q.updateRouting(b.contactId, { ageAdjustSeconds: 15 })).toEqual({ status: "UPDATED" });
    const order = async () => Promise.all([a, b, c].map(async (x) => ((await q.position(x.contactId)) as { position: number }).position));
    expect(await order()).toEqual([3, 2, 1]);
    expect(await q.updateRouting(`${fx.instanceId}-nobody`, { priority: 1 })).toEqual({ status: "NOT_WAITING" });

    await evictDurableObject(q);
    const fresh = queueRoom(env, fx.instanceId, fx.queueId("q"));
    expect(await order()).toEqual([3, 2, 1]);

    // c rings at Ann; lowering it meanwhile leaves the offer with her alone (invariant 1).
    const ann = await agentSocket(fx, "ann");
    const offer = await ann.next("offer");
    expect(offer.contact.contactId).toBe(c.contactId);
    expect(await fresh.updateRouting(c.contactId, { priority: 9 })).toEqual({ status: "UPDATED" });
    expect(await fresh.position(c.contactId)).toMatchObject({ status: "OFFERED", agentId: expect.any(String) });
    const bob = await agentSocket(fx, "bob");
    expect((await bob.next("offer")).contact.contactId).toBe(b.contactId);
    await ann.command({ type: "contact.accept", contactId: c.contactId });
    await ann.next("contact.update", (m) => m.contact.contactId === c.contactId && m.contact.state === "CONNECTED");
  });
});
