/** The audit log of the caller's instance, newest first. */
import { desc, eq, lt, type SQL } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { auditLog } from "../../db/schema";
import { requirePermission } from "../auth/middleware";
import type { AppEnv } from "../env";
import { parseQuery } from "../lib/request";
import { iso } from "./resource";

const Query = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(100),
  /** Entries with a smaller id than this (the previous page's last id). */
  before: z.coerce.number().int().positive().optional(),
  resourceType: z.string().max(64).optional(),
});

export const auditRoutes = new Hono<AppEnv>()
  .use(requirePermission("audit.view"))
  .get("/", async (c) => {
    const q = parseQuery(c, Query);
    const scope = c.var.scope;
    const conditions: SQL[] = [];
    if (q.before) conditions.push(lt(auditLog.id, q.before));
    if (q.resourceType) conditions.push(eq(auditLog.resourceType, q.resourceType));
    const rows = await scope.db
      .select()
      .from(auditLog)
      .where(scope.where(auditLog, ...conditions))
      .orderBy(desc(auditLog.id))
      .limit(q.limit);
    return c.json({
      items: rows.map((r) => ({
        id: r.id, at: iso(r.at), userId: r.userId, action: r.action, resourceType: r.resourceType,
        resourceId: r.resourceId, ip: r.ip, userAgent: r.userAgent, details: r.details,
      })),
      nextBefore: rows.length === q.limit ? rows[rows.length - 1].id : null,
    });
  });
