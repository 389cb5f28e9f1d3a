import { env, runDurableObjectAlarm, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { queueRoom } from "../../src/durable/routing";
import { api } from "../helpers";
import { agentSocket, eventually, makeInstance, openSocket, socketTicket } from "./helpers";

const setup = (maxContacts: number | null = null) =>
  makeInstance({
    queues: [{ id: "q", maxContacts }],
    profiles: [{ id: "rp", queues: [{ queueId: "q", priority: 1 }] }],
    agents: [
      { id: "ann", profile: "rp" },
      { id: "sup", profile: "rp", securityProfile: "supervisor" },
      { id: "noperm", profile: "rp", securityProfile: "none" },
    ],
  });

describe("queue", () => {
  it("answers AT_CAPACITY at max contacts (the flow's QueueAtCapacity), and enqueue is idempotent by contact id", async () => {
    const fx = await setup(2);
    const a = await fx.enqueue("q");
    await fx.enqueue("q");
    const third = await fx.enqueue("q");
    expect(third.result).toEqual({ status: "AT_CAPACITY", queueId: fx.queueId("q") });
    const again = await queueRoom(env, fx.instanceId, fx.queueId("q")).enqueue({ contactId: a.contactId, channel: "VOICE" });
    expect(again).toMatchObject({ status: "QUEUED", position: 1 });
    const missing = await queueRoom(env, fx.instanceId, "no-such-queue").enqueue({ contactId: "x", channel: "VOICE" });
    expect(missing.status).toBe("NOT_FOUND");
  });

  it("gives each waiting contact its position and, once contacts are answered, an estimated wait", async () => {
    const fx = await setup();
    const cs = [await fx.enqueue("q"), await fx.enqueue("q"), await fx.enqueue("q", { priority: 1 })];
    const q = queueRoom(env, fx.instanceId, fx.queueId("q"));
    expect(await q.position(cs[2].contactId)).toMatchObject({ status: "WAITING", position: 1, estimatedWaitSeconds: null });
    expect(await q.position(cs[1].contactId)).toMatchObject({ position: 3 });
    const ann = await agentSocket(fx, "ann");
    const offer = await ann.next("offer");
    await ann.command({ type: "contact.accept", contactId: offer.contact.contactId });
    await ann.next("contact.update");
    const pos = await q.position(cs[1].contactId);
    expect(pos).toMatchObject({ status: "WAITING", position: 2 });
    expect((pos as { estimatedWaitSeconds: number }).estimatedWaitSeconds).toBeGreaterThan(0);
    expect(await q.position("unknown")).toEqual({ status: "NOT_IN_QUEUE" });
  });
});

describe("agent socket auth and instance isolation", () => {
  it("401 without a session, 403 without contacts.handle, 426 without an upgrade; a ticket opens one socket once; no session token in the URL", async () => {
    const fx = await setup();
    expect((await openSocket("/agent/socket", null)).status).toBe(401);
    expect((await openSocket("/agent/socket", "not-a-token")).status).toBe(401);
    expect((await openSocket("/agent/socket", fx.token("noperm"))).status).toBe(403);
    const plain = await api("GET", "/agent/socket", { token: fx.token("ann") });
    expect(plain.status).toBe(426);
    const ticket = await socketTicket(fx.token("ann"));
    const viaTicket = await openSocket("/agent/socket", null, `ticket=${ticket}`);
    expect(viaTicket.status).toBe(101);
    const snap = await viaTicket.socket!.next("state.snapshot");
    expect(snap.snapshot).toMatchObject({ instanceId: fx.instanceId, agentId: fx.agentId("ann") });
    // Spent: the same ticket opens nothing again.
    expect((await openSocket("/agent/socket", null, `ticket=${ticket}`)).status).toBe(401);
    // A session token in the URL is refused, saying why.
    const inUrl = await SELF.fetch(`https://switchboard.test/api/v1/agent/socket?token=${fx.token("ann")}`, { headers: { upgrade: "websocket" } });
    expect(inUrl.status).toBe(401);
    expect(((await inUrl.json()) as any).error.message).toMatch(/ticket/);
  });

  it("an agent of instance B cannot reach instance A's agent or queue objects: 404 for A's user, 403 for a colleague, A's queue id unknown in B", async () => {
    const a = await setup();
    const b = await setup();
    expect((await openSocket(`/agent/socket?userId=${encodeURIComponent(a.agentId("ann"))}`, b.token("ann"))).status).toBe(404);
    expect((await openSocket(`/agent/socket?userId=${encodeURIComponent(b.agentId("sup"))}`, b.token("ann"))).status).toBe(403);
    // B's own socket is B's object, whatever A does.
    const annA = await agentSocket(a, "ann");
    const annB = await agentSocket(b, "ann");
    const { contactId } = await a.enqueue("q");
    await annA.next("offer");
    expect(annB.messages.some((m) => m.type === "offer")).toBe(false);
    // B's agent accepting A's contact id finds nothing; transferring to A's queue is "not found".
    expect(await annB.command({ type: "contact.accept", contactId })).toMatchObject({ type: "error", code: "not_found" });
    await annA.command({ type: "contact.accept", contactId });
    await annA.next("contact.update");
    const { contactId: bc } = await b.enqueue("q");
    await annB.next("offer");
    await annB.command({ type: "contact.accept", contactId: bc });
    await annB.next("contact.update");
    const r = await annB.command({ type: "contact.transfer", contactId: bc, target: { type: "QUEUE", queueId: a.queueId("q") } });
    expect(r).toMatchObject({ type: "error", code: "not_found" });
    const r2 = await annB.command({ type: "contact.transfer", contactId: bc, target: { type: "AGENT", userId: a.agentId("sup") } });
    expect(r2).toMatchObject({ type: "error", code: "not_found" });
    // A queue object named with B's instance and A's queue id holds nothing and refuses contacts.
    expect((await queueRoom(env, b.instanceId, a.queueId("q")).enqueue({ contactId: "z", channel: "VOICE" })).status).toBe("NOT_FOUND");
    expect(() => queueRoom(env, `${b.instanceId}:x`, "q")).toThrow();
  });
});

describe("real-time metrics", () => {
  it("GET /metrics/current answers Amazon Connect's metrics per instance and queue (needs metrics.realtime), only for the caller's instance", async () => {
    const fx = await setup();
    const other = await setup();
    const ann = await agentSocket(fx, "ann");
    await agentSocket(other, "ann");
    await fx.enqueue("q", { enqueuedAt: Date.now() - 90_000 });
    await ann.next("offer");
    await fx.enqueue("q");
    expect((await api("GET", "/metrics/current", { token: fx.token("ann") })).status).toBe(403);
    const m = await eventually(async () => {
      const r = await api("GET", "/metrics/current", { token: fx.token("sup") });
      return r.body.instance?.AGENTS_ON_CONTACT === 1 && r.body.instance.CONTACTS_IN_QUEUE === 2 ? r : null;
    }, "metrics");
    expect(m.status).toBe(200);
    expect(m.body.instanceId).toBe(fx.instanceId);
    expect(m.body.instance).toMatchObject({ AGENTS_ONLINE: 1, AGENTS_AVAILABLE: 0, AGENTS_ON_CONTACT: 1, SLOTS_ACTIVE: 1, SLOTS_AVAILABLE: 0 });
    expect(m.body.instance.OLDEST_CONTACT_AGE).toBeGreaterThanOrEqual(90);
    expect(m.body.queues.map((q: any) => q.queueId)).toEqual([fx.queueId("q")]);
    const q = await api("GET", `/metrics/current?queueId=${encodeURIComponent(fx.queueId("q"))}`, { token: fx.token("sup") });
    expect(q.body.queues[0]).toMatchObject({ queueId: fx.queueId("q"), CONTACTS_IN_QUEUE: 2, AGENTS_ON_CONTACT: 1 });
  });

  it("pushes metrics to a supervisor's socket when they change", async () => {
    const fx = await setup();
    const sup = await openSocket("/metrics/socket", fx.token("sup"));
    expect(sup.status).toBe(101);
    const first = await sup.socket!.next("metrics");
    expect(first.metrics.instance.AGENTS_ONLINE).toBe(0);
    expect((await openSocket("/metrics/socket", fx.token("ann"))).status).toBe(403);
    await agentSocket(fx, "ann");
    const room = env.METRICS_ROOM.getByName(fx.instanceId);
    await eventually(async () => (await room.current()).instance.AGENTS_AVAILABLE === 1);
    await runDurableObjectAlarm(room);
    const pushed = await sup.socket!.next("metrics", (m) => m.metrics.instance.AGENTS_AVAILABLE === 1);
    expect(pushed.metrics.instance).toMatchObject({ AGENTS_ONLINE: 1, AGENTS_AVAILABLE: 1, SLOTS_AVAILABLE: 1 });
  });
});
