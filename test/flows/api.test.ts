import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, contacts, flowLogs, flows } from "../../src/db/schema";
import demoIvr from "../../src/flows/examples/demo-ivr.json";
import vipLookup from "../../src/flows/examples/vip-lookup.json";
import { api, db, DEMO, demoAdmin, demoAgent, demoSupervisor, otherInstance } from "../helpers";

const unique = () => crypto.randomUUID().slice(0, 8);
const QUEUE_ARN = "arn:aws:connect:us-east-1:123456789012:instance/8b2c2f8e-aaaa-bbbb-cccc-1234567890ab/queue/5f1c0d2e-1111-2222-3333-444455556666";

/** An export as Amazon Connect's DescribeContactFlow gives it: Content as a string, queue by ARN, its name in Metadata. */
function connectExport(name: string) {
  const content = {
    Version: "2019-10-30",
    StartAction: "set-queue",
    Metadata: { ActionMetadata: { "set-queue": { position: { x: 10, y: 10 }, parameters: { QueueId: { displayName: "Billing" } } } } },
    Actions: [
      { Identifier: "set-queue", Type: "UpdateContactTargetQueue", Parameters: { QueueId: QUEUE_ARN }, Transitions: { NextAction: "to-queue", Errors: [{ NextAction: "bye", ErrorType: "NoMatchingError" }] } },
      { Identifier: "to-queue", Type: "TransferContactToQueue", Parameters: {}, Transitions: { NextAction: "bye", Errors: [{ NextAction: "bye", ErrorType: "QueueAtCapacity" }, { NextAction: "bye", ErrorType: "NoMatchingError" }] } },
      { Identifier: "bye", Type: "DisconnectParticipant", Parameters: {}, Transitions: {} },
    ],
  };
  return { Name: name, Type: "CONTACT_FLOW", Description: "from Amazon Connect", Content: JSON.stringify(content) };
}

describe("POST /flows/import", () => {
  it("stores an Amazon Connect export as a draft, mapping the queue ARN to the queue of the same name", async () => {
    const token = await demoAdmin();
    const name = `Imported ${unique()}`;
    const res = await api("POST", "/flows/import", { token, body: connectExport(name) });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name, type: "CONTACT_FLOW", description: "from Amazon Connect", publishedVersion: null });
    expect(res.body.content.Actions[0].Parameters.QueueId).toBe(DEMO.queues.billing);
    expect(res.body.resolved).toEqual([{ actionId: "set-queue", field: "QueueId", from: QUEUE_ARN, to: DEMO.queues.billing }]);
    const [row] = await db().select().from(flows).where(eq(flows.id, res.body.id));
    expect(row.instanceId).toBe(DEMO.instanceId);
    expect((row.content as any).Actions[0].Parameters.QueueId).toBe(DEMO.queues.billing);
    const audits = await db().select().from(auditLog).where(eq(auditLog.resourceId, res.body.id));
    expect(audits.map((a) => a.action)).toContain("import");
  });

  it("accepts the bare content object with a name in the query, and returns warnings", async () => {
    const token = await demoAdmin();
    const content = structuredClone(vipLookup) as any;
    content.Actions.push({ Identifier: "orphan", Type: "DisconnectParticipant", Parameters: {}, Transitions: {} });
    const res = await api("POST", `/flows/import?name=${encodeURIComponent(`VIP ${unique()}`)}`, { token, body: content });
    expect(res.status).toBe(201);
    expect(res.body.warnings).toEqual([{ actionId: "orphan", message: "this action can never be reached from StartAction" }]);
  });

  it("answers 400 listing every problem (unresolvable references, dangling transitions), and stores nothing", async () => {
    const token = await demoAdmin();
    const name = `Broken ${unique()}`;
    const content = {
      Version: "2019-10-30",
      StartAction: "start",
      Actions: [
        { Identifier: "start", Type: "CreateCase", Parameters: {}, Transitions: { NextAction: "q" } },
        { Identifier: "q", Type: "UpdateContactTargetQueue", Parameters: { QueueId: "arn:aws:connect:us-east-1:1:instance/i/queue/unknown-queue" }, Transitions: { NextAction: "nowhere" } },
      ],
    };
    const res = await api("POST", "/flows/import", { token, body: { Name: name, Type: "CONTACT_FLOW", Content: content } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
    expect(res.body.error.details).toEqual(expect.arrayContaining([
      expect.objectContaining({ actionId: "q", field: "Parameters.QueueId", message: expect.stringMatching(/queue ".*queue\/unknown-queue" does not exist in this instance/) }),
      expect.objectContaining({ actionId: "q", field: "Transitions.NextAction", message: 'NextAction "nowhere" points to no action' }),
    ]));
    expect(await db().select().from(flows).where(eq(flows.name, name))).toEqual([]);
  });

  it("needs flows.edit (403 for an agent)", async () => {
    const res = await api("POST", "/flows/import", { token: await demoAgent(), body: connectExport(`x ${unique()}`) });
    expect(res.status).toBe(403);
  });

  it("resolves names only within the caller's instance", async () => {
    const other = await otherInstance();
    const res = await api("POST", "/flows/import", { token: other.token, body: connectExport(`Other ${unique()}`) });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0]).toMatchObject({ actionId: "set-queue", field: "Parameters.QueueId" });
  });
});

