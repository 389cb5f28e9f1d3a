import { eq, inArray, like, or } from "drizzle-orm";
import { z } from "zod";
import { flows, hoursOfOperation, queues, quickConnects, routingProfileQueues, routingProfiles } from "../../../db/schema";
import { assertReferences, defined, fields, iso, usedByRows, type ResourceDef } from "../resource";

const Create = z.object({
  name: fields.name,
  description: fields.description.default(""),
  hoursOfOperationId: fields.id,
  maxContacts: z.number().int().min(1).max(100_000).nullable().default(null),
  outboundCallerId: fields.e164.nullable().default(null),
  customerQueueFlowId: fields.id.nullable().default(null),
  enabled: z.boolean().default(true),
});
const Update = z.object({
  name: fields.name,
  description: fields.description,
  hoursOfOperationId: fields.id,
  maxContacts: z.number().int().min(1).max(100_000).nullable(),
  outboundCallerId: fields.e164.nullable(),
  customerQueueFlowId: fields.id.nullable(),
  enabled: z.boolean(),
}).partial();

export const queuesResource: ResourceDef<typeof queues, z.infer<typeof Create>, z.infer<typeof Update>> = {
  path: "queues",
  label: "Queue",
  auditType: "queue",
  table: queues,
  read: ["instance.configure", "metrics.realtime", "contacts.handle"],
  write: "instance.configure",
  create: Create,
  update: Update,
  async toRow(input, { scope }) {
    await assertReferences(scope, [
      { field: "hoursOfOperationId", label: "Hours of operation", table: hoursOfOperation, id: input.hoursOfOperationId },
      { field: "customerQueueFlowId", label: "Flow", table: flows, id: input.customerQueueFlowId },
    ]);
    return defined({ ...input });
  },
  toApi: (rows) =>
    rows.map((r) => ({
      id: r.id,
      name: r.name,
      description: r.description,
      hoursOfOperationId: r.hoursOfOperationId,
      maxContacts: r.maxContacts,
      outboundCallerId: r.outboundCallerId,
      customerQueueFlowId: r.customerQueueFlowId,
      enabled: r.enabled,
      createdAt: iso(r.createdAt),
      updatedAt: iso(r.updatedAt),
    })),
  async usedBy(scope, id) {
    const inProfiles = scope.db
      .select({ id: routingProfileQueues.routingProfileId })
      .from(routingProfileQueues)
      .where(scope.where(routingProfileQueues, eq(routingProfileQueues.queueId, id)));
    return [
      ...(await usedByRows(scope, "routing profile", routingProfiles, routingProfiles.name,
        or(inArray(routingProfiles.id, inProfiles), eq(routingProfiles.defaultOutboundQueueId, id)))),
      ...(await usedByRows(scope, "quick connect", quickConnects, quickConnects.name, eq(quickConnects.queueId, id))),
      // Flows name queues inside their content (TransferContactToQueue, UpdateContactTargetQueue…).
      ...(await usedByRows(scope, "flow", flows, flows.name, like(flows.content, `%${id}%`))),
    ];
  },
};
