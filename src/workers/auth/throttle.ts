/**
 * Slows down password guessing: after a few failures for one account or one client address
 * in a window, further attempts are refused for an exponentially growing time.
 */
import { eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { loginThrottle } from "../../db/schema";

const WINDOW_MS = 15 * 60 * 1000;
const MAX_LOCK_MS = 15 * 60 * 1000;
/** Failures allowed before locking: per account, and per client address (shared by many users). */
const FREE_FAILURES = { account: 5, address: 20 } as const;

export type ThrottleKeys = { account: string; address: string };

export const throttleKeys = (email: string, ip: string | null): ThrottleKeys => ({
  account: `account:${email}`,
  address: `address:${ip ?? "unknown"}`,
});

/** Milliseconds the caller must still wait, 0 if it may try now. */
export async function retryAfterMs(db: Db, keys: ThrottleKeys, now = Date.now()): Promise<number> {
  const rows = await db
    .select()
    .from(loginThrottle)
    .where(inArray(loginThrottle.key, [keys.account, keys.address]));
  return Math.max(0, ...rows.map((r) => r.lockedUntil - now));
}

export async function recordFailure(db: Db, keys: ThrottleKeys, now = Date.now()) {
  for (const [kind, key] of Object.entries(keys) as [keyof ThrottleKeys, string][]) {
    const free = FREE_FAILURES[kind];
    // One upsert: reset the window if it has passed, count the failure, lock past the free ones.
    await db
      .insert(loginThrottle)
      .values({ key, failures: 1, windowStartedAt: now, lockedUntil: 0 })
      .onConflictDoUpdate({
        target: loginThrottle.key,
        set: {
          failures: sql`case when ${loginThrottle.windowStartedAt} < ${now - WINDOW_MS} then 1 else ${loginThrottle.failures} + 1 end`,
          windowStartedAt: sql`case when ${loginThrottle.windowStartedAt} < ${now - WINDOW_MS} then ${now} else ${loginThrottle.windowStartedAt} end`,
        },
      });
    const [row] = await db.select().from(loginThrottle).where(eq(loginThrottle.key, key));
    if (row && row.failures > free) {
      const lockMs = Math.min(MAX_LOCK_MS, 1000 * 2 ** (row.failures - free - 1));
      await db.update(loginThrottle).set({ lockedUntil: now + lockMs }).where(eq(loginThrottle.key, key));
    }
  }
}

export async function clearAccountFailures(db: Db, keys: ThrottleKeys) {
  await db.delete(loginThrottle).where(eq(loginThrottle.key, keys.account));
}
