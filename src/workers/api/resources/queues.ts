import { eq, inArray, like, or } from "drizzle-orm";
import { z } from "zod";
import { flows, hoursOfOperation, queues, quickConnects, routingProfileQueues, routingProfiles } from "../../../db/schema";
import type { InstanceScope } from "../../../db/scoped";
import { badRequest } from "../../../lib/errors";
import { MAX_WRAP_UP_CODE_LENGTH, MAX_WRAP_UP_CODES } from "../../../shared/wrap-up";
import { CALLBACK_OFFER_KEYS, CALLBACK_OFFER_LIMITS } from "../../../shared/callback-offer";
import { emailAddressesUsingQueue } from "./email-addresses";
import { assertReferences, defined, fields, iso, usedByRows, type ResourceDef } from "../resource";

/** A queue's wrap-up codes: each once (whatever its case), in the order the agent sees them. */
const wrapUpCodes = z
  .array(z.string().trim().min(1, "must not be empty").max(MAX_WRAP_UP_CODE_LENGTH))
  .max(MAX_WRAP_UP_CODES)
  .refine((codes) => new Set(codes.map((c) => c.toLowerCase())).size === codes.length, "must not list a code twice");

/** The queue's own callback offer (src/shared/callback-offer.ts); null turns it off. */
const offerCallback = z.strictObject({
  key: z.enum(CALLBACK_OFFER_KEYS),
  afterSeconds: z.number().int().min(0).max(CALLBACK_OFFER_LIMITS.afterSeconds),
  retries: z.number().int().min(0).max(CALLBACK_OFFER_LIMITS.retries),
  retryIntervalSeconds: z.number().int().min(CALLBACK_OFFER_LIMITS.retryIntervalSeconds.min).max(CALLBACK_OFFER_LIMITS.retryIntervalSeconds.max),
});

const Create = z.object({
  name: fields.name,
  description: fields.description.default(""),
  hoursOfOperationId: fields.id,
  maxContacts: z.number().int().min(1).max(100_000).nullable().default(null),
  ringTimeoutSeconds: z.number().int().min(5).max(600).default(20),
  outboundCallerId: fields.e164.nullable().default(null),
  customerQueueFlowId: fields.id.nullable().default(null),
  agentWhisperFlowId: fields.id.nullable().default(null),
  customerWhisperFlowId: fields.id.nullable().default(null),
  outboundWhisperFlowId: fields.id.nullable().default(null),
  customerHoldFlowId: fields.id.nullable().default(null),
  surveyFlowId: fields.id.nullable().default(null),
  agentHoldFlowId: fields.id.nullable().default(null),
  wrapUpCodes: wrapUpCodes.default([]),
  offerCallback: offerCallback.nullable().default(null),
  enabled: z.boolean().default(true),
});
const Update = z.object({
  name: fields.name,
  description: fields.description,
  hoursOfOperationId: fields.id,
  maxContacts: z.number().int().min(1).max(100_000).nullable(),
  ringTimeoutSeconds: z.number().int().min(5).max(600),
  outboundCallerId: fields.e164.nullable(),
  customerQueueFlowId: fields.id.nullable(),
  agentWhisperFlowId: fields.id.nullable(),
  customerWhisperFlowId: fields.id.nullable(),
  outboundWhisperFlowId: fields.id.nullable(),
  customerHoldFlowId: fields.id.nullable(),
  surveyFlowId: fields.id.nullable(),
  agentHoldFlowId: fields.id.nullable(),
  wrapUpCodes,
  offerCallback: offerCallback.nullable(),
  enabled: z.boolean(),
}).partial();

/** The flow fields of a queue and the flow type each must name. */
const FLOW_FIELDS = {
  customerQueueFlowId: "CUSTOMER_QUEUE",
  agentWhisperFlowId: "AGENT_WHISPER",
  customerWhisperFlowId: "CUSTOMER_WHISPER",
  outboundWhisperFlowId: "OUTBOUND_WHISPER",
  customerHoldFlowId: "CUSTOMER_HOLD",
  /** A post-contact survey is an ordinary contact flow, as Amazon Connect's disconnect flow is. */
  surveyFlowId: "CONTACT_FLOW",
  agentHoldFlowId: "AGENT_HOLD",
} as const;

/** Each flow a queue names exists in the instance; a whisper or hold flow must be of its type. */
async function assertFlows(scope: InstanceScope, input: Partial<Record<keyof typeof FLOW_FIELDS, string | null>>) {
  for (const [field, type] of Object.entries(FLOW_FIELDS) as [keyof typeof FLOW_FIELDS, string][]) {
    const id = input[field];
    if (id == null) continue;
    const flow = await scope.get(flows, id);
    if (!flow) throw badRequest(`${field}: Flow "${id}" does not exist`, [{ field, message: "Flow does not exist" }]);
    // Queue flows set before flow types were checked keep working; whisper flows must match.
    if (field !== "customerQueueFlowId" && flow.type !== type) {
      throw badRequest(`${field}: flow "${flow.name}" is a ${flow.type} flow, not ${type}`, [{ field, message: `must be ${/^[AEIOU]/.test(type) ? "an" : "a"} ${type} flow` }]);
    }
  }
}

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
    ]);
    await assertFlows(scope, input);
    return defined({ ...input });
  },
  toApi: (rows) =>
    rows.map((r) => ({
      id: r.id,
      name: r.name,
      description: r.description,
      hoursOfOperationId: r.hoursOfOperationId,
      maxContacts: r.maxContacts,
      ringTimeoutSeconds: r.ringTimeoutSeconds,
      outboundCallerId: r.outboundCallerId,
      customerQueueFlowId: r.customerQueueFlowId,
      agentWhisperFlowId: r.agentWhisperFlowId,
      customerWhisperFlowId: r.customerWhisperFlowId,
      outboundWhisperFlowId: r.outboundWhisperFlowId,
      customerHoldFlowId: r.customerHoldFlowId,
      surveyFlowId: r.surveyFlowId,
      agentHoldFlowId: r.agentHoldFlowId,
      wrapUpCodes: r.wrapUpCodes,
      offerCallback: r.offerCallback ?? null,
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
      ...(await emailAddressesUsingQueue(scope, id)),
      ...(await usedByRows(scope, "quick connect", quickConnects, quickConnects.name, eq(quickConnects.queueId, id))),
      // Flows name queues inside their content (TransferContactToQueue, UpdateContactTargetQueue…).
      ...(await usedByRows(scope, "flow", flows, flows.name, like(flows.content, `%${id}%`))),
    ];
  },
};
