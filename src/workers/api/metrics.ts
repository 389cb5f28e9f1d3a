/**
 * Real-time metrics (Amazon Connect's names): `GET /api/v1/metrics/current` answers them for the
 * caller's instance; `GET /api/v1/metrics/socket` (WebSocket) pushes them to a supervisor.
 * Both need `metrics.realtime`.
 */
import { Hono } from "hono";
import { getServerByName } from "partyserver";
import { z } from "zod";
import { metricsRoomName } from "../../durable/names";
import { currentMetrics } from "../../durable/routing";
import { requirePermission } from "../auth/middleware";
import type { AppEnv } from "../env";
import { parseQuery } from "../lib/request";
import { forwardedUpgrade, relay, socketCaller } from "./agent-socket";

const currentQuery = z.object({ queueId: z.string().min(1).max(200).optional() });

/** Mounted under /api/v1/metrics (behind the session middleware). */
export const metricsRoutes = new Hono<AppEnv>().get("/current", requirePermission("metrics.realtime"), async (c) => {
  const { queueId } = parseQuery(c, currentQuery);
  const m = await currentMetrics(c.env, c.var.caller.instanceId);
  return c.json(queueId ? { ...m, queues: m.queues.filter((q) => q.queueId === queueId) } : m);
});

/** Mounted on the app before /api/v1 (a socket may carry its session as `?token=`). */
export const metricsSocketRoutes = new Hono<AppEnv>().get("/metrics/socket", async (c) => {
  const caller = await socketCaller(c, "metrics.realtime");
  const req = forwardedUpgrade(c);
  const room = await getServerByName(c.env.METRICS_ROOM, metricsRoomName(caller.instanceId));
  return relay(await room.fetch(req));
});
