/**
 * Durable fixed-window counters in D1 (the `login_throttle` table, one row per key), shared by
 * every limit that must hold across isolates and restarts: failed sign-ins
 * (src/workers/auth/throttle.ts), chat starts per client address (src/workers/chat/routes.ts) and
 * calls an agent places (src/db/dialing.ts).
 * Keys are namespaced by their user (`account:`, `address:`, `chat-start:`).
 */
import { sql } from "drizzle-orm";
import type { Db } from "./client";
import { loginThrottle } from "./schema";

export type WindowCount = { count: number; windowStartedAt: number };

/**
 * Counts one event for `key` in one atomic upsert: a window older than `windowMs` starts over at
 * 1, otherwise the count grows. Returns the count and when its window started.
 */
export async function countInWindow(db: Db, key: string, windowMs: number, now = Date.now()): Promise<WindowCount> {
  const expired = sql`${loginThrottle.windowStartedAt} < ${now - windowMs}`;
  const [row] = await db
    .insert(loginThrottle)
    .values({ key, failures: 1, windowStartedAt: now, lockedUntil: 0 })
    .onConflictDoUpdate({
      target: loginThrottle.key,
      set: {
        failures: sql`case when ${expired} then 1 else ${loginThrottle.failures} + 1 end`,
        windowStartedAt: sql`case when ${expired} then ${now} else ${loginThrottle.windowStartedAt} end`,
      },
    })
    .returning({ count: loginThrottle.failures, windowStartedAt: loginThrottle.windowStartedAt });
  return row!;
}

/**
 * A rate limit: at most `limit` events per key in a fixed window of `windowMs`. Counts this
 * event and returns 0 when it is within the limit, else the milliseconds until the window ends
 * (for `Retry-After`).
 */
export async function takeFromLimit(db: Db, key: string, limit: { max: number; windowMs: number }, now = Date.now()): Promise<number> {
  const { count, windowStartedAt } = await countInWindow(db, key, limit.windowMs, now);
  return count <= limit.max ? 0 : Math.max(1, windowStartedAt + limit.windowMs - now);
}
