import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { loginThrottle } from "../../src/db/schema";
import { sha256Hex } from "../../src/lib/crypto";
import { createSession } from "../../src/workers/auth/sessions";
import worker from "../../src/workers/index";
import { db, DEMO, seed } from "../helpers";

const DAY = 24 * 60 * 60 * 1000;

describe("the daily cron deletes expired sessions, socket tickets and spent sign-in counters", () => {
  it("keeps live sessions and counters still in use", async () => {
    await seed();
    const d = db();
    const user = { id: DEMO.agents[0].id, instanceId: DEMO.instanceId };
    const live = await createSession(d, user);
    const expired = await createSession(d, user);
    const expiredId = await sha256Hex(expired.token);
    await env.DB.prepare("UPDATE sessions SET expires_at = ? WHERE id = ?").bind(Date.now() - 1, expiredId).run();
    const now = Date.now();
    const liveTicketSession = await sha256Hex(live.token);
    await env.DB.prepare("INSERT INTO socket_tickets (id, session_id, expires_at) VALUES ('t-old', ?, ?), ('t-live', ?, ?)")
      .bind(liveTicketSession, Date.now() - 1, liveTicketSession, Date.now() + 30_000).run();
    await d.insert(loginThrottle).values([
      { key: "address:purge-old", failures: 3, windowStartedAt: now - 2 * DAY, lockedUntil: 0 },
      { key: "address:purge-fresh", failures: 3, windowStartedAt: now - 60_000, lockedUntil: 0 },
      { key: "address:purge-old-but-locked", failures: 40, windowStartedAt: now - 2 * DAY, lockedUntil: now + 60_000 },
    ]);

    const ctx = createExecutionContext();
    worker.scheduled(createScheduledController({ cron: "17 3 * * *", scheduledTime: now }), env, ctx);
    await waitOnExecutionContext(ctx);

    expect(await env.DB.prepare("SELECT 1 FROM sessions WHERE id = ?").bind(expiredId).first()).toBeNull();
    const liveId = await sha256Hex(live.token);
    expect(await env.DB.prepare("SELECT 1 AS x FROM sessions WHERE id = ?").bind(liveId).first()).toEqual({ x: 1 });
    expect((await env.DB.prepare("SELECT id FROM socket_tickets WHERE id LIKE 't-%'").all()).results).toEqual([{ id: "t-live" }]);
    const keys = (await d.select({ key: loginThrottle.key }).from(loginThrottle)).map((r) => r.key).filter((k) => k.includes("purge"));
    expect(keys.sort()).toEqual(["address:purge-fresh", "address:purge-old-but-locked"]);
  });
});
