/**
 * Flow log payloads written in the clear before payloads were sealed: the key pass
 * (`POST /recordings/rewrap`) seals them a page per call, in the caller's instance only; the
 * flow log API reads them the same before and after.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { contacts, flowLogs } from "../../src/db/schema";
import { api, db, otherInstance } from "../helpers";

async function contactWithClearLogs(instanceId: string, account: string) {
  const id = `c-${crypto.randomUUID()}`;
  await db().insert(contacts).values({ id, instanceId, channel: "VOICE", initiationMethod: "INBOUND", initiatedAt: Date.now(), attributes: {} });
  await db().insert(flowLogs).values([
    { instanceId, contactId: id, at: 1_000, actionId: "ask", actionType: "GetParticipantInput", branch: "NextAction", nextActionId: "save", data: { input: account } },
    { instanceId, contactId: id, at: 2_000, actionId: "save", actionType: "UpdateContactAttributes", branch: "NextAction", nextActionId: null, data: { attributes: { account } } },
    { instanceId, contactId: id, at: 3_000, actionId: "bye", actionType: "DisconnectParticipant", branch: "End", nextActionId: null },
  ]);
  return id;
}

const rawLogs = async (contactId: string) =>
  JSON.stringify((await env.DB.prepare("SELECT * FROM flow_logs WHERE contact_id = ? ORDER BY id").bind(contactId).all()).results);

describe("POST /recordings/rewrap: flow log payloads stored in the clear", () => {
  it("seals them a page per call until none is left, only in the caller's instance, and the API shows the same entries", async () => {
    const mine = await otherInstance("Sealing Co");
    const theirs = await otherInstance("Neighbour Co");
    const contactId = await contactWithClearLogs(mine.instanceId, "55501234");
    const neighbour = await contactWithClearLogs(theirs.instanceId, "55509876");
    const before = await api("GET", `/contacts/${contactId}/flow-logs`, { token: mine.token });
    expect(before.status).toBe(200);
    expect(await rawLogs(contactId)).toContain("55501234");

    const first = await api("POST", "/recordings/rewrap", { token: mine.token, body: { limit: 1 } });
    expect(first.status).toBe(200);
    expect(first.body.flowLogs).toEqual({ sealed: 1, failed: [], remaining: 1 });
    expect(first.body.done).toBe(false);
    const second = await api("POST", "/recordings/rewrap", { token: mine.token, body: { limit: 1 } });
    expect(second.body.flowLogs).toEqual({ sealed: 1, failed: [], remaining: 0 });
    expect(second.body.done).toBe(true);

    expect(await rawLogs(contactId)).not.toContain("55501234");
    expect(await rawLogs(neighbour)).toContain("55509876");
    const after = await api("GET", `/contacts/${contactId}/flow-logs`, { token: mine.token });
    expect(after.body.items).toEqual(before.body.items);
    expect(after.body.items.map((i: { data: unknown }) => i.data)).toEqual([{ input: "55501234" }, { attributes: { account: "55501234" } }, null]);
  });
});
