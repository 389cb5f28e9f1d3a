import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createContact } from "../../src/db/contacts";
import { Throttle } from "../../src/durable/coalesce";
import { ContactOutbox } from "../../src/durable/contact-record";
import { queueRoom } from "../../src/durable/routing";
import { db } from "../helpers";
import { contactRow, makeInstance } from "./helpers";

describe("follow-up work off the offer path", () => {
  it("a throttled job runs at once after a quiet period, and a burst of triggers folds into one more run", async () => {
    let runs = 0;
    const t = new Throttle(async () => {
      runs++;
    }, 50);
    await t.trigger();
    expect(runs).toBe(1);
    const burst = [t.trigger(), t.trigger(), t.trigger(), t.trigger()];
    expect(runs).toBe(1); // not one run per change
    await Promise.all(burst);
    expect(runs).toBe(2);
  });

  it("an event that moves no current column (written first) does not hold back an earlier state change from another object's outbox", async () => {
    const fx = await makeInstance({ queues: [{ id: "q" }], profiles: [], agents: [] });
    const contactId = `${fx.instanceId}-late`;
    await createContact(db(), env.SWITCHBOARD_SECRET, { id: contactId, instanceId: fx.instanceId, channel: "VOICE", initiationMethod: "INBOUND" });
    const stub = queueRoom(env, fx.instanceId, fx.queueId("q"));
    const t = Date.now() + 10_000;
    await runInDurableObject(stub, async (_o, st) => {
      const outbox = new ContactOutbox(st.storage.sql, env.DB, () => fx.instanceId);
      // The agent's ACW_ENDED after a transfer (no row change) reaches D1 before the new queue's CONNECTED.
      outbox.add({ contactId, type: "ACW_ENDED", at: t + 2_000, agentId: "ann", update: {} });
      outbox.add({ contactId, type: "CONNECTED", at: t + 1_000, agentId: "bob", update: { state: "CONNECTED", agentId: "bob" } });
      await outbox.drain();
    });
    expect(await contactRow(fx.instanceId, contactId)).toMatchObject({ state: "CONNECTED", agent_id: "bob" });
  });

  it("the agent's ENDED reaching D1 before the queue's CONNECTED keeps the state ENDED and still records who handled it", async () => {
    const fx = await makeInstance({ queues: [{ id: "q" }], profiles: [], agents: [] });
    const contactId = `${fx.instanceId}-ended-first`;
    await createContact(db(), env.SWITCHBOARD_SECRET, { id: contactId, instanceId: fx.instanceId, channel: "VOICE", initiationMethod: "INBOUND" });
    const stub = queueRoom(env, fx.instanceId, fx.queueId("q"));
    const t = Date.now() + 10_000;
    await runInDurableObject(stub, async (_o, st) => {
      const outbox = new ContactOutbox(st.storage.sql, env.DB, () => fx.instanceId);
      outbox.add({ contactId, type: "ENDED", at: t + 2_000, agentId: "ann", update: { state: "ENDED", endedAt: t + 2_000 } });
      outbox.add({ contactId, type: "CONNECTED", at: t + 1_000, agentId: "ann", queueId: "q", update: { state: "CONNECTED", agentId: "ann", queueId: "q", connectedAt: t + 1_000 } });
      await outbox.drain();
    });
    expect(await contactRow(fx.instanceId, contactId)).toMatchObject({ state: "ENDED", agent_id: "ann", queue_id: "q", connected_at: t + 1_000 });
  });
});
