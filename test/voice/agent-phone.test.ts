/**
 * The phone an agent's leg is dialled to is read from D1 once in a while, not on every answered
 * call (issue #29: D1 is the first limit at scale), and a changed number is dialled within the TTL.
 */
import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { users } from "../../src/db/schema";
import { AGENT_PHONE_TTL_MS, agentPhone } from "../../src/durable/voice/agent-phone";
import { countingD1 } from "../d1-count";
import { db, DEMO, otherInstance, seed } from "../helpers";

beforeAll(() => seed());

describe("an agent's phone for their leg of a call", () => {
  it("is read once for many calls, and a changed number is used once the TTL has passed", async () => {
    const d1 = countingD1(env.DB);
    const t = Date.now();
    await db().update(users).set({ phoneNumber: "+14155550777" }).where(eq(users.id, "demo:user:bob"));
    try {
      for (let i = 0; i < 5; i++) expect(await agentPhone(d1.db, DEMO.instanceId, "demo:user:bob", t + i)).toBe("+14155550777");
      expect(d1.statements).toEqual(["select users"]);
      await db().update(users).set({ phoneNumber: "+14155550888" }).where(eq(users.id, "demo:user:bob"));
      expect(await agentPhone(d1.db, DEMO.instanceId, "demo:user:bob", t + 10)).toBe("+14155550777");
      expect(await agentPhone(d1.db, DEMO.instanceId, "demo:user:bob", t + AGENT_PHONE_TTL_MS + 1)).toBe("+14155550888");
      expect(d1.statements).toEqual(["select users", "select users"]);
    } finally {
      await db().update(users).set({ phoneNumber: null }).where(eq(users.id, "demo:user:bob"));
    }
  });

  it("is null (the browser softphone) for an agent with no number, or one of another instance", async () => {
    await db().update(users).set({ phoneNumber: "+14155550999" }).where(eq(users.id, "demo:user:carol"));
    try {
      const other = await otherInstance();
      expect(await agentPhone(env.DB, other.instanceId, "demo:user:carol")).toBeNull();
      expect(await agentPhone(env.DB, DEMO.instanceId, "demo:user:alice")).toBeNull();
    } finally {
      await db().update(users).set({ phoneNumber: null }).where(eq(users.id, "demo:user:carol"));
    }
  });
});
