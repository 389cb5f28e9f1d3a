/**
 * Sessions: a random 256-bit token given to the client (cookie or bearer), stored only as
 * its SHA-256. Sessions expire SESSION_TTL_MS after sign-in.
 */
import { and, eq, gt } from "drizzle-orm";
import type { Db } from "../../db/client";
import { securityProfiles, sessions, users } from "../../db/schema";
import { isPermission, type Permission } from "../../shared/permissions";
import type { Caller } from "../env";
import { randomToken, sha256Hex } from "../../lib/crypto";

export const SESSION_COOKIE = "sb_session";
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

export async function createSession(db: Db, user: { id: string; instanceId: string }) {
  const token = randomToken(32);
  const now = Date.now();
  const expiresAt = now + SESSION_TTL_MS;
  await db.insert(sessions).values({
    id: await sha256Hex(token),
    instanceId: user.instanceId,
    userId: user.id,
    createdAt: now,
    expiresAt,
  });
  return { token, expiresAt };
}

/** The caller behind a token, or null if the token is unknown, expired, or its user inactive. */
export async function lookupSession(db: Db, token: string): Promise<Caller | null> {
  return lookupSessionById(db, await sha256Hex(token));
}

/** The caller behind a session id (its token's hash), or null if unknown, expired, or its user inactive. */
export async function lookupSessionById(db: Db, id: string): Promise<Caller | null> {
  const rows = await db
    .select({
      instanceId: sessions.instanceId,
      userId: users.id,
      email: users.email,
      name: users.name,
      active: users.active,
      permissions: securityProfiles.permissions,
    })
    .from(sessions)
    .innerJoin(users, and(eq(users.id, sessions.userId), eq(users.instanceId, sessions.instanceId)))
    .innerJoin(securityProfiles, eq(securityProfiles.id, users.securityProfileId))
    .where(and(eq(sessions.id, id), gt(sessions.expiresAt, Date.now())))
    .limit(1);
  const row = rows[0];
  if (!row || !row.active) return null;
  return {
    instanceId: row.instanceId,
    userId: row.userId,
    email: row.email,
    name: row.name,
    permissions: new Set(row.permissions.filter(isPermission) as Permission[]),
    sessionId: id,
  };
}