describe("flows create and update run the full validator", () => {
  it("refuses content with a dangling NextAction and an unknown type, listing both, and stores nothing", async () => {
    const token = await demoAdmin();
    const name = `Bad ${unique()}`;
    const content = { Version: "2019-10-30", StartAction: "a", Actions: [
      { Identifier: "a", Type: "MessageParticipant", Parameters: { Text: "hi" }, Transitions: { NextAction: "b" } },
      { Identifier: "c", Type: "MakeCoffee", Parameters: {}, Transitions: {} },
    ] };
    const res = await api("POST", "/flows", { token, body: { name, content } });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([
      { actionId: "a", field: "Transitions.NextAction", message: 'NextAction "b" points to no action' },
      { actionId: "c", field: "Type", message: 'unknown action type "MakeCoffee"' },
    ]);
    expect(await db().select().from(flows).where(eq(flows.name, name))).toEqual([]);
  });

  it("accepts a valid flow, and refuses a PATCH that breaks it while keeping the stored content", async () => {
    const token = await demoAdmin();
    const created = await api("POST", "/flows", { token, body: { name: `Good ${unique()}`, content: demoIvr } });
    expect(created.status).toBe(201);
    const broken = structuredClone(demoIvr) as any;
    broken.StartAction = "missing";
    const res = await api("PATCH", `/flows/${created.body.id}`, { token, body: { content: broken } });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual(expect.arrayContaining([{ actionId: null, field: "StartAction", message: 'StartAction "missing" is not an action of this flow' }]));
    const [row] = await db().select().from(flows).where(eq(flows.id, created.body.id));
    expect((row.content as any).StartAction).toBe("welcome");
  });

  it("refuses an action the flow type does not allow (GetParticipantInput in a whisper)", async () => {
    const token = await demoAdmin();
    const content = { Version: "2019-10-30", StartAction: "ask", Actions: [
      { Identifier: "ask", Type: "GetParticipantInput", Parameters: { Text: "Press 1" }, Transitions: {} },
    ] };
    const res = await api("POST", "/flows", { token, body: { name: `Whisper ${unique()}`, type: "AGENT_WHISPER", content } });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0]).toEqual({ actionId: "ask", field: "Type", message: "GetParticipantInput cannot be used in a AGENT_WHISPER flow" });
  });
});

