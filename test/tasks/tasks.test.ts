import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { queueRoomName } from "../../src/lib/object-names";
import { api, otherInstance } from "../helpers";
import { agentSocket, contactEvents, contactRow, eventsInclude, eventually } from "../routing/helpers";
import { makeTaskInstance, passTaskTime, taskSession } from "./helpers";

const position = (instanceId: string, queueId: string, contactId: string) => env.QUEUE_ROOM.getByName(queueRoomName(instanceId, queueId)).position(contactId);

describe("tasks: API → queue → agent → record", () => {
  it("a task from a template waits in its queue, is offered as a task, accepted and completed; its record is channel TASK with its references", async () => {
    const fx = await makeTaskInstance();
    const alice = await agentSocket(fx, "alice");
    const created = await api("POST", "/tasks", {
      token: fx.admin,
      body: {
        name: "Call Ann back", description: "About invoice 42", templateId: fx.templateId, fields: { Customer: "Ann" },
        references: [{ name: "Invoice", url: "https://crm.example.com/invoices/42" }], attributes: { account: "A-1" },
      },
    });
    expect(created.status).toBe(201);
    const { contactId } = created.body;
    const offer = await alice.next("offer", (m) => m.contact.contactId === contactId);
    expect(offer.contact).toMatchObject({ channel: "TASK", queueId: fx.queueId("work"), initiationMethod: "API", attributes: { account: "A-1" } });
    // The workspace reads the task's details.
    const details = await api("GET", `/tasks/${contactId}`, { token: fx.token("alice") });
    expect(details.body).toMatchObject({
      name: "Call Ann back", description: "About invoice 42", templateId: fx.templateId,
      references: [{ name: "Invoice", url: "https://crm.example.com/invoices/42" }], fields: { Customer: "Ann", Urgency: "low" },
    });
    alice.send({ type: "contact.accept", contactId });
    await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.state === "CONNECTED");
    expect(await taskSession(fx.instanceId, contactId).taskSnapshot()).toMatchObject({ phase: "CONNECTED", agentId: fx.agentId("alice") });
    // Complete: the agent's End; after contact work as usual.
    expect(await alice.command({ type: "contact.end", contactId })).toMatchObject({ type: "ack" });
    await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.state === "AFTER_CONTACT_WORK");
    alice.send({ type: "contact.clear", contactId });
    await alice.next("contact.removed", (m) => m.contactId === contactId);
    await eventsInclude(fx.instanceId, contactId, ["INITIATED", "ENQUEUED", "CONNECTED", "ENDED"]);
    await eventsInclude(fx.instanceId, contactId, ["INITIATED", "ENQUEUED", "CONNECTED", "ENDED", "ACW_ENDED"]).catch(async (e) => {
      throw new Error(`${e}: ${JSON.stringify(await contactRow(fx.instanceId, contactId))}`);
    });
    const row = await eventually(Object.assign(async () => {
      const r = await contactRow(fx.instanceId, contactId);
      return r?.state === "COMPLETED" ? r : null;
    }), "the task's record ended");
    expect(row).toMatchObject({ channel: "TASK", initiation_method: "API", agent_id: fx.agentId("alice"), queue_id: fx.queueId("work") });
    expect(await taskSession(fx.instanceId, contactId).taskSnapshot()).toMatchObject({ phase: "ENDED" });
    // Contact search finds it as a task.
    const search = await api("GET", `/contacts?channel=TASK`, { token: fx.admin });
    expect(search.status).toBe(200);
    expect(search.body.items.map((c: { id?: string; contactId?: string }) => c.id ?? c.contactId)).toContain(contactId);
  });

  it("a task missing a required template field is a 400 naming it, and nothing is created", async () => {
    const fx = await makeTaskInstance();
    const res = await api("POST", "/tasks", { token: fx.admin, body: { name: "No customer", templateId: fx.templateId, fields: { Urgency: "high" } } });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain("Customer");
    const bad = await api("POST", "/tasks", { token: fx.admin, body: { name: "Bad urgency", templateId: fx.templateId, fields: { Customer: "Ann", Urgency: "soon" } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain("Urgency");
    const noRoute = await api("POST", "/tasks", { token: fx.admin, body: { name: "Nowhere" } });
    expect(noRoute.status).toBe(400);
    const badRef = await api("POST", "/tasks", { token: fx.admin, body: { name: "x", queueId: fx.queueId("work"), references: [{ name: "a", url: "javascript:alert(1)" }] } });
    expect(badRef.status).toBe(400);
    const { results } = await env.DB.prepare("SELECT id FROM contacts WHERE instance_id = ?").bind(fx.instanceId).all();
    expect(results).toEqual([]);
    const tasks = await env.DB.prepare("SELECT contact_id FROM contact_tasks WHERE instance_id = ?").bind(fx.instanceId).all();
    expect(tasks.results).toEqual([]);
  });

  it("a user without contacts.handle may not create tasks", async () => {
    const fx = await makeTaskInstance();
    const { userWith } = await import("../chat/helpers");
    const viewer = await userWith(fx.instanceId, "viewer", ["contacts.search"]);
    const res = await api("POST", "/tasks", { token: viewer, body: { name: "x", queueId: fx.queueId("work") } });
    expect(res.status).toBe(403);
  });
});

describe("tasks: transfer", () => {
  it("an agent transfers an accepted task to another queue; the next agent is offered it as a task and completes it", async () => {
    const fx = await makeTaskInstance();
    const alice = await agentSocket(fx, "alice");
    const { body } = await api("POST", "/tasks", { token: fx.admin, body: { name: "Pass it on", queueId: fx.queueId("work") } });
    await alice.next("offer", (m) => m.contact.contactId === body.contactId);
    alice.send({ type: "contact.accept", contactId: body.contactId });
    await alice.next("contact.update", (m) => m.contact.contactId === body.contactId && m.contact.state === "CONNECTED");
    // Bob is Available only now, so the task can only reach him through the transfer.
    const bob = await agentSocket(fx, "bob");
    expect(await alice.command({ type: "contact.transfer", contactId: body.contactId, target: { type: "QUEUE", queueId: fx.queueId("other") } })).toMatchObject({ type: "ack" });
    const offer = await bob.next("offer", (m) => m.contact.contactId === body.contactId);
    expect(offer.contact).toMatchObject({ channel: "TASK", queueId: fx.queueId("other") });
    bob.send({ type: "contact.accept", contactId: body.contactId });
    await bob.next("contact.update", (m) => m.contact.contactId === body.contactId && m.contact.state === "CONNECTED");
    expect(await bob.command({ type: "contact.end", contactId: body.contactId })).toMatchObject({ type: "ack" });
    await eventsInclude(fx.instanceId, body.contactId, ["ENQUEUED", "CONNECTED", "TRANSFERRED", "ENQUEUED", "CONNECTED", "ENDED"]);
    await eventually(async () => (await taskSession(fx.instanceId, body.contactId).taskSnapshot())?.phase === "ENDED", "ended");
  });
});

describe("tasks: scheduled and expired", () => {
  it("a scheduled task waits for its time (the session's alarm), then goes to its queue", async () => {
    const fx = await makeTaskInstance();
    const at = new Date(Date.now() + 60 * 60 * 1000).toISOString();
    const res = await api("POST", "/tasks", { token: fx.admin, body: { name: "Later", queueId: fx.queueId("work"), scheduledTime: at } });
    expect(res.status).toBe(201);
    const { contactId } = res.body;
    expect(res.body.scheduledTime).toBe(at);
    const snap = await taskSession(fx.instanceId, contactId).taskSnapshot();
    expect(snap).toMatchObject({ phase: "FLOW", startedAt: null, scheduledAt: Date.parse(at) });
    expect(await position(fx.instanceId, fx.queueId("work"), contactId)).toEqual({ status: "NOT_IN_QUEUE" });
    await passTaskTime(fx.instanceId, contactId, "scheduled_at");
    expect(await position(fx.instanceId, fx.queueId("work"), contactId)).toMatchObject({ status: "WAITING" });
    await eventsInclude(fx.instanceId, contactId, ["INITIATED", "TASK_SCHEDULED", "ENQUEUED"]);
  });

  it("a task nobody accepted before its expiry leaves its queue and ends as EXPIRED", async () => {
    const fx = await makeTaskInstance();
    const res = await api("POST", "/tasks", { token: fx.admin, body: { name: "Stale", queueId: fx.queueId("work") } });
    const { contactId } = res.body;
    // Expiry defaults to 7 days (Amazon Connect's).
    expect(Date.parse(res.body.expiry) - Date.now()).toBeGreaterThan(7 * 24 * 3600_000 - 60_000);
    expect(await position(fx.instanceId, fx.queueId("work"), contactId)).toMatchObject({ status: "WAITING" });
    await passTaskTime(fx.instanceId, contactId, "expires_at");
    expect(await position(fx.instanceId, fx.queueId("work"), contactId)).toEqual({ status: "NOT_IN_QUEUE" });
    // The queue writes EXPIRED and the task's session DISCONNECTED, each through its own outbox: in
    // the same millisecond either may be stored first.
    await eventsInclude(fx.instanceId, contactId, ["ENQUEUED", "EXPIRED"]);
    await eventsInclude(fx.instanceId, contactId, ["ENQUEUED", "DISCONNECTED"]);
    const row = await eventually(async () => {
      const r = await contactRow(fx.instanceId, contactId);
      return r?.state === "ENDED" ? r : null;
    }, "expired");
    expect(row.disconnect_reason).toBe("EXPIRED");
    // An agent who comes along later is not offered it.
    const alice = await agentSocket(fx, "alice");
    await new Promise((r) => setTimeout(r, 200));
    expect(alice.messages.filter((m) => m.type === "offer")).toEqual([]);
    expect((await contactEvents(fx.instanceId, contactId)).map((e) => e.type)).not.toContain("CONNECTED");
  });

  it("an accepted task does not expire", async () => {
    const fx = await makeTaskInstance();
    const alice = await agentSocket(fx, "alice");
    const { body } = await api("POST", "/tasks", { token: fx.admin, body: { name: "Taken", queueId: fx.queueId("work") } });
    await alice.next("offer", (m) => m.contact.contactId === body.contactId);
    alice.send({ type: "contact.accept", contactId: body.contactId });
    await alice.next("contact.update", (m) => m.contact.contactId === body.contactId && m.contact.state === "CONNECTED");
    await eventually(async () => (await taskSession(fx.instanceId, body.contactId).taskSnapshot())?.phase === "CONNECTED", "connected");
    await passTaskTime(fx.instanceId, body.contactId, "expires_at");
    expect(await taskSession(fx.instanceId, body.contactId).taskSnapshot()).toMatchObject({ phase: "CONNECTED" });
  });
});

describe("tasks: tenancy", () => {
  it("another instance's template or task id answers 404, like a missing one, and creates nothing", async () => {
    const fx = await makeTaskInstance();
    const other = await otherInstance();
    const res = await api("POST", "/tasks", { token: other.token, body: { name: "x", templateId: fx.templateId } });
    const missing = await api("POST", "/tasks", { token: other.token, body: { name: "x", templateId: "nope" } });
    expect(res.status).toBe(404);
    expect(res.body).toEqual(missing.body);
    const { body } = await api("POST", "/tasks", { token: fx.admin, body: { name: "Mine", queueId: fx.queueId("work") } });
    const foreign = await api("GET", `/tasks/${body.contactId}`, { token: other.token });
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual((await api("GET", "/tasks/not-a-task", { token: other.token })).body);
    // Another instance's queue or flow is not found either.
    expect((await api("POST", "/tasks", { token: other.token, body: { name: "x", queueId: fx.queueId("work") } })).status).toBe(400);
    const { results } = await env.DB.prepare("SELECT id FROM contacts WHERE instance_id = ?").bind(other.instanceId).all();
    expect(results).toEqual([]);
  });
});
