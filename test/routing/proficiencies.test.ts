import { env, evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { queueRoom } from "../../src/durable/routing";
import type { RoutingCriteria } from "../../src/shared/routing-criteria";
import { agentSocket, editQueueStorage, eventsInclude, eventually, giveProficiencies, makeInstance, type Fixture } from "./helpers";

const spanish = (level: number, expirySeconds: number | null): RoutingCriteria["steps"][number] => ({
  expression: { condition: { name: "Language", value: "Spanish", level } }, expirySeconds,
});

async function twoAgents() {
  const fx = await makeInstance({
    queues: [{ id: "q" }],
    profiles: [{ id: "rp", queues: [{ queueId: "q", priority: 1 }] }],
    agents: [{ id: "ann", profile: "rp" }, { id: "bea", profile: "rp" }],
  });
  await giveProficiencies(fx, "Language", ["Spanish", "English"], { ann: { English: 5 }, bea: { Spanish: 4 } });
  return fx;
}

const queueAlarm = (fx: Fixture) => runInDurableObject(queueRoom(env, fx.instanceId, fx.queueId("q")), (_o, st) => st.storage.getAlarm());

describe("routing criteria with proficiencies (UpdateRoutingCriteria)", () => {
  it("a contact asking for Language: Spanish >= 3 is offered to the agent with Spanish at 4, not to the one Available longer without it", async () => {
    const fx = await twoAgents();
    const ann = await agentSocket(fx, "ann"); // Available first: she would be offered any contact first
    const bea = await agentSocket(fx, "bea");
    const { contactId } = await fx.enqueue("q", { routingCriteria: { steps: [spanish(3, 60)] } });
    const offer = await bea.next("offer");
    expect(offer.contact.contactId).toBe(contactId);
    expect(await queueRoom(env, fx.instanceId, fx.queueId("q")).position(contactId)).toMatchObject({ status: "OFFERED", agentId: fx.agentId("bea") });
    // Ann still takes a contact without criteria.
    const plain = await fx.enqueue("q");
    expect((await ann.next("offer")).contact.contactId).toBe(plain.contactId);
  });

  it("with nobody matching, the contact waits out its steps (the queue's alarm), then goes to any agent of the queue", async () => {
    const fx = await twoAgents();
    const ann = await agentSocket(fx, "ann");
    const before = Date.now();
    // Step 1: Spanish at 5 (nobody) for 30 s; step 2: Spanish at 5 again for 20 s; then anyone.
    const { contactId } = await fx.enqueue("q", { routingCriteria: { steps: [spanish(5, 30), spanish(5, 20)] } });
    const q = queueRoom(env, fx.instanceId, fx.queueId("q"));
    expect(await q.position(contactId)).toMatchObject({ status: "WAITING" });
    // Once its record is written (the outbox's retry alarm gone), the queue's alarm is the step's end.
    const alarm = await eventually(async () => ((await queueAlarm(fx)) ?? 0) >= before + 30_000 && queueAlarm(fx));
    expect(alarm).toBeLessThanOrEqual(Date.now() + 30_000);

    // The first step passes: the second is in force, still nobody; the alarm moves to its end.
    await editQueueStorage(q, (sql) => sql.exec("UPDATE contacts SET criteria_since = criteria_since - 31000"));
    await runDurableObjectAlarm(q);
    expect(await q.position(contactId)).toMatchObject({ status: "WAITING" });
    const second = await eventually(async () => ((await queueAlarm(fx)) ?? 0) > Date.now() + 15_000 && queueAlarm(fx));
    expect(second).toBeGreaterThan(Date.now() + 15_000);
    expect(second).toBeLessThanOrEqual(Date.now() + 20_000);

    // A restart keeps the criteria and where their steps stand.
    await evictDurableObject(q);
    expect(await queueRoom(env, fx.instanceId, fx.queueId("q")).position(contactId)).toMatchObject({ status: "WAITING" });

    // The last step passes: any agent of the queue may take it.
    await editQueueStorage(queueRoom(env, fx.instanceId, fx.queueId("q")), (sql) => sql.exec("UPDATE contacts SET criteria_since = criteria_since - 20000"));
    await runDurableObjectAlarm(queueRoom(env, fx.instanceId, fx.queueId("q")));
    expect((await ann.next("offer")).contact.contactId).toBe(contactId);
  });

  it("a later step that a waiting agent matches offers the contact to her when the earlier one expires", async () => {
    const fx = await twoAgents();
    const bea = await agentSocket(fx, "bea");
    const { contactId } = await fx.enqueue("q", { routingCriteria: { steps: [spanish(5, 30), spanish(3, 30)] } });
    const q = queueRoom(env, fx.instanceId, fx.queueId("q"));
    expect(await q.position(contactId)).toMatchObject({ status: "WAITING" });
    await editQueueStorage(q, (sql) => sql.exec("UPDATE contacts SET criteria_since = criteria_since - 31000"));
    await runDurableObjectAlarm(q);
    expect((await bea.next("offer")).contact.contactId).toBe(contactId);
  });

  it("criteria set on a contact already waiting (its queue flow) apply at once: it is re-ranked for the agents who match, and the change is recorded", async () => {
    const fx = await twoAgents();
    const { contactId } = await fx.enqueue("q");
    const q = queueRoom(env, fx.instanceId, fx.queueId("q"));
    expect(await q.updateRouting(contactId, { criteria: { steps: [spanish(3, 60)] } })).toEqual({ status: "UPDATED" });
    const ann = await agentSocket(fx, "ann");
    const bea = await agentSocket(fx, "bea");
    expect((await bea.next("offer")).contact.contactId).toBe(contactId);
    const events = await eventsInclude(fx.instanceId, contactId, ["ENQUEUED", "ROUTING_UPDATED", "OFFERED"]);
    expect(events).toContain("ROUTING_UPDATED");
    // The same criteria again (the queue flow's next pass) change nothing: the steps do not start over.
    const since = await runInDurableObject(q, (_o, st) => st.storage.sql.exec<{ s: number }>("SELECT criteria_since AS s FROM contacts").one().s);
    await q.updateRouting(contactId, { criteria: { steps: [spanish(3, 60)] } });
    expect(await runInDurableObject(q, (_o, st) => st.storage.sql.exec<{ s: number }>("SELECT criteria_since AS s FROM contacts").one().s)).toBe(since);
    await eventually(async () => (await q.position(contactId)).status === "OFFERED");
    void ann;
  });
});
