/**
 * Flow tools: importing an Amazon Connect export, simulating a flow without a phone, and a
 * contact's flow logs. The work is done by the pure flow engine (src/flows); these routes load
 * the instance's configuration through the caller's scope and hand it over.
 */
import { asc, eq } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { bots, contacts, flowLogs, flows, hoursOfOperation, instances, lambdaFunctions, queues } from "../../db/schema";
import { openFlowLogData } from "../../db/flow-logs";
import type { InstanceScope } from "../../db/scoped";
import { importFlow, simulateFlow, type FlowContent, type FlowContext, type FlowType, type HoursOfOperation, type QueueInfo, type ReferenceResolver } from "../../flows";
import { requirePermission } from "../auth/middleware";
import type { AppEnv } from "../env";
import { keyringFromEnv } from "../../lib/crypto";
import { ApiError, badRequest, conflict, notFound } from "../../lib/errors";
import { clientInfo, parseJson, parseQuery } from "../lib/request";
import { publishedFlow } from "./flow-versions";
import { FLOW_TYPES, flowsResource } from "./resources/flows";
import { fields, iso } from "./resource";

const IdParam = z.string().min(1).max(64);

/** Every queue, hours of operation, flow and bot of the instance (small tables: a business has dozens). */
async function instanceConfig(scope: InstanceScope) {
  const [qs, hs, fs, inst, lambdas, bs] = await Promise.all([
    scope.db.select().from(queues).where(scope.where(queues)),
    scope.db.select().from(hoursOfOperation).where(scope.where(hoursOfOperation)),
    scope.db.select({ id: flows.id, name: flows.name, type: flows.type, content: flows.content }).from(flows).where(scope.where(flows)),
    scope.db.select({ timezone: instances.timezone, mediaStreamUrl: instances.mediaStreamUrl }).from(instances).where(eq(instances.id, scope.instanceId)),
    scope.db.select({ name: lambdaFunctions.name, url: lambdaFunctions.endpointUrl }).from(lambdaFunctions).where(scope.where(lambdaFunctions)),
    scope.db.select({ id: bots.id, name: bots.name }).from(bots).where(scope.where(bots)),
  ]);
  return { queues: qs, hours: hs, flows: fs, bots: bs, timezone: inst[0]?.timezone ?? "UTC", mediaStreamUrl: inst[0]?.mediaStreamUrl ?? null, lambdas: Object.fromEntries(lambdas.map((l) => [l.name, l.url])) };
}

/** Maps a reference from an export (id or ARN id, else the name Amazon Connect recorded) to this instance. */
function resolverFor(config: Awaited<ReturnType<typeof instanceConfig>>): ReferenceResolver {
  // A flow module is a flow of type MODULE; a TransferToFlow never lands in one.
  const rows = { queue: config.queues, hours: config.hours, flow: config.flows.filter((f) => f.type !== "MODULE"), module: config.flows.filter((f) => f.type === "MODULE"), bot: config.bots };
  return (kind, ref) => {
    const list: { id: string; name: string }[] = rows[kind];
    const byId = list.find((r) => r.id === ref.id);
    if (byId) return byId.id;
    const name = ref.name?.trim().toLowerCase();
    return (name && list.find((r) => r.name.toLowerCase() === name)?.id) || null;
  };
}

const ImportQuery = z.object({
  name: fields.name.optional(),
  type: z.enum(FLOW_TYPES).optional(),
});

const SimulateQuery = z.object({ version: z.enum(["draft", "published"]).default("draft") });
const SimulateBody = z.object({
  channel: z.enum(["VOICE", "CHAT"]).default("VOICE"),
  inputs: z.array(z.string().max(200)).max(50).default([]),
  attributes: z.record(z.string().max(127), z.string().max(1024)).default({}),
  hours: z.enum(["open", "closed"]).optional(),
  external: z.array(z.union([z.record(z.string(), z.unknown()), z.string().max(200)])).max(20).optional(),
  metrics: z.record(z.string(), z.number()).optional(),
  queueAtCapacity: z.boolean().optional(),
  thirdParty: z.enum(["completed", "failed", "timeout"]).optional(),
  customerNumber: fields.e164.optional(),
  at: z.iso.datetime({ offset: true }).optional(),
  random: z.number().min(0).max(0.999999).optional(),
});

