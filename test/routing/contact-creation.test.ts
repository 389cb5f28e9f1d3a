/**
 * A contact is created in one D1 statement (issue #29: D1 runs one statement at a time and is the
 * first limit at scale): its row, its INITIATED event and its first flow logs, through the
 * contact_creations view. A contact created twice fails whole, writing nothing more.
 */
import { env } from "cloudflare:test";
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { createContact } from "../../src/db/contacts";
import { contactEvents, contacts, flowLogs } from "../../src/db/schema";
import { countingD1 } from "../d1-count";
import { db, DEMO, seed } from "../helpers";
import { createDb } from "../../src/db/client";

beforeAll(() => seed());

const logs = (at: number) => JSON.stringify([
  { flowId: "demo:flow:ivr", flowVersion: 3, at, actionId: "greet", actionType: "MessageParticipant", branch: "NextAction", nextActionId: "menu" },
  { flowId: "demo:flow:ivr", flowVersion: 3, at: at + 1, actionId: "menu", actionType: "GetParticipantInput", branch: "Pressed2", nextActionId: "queue", data: "sealed:v1:abc" },
]);

describe("creating a contact", () => {
  it("writes the row, its INITIATED event and its first flow logs in one statement", async () => {
    const d1 = countingD1(env.DB);
    const at = Date.now() - 5_000;
    const id = await createContact(createDb(d1.db), env.SWITCHBOARD_SECRET, {
      instanceId: DEMO.instanceId, channel: "VOICE", initiationMethod: "INBOUND", customerEndpoint: "+14155550123", systemEndpoint: "+15550100",
      flowId: "demo:flow:ivr", flowVersion: 3, attributes: { account: "42" }, at,
    }, { flowLogs: logs(at) });
    expect(d1.statements).toEqual(["insert contact_creations"]);
    const [row] = await db().select().from(contacts).where(eq(contacts.id, id));
    expect(row).toMatchObject({ instanceId: DEMO.instanceId, channel: "VOICE", state: "INITIATED", initiatedAt: at, updatedAt: at, systemEndpoint: "+15550100", flowId: "demo:flow:ivr", flowVersion: 3, holdSeconds: 0 });
    expect(row.customerEndpointEnc).toBeTruthy();
    expect(JSON.stringify(row)).not.toContain("4155550123");
    const events = await db().select().from(contactEvents).where(and(eq(contactEvents.instanceId, DEMO.instanceId), eq(contactEvents.contactId, id)));
    expect(events.map((e) => [e.type, e.at])).toEqual([["INITIATED", at]]);
    const logged = await db().select().from(flowLogs).where(and(eq(flowLogs.instanceId, DEMO.instanceId), eq(flowLogs.contactId, id)));
    expect(logged.map((l) => [l.actionId, l.branch, l.at, l.data])).toEqual([["greet", "NextAction", at, null], ["menu", "Pressed2", at + 1, "sealed:v1:abc"]]);
  });

  it("with no logs writes the row and its event; a second create of the same contact fails and writes nothing", async () => {
    const id = await createContact(db(), env.SWITCHBOARD_SECRET, { instanceId: DEMO.instanceId, channel: "CHAT", initiationMethod: "API" });
    await expect(createContact(db(), env.SWITCHBOARD_SECRET, { id, instanceId: DEMO.instanceId, channel: "CHAT", initiationMethod: "API" }, { flowLogs: logs(Date.now()) })).rejects.toThrow(/UNIQUE constraint failed/);
    const events = await db().select().from(contactEvents).where(eq(contactEvents.contactId, id));
    expect(events.map((e) => e.type)).toEqual(["INITIATED"]);
    expect(await db().select().from(flowLogs).where(eq(flowLogs.contactId, id))).toEqual([]);
  });
});
