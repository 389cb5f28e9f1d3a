import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { agentRoomName } from "../../src/lib/object-names";
import { api, demoAdmin, DEMO, otherInstance } from "../helpers";

const rows = async (sql: string, ...binds: unknown[]) => (await env.DB.prepare(sql).bind(...binds).all()).results;

describe("predefined attributes and users' proficiencies", () => {
  let token: string;
  let other: { instanceId: string; token: string };
  let skill: { id: string };
  let foreign: { id: string };
  let userId: string;

  beforeAll(async () => {
    token = await demoAdmin();
    other = await otherInstance();
    skill = (await api("POST", "/predefined-attributes", { token, body: { name: "Technology", values: ["Billing", "Networks"] } })).body;
    foreign = (await api("POST", "/predefined-attributes", { token: other.token, body: { name: "Technology", values: ["Billing"] } })).body;
    const u = await api("POST", "/users", {
      token, body: { email: "pia@proficiency.test", name: "Pia", password: "pia-password-1", securityProfileId: "demo:sp:agent", routingProfileId: DEMO.routingProfile },
    });
    expect(u.status).toBe(201);
    userId = u.body.id;
  });

  it("an admin manages predefined attributes: created with their values, listed in its own instance only; bad input is 400 and stores nothing", async () => {
    expect(skill).toMatchObject({ name: "Technology", values: ["Billing", "Networks"] });
    const list = await api("GET", "/predefined-attributes?limit=100", { token });
    expect(list.body.items.map((a: { name: string }) => a.name).sort()).toEqual(["Language", "Technology"]);
    const before = await rows("SELECT id FROM predefined_attributes");
    for (const body of [{ name: "Empty", values: [] }, { name: "Twice", values: ["a", "a"] }, { name: "x".repeat(65), values: ["a"] }, { name: "Extra", values: ["a"], colour: "red" }]) {
      const r = await api("POST", "/predefined-attributes", { token, body });
      expect(r.status).toBe(400);
      expect(r.body.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
    }
    expect(await rows("SELECT id FROM predefined_attributes")).toEqual(before);
    expect((await api("POST", "/predefined-attributes", { token, body: { name: "Technology", values: ["x"] } })).status).toBe(409);
  });

  it("another instance's attribute ids answer 404 (read, change, delete) and cannot be given to a user", async () => {
    for (const [method, body] of [["GET", undefined], ["PATCH", { values: ["Hijacked"] }], ["DELETE", undefined]] as const) {
      const r = await api(method, `/predefined-attributes/${foreign.id}`, { token, ...(body ? { body } : {}) });
      expect(r.status).toBe(404);
      expect(r.body.error.code).toBe("not_found");
    }
    expect((await api("GET", `/predefined-attributes/${foreign.id}`, { token: other.token })).body.values).toEqual(["Billing"]);
    const r = await api("PATCH", `/users/${userId}`, { token, body: { proficiencies: [{ attributeId: foreign.id, value: "Billing", level: 3 }] } });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toContain("proficiencies.0.attributeId");
    expect(await rows("SELECT * FROM user_proficiencies WHERE user_id = ?", userId)).toEqual([]);
  });

  it("a user's proficiencies are set as a whole list, shown with the attribute's name, and checked: a value the attribute lacks or a level outside 1-5 is 400", async () => {
    const set = await api("PATCH", `/users/${userId}`, {
      token, body: { proficiencies: [{ attributeId: skill.id, value: "Networks", level: 2 }, { attributeId: "demo:attr:language", value: "Spanish", level: 4 }] },
    });
    expect(set.status).toBe(200);
    expect(set.body.proficiencies).toEqual([
      { attributeId: "demo:attr:language", name: "Language", value: "Spanish", level: 4 },
      { attributeId: skill.id, name: "Technology", value: "Networks", level: 2 },
    ]);
    for (const p of [{ attributeId: skill.id, value: "Cooking", level: 2 }, { attributeId: skill.id, value: "Billing", level: 6 }, { attributeId: skill.id, value: "Billing", level: 0 }]) {
      const bad = await api("PATCH", `/users/${userId}`, { token, body: { proficiencies: [p] } });
      expect(bad.status).toBe(400);
    }
    const dup = await api("PATCH", `/users/${userId}`, { token, body: { proficiencies: [{ attributeId: skill.id, value: "Billing", level: 2 }, { attributeId: skill.id, value: "Billing", level: 3 }] } });
    expect(dup.status).toBe(400);
    expect((await api("GET", `/users/${userId}`, { token })).body.proficiencies).toHaveLength(2);
    // A value someone holds cannot be dropped from the attribute, nor the attribute deleted.
    const drop = await api("PATCH", `/predefined-attributes/${skill.id}`, { token, body: { values: ["Billing"] } });
    expect(drop.status).toBe(409);
    expect(drop.body.error.message).toContain('"Networks" (Pia)');
    const del = await api("DELETE", `/predefined-attributes/${skill.id}`, { token });
    expect(del.status).toBe(409);
    expect(del.body.error.details.usedBy).toEqual([{ type: "user", id: userId, name: "Pia" }]);
  });

  it("new proficiencies reach the agent's room at once (what its queues match contacts' criteria against)", async () => {
    const room = env.AGENT_ROOM.getByName(agentRoomName(DEMO.instanceId, userId));
    await room.setStatus({ kind: "OFFLINE" }); // the room reads the profile as the agent sets a status
    const r = await api("PATCH", `/users/${userId}`, { token, body: { proficiencies: [{ attributeId: "demo:attr:language", value: "English", level: 3 }] } });
    expect(r.status).toBe(200);
    expect((await room.getSnapshot()).routingProfile?.proficiencies).toEqual([{ name: "Language", value: "English", level: 3 }]);
  });
});
