/**
 * `GET /api/v1/metrics/directory` (`metrics.realtime` or `metrics.historical`): the names the
 * live dashboard and the reports show beside the ids in the metrics — the instance's queues and
 * users — so a supervisor needs neither `users.manage` nor `instance.configure` to read them.
 */
import { asc } from "drizzle-orm";
import { Hono } from "hono";
import { queues, users } from "../../db/schema";
import { requirePermission } from "../auth/middleware";
import type { AppEnv } from "../env";

export const metricsDirectoryRoutes = new Hono<AppEnv>().get("/directory", requirePermission("metrics.realtime", "metrics.historical"), async (c) => {
  const scope = c.var.scope;
  const [queueRows, userRows] = await Promise.all([
    scope.db.select({ id: queues.id, name: queues.name }).from(queues).where(scope.where(queues)).orderBy(asc(queues.name)),
    scope.db.select({ id: users.id, name: users.name }).from(users).where(scope.where(users)).orderBy(asc(users.name)),
  ]);
  return c.json({ queues: queueRows, agents: userRows });
});
