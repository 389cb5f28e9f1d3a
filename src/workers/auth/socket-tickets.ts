/**
 * `POST /api/v1/auth/socket-tickets` (signed in): a ticket for opening one WebSocket where the
 * client cannot send the session as a header or cookie: `wss://…/api/v1/agent/socket?ticket=…`.
 * A ticket is random (256 bits), stored only as its hash, valid SOCKET_TICKET_TTL_MS and used
 * once; it stands for the session that asked for it (ended with it, and its socket closed with
 * it). Session tokens are never accepted in a URL.
 */
import { and, eq, gt } from "drizzle-orm";
import { Hono } from "hono";
import type { Db } from "../../db/client";
import { socketTickets } from "../../db/schema";
import { randomToken, sha256Hex } from "../../lib/crypto";
import type { AppEnv, Caller } from "../env";
import { requireSession } from "./middleware";
import { lookupSessionById } from "./sessions";

export const SOCKET_TICKET_TTL_MS = 30_000;

/** The session behind a ticket, spending the ticket; null if unknown, used, expired or its session ended. */
export async function redeemSocketTicket(db: Db, ticket: string, now = Date.now()): Promise<Caller | null> {
  const [row] = await db
    .delete(socketTickets)
    .where(and(eq(socketTickets.id, await sha256Hex(ticket)), gt(socketTickets.expiresAt, now)))
    .returning({ sessionId: socketTickets.sessionId });
  return row ? lookupSessionById(db, row.sessionId) : null;
}

export const socketTicketRoutes = new Hono<AppEnv>().post("/socket-tickets", requireSession, async (c) => {
  const ticket = randomToken(32);
  const expiresAt = Date.now() + SOCKET_TICKET_TTL_MS;
  await c.var.db.insert(socketTickets).values({ id: await sha256Hex(ticket), sessionId: c.var.caller.sessionId, expiresAt });
  return c.json({ ticket, expiresAt: new Date(expiresAt).toISOString() }, 201);
});
