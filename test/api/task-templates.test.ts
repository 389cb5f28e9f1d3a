import { describe, expect, it } from "vitest";
import { api, demoAdmin, demoAgent, DEMO, otherInstance } from "../helpers";

describe("task templates", () => {
  it("are created with typed fields and a queue or flow, and read by agents", async () => {
    const token = await demoAdmin();
    const res = await api("POST", "/task-templates", {
      token,
      body: { name: `Refund ${crypto.randomUUID().slice(0, 6)}`, queueId: DEMO.queues.billing, fields: [{ name: "Amount", type: "number", required: true }, { name: "Reason", type: "select", options: ["damaged", "late"] }] },
    });
    expect(res.status).toBe(201);
    expect(res.body.fields).toEqual([
      { name: "Amount", type: "number", required: true, default: null, options: [] },
      { name: "Reason", type: "select", required: false, default: null, options: ["damaged", "late"] },
    ]);
    expect((await api("GET", `/task-templates/${res.body.id}`, { token: await demoAgent() })).status).toBe(200);
    expect((await api("PATCH", `/task-templates/${res.body.id}`, { token: await demoAgent(), body: { name: "x" } })).status).toBe(403);
  });

  it("refuse bad fields, no destination, and another instance's queue (400, nothing stored)", async () => {
    const token = await demoAdmin();
    const other = await otherInstance();
    const bad = (body: Record<string, unknown>) => api("POST", "/task-templates", { token, body: { name: `Bad ${crypto.randomUUID().slice(0, 6)}`, ...body } });
    expect((await bad({ queueId: DEMO.queues.billing, fields: [{ name: "Kind", type: "select" }] })).status).toBe(400);
    expect((await bad({ queueId: DEMO.queues.billing, fields: [{ name: "When", type: "date", default: "tomorrow" }] })).status).toBe(400);
    expect((await bad({ queueId: DEMO.queues.billing, fields: [{ name: "A", type: "text" }, { name: "A", type: "url" }] })).status).toBe(400);
    expect((await bad({ queueId: DEMO.queues.billing, fields: [{ name: "A", type: "colour" }] })).status).toBe(400);
    const nowhere = await bad({ fields: [] });
    expect(nowhere.status).toBe(400);
    expect(nowhere.body.error.message).toContain("flow or a queue");
    const foreign = await api("POST", "/task-templates", { token: other.token, body: { name: "Sneaky", queueId: DEMO.queues.billing } });
    expect(foreign.status).toBe(400);
    const list = await api("GET", "/task-templates?limit=100", { token });
    expect(list.body.items.filter((t: { name: string }) => t.name.startsWith("Bad "))).toEqual([]);
  });
});
