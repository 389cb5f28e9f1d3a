/**
 * Metrics (Amazon Connect's names). Real time: `GET /api/v1/metrics/current` answers them for the
 * caller's instance; `GET /api/v1/metrics/socket` (WebSocket) pushes them to a supervisor; both
 * need `metrics.realtime`. Historical: `GET /api/v1/metrics/historical` sums the contact records
 * over local dates, by queue, agent or channel and by interval (src/db/historical-metrics.ts),
 * as JSON or CSV; it needs `metrics.historical`.
 */
import { Hono } from "hono";
import { getServerByName } from "partyserver";
import { z } from "zod";
import { historicalReport, instanceTimeZone, reportCsv } from "../../db/historical-metrics";
import { queues, users } from "../../db/schema";
import { metricsRoomName } from "../../lib/object-names";
import { agentRoom, currentMetrics } from "../../durable/routing";
import { requirePermission } from "../auth/middleware";
import type { AppEnv } from "../env";
import { daysInRange, GROUPINGS, INTERVALS, MAX_DAYS } from "../../shared/historical";
import { channelSchema } from "../../shared/wire";
import { notFound } from "../../lib/errors";
import { parseQuery } from "../lib/request";
import { forwardedUpgrade, relay, socketCaller } from "./agent-socket";
import { fields } from "./resource";

const currentQuery = z.object({ queueId: z.string().min(1).max(200).optional() });

/** A calendar date (zod's ISO date: "2025-02-30" is shaped like one but refused), with what was wrong with it. */
const localDate = z.iso.date({
  error: (issue) => (/^\d{4}-\d{2}-\d{2}$/.test(String(issue.input)) ? "is not a date in the calendar" : "must be a date such as 2026-12-01"),
});

const historicalQuery = z
  .object({
    from: localDate,
    to: localDate,
    interval: z.enum(INTERVALS).default("DAY"),
    groupBy: z.enum(GROUPINGS).default("QUEUE"),
    queueId: fields.id.optional(),
    agentId: fields.id.optional(),
    channel: channelSchema.optional(),
    serviceLevelSeconds: z.coerce.number().int().min(1).max(3600).default(20),
    format: z.enum(["json", "csv"]).default("json"),
  })
  .superRefine((q, ctx) => {
    if (q.to < q.from) ctx.addIssue({ code: "custom", path: ["to"], message: "must not be before from" });
    else if (daysInRange(q.from, q.to) > MAX_DAYS[q.interval]) {
      ctx.addIssue({ code: "custom", path: ["to"], message: `a ${q.interval} report covers at most ${MAX_DAYS[q.interval]} days` });
    }
  });

/** Mounted under /api/v1/metrics (behind the session middleware). */
export const metricsRoutes = new Hono<AppEnv>()
  .get("/current", requirePermission("metrics.realtime"), async (c) => {
    const { queueId } = parseQuery(c, currentQuery);
    const m = await currentMetrics(c.env, c.var.caller.instanceId);
    return c.json(queueId ? { ...m, queues: m.queues.filter((q) => q.queueId === queueId) } : m);
  })
  .get("/historical", requirePermission("metrics.historical"), async (c) => {
    const { format, ...q } = parseQuery(c, historicalQuery);
    const scope = c.var.scope;
    // A filter on another instance's queue or agent answers as one that does not exist.
    if (q.queueId) {
      const personal = q.queueId.startsWith("agent:");
      if (!(personal ? await scope.get(users, q.queueId.slice(6)) : await scope.get(queues, q.queueId))) throw notFound("Queue");
    }
    if (q.agentId && !(await scope.get(users, q.agentId))) throw notFound("Agent");
    // Agent activity comes from each agent's own object (its status log), asked side by side.
    const statusHistories = async (agentIds: string[], from: number, to: number) =>
      new Map(await Promise.all(agentIds.map(async (id) => [id, await agentRoom(c.env, scope.instanceId, id).statusHistory(from, to)] as const)));
    const report = await historicalReport(scope, q, await instanceTimeZone(scope), statusHistories);
    if (format === "json") return c.json(report);
    return c.body(reportCsv(report), 200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="switchboard-${q.groupBy.toLowerCase()}-${q.interval.toLowerCase()}-${q.from}-to-${q.to}.csv"`,
    });
  });

/** Mounted on the app before /api/v1 (a socket may carry a single-use `?ticket=` instead of its session). */
export const metricsSocketRoutes = new Hono<AppEnv>().get("/metrics/socket", async (c) => {
  const caller = await socketCaller(c, "metrics.realtime");
  const req = forwardedUpgrade(c, caller);
  const room = await getServerByName(c.env.METRICS_ROOM, metricsRoomName(caller.instanceId));
  return relay(await room.fetch(req));
});
