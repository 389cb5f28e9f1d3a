/**
 * Slows down password guessing without letting anyone lock an account's owner out (OWASP's
 * Authentication Cheat Sheet: lock the attacker, not the account). Failures are counted for
 * the client address, for the account, and for the account from that address:
 * - an address with many failures (any accounts) is refused before its password is checked;
 * - an address with a few failures on one account is refused for that account;
 * - failures on the account from everywhere only tighten that second limit (one free failure per
 *   address while the account is under attack) — they never refuse a new address, so the owner
 *   signing in from their own machine gets in while others guess.
 * Refusals last an exponentially growing time, at most MAX_LOCK_MS.
 */
import { eq, inArray } from "drizzle-orm";
import type { Db } from "../../db/client";
import { loginThrottle } from "../../db/schema";
import { countInWindow } from "../../db/throttle";

export const LOGIN_WINDOW_MS = 15 * 60 * 1000;
const MAX_LOCK_MS = 15 * 60 * 1000;
/** Failures allowed before locking: per address (shared by many users), per account from one address. */
const FREE_FAILURES = { address: 20, pair: 5, pairUnderAttack: 1 } as const;
/** Failures on one account in the window (from anywhere) past which it counts as under attack. */
const UNDER_ATTACK = 10;

export type ThrottleKeys = { account: string; address: string; pair: string };

export const throttleKeys = (email: string, ip: string | null): ThrottleKeys => ({
  account: `account:${email}`,
  address: `address:${ip ?? "unknown"}`,
  pair: `account:${email}|address:${ip ?? "unknown"}`,
});

/** Milliseconds this address must still wait before trying this account, 0 if it may try now. */
export async function retryAfterMs(db: Db, keys: ThrottleKeys, now = Date.now()): Promise<number> {
  const rows = await db
    .select()
    .from(loginThrottle)
    .where(inArray(loginThrottle.key, [keys.address, keys.pair]));
  return Math.max(0, ...rows.map((r) => r.lockedUntil - now));
}

export async function recordFailure(db: Db, keys: ThrottleKeys, now = Date.now()) {
  const account = await countInWindow(db, keys.account, LOGIN_WINDOW_MS, now);
  const free = { address: FREE_FAILURES.address, pair: account.count > UNDER_ATTACK ? FREE_FAILURES.pairUnderAttack : FREE_FAILURES.pair };
  for (const kind of ["address", "pair"] as const) {
    // Count the failure (the window starts over once it has passed), lock past the free ones.
    const { count } = await countInWindow(db, keys[kind], LOGIN_WINDOW_MS, now);
    if (count > free[kind]) {
      const lockMs = Math.min(MAX_LOCK_MS, 1000 * 2 ** (count - free[kind] - 1));
      await db.update(loginThrottle).set({ lockedUntil: now + lockMs }).where(eq(loginThrottle.key, keys[kind]));
    }
  }
}

/** A right password: this address's failures on the account are forgiven. */
export async function clearAccountFailures(db: Db, keys: ThrottleKeys) {
  await db.delete(loginThrottle).where(eq(loginThrottle.key, keys.pair));
}
