/**
 * The agent's own record (`GET /agent/history`, `GET /agent/today`) and wrap-up codes per queue:
 * the queue's list in the queues API, and after contact work refusing a code the queue does not list.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { createContact } from "../../src/db/contacts";
import { api, db, DEMO, demoAdmin, otherInstance } from "../helpers";
import { contactRow, makeInstance, type Fixture } from "../routing/helpers";

async function setup() {
  return makeInstance({
    queues: [{ id: "sales" }, { id: "support" }],
    profiles: [{ id: "p", queues: [{ queueId: "sales", priority: 1 }, { queueId: "support", priority: 1 }], acwSeconds: 0 }],
    agents: [
      { id: "ann", profile: "p" },
      { id: "ben", profile: "p" },
      { id: "nobody", profile: null, securityProfile: "none" },
    ],
  });
}

/** A contact handled by `agent` in `queue`: connected a minute after it began, ended after `talkSeconds`, ACW 30 s. */
async function handledContact(fx: Fixture, agent: string, queue: string, { at = Date.now() - 600_000, talkSeconds = 120, number = "+14155550123" } = {}) {
  const id = `${fx.instanceId}-h-${crypto.randomUUID().slice(0, 8)}`;
  await createContact(db(), env.SWITCHBOARD_SECRET, { id, instanceId: fx.instanceId, channel: "VOICE", initiationMethod: "INBOUND", customerEndpoint: number, at });
  const connected = at + 60_000;
  const ended = connected + talkSeconds * 1000;
  await env.DB.prepare(
    "UPDATE contacts SET agent_id = ?, queue_id = ?, enqueued_at = ?, connected_at = ?, ended_at = ?, acw_ended_at = ?, state = 'ENDED' WHERE id = ?",
  ).bind(fx.agentId(agent), fx.queueId(queue), at + 1000, connected, ended, ended + 30_000, id).run();
  return id;
}

describe("GET /agent/history and /agent/today", () => {
  let fx: Fixture;
  let annFirst: string;
  let annSecond: string;
  let bens: string;
  beforeAll(async () => {
    fx = await setup();
    annFirst = await handledContact(fx, "ann", "sales", { at: Date.now() - 900_000, talkSeconds: 120 });
    annSecond = await handledContact(fx, "ann", "support", { at: Date.now() - 600_000, talkSeconds: 240, number: "+442079460000" });
    bens = await handledContact(fx, "ben", "sales");
  });

  it("lists only the signed-in agent's own contacts, newest first, with the customer's number and queue", async () => {
    const res = await api("GET", "/agent/history", { token: fx.token("ann") });
    expect(res.status).toBe(200);
    expect(res.body.items.map((c: { id: string }) => c.id)).toEqual([annSecond, annFirst]);
    expect(res.body.items[0]).toMatchObject({ channel: "VOICE", customerEndpoint: "+442079460000", queueId: fx.queueId("support"), disposition: null });
    const ben = await api("GET", "/agent/history", { token: fx.token("ben") });
    expect(ben.body.items.map((c: { id: string }) => c.id)).toEqual([bens]);
  });

  it("another instance's user sees none of them; no contacts.handle is 403; a bad limit is 400", async () => {
    const other = await otherInstance();
    const res = await api("GET", "/agent/history", { token: other.token });
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([]);
    expect((await api("GET", "/agent/history", { token: fx.token("nobody") })).status).toBe(403);
    const bad = await api("GET", "/agent/history?limit=500", { token: fx.token("ann") });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("validation_failed");
    expect((await api("GET", "/agent/history?limit=1", { token: fx.token("ann") })).body.items.map((c: { id: string }) => c.id)).toEqual([annSecond]);
  });

  it("today's figures count the agent's own contacts: handled and average handle time (talk + ACW)", async () => {
    const res = await api("GET", "/agent/today", { token: fx.token("ann") });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ timeZone: "UTC", contactsHandled: 2 });
    // (120 + 30) and (240 + 30) seconds.
    expect(res.body.averageHandleTimeSeconds).toBe(210);
    expect((await api("GET", "/agent/today", { token: fx.token("ben") })).body).toMatchObject({ contactsHandled: 1, averageHandleTimeSeconds: 150 });
    const other = await otherInstance();
    expect((await api("GET", "/agent/today", { token: other.token })).body).toMatchObject({ contactsHandled: 0, averageHandleTimeSeconds: null });
  });
});

describe("wrap-up codes per queue", () => {
  it("the queues API stores a queue's codes and refuses empty, repeated or too many codes, changing nothing", async () => {
    const admin = await demoAdmin();
    const queueId = DEMO.queues.support;
    const before = await api("GET", `/queues/${queueId}`, { token: admin });
    expect(before.status).toBe(200);
    expect(before.body.wrapUpCodes).toEqual([]);
    const set = await api("PATCH", `/queues/${queueId}`, { token: admin, body: { wrapUpCodes: ["Fixed", "Replacement sent"] } });
    expect(set.status).toBe(200);
    expect(set.body.wrapUpCodes).toEqual(["Fixed", "Replacement sent"]);
    for (const wrapUpCodes of [[""], ["Fixed", "fixed"], Array.from({ length: 51 }, (_, i) => `Code ${i}`), "Fixed"]) {
      const res = await api("PATCH", `/queues/${queueId}`, { token: admin, body: { wrapUpCodes } });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("validation_failed");
    }
    expect((await api("GET", `/queues/${queueId}`, { token: admin })).body.wrapUpCodes).toEqual(["Fixed", "Replacement sent"]);
    expect((await api("PATCH", `/queues/${queueId}`, { token: admin, body: { wrapUpCodes: [] } })).status).toBe(200);
  });

  it("after contact work takes only the queue's codes when it lists some, any code when it lists none", async () => {
    const fx = await setup();
    await env.DB.prepare("UPDATE queues SET wrap_up_codes = ? WHERE id = ?").bind(JSON.stringify(["Renewed", "Cancelled"]), fx.queueId("sales")).run();
    const sale = await handledContact(fx, "ann", "sales");
    const wrong = await api("PATCH", `/contacts/${sale}/after-contact-work`, { token: fx.token("ann"), body: { disposition: "Resolved", notes: "n" } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatchObject({ code: "validation_failed" });
    expect(wrong.body.error.message).toContain("Renewed, Cancelled");
    expect(await contactRow(fx.instanceId, sale)).toMatchObject({ disposition: null, notes: null });
    const ok = await api("PATCH", `/contacts/${sale}/after-contact-work`, { token: fx.token("ann"), body: { disposition: "Renewed" } });
    expect(ok.status).toBe(200);
    expect((await contactRow(fx.instanceId, sale)).disposition).toBe("Renewed");
    expect((await api("GET", "/agent/history", { token: fx.token("ann") })).body.items[0]).toMatchObject({ id: sale, disposition: "Renewed" });

    const support = await handledContact(fx, "ann", "support");
    expect((await api("PATCH", `/contacts/${support}/after-contact-work`, { token: fx.token("ann"), body: { disposition: "Anything at all" } })).status).toBe(200);
  });
});
