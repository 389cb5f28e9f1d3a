import { env } from "cloudflare:test";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createContact, CUSTOMER_ENDPOINT_FIELD, openAttributes } from "../../src/db/contacts";
import { contactEvents, contacts } from "../../src/db/schema";
import { decryptField, keyringFromEnv, searchHash } from "../../src/lib/crypto";
import { db, otherInstance } from "../helpers";

describe("createContact (hand-written inserts on the hot path)", () => {
  it("stores the row and its INITIATED event as drizzle reads them: sealed caller and attributes, SQL defaults, the row as of `at`", async () => {
    const { instanceId } = await otherInstance("Contacts Co");
    const keys = keyringFromEnv(env);
    const at = Date.now() - 5_000;
    const id = await createContact(db(), keys, {
      instanceId, channel: "VOICE", initiationMethod: "INBOUND", externalId: `CA${crypto.randomUUID().replaceAll("-", "")}`,
      customerEndpoint: "+14155550123", systemEndpoint: "+15550100", flowId: "f1", flowVersion: 3,
      attributes: { intent: "sales" }, at,
    });
    const [row] = await db().select().from(contacts).where(and(eq(contacts.instanceId, instanceId), eq(contacts.id, id)));
    expect(row).toMatchObject({
      channel: "VOICE", initiationMethod: "INBOUND", systemEndpoint: "+15550100", flowId: "f1", flowVersion: 3,
      state: "INITIATED", holdSeconds: 0, initiatedAt: at, updatedAt: at, previousContactId: null, queueId: null,
      customerEndpointHashVersion: keys.current,
    });
    expect(row.createdAt).toBeGreaterThanOrEqual(at);
    expect(row.customerEndpointEnc).not.toContain("4155550123");
    expect(await decryptField(keys, instanceId, CUSTOMER_ENDPOINT_FIELD, row.customerEndpointEnc!)).toBe("+14155550123");
    expect(row.customerEndpointHash).toBe(await searchHash(keys, instanceId, "+14155550123"));
    expect(typeof row.attributes).toBe("string"); // sealed, not the plain object
    expect(await openAttributes(keys, instanceId, id, row.attributes)).toEqual({ intent: "sales" });
    const events = await db().select().from(contactEvents).where(and(eq(contactEvents.instanceId, instanceId), eq(contactEvents.contactId, id)));
    expect(events).toMatchObject([{ type: "INITIATED", at, agentId: null, queueId: null, data: null, eventKey: null }]);
  });
});
