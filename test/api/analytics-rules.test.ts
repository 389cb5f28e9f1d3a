import { describe, expect, it } from "vitest";
import { api, DEMO, demoAdmin, demoSupervisor, otherInstance } from "../helpers";

const cancelRule = {
  name: "Wants to cancel",
  category: "Cancellation",
  live: true,
  conditions: [{ type: "WORDS", phrases: ["cancel my account"], speaker: "CUSTOMER" }],
};

describe("analytics rules (/api/v1/rules)", () => {
  it("an admin creates, reads, changes and deletes a rule; defaults are filled in", async () => {
    const { token } = await otherInstance();
    const created = await api("POST", "/rules", { token, body: cancelRule });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: "Wants to cancel", category: "Cancellation", live: true, enabled: true, queueIds: [], agentIds: [],
      conditions: [{ type: "WORDS", phrases: ["cancel my account"], match: "ANY", within: null, speaker: "CUSTOMER", part: null }],
    });
    const id = created.body.id;
    expect((await api("GET", "/rules", { token })).body.items.map((r: { id: string }) => r.id)).toEqual([id]);

    const changed = await api("PATCH", `/rules/${id}`, { token, body: { live: false, conditions: [{ type: "NON_TALK", seconds: 30 }] } });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ live: false, category: "Cancellation", conditions: [{ type: "NON_TALK", seconds: 30 }] });

    expect((await api("DELETE", `/rules/${id}`, { token })).status).toBe(204);
    expect((await api("GET", `/rules/${id}`, { token })).status).toBe(404);
  });

  it("bad input answers 400 with an error body and stores nothing", async () => {
    const { token } = await otherInstance();
    const bad = [
      { ...cancelRule, conditions: [] },
      { ...cancelRule, conditions: [{ type: "WORDS", phrases: ["a", "b"], within: 3 }] },
      { ...cancelRule, conditions: [{ type: "SENTIMENT", speaker: "CUSTOMER" }] },
      { ...cancelRule, conditions: [{ type: "SHOUTING" }] },
      { ...cancelRule, category: "" },
      { ...cancelRule, name: undefined },
    ];
    for (const body of bad) {
      const res = await api("POST", "/rules", { token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
    }
    expect((await api("GET", "/rules", { token })).body.items).toEqual([]);
  });

  it("queue and agent filters must name the instance's own queues and users", async () => {
    const { token } = await otherInstance();
    const res = await api("POST", "/rules", { token, body: { ...cancelRule, queueIds: [DEMO.queues.billing] } });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain("queueIds");
    const agent = await api("POST", "/rules", { token, body: { ...cancelRule, agentIds: ["demo:user:alice"] } });
    expect(agent.status).toBe(400);
    expect((await api("GET", "/rules", { token })).body.items).toEqual([]);

    const admin = await demoAdmin();
    const own = await api("POST", "/rules", { token: admin, body: { ...cancelRule, name: "Billing cancel", queueIds: [DEMO.queues.billing], agentIds: ["demo:user:alice"] } });
    expect(own.status).toBe(201);
    expect(own.body).toMatchObject({ queueIds: [DEMO.queues.billing], agentIds: ["demo:user:alice"] });
  });

  it("only admins (instance.configure) see or change rules", async () => {
    const supervisor = await demoSupervisor();
    expect((await api("GET", "/rules", { token: supervisor })).status).toBe(403);
    expect((await api("POST", "/rules", { token: supervisor, body: cancelRule })).status).toBe(403);
    expect((await api("DELETE", "/rules/demo:rule:cancellation", { token: supervisor })).status).toBe(403);
    expect((await api("GET", "/rules/demo:rule:cancellation", { token: await demoAdmin() })).status).toBe(200);
  });

  it("a rule name is unique in the instance", async () => {
    const { token } = await otherInstance();
    expect((await api("POST", "/rules", { token, body: cancelRule })).status).toBe(201);
    expect((await api("POST", "/rules", { token, body: cancelRule })).status).toBe(409);
  });
});