export const flowToolRoutes = new Hono<AppEnv>()
  .post("/import", requirePermission("flows.edit"), async (c) => {
    const scope = c.var.scope;
    const q = parseQuery(c, ImportQuery);
    const body = await parseJson(c, z.unknown());
    const config = await instanceConfig(scope);
    const result = importFlow(body, resolverFor(config), { ...(q.type ? { type: q.type as FlowType } : {}), lambdas: config.lambdas, mediaStreamUrl: config.mediaStreamUrl });
    if (!result.ok || !result.content) {
      throw badRequest(
        `The flow has ${result.errors.length} problem${result.errors.length === 1 ? "" : "s"}: ${result.errors.map((e) => (e.actionId ? `${e.actionId}: ${e.message}` : e.message)).join("; ")}`,
        result.errors,
      );
    }
    const name = q.name ?? result.name?.trim().slice(0, 127);
    if (!name) throw badRequest("name: give the flow a name (?name=…) — this export carries none", [{ actionId: null, field: "name", message: "required" }]);
    const type = result.type ?? "CONTACT_FLOW";
    if (!(FLOW_TYPES as readonly string[]).includes(type)) throw badRequest(`type: ${type} is not a flow type`);
    const id = crypto.randomUUID();
    try {
      await scope.batch([
        scope.insert(flows, { id, name, description: (result.description ?? "").slice(0, 250), type, content: result.content }),
        scope.audit({
          userId: c.var.caller.userId, action: "import", resourceType: "flow", resourceId: id, ...clientInfo(c),
          details: { actions: result.content.Actions.length, resolved: result.resolved.length, warnings: result.warnings.length },
        }),
      ]);
    } catch (err) {
      if (String((err as Error)?.message ?? err).includes("UNIQUE constraint failed")) throw conflict(`A flow named "${name}" already exists`);
      throw err;
    }
    const row = await scope.get(flows, id);
    const [shown] = await flowsResource.toApi([row!], scope, c.env);
    return c.json({ ...(shown as object), warnings: result.warnings, resolved: result.resolved }, 201);
  })
  .post("/:id/simulate", requirePermission("flows.edit"), async (c) => {
    const scope = c.var.scope;
    const id = c.req.param("id");
    if (!IdParam.safeParse(id).success) throw notFound("Flow");
    const flow = await scope.get(flows, id);
    if (!flow) throw notFound("Flow");
    const { version } = parseQuery(c, SimulateQuery);
    const body = await parseJson(c, SimulateBody);
    let content = flow.content as FlowContent;
    let versionNumber: number | null = null;
    if (version === "published") {
      const published = await publishedFlow(scope, flow.id);
      if (!published) throw new ApiError(409, "not_published", "This flow has no published version yet");
      content = published.content as FlowContent;
      versionNumber = published.version;
    }
    const config = await instanceConfig(scope);
    const ctx: Partial<FlowContext> = {
      timezone: config.timezone,
      mediaStreamUrl: config.mediaStreamUrl,
      hours: Object.fromEntries(config.hours.map((h) => [h.id, { id: h.id, name: h.name, timezone: h.timezone, weekly: h.weekly, overrides: h.overrides } satisfies HoursOfOperation])),
      queues: Object.fromEntries(config.queues.map((q) => [q.id, { id: q.id, name: q.name, hoursOfOperationId: q.hoursOfOperationId, outboundCallerId: q.outboundCallerId } satisfies QueueInfo])),
      flows: Object.fromEntries(config.flows.map((f) => [f.id, { type: f.type as FlowType, content: f.content as FlowContent }])),
      externalEndpoints: config.lambdas,
    };
    const sim = await simulateFlow(content, {
      channel: body.channel,
      flowType: flow.type as FlowType,
      inputs: body.inputs,
      attributes: body.attributes,
      hours: body.hours,
      external: body.external,
      metrics: body.metrics,
      queueAtCapacity: body.queueAtCapacity,
      thirdParty: body.thirdParty,
      customerNumber: body.customerNumber,
      now: body.at ? Date.parse(body.at) : Date.now(),
      random: body.random,
      ctx,
    });
    return c.json({
      flowId: flow.id,
      version: version === "published" ? versionNumber : "draft",
      channel: body.channel,
      status: sim.status,
      endReason: sim.endReason,
      path: sim.path.map((p) => ({ ...p, at: iso(p.at) })),
      transcript: sim.transcript,
      turns: sim.turns,
      attributes: sim.state.attributes,
      unusedInputs: sim.unusedInputs,
    });
  });

/** GET /contacts/:id/flow-logs: every action the contact passed through, in order. */
export const contactFlowLogRoutes = new Hono<AppEnv>().get("/:id/flow-logs", requirePermission("contacts.search"), async (c) => {
  const scope = c.var.scope;
  const id = c.req.param("id");
  if (!IdParam.safeParse(id).success) throw notFound("Contact");
  const contact = await scope.get(contacts, id);
  if (!contact) throw notFound("Contact");
  const rows = await scope.db
    .select()
    .from(flowLogs)
    .where(scope.where(flowLogs, eq(flowLogs.contactId, contact.id)))
    .orderBy(asc(flowLogs.id))
    .limit(5000);
  // Payloads are sealed (src/db/flow-logs.ts); rows from before that hold them as objects.
  const keys = keyringFromEnv(c.env);
  const items = await Promise.all(rows.map(async (r) => ({
    at: iso(r.at), flowId: r.flowId, flowVersion: r.flowVersion, actionId: r.actionId, actionType: r.actionType,
    branch: r.branch, nextActionId: r.nextActionId, data: await openFlowLogData(keys, scope.instanceId, contact.id, r.data),
  })));
  await scope.writeAudit({ userId: c.var.caller.userId, action: "read", resourceType: "flow_logs", resourceId: contact.id, ...clientInfo(c) });
  return c.json({ contactId: contact.id, items });
});
