/**
 * Numbers in contact events (a transfer's, a third party's, a failed dial's message quoting one)
 * are stored sealed with the instance's key; the contact API shows them to a contact searcher.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createContact } from "../../src/db/contacts";
import { contactEvents, securityProfiles, users } from "../../src/db/schema";
import { ContactOutbox } from "../../src/durable/contact-record";
import { agentRoomName } from "../../src/lib/object-names";
import { createSession } from "../../src/workers/auth/sessions";
import { api, db } from "../helpers";
import { makeInstance } from "./helpers";

const OUTSIDE = "+442079460388";

describe("contact events: numbers at rest", () => {
  it("an event's phone numbers and failure message reach D1 sealed, and GET /contacts/:id shows them; an older event stored in the clear still reads", async () => {
    const fx = await makeInstance({ queues: [{ id: "q" }], profiles: [], agents: [{ id: "ann", profile: null }] });
    const contactId = `${fx.instanceId}-numbers`;
    await createContact(db(), env.SWITCHBOARD_SECRET, { id: contactId, instanceId: fx.instanceId, channel: "VOICE", initiationMethod: "INBOUND" });
    const at = Date.now();
    await runInDurableObject(env.AGENT_ROOM.getByName(agentRoomName(fx.instanceId, fx.agentId("ann"))), async (_o, st) => {
      const outbox = new ContactOutbox(st.storage.sql, env.DB, () => fx.instanceId, env);
      outbox.add({ contactId, type: "THIRD_PARTY", at, agentId: "ann", data: { action: "ADD", phoneNumber: OUTSIDE } });
      outbox.add({ contactId, type: "CUSTOMER_NOT_ANSWERED", at: at + 1, data: { reason: "OUTBOUND_DESTINATION_ENDPOINT_ERROR", message: `The 'To' number ${OUTSIDE} is not valid` } });
      outbox.add({ contactId, type: "TRANSFERRED", at: at + 2, agentId: "ann", data: { toPhoneNumber: OUTSIDE, quickConnectId: "qc-1" }, update: { state: "TRANSFERRED" } });
      await outbox.drain();
    });
    await db().insert(contactEvents).values({ instanceId: fx.instanceId, contactId, type: "TRANSFERRED", at: at + 3, data: { toPhoneNumber: "+15550001111" } });

    const stored = await env.DB.prepare("SELECT type, data FROM contact_events WHERE instance_id = ? AND contact_id = ? ORDER BY at").bind(fx.instanceId, contactId).all<{ type: string; data: string | null }>();
    const fresh = stored.results.filter((r) => r.data && !r.data.includes("+15550001111"));
    expect(fresh.map((r) => r.type)).toEqual(["THIRD_PARTY", "CUSTOMER_NOT_ANSWERED", "TRANSFERRED"]);
    expect(JSON.stringify(fresh)).not.toContain(OUTSIDE.slice(1));
    expect(JSON.parse(fresh[0].data!)).toMatchObject({ action: "ADD", sealed: expect.any(String) });

    const id = `${fx.instanceId}:user:searcher`;
    await db().insert(securityProfiles).values({ id: `${fx.instanceId}:sp:searcher`, instanceId: fx.instanceId, name: "Searcher", permissions: ["contacts.search"] });
    await db().insert(users).values({ id, instanceId: fx.instanceId, email: `s@${fx.instanceId}.test`, name: "S", passwordHash: "x", securityProfileId: `${fx.instanceId}:sp:searcher` });
    const token = (await createSession(db(), { id, instanceId: fx.instanceId })).token;
    const res = await api("GET", `/contacts/${contactId}`, { token });
    expect(res.status).toBe(200);
    const data = (type: string) => res.body.events.filter((e: { type: string }) => e.type === type).map((e: { data: unknown }) => e.data);
    expect(data("THIRD_PARTY")).toEqual([{ action: "ADD", phoneNumber: OUTSIDE }]);
    expect(data("CUSTOMER_NOT_ANSWERED")).toEqual([{ reason: "OUTBOUND_DESTINATION_ENDPOINT_ERROR", message: `The 'To' number ${OUTSIDE} is not valid` }]);
    expect(data("TRANSFERRED")).toEqual([{ toPhoneNumber: OUTSIDE, quickConnectId: "qc-1" }, { toPhoneNumber: "+15550001111" }]);
  });
});
