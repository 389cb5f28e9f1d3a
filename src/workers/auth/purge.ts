/**
 * The daily cron's sign-in housekeeping: expired sessions and socket tickets, and spent throttle
 * counters, are deleted, so no table grows with every sign-in and failed guess for ever.
 */
import { and, lt, lte } from "drizzle-orm";
import type { Db } from "../../db/client";
import { loginThrottle, sessions, socketTickets } from "../../db/schema";

/** A counter whose window began this long ago is spent for every limit kept in the table (the longest window is 15 minutes). */
export const THROTTLE_ROW_TTL_MS = 24 * 60 * 60 * 1000;

export async function purgeExpiredSignIns(db: Db, now = Date.now()): Promise<{ sessions: number; tickets: number; throttleRows: number }> {
  const [s, k, t] = await db.batch([
    db.delete(sessions).where(lte(sessions.expiresAt, now)),
    db.delete(socketTickets).where(lte(socketTickets.expiresAt, now)),
    db.delete(loginThrottle).where(and(lt(loginThrottle.windowStartedAt, now - THROTTLE_ROW_TTL_MS), lte(loginThrottle.lockedUntil, now))),
  ]);
  return { sessions: s.meta.changes, tickets: k.meta.changes, throttleRows: t.meta.changes };
}
