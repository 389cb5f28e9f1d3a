/**
 * Slows down password guessing: after a few failures for one account or one client address
 * in a window, further attempts are refused for an exponentially growing time.
 */
import { eq, inArray } from "drizzle-orm";
import type { Db } from "../../db/client";
import { loginThrottle } from "../../db/schema";
import { countInWindow } from "../lib/throttle";

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
    // Count the failure (the window starts over once it has passed), lock past the free ones.
    const { count } = await countInWindow(db, key, WINDOW_MS, now);
    if (count > free) {
      const lockMs = Math.min(MAX_LOCK_MS, 1000 * 2 ** (count - free - 1));
      await db.update(loginThrottle).set({ lockedUntil: now + lockMs }).where(eq(loginThrottle.key, key));
    }
  }
}

export async function clearAccountFailures(db: Db, keys: ThrottleKeys) {
  await db.delete(loginThrottle).where(eq(loginThrottle.key, keys.account));
}
