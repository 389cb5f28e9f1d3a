import { env, evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { agentRoomName } from "../../src/lib/object-names";
import { queueRoom } from "../../src/durable/routing";
import { agentSocket, eventsInclude, makeInstance, openSocket } from "./helpers";

const setup = () =>
  makeInstance({
    queues: [{ id: "q" }],
    profiles: [{ id: "rp", queues: [{ queueId: "q", priority: 1 }] }],
    agents: [{ id: "ann", profile: "rp" }, { id: "bob", profile: "rp" }],
  });

describe("invariants 3 and 5 across restarts", () => {
  it("a queue restarted mid-offer keeps the contact reserved, the accept still connects it once, and its timer is still set", async () => {
    const fx = await setup();
    const ann = await agentSocket(fx, "ann");
    const { contactId } = await fx.enqueue("q");
    const offer = await ann.next("offer");
    const stub = queueRoom(env, fx.instanceId, fx.queueId("q"));
    await evictDurableObject(stub);
    const fresh = queueRoom(env, fx.instanceId, fx.queueId("q"));
    expect(await fresh.position(contactId)).toMatchObject({ status: "OFFERED", agentId: fx.agentId("ann") });
    expect(await runInDurableObject(fresh, (_o, st) => st.storage.getAlarm())).toBe(offer.contact.offerExpiresAt);
    await ann.command({ type: "contact.accept", contactId });
    expect((await ann.next("contact.update")).contact.state).toBe("CONNECTED");
    const events = await eventsInclude(fx.instanceId, contactId, ["ENQUEUED", "OFFERED", "CONNECTED"]);
    expect(events.filter((t) => t === "CONNECTED")).toHaveLength(1);
  });

  it("an agent restarted mid-offer still rings on reconnect (full state at once), and its ring timeout survives", async () => {
    const fx = await setup();
    const ann = await agentSocket(fx, "ann");
    const { contactId } = await fx.enqueue("q");
    const offer = await ann.next("offer");
    const agent = env.AGENT_ROOM.getByName(agentRoomName(fx.instanceId, fx.agentId("ann")));
    await evictDurableObject(agent);
    const again = await openSocket("/agent/socket", fx.token("ann"));
    const snap = (await again.socket!.next("state.snapshot")).snapshot;
    expect(snap.status.kind).toBe("AVAILABLE");
    expect(snap.contacts).toEqual([expect.objectContaining({ contactId, state: "INCOMING", offerExpiresAt: offer.contact.offerExpiresAt })]);
    const fresh = env.AGENT_ROOM.getByName(agentRoomName(fx.instanceId, fx.agentId("ann")));
    expect(await runInDurableObject(fresh, (_o, st) => st.storage.getAlarm())).toBe(offer.contact.offerExpiresAt);
    // The timer fires after the restart: ann Missed, the contact goes to bob.
    await runInDurableObject(fresh, (_o, st) => st.storage.sql.exec("UPDATE slots SET expires_at = ?", Date.now() - 1));
    await runDurableObjectAlarm(fresh);
    expect((await again.socket!.next("state.change")).status.kind).toBe("MISSED");
    const bob = await agentSocket(fx, "bob");
    expect((await bob.next("offer")).contact.contactId).toBe(contactId);
  });

  it("an agent restarted between accept and the queue's answer re-confirms from storage: connected once, nothing lost", async () => {
    const fx = await setup();
    const ann = await agentSocket(fx, "ann");
    const { contactId } = await fx.enqueue("q");
    await ann.next("offer");
    const agent = env.AGENT_ROOM.getByName(agentRoomName(fx.instanceId, fx.agentId("ann")));
    // The accept was stored, then the object went away before it heard back.
    await runInDurableObject(agent, (_o, st) => st.storage.sql.exec("UPDATE slots SET accepting = 1 WHERE contact_id = ?", contactId));
    await evictDurableObject(agent);
    const fresh = env.AGENT_ROOM.getByName(agentRoomName(fx.instanceId, fx.agentId("ann")));
    await runInDurableObject(fresh, (_o, st) => st.storage.setAlarm(Date.now()));
    await runDurableObjectAlarm(fresh);
    const snap = await fresh.getSnapshot();
    expect(snap.contacts).toEqual([expect.objectContaining({ contactId, state: "CONNECTED" })]);
    // A second retry (idempotent confirm) changes nothing.
    await runInDurableObject(fresh, (_o, st) => st.storage.sql.exec("UPDATE slots SET state = 'INCOMING', accepting = 1"));
    await runInDurableObject(fresh, (_o, st) => st.storage.setAlarm(Date.now()));
    await runDurableObjectAlarm(fresh);
    expect((await fresh.getSnapshot()).contacts[0].state).toBe("CONNECTED");
    const events = await eventsInclude(fx.instanceId, contactId, ["OFFERED", "CONNECTED"]);
    expect(events.filter((t) => t === "CONNECTED")).toHaveLength(1);
  });

  it("waiting contacts and their order survive a queue restart", async () => {
    const fx = await setup();
    const a = await fx.enqueue("q", { priority: 5 });
    const b = await fx.enqueue("q", { priority: 2 });
    await evictDurableObject(queueRoom(env, fx.instanceId, fx.queueId("q")));
    const q = queueRoom(env, fx.instanceId, fx.queueId("q"));
    expect(await q.position(b.contactId)).toMatchObject({ status: "WAITING", position: 1 });
    expect(await q.position(a.contactId)).toMatchObject({ status: "WAITING", position: 2 });
    const ann = await agentSocket(fx, "ann");
    expect((await ann.next("offer")).contact.contactId).toBe(b.contactId);
  });

  it("a queue object stored before registrations were one table keeps its agents' registrations after it restarts", async () => {
    const fx = await setup();
    const stub = queueRoom(env, fx.instanceId, fx.queueId("q"));
    await runInDurableObject(stub, (_o, st) => {
      // The tables as an older version left them.
      st.storage.sql.exec("DROP TABLE registrations");
      st.storage.sql.exec("CREATE TABLE agents (agent_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, available_since INTEGER NOT NULL, paused INTEGER NOT NULL DEFAULT 0)");
      st.storage.sql.exec("CREATE TABLE agent_channels (agent_id TEXT NOT NULL, channel TEXT NOT NULL, priority INTEGER NOT NULL, delay_ms INTEGER NOT NULL, PRIMARY KEY (agent_id, channel))");
      st.storage.sql.exec("INSERT INTO agents VALUES ('ann', 7, 1000, 0)");
      st.storage.sql.exec("INSERT INTO agent_channels VALUES ('ann', 'VOICE', 1, 0), ('ann', 'CHAT', 2, 5000)");
    });
    await evictDurableObject(stub);
    const fresh = queueRoom(env, fx.instanceId, fx.queueId("q"));
    const rows = await runInDurableObject(fresh, (_o, st) => ({
      regs: st.storage.sql.exec<{ agent_id: string; seq: number; channels: string }>("SELECT agent_id, seq, channels FROM registrations").toArray(),
      old: st.storage.sql.exec("SELECT name FROM sqlite_master WHERE name IN ('agents', 'agent_channels')").toArray(),
    }));
    expect(rows.old).toEqual([]);
    expect(rows.regs).toHaveLength(1);
    expect(rows.regs[0]).toMatchObject({ agent_id: "ann", seq: 7 });
    expect(JSON.parse(rows.regs[0].channels)).toEqual(expect.arrayContaining([
      { channel: "VOICE", priority: 1, delayMs: 0 }, { channel: "CHAT", priority: 2, delayMs: 5000 },
    ]));
  });
});
