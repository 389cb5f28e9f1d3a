import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { queueRoom } from "../../src/durable/routing";
import { agentSocket, editQueueStorage, eventually, makeInstance } from "./helpers";

describe("invariant 4: the agent gets the best eligible contact", () => {
  it("queue priority in the profile first, then contact priority, then longest waiting", async () => {
    const fx = await makeInstance({
      queues: [{ id: "vip" }, { id: "general" }],
      profiles: [{ id: "rp", queues: [{ queueId: "vip", priority: 1 }, { queueId: "general", priority: 2 }] }],
      agents: [{ id: "ann", profile: "rp" }],
    });
    const t = Date.now() - 60_000;
    const oldGeneral = await fx.enqueue("general", { enqueuedAt: t, priority: 1 });
    const vipLow = await fx.enqueue("vip", { enqueuedAt: t + 2000, priority: 5 });
    const vipOld = await fx.enqueue("vip", { enqueuedAt: t + 1000, priority: 5 });
    const vipUrgent = await fx.enqueue("vip", { enqueuedAt: t + 3000, priority: 1 });
    const ann = await agentSocket(fx, "ann");
    const order: string[] = [];
    for (let i = 0; i < 4; i++) {
      const offer = await ann.next("offer");
      order.push(offer.contact.contactId);
      await ann.command({ type: "contact.accept", contactId: offer.contact.contactId });
      await ann.next("contact.update", (m) => m.contact.state === "CONNECTED");
      await ann.command({ type: "contact.end", contactId: offer.contact.contactId });
      await ann.command({ type: "contact.clear", contactId: offer.contact.contactId });
    }
    expect(order).toEqual([vipUrgent.contactId, vipOld.contactId, vipLow.contactId, oldGeneral.contactId]);
  });

  it("a queue's delay holds its contacts back from the profile until they have waited that long (alarm), even over queue priority", async () => {
    const fx = await makeInstance({
      queues: [{ id: "overflow" }, { id: "home" }],
      profiles: [{ id: "rp", queues: [{ queueId: "overflow", priority: 1, delaySeconds: 30 }, { queueId: "home", priority: 2 }] }],
      agents: [{ id: "ann", profile: "rp" }, { id: "bob", profile: "rp" }],
    });
    const ann = await agentSocket(fx, "ann");
    const overflow = await fx.enqueue("overflow");
    const home = await fx.enqueue("home");
    // The overflow contact has waited 0 of 30 seconds: ann gets the home contact, although overflow has priority 1.
    expect((await ann.next("offer")).contact.contactId).toBe(home.contactId);
    const bob = await agentSocket(fx, "bob");
    const q = queueRoom(env, fx.instanceId, fx.queueId("overflow"));
    expect((await q.position(overflow.contactId)).status).toBe("WAITING");
    expect(bob.messages.some((m) => m.type === "offer")).toBe(false);
    // The queue's alarm is set for the moment the delay passes; 30 s later it runs and bob gets it.
    // (Once the queue's records are in D1: until then its alarm is the outbox's backstop, sooner.)
    const enq = (await q.position(overflow.contactId)) as { enqueuedAt: number };
    const alarmAt = () => runInDurableObject(q, (_o, state) => state.storage.getAlarm());
    await eventually(async () => (await alarmAt()) === enq.enqueuedAt + 30_000, "the alarm at the end of the delay");
    await editQueueStorage(q, (sql) => {
      sql.exec("UPDATE contacts SET enqueued_at = enqueued_at - 30000 WHERE contact_id = ?", overflow.contactId);
    });
    expect(await runDurableObjectAlarm(q)).toBe(true);
    expect((await bob.next("offer")).contact.contactId).toBe(overflow.contactId);
  });

  it("an agent in three queues with a contact waiting in each, offered simultaneously, rings once, for its highest-priority queue", async () => {
    const fx = await makeInstance({
      queues: [{ id: "a" }, { id: "b" }, { id: "c" }],
      profiles: [{ id: "rp", queues: [{ queueId: "c", priority: 3 }, { queueId: "b", priority: 2 }, { queueId: "a", priority: 1 }] }],
      agents: [{ id: "ann", profile: "rp" }],
    });
    const ann = await agentSocket(fx, "ann", false);
    const [a, b, c] = await Promise.all([fx.enqueue("a"), fx.enqueue("b"), fx.enqueue("c")]);
    // Going Available registers ann with all three queues at once: each tries to offer.
    await ann.command({ type: "status.set", status: { kind: "AVAILABLE" } });
    const offer = await ann.next("offer");
    expect(offer.contact.contactId).toBe(a.contactId);
    // Let the other queues' attempts settle: still exactly one offer, and b and c wait.
    await eventually(async () => {
      const [pb, pc] = await Promise.all([b, c].map((x, i) => queueRoom(env, fx.instanceId, fx.queueId(["b", "c"][i])).position(x.contactId)));
      return pb.status === "WAITING" && pc.status === "WAITING";
    });
    expect(ann.messages.filter((m) => m.type === "offer")).toHaveLength(1);
    await ann.command({ type: "contact.accept", contactId: a.contactId });
    await ann.command({ type: "contact.end", contactId: a.contactId });
    await ann.command({ type: "contact.clear", contactId: a.contactId });
    expect((await ann.next("offer")).contact.contactId).toBe(b.contactId);
  });
});
