/**
 * Email addresses (the instance's inbound mail addresses → queue): created lower-cased, bad input
 * is a 400 naming the field and stores nothing, an address another instance has is a 409, and a
 * queue an address uses cannot be deleted (409). Routing profiles carry EMAIL concurrency.
 */
import { describe, expect, it } from "vitest";
import { hoursOfOperation, queues } from "../../src/db/schema";
import { api, db, demoAdmin, DEMO, otherInstance } from "../helpers";

describe("email addresses", () => {
  it("creates, validates, refuses another instance's address and guards the queue it uses", async () => {
    const token = await demoAdmin();
    const address = `Help-${crypto.randomUUID().slice(0, 8)}@Demo.Test`;
    const created = await api("POST", "/email-addresses", { token, body: { address, displayName: "Help desk", queueId: DEMO.queues.billing } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ address: address.toLowerCase(), displayName: "Help desk", queueId: DEMO.queues.billing });

    const before = (await api("GET", "/email-addresses", { token })).body.items.length;
    const bad = await api("POST", "/email-addresses", { token, body: { address: "not an address", displayName: "A\"B", queueId: "nope" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("validation_failed");
    const missingQueue = await api("POST", "/email-addresses", { token, body: { address: "x@demo.test", queueId: "demo:queue:nope" } });
    expect(missingQueue.status).toBe(400);
    expect((await api("GET", "/email-addresses", { token })).body.items.length).toBe(before);

    const other = await otherInstance();
    const otherQueue = `${other.instanceId}:queue:mail`;
    await db().insert(hoursOfOperation).values({ id: `${other.instanceId}:hours`, instanceId: other.instanceId, name: "24/7", timezone: "UTC", weekly: [], overrides: [] });
    await db().insert(queues).values({ id: otherQueue, instanceId: other.instanceId, name: "Mail", hoursOfOperationId: `${other.instanceId}:hours` });
    const taken = await api("POST", "/email-addresses", { token: other.token, body: { address, queueId: otherQueue } });
    expect(taken.status).toBe(409);
    expect(taken.body.error.message).toMatch(/is taken/);

    const del = await api("DELETE", `/queues/${encodeURIComponent(DEMO.queues.billing)}`, { token });
    expect(del.status).toBe(409);
    expect(JSON.stringify(del.body)).toContain(address.toLowerCase());
  });

  it("routing profiles take EMAIL concurrency (0–10)", async () => {
    const token = await demoAdmin();
    const rp = await api("PATCH", `/routing-profiles/${encodeURIComponent(DEMO.routingProfile)}`, { token, body: { concurrency: { EMAIL: 4 } } });
    expect(rp.status).toBe(200);
    expect(rp.body.concurrency.EMAIL).toBe(4);
    const bad = await api("PATCH", `/routing-profiles/${encodeURIComponent(DEMO.routingProfile)}`, { token, body: { concurrency: { EMAIL: 11 } } });
    expect(bad.status).toBe(400);
    expect((await api("GET", `/routing-profiles/${encodeURIComponent(DEMO.routingProfile)}`, { token })).body.concurrency.EMAIL).toBe(4);
  });
});
