/** Publishing flows: each publish freezes the draft as a new immutable version. */
import { and, desc, eq } from "drizzle-orm";
import { Hono } from "hono";
import { flows, flowVersions } from "../../db/schema";
import { publishedFlowChanged } from "../../durable/contact-flow";
import { requirePermission } from "../auth/middleware";
import type { AppEnv } from "../env";
import { notFound } from "../../lib/errors";
import { clientInfo } from "../lib/request";
import { iso } from "./resource";

export const flowVersionRoutes = new Hono<AppEnv>()
  .post("/:id/publish", requirePermission("flows.edit"), async (c) => {
    const scope = c.var.scope;
    const flow = await scope.get(flows, c.req.param("id"));
    if (!flow) throw notFound("Flow");
    const version = (flow.publishedVersion ?? 0) + 1;
    await scope.batch([
      scope.db.insert(flowVersions).values({
        instanceId: scope.instanceId, flowId: flow.id, version, content: flow.content, publishedBy: c.var.caller.userId,
      }),
      scope.update(flows, flow.id, { publishedVersion: version }),
      scope.audit({ userId: c.var.caller.userId, action: "publish", resourceType: "flow", resourceId: flow.id, ...clientInfo(c), details: { version } }),
    ]);
    await publishedFlowChanged(c.env, scope.instanceId, flow.id);
    return c.json({ flowId: flow.id, version }, 201);
  })
  .get("/:id/versions", requirePermission("flows.edit", "instance.configure"), async (c) => {
    const scope = c.var.scope;
    const flow = await scope.get(flows, c.req.param("id"));
    if (!flow) throw notFound("Flow");
    const rows = await scope.db
      .select()
      .from(flowVersions)
      .where(scope.where(flowVersions, eq(flowVersions.flowId, flow.id)))
      .orderBy(desc(flowVersions.version));
    return c.json({
      items: rows.map((v) => ({ version: v.version, content: v.content, publishedBy: v.publishedBy, createdAt: iso(v.createdAt) })),
    });
  });

/** The content a new contact runs: the latest published version, or null if never published. */
export async function publishedFlow(scope: { db: AppEnv["Variables"]["db"]; instanceId: string }, flowId: string) {
  const [row] = await scope.db
    .select()
    .from(flowVersions)
    .where(and(eq(flowVersions.instanceId, scope.instanceId), eq(flowVersions.flowId, flowId)))
    .orderBy(desc(flowVersions.version))
    .limit(1);
  return row ?? null;
}
