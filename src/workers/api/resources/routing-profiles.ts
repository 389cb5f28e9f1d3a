import { eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { channelSchema } from "../../../shared/wire";
import { queues, routingProfileQueues, routingProfiles, users } from "../../../db/schema";
import { assertReferences, defined, fields, iso, usedByRows, type ResourceDef } from "../resource";

const QueueConfig = z.object({
  queueId: fields.id,
  channel: channelSchema,
  /** 1 is taken first. */
  priority: z.number().int().min(1).max(99),
  /** Seconds a contact must have waited before agents of this profile are offered it. */
  delaySeconds: z.number().int().min(0).max(9999).default(0),
});

const queueList = z
  .array(QueueConfig)
  .max(50)
  .refine(
    (list) => new Set(list.map((q) => `${q.queueId}/${q.channel}`)).size === list.length,
    "each queue may appear once per channel",
  );

const Create = z.object({
  name: fields.name,
  description: fields.description.default(""),
  concurrency: z
    .object({
      VOICE: z.number().int().min(0).max(1).default(1),
      CHAT: z.number().int().min(0).max(10).default(3),
      TASK: z.number().int().min(0).max(10).default(1),
      EMAIL: z.number().int().min(0).max(10).default(1),
    })
    .default({ VOICE: 1, CHAT: 3, TASK: 1, EMAIL: 1 }),
  crossChannelBehavior: z.enum(["ROUTE_CURRENT_CHANNEL_ONLY", "ROUTE_ANY_CHANNEL"]).default("ROUTE_CURRENT_CHANNEL_ONLY"),
  afterContactWorkTimeoutSeconds: z.number().int().min(0).max(2_000_000).default(120),
  defaultOutboundQueueId: fields.id.nullable().default(null),
  queues: queueList.default([]),
});
const Update = z.object({
  name: fields.name,
  description: fields.description,
  concurrency: z.object({
    VOICE: z.number().int().min(0).max(1),
    CHAT: z.number().int().min(0).max(10),
    TASK: z.number().int().min(0).max(10),
    EMAIL: z.number().int().min(0).max(10),
  }).partial(),
  crossChannelBehavior: z.enum(["ROUTE_CURRENT_CHANNEL_ONLY", "ROUTE_ANY_CHANNEL"]),
  afterContactWorkTimeoutSeconds: z.number().int().min(0).max(2_000_000),
  defaultOutboundQueueId: fields.id.nullable(),
  /** Replaces the whole list when given. */
  queues: queueList,
}).partial();

type Input = z.infer<typeof Update>;

export const routingProfilesResource: ResourceDef<typeof routingProfiles, z.infer<typeof Create>, Input> = {
  path: "routing-profiles",
  label: "Routing profile",
  auditType: "routing_profile",
  table: routingProfiles,
  read: ["instance.configure", "users.manage"],
  write: "instance.configure",
  create: Create,
  update: Update,
  async toRow(input: Input, { scope }) {
    await assertReferences(scope, [
      { field: "defaultOutboundQueueId", label: "Queue", table: queues, id: input.defaultOutboundQueueId },
      ...(input.queues ?? []).map((q, i) => ({ field: `queues.${i}.queueId`, label: "Queue", table: queues, id: q.queueId })),
    ]);
    return defined({
      name: input.name,
      description: input.description,
      voiceConcurrency: input.concurrency?.VOICE,
      chatConcurrency: input.concurrency?.CHAT,
      taskConcurrency: input.concurrency?.TASK,
      emailConcurrency: input.concurrency?.EMAIL,
      crossChannelBehavior: input.crossChannelBehavior,
      afterContactWorkTimeoutSeconds: input.afterContactWorkTimeoutSeconds,
      defaultOutboundQueueId: input.defaultOutboundQueueId,
    });
  },
  childWrites(input: Input, { scope, id }, isCreate) {
    if (!input.queues) return [];
    const rows = input.queues.map((q) => ({ ...q, routingProfileId: id, instanceId: scope.instanceId }));
    return [
      ...(isCreate ? [] : [scope.db.delete(routingProfileQueues).where(scope.where(routingProfileQueues, eq(routingProfileQueues.routingProfileId, id)))]),
      ...(rows.length ? [scope.db.insert(routingProfileQueues).values(rows)] : []),
    ];
  },
  async toApi(rows, scope) {
    const ids = rows.map((r) => r.id);
    const configs = ids.length
      ? await scope.db
          .select()
          .from(routingProfileQueues)
          .where(scope.where(routingProfileQueues, inArray(routingProfileQueues.routingProfileId, ids)))
      : [];
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      description: r.description,
      concurrency: { VOICE: r.voiceConcurrency, CHAT: r.chatConcurrency, TASK: r.taskConcurrency, EMAIL: r.emailConcurrency },
      crossChannelBehavior: r.crossChannelBehavior,
      afterContactWorkTimeoutSeconds: r.afterContactWorkTimeoutSeconds,
      defaultOutboundQueueId: r.defaultOutboundQueueId,
      queues: configs
        .filter((q) => q.routingProfileId === r.id)
        .sort((a, b) => a.priority - b.priority || a.queueId.localeCompare(b.queueId))
        .map((q) => ({ queueId: q.queueId, channel: q.channel, priority: q.priority, delaySeconds: q.delaySeconds })),
      createdAt: iso(r.createdAt),
      updatedAt: iso(r.updatedAt),
    }));
  },
  async usedBy(scope, id) {
    return usedByRows(scope, "user", users, users.name, eq(users.routingProfileId, id));
  },
};
