import { env, evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { agentRoomName } from "../../src/lib/object-names";
import { queueRoom } from "../../src/durable/routing";
import { api, otherInstance } from "../helpers";
import { agentSocket, eventsInclude, eventually, makeInstance, openSocket, type Fixture } from "./helpers";

const setup = async (graceSeconds?: number) => {
  const fx = await makeInstance({
    queues: [{ id: "q" }],
    profiles: [{ id: "rp", queues: [{ queueId: "q", priority: 1 }] }],
    agents: [{ id: "ann", profile: "rp" }, { id: "bob", profile: "rp" }],
  });
  if (graceSeconds !== undefined) {
    await env.DB.prepare("UPDATE instances SET agent_disconnect_grace_seconds = ? WHERE id = ?").bind(graceSeconds, fx.instanceId).run();
  }
  return fx;
};

const agentRoom = (fx: Fixture, name: string) => env.AGENT_ROOM.getByName(agentRoomName(fx.instanceId, fx.agentId(name)));
const alarmOf = (fx: Fixture, name: string) => runInDurableObject(agentRoom(fx, name), (_o, st) => st.storage.getAlarm());
const metricsRow = async (fx: Fixture, name: string) =>
  (await env.METRICS_ROOM.getByName(fx.instanceId).current()).agents.find((a) => a.agentId === fx.agentId(name));

/** Closes the agent's socket and waits until the object has started its grace period (its alarm is set). */
async function closeBrowser(fx: Fixture, name: string, socket: { close(): void }) {
  socket.close();
  return eventually(async () => await alarmOf(fx, name), "the grace period's alarm");
}

/** Time passes: the grace period's deadline is moved into the past, and the alarm runs. */
async function graceRunsOut(fx: Fixture, name: string) {
  const room = agentRoom(fx, name);
  await runInDurableObject(room, (_o, st) => {
    st.storage.sql.exec("UPDATE meta SET value = ? WHERE key = 'presence.graceEndsAt'", JSON.stringify(Date.now() - 1));
  });
  expect(await runDurableObjectAlarm(room)).toBe(true);
}

describe("an agent whose browser closed (CCP's disconnected agent)", () => {
  it("is still offered contacts during the grace period, which the instance sets", async () => {
    const fx = await setup(45);
    const ann = await agentSocket(fx, "ann");
    const closedAt = Date.now();
    const alarm = await closeBrowser(fx, "ann", ann);
    expect(alarm).toBeGreaterThanOrEqual(closedAt + 45_000);
    expect(alarm).toBeLessThanOrEqual(Date.now() + 45_000);
    const { contactId } = await fx.enqueue("q");
    const queue = queueRoom(env, fx.instanceId, fx.queueId("q"));
    expect(await eventually(async () => (await queue.position(contactId)).status === "OFFERED" && queue.position(contactId)))
      .toMatchObject({ agentId: fx.agentId("ann") });
    expect(await eventually(async () => metricsRow(fx, "ann"), "ann on the dashboard")).toMatchObject({ incoming: 1, disconnected: false });
  });

  it("after the grace period is offered nothing, keeps its status, shows Disconnected on the dashboard; a contact goes to another agent or waits; back online it is offered again", async () => {
    const fx = await setup();
    const ann = await agentSocket(fx, "ann");
    await closeBrowser(fx, "ann", ann);
    await graceRunsOut(fx, "ann");
    expect((await agentRoom(fx, "ann").getSnapshot()).status.kind).toBe("AVAILABLE"); // CCP keeps the chosen status
    const row = await eventually(async () => ((await metricsRow(fx, "ann"))?.disconnected ? metricsRow(fx, "ann") : null), "ann disconnected on the dashboard");
    expect(row).toMatchObject({ status: "AVAILABLE", disconnected: true });
    const metrics = await env.METRICS_ROOM.getByName(fx.instanceId).current();
    expect(metrics.instance).toMatchObject({ AGENTS_ONLINE: 1, AGENTS_AVAILABLE: 0, AGENTS_ERROR: 1, SLOTS_AVAILABLE: 0 });

    const queue = queueRoom(env, fx.instanceId, fx.queueId("q"));
    const first = await fx.enqueue("q");
    expect((await queue.position(first.contactId)).status).toBe("WAITING");
    const bob = await agentSocket(fx, "bob");
    expect((await bob.next("offer")).contact.contactId).toBe(first.contactId);
    const second = await fx.enqueue("q");
    expect((await queue.position(second.contactId)).status).toBe("WAITING");

    const back = await openSocket("/agent/socket", fx.token("ann"));
    expect((await back.socket!.next("offer")).contact.contactId).toBe(second.contactId);
    await eventually(async () => (await metricsRow(fx, "ann"))?.disconnected === false, "ann connected on the dashboard");
  });

  it("a grace of 0 disconnects it at once, by the object's own alarm", async () => {
    const fx = await setup(0);
    const ann = await agentSocket(fx, "ann");
    ann.close();
    await eventually(async () => (await metricsRow(fx, "ann"))?.disconnected, "ann disconnected");
    const { contactId } = await fx.enqueue("q");
    expect((await queueRoom(env, fx.instanceId, fx.queueId("q")).position(contactId)).status).toBe("WAITING");
  });

  it("an offer still ringing when the grace runs out is missed: the agent goes to Missed, the contact back to its queue and to the next agent", async () => {
    const fx = await setup();
    const ann = await agentSocket(fx, "ann");
    const { contactId } = await fx.enqueue("q");
    await ann.next("offer");
    await closeBrowser(fx, "ann", ann);
    await graceRunsOut(fx, "ann");
    expect((await agentRoom(fx, "ann").getSnapshot())).toMatchObject({ status: { kind: "MISSED" }, contacts: [] });
    await eventsInclude(fx.instanceId, contactId, ["OFFERED", "MISSED"]);
    const bob = await agentSocket(fx, "bob");
    expect((await bob.next("offer")).contact.contactId).toBe(contactId);
  });

  it("the grace period and the disconnection survive a restart of the agent's object", async () => {
    const fx = await setup();
    const ann = await agentSocket(fx, "ann");
    const alarm = await closeBrowser(fx, "ann", ann);
    await evictDurableObject(agentRoom(fx, "ann"));
    expect(await alarmOf(fx, "ann")).toBe(alarm);
    await graceRunsOut(fx, "ann");
    await evictDurableObject(agentRoom(fx, "ann"));
    expect((await metricsRow(fx, "ann"))?.disconnected).toBe(true);
    const { contactId } = await fx.enqueue("q");
    const queue = queueRoom(env, fx.instanceId, fx.queueId("q"));
    expect((await queue.position(contactId)).status).toBe("WAITING");
    // Started again with no socket: still Disconnected, and no grace alarm of its own any more.
    expect(await agentRoom(fx, "ann").getSnapshot()).toMatchObject({ status: { kind: "AVAILABLE" } });
    expect((await queue.position(contactId)).status).toBe("WAITING");
    const back = await openSocket("/agent/socket", fx.token("ann"));
    expect((await back.socket!.next("offer")).contact.contactId).toBe(contactId);
  });

  it("an object that starts with no socket while its storage says a browser was connected (a deploy drops sockets unseen) starts the grace", async () => {
    const fx = await setup();
    const ann = await agentSocket(fx, "ann");
    // A socket kept across hibernation is no disconnection: no grace runs.
    await evictDurableObject(agentRoom(fx, "ann"));
    expect((await agentRoom(fx, "ann").getSnapshot()).status.kind).toBe("AVAILABLE");
    expect(await alarmOf(fx, "ann")).toBeNull();
    // The socket goes without its close reaching the object (as when a deploy restarts it).
    await closeBrowser(fx, "ann", ann);
    await runInDurableObject(agentRoom(fx, "ann"), async (_o, st) => {
      st.storage.sql.exec("UPDATE meta SET value = 'null' WHERE key = 'presence.graceEndsAt'");
      await st.storage.deleteAlarm();
    });
    await evictDurableObject(agentRoom(fx, "ann"));
    const before = Date.now();
    await agentRoom(fx, "ann").getSnapshot(); // anything that starts the object
    const alarm = await eventually(async () => await alarmOf(fx, "ann"), "the grace period's alarm");
    expect(alarm).toBeGreaterThanOrEqual(before + 30_000);
  });
});

describe("the instance's disconnect grace period setting", () => {
  it("defaults to 30 s, takes 0–3600 whole seconds, and refuses anything else with 400, storing nothing", async () => {
    const { token } = await otherInstance("Grace Co");
    expect((await api("GET", "/instance", { token })).body.agentDisconnectGraceSeconds).toBe(30);
    for (const bad of [-1, 3601, 2.5, "45", null]) {
      const res = await api("PATCH", "/instance", { token, body: { agentDisconnectGraceSeconds: bad } });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
    }
    expect((await api("GET", "/instance", { token })).body.agentDisconnectGraceSeconds).toBe(30);
    const ok = await api("PATCH", "/instance", { token, body: { agentDisconnectGraceSeconds: 90 } });
    expect(ok.status).toBe(200);
    expect(ok.body.agentDisconnectGraceSeconds).toBe(90);
    expect((await api("GET", "/instance", { token })).body.agentDisconnectGraceSeconds).toBe(90);
  });
});
