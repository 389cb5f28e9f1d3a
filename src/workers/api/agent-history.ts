/**
 * The signed-in agent's own record (`contacts.handle`; always the caller's own, never another
 * agent's, and only in the caller's instance):
 *
 * - `GET /api/v1/agent/history?limit=`: the agent's most recent contacts (those whose last agent
 *   they are), newest first, with the customer's number, queue, times and wrap-up code.
 * - `GET /api/v1/agent/today`: today's figures (the instance's time zone), as the historical
 *   report computes them for this agent: contacts handled, average handle time, occupancy.
 */
import { desc, eq } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { CUSTOMER_ENDPOINT_FIELD } from "../../db/contacts";
import { historicalReport, instanceTimeZone } from "../../db/historical-metrics";
import { contacts } from "../../db/schema";
import { agentRoom } from "../../durable/routing";
import { requirePermission } from "../auth/middleware";
import type { AppEnv } from "../env";
import { decryptField, keyringFromEnv } from "../../lib/crypto";
import { localTime } from "../../lib/time-zone";
import { parseQuery } from "../lib/request";
import { iso } from "./resource";

const HistoryQuery = z.object({ limit: z.coerce.number().int().min(1).max(50).default(20) });

export const agentHistoryRoutes = new Hono<AppEnv>()
  // Per route, not `.use()`: mounted at /agent beside agent.ts, a `.use()` would run for its routes too.
  .get("/history", requirePermission("contacts.handle"), async (c) => {
    const { limit } = parseQuery(c, HistoryQuery);
    const scope = c.var.scope;
    const rows = await scope.db
      .select()
      .from(contacts)
      .where(scope.where(contacts, eq(contacts.agentId, c.var.caller.userId)))
      .orderBy(desc(contacts.initiatedAt), desc(contacts.id))
      .limit(limit);
    const keys = keyringFromEnv(c.env);
    const items = await Promise.all(rows.map(async (r) => ({
      id: r.id,
      channel: r.channel,
      initiationMethod: r.initiationMethod,
      state: r.state,
      customerEndpoint: r.customerEndpointEnc ? await decryptField(keys, r.instanceId, CUSTOMER_ENDPOINT_FIELD, r.customerEndpointEnc) : null,
      queueId: r.queueId,
      initiatedAt: iso(r.initiatedAt),
      connectedAt: iso(r.connectedAt),
      endedAt: iso(r.endedAt),
      disposition: r.disposition,
    })));
    return c.json({ items });
  })
  .get("/today", requirePermission("contacts.handle"), async (c) => {
    const scope = c.var.scope;
    const { userId } = c.var.caller;
    const timeZone = await instanceTimeZone(scope);
    const date = localTime(Date.now(), timeZone).date;
    const statusHistories = async (agentIds: string[], from: number, to: number) =>
      new Map(await Promise.all(agentIds.map(async (id) => [id, await agentRoom(c.env, scope.instanceId, id).statusHistory(from, to)] as const)));
    const report = await historicalReport(
      scope,
      { from: date, to: date, interval: "TOTAL", groupBy: "AGENT", agentId: userId, serviceLevelSeconds: 20 },
      timeZone,
      statusHistories,
    );
    const mine = report.rows.find((r) => r.group.id === userId)?.metrics;
    return c.json({
      date,
      timeZone,
      contactsHandled: mine?.CONTACTS_HANDLED ?? 0,
      averageHandleTimeSeconds: mine?.AVG_HANDLE_TIME ?? null,
      /** Percent of Available time on contacts; null before the agent was Available today. */
      occupancy: mine?.AGENT_OCCUPANCY ?? null,
    });
  });