describe("POST /flows/:id/simulate", () => {
  it("runs the draft with scripted input against the instance's queues and reports path and speech", async () => {
    const token = await demoAdmin();
    const res = await api("POST", `/flows/${DEMO.ivrFlow}/simulate`, { token, body: { inputs: ["1"] } });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("queued");
    expect(res.body.version).toBe("draft");
    expect(res.body.path.map((p: any) => p.actionId)).toEqual(["welcome", "menu", "set-billing", "to-queue"]);
    expect(res.body.transcript).toEqual([
      { from: "flow", text: "Thanks for calling Demo Company." },
      { from: "flow", text: "For billing, press 1. For technical support, press 2. To talk to our assistant, press 3." },
      { from: "customer", text: "1" },
      { from: "system", text: "queue: Billing" },
    ]);
    expect(res.body.turns[0].twiml).toContain("<Gather");
  });

  it("runs the published version on request, over chat", async () => {
    const token = await demoAdmin();
    const res = await api("POST", `/flows/${DEMO.ivrFlow}/simulate?version=published`, { token, body: { channel: "CHAT", inputs: ["2"] } });
    expect(res.status).toBe(200);
    expect(res.body.version).toBe(1);
    expect(res.body.turns[1].chat).toEqual([{ type: "queued", queueId: DEMO.queues.support, text: "Waiting for an agent (Support)." }]);
  });

  it("uses the instance's hours: Billing is closed on Christmas Day", async () => {
    const token = await demoAdmin();
    const content = (await import("../../src/flows/examples/hours-holiday.json")).default;
    const created = await api("POST", "/flows", { token, body: { name: `Hours ${unique()}`, content } });
    const res = await api("POST", `/flows/${created.body.id}/simulate`, { token, body: { at: "2026-12-25T15:00:00Z" } });
    expect(res.body.path[1]).toMatchObject({ actionId: "check-hours", branch: "Condition: Equals False" });
    expect(res.body.status).toBe("disconnected");
  });

  it("answers 404 for another instance's flow and 400 for a bad body", async () => {
    const other = await otherInstance();
    expect((await api("POST", `/flows/${DEMO.ivrFlow}/simulate`, { token: other.token, body: {} })).status).toBe(404);
    const bad = await api("POST", `/flows/${DEMO.ivrFlow}/simulate`, { token: await demoAdmin(), body: { channel: "FAX" } });
    expect(bad.status).toBe(400);
  });
});

describe("GET /contacts/:id/flow-logs", () => {
  async function contactWithLogs(instanceId: string) {
    const id = `contact-${unique()}`;
    await db().insert(contacts).values({ id, instanceId, channel: "VOICE", initiationMethod: "INBOUND", initiatedAt: Date.now(), attributes: {} });
    await db().insert(flowLogs).values([
      { instanceId, contactId: id, flowId: DEMO.ivrFlow, flowVersion: 1, at: 1_000, actionId: "welcome", actionType: "MessageParticipant", branch: "NextAction", nextActionId: "menu" },
      { instanceId, contactId: id, flowId: DEMO.ivrFlow, flowVersion: 1, at: 2_000, actionId: "menu", actionType: "GetParticipantInput", branch: "Condition: Equals 1", nextActionId: "set-billing", data: { result: "1" } },
    ]);
    return id;
  }

  it("lists a contact's flow log entries in order for a supervisor", async () => {
    await demoAdmin();
    const id = await contactWithLogs(DEMO.instanceId);
    const res = await api("GET", `/contacts/${id}/flow-logs`, { token: await demoSupervisor() });
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      { at: new Date(1_000).toISOString(), flowId: DEMO.ivrFlow, flowVersion: 1, actionId: "welcome", actionType: "MessageParticipant", branch: "NextAction", nextActionId: "menu", data: null },
      { at: new Date(2_000).toISOString(), flowId: DEMO.ivrFlow, flowVersion: 1, actionId: "menu", actionType: "GetParticipantInput", branch: "Condition: Equals 1", nextActionId: "set-billing", data: { result: "1" } },
    ]);
  });

  it("answers 403 without contacts.search and 404 for another instance's contact", async () => {
    const id = await contactWithLogs((await demoAdmin(), DEMO.instanceId));
    expect((await api("GET", `/contacts/${id}/flow-logs`, { token: await demoAgent() })).status).toBe(403);
    const other = await otherInstance();
    const res = await api("GET", `/contacts/${id}/flow-logs`, { token: other.token });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("not_found");
  });
});
