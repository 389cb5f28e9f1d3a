import { and, eq, like, ne, or } from "drizzle-orm";
import { z } from "zod";
import { flows, phoneNumbers, queues, quickConnects } from "../../../db/schema";
import { validateFlow, type FlowType } from "../../../flows";
import { badRequest } from "../../../lib/errors";
import { publishedFlowChanged } from "../../../durable/contact-flow";
import { defined, fields, iso, usedByRows, type ResourceDef } from "../resource";

export const FLOW_TYPES = [
  "CONTACT_FLOW",
  "CUSTOMER_QUEUE",
  "CUSTOMER_HOLD",
  "CUSTOMER_WHISPER",
  "AGENT_WHISPER",
  "OUTBOUND_WHISPER",
  "AGENT_TRANSFER",
  "QUEUE_TRANSFER",
  "AGENT_HOLD",
  "MODULE",
] as const;

/** The outer shape of an Amazon Connect flow; the flow engine validates the actions. */
export const FlowContent = z
  .object({
    Version: z.string(),
    StartAction: z.string().min(1),
    Metadata: z.record(z.string(), z.unknown()).optional(),
    Actions: z.array(z.record(z.string(), z.unknown())).max(250, "a flow has at most 250 actions"),
  })
  .passthrough();

const Create = z.object({
  name: fields.name,
  description: fields.description.default(""),
  type: z.enum(FLOW_TYPES).default("CONTACT_FLOW"),
  content: FlowContent,
});
const Update = z.object({
  name: fields.name,
  description: fields.description,
  content: FlowContent,
}).partial();

export const flowsResource: ResourceDef<typeof flows, z.infer<typeof Create>, z.infer<typeof Update>> = {
  path: "flows",
  label: "Flow",
  auditType: "flow",
  table: flows,
  read: ["flows.edit", "instance.configure"],
  write: "flows.edit",
  create: Create,
  update: Update,
  async toRow(input, _ctx, existing) {
    if (input.content !== undefined) {
      const type = ("type" in input && input.type) || existing?.type || "CONTACT_FLOW";
      assertValidFlow(input.content, type as FlowType);
    }
    return defined({ ...input });
  },
  toApi: (rows) =>
    rows.map((r) => ({
      id: r.id,
      name: r.name,
      description: r.description,
      type: r.type,
      content: r.content,
      publishedVersion: r.publishedVersion,
      createdAt: iso(r.createdAt),
      updatedAt: iso(r.updatedAt),
    })),
  async usedBy(scope, id) {
    return [
      ...(await usedByRows(scope, "phone number", phoneNumbers, phoneNumbers.e164, eq(phoneNumbers.flowId, id))),
      ...(await usedByRows(scope, "queue", queues, queues.name,
        or(eq(queues.customerQueueFlowId, id), eq(queues.agentWhisperFlowId, id), eq(queues.customerWhisperFlowId, id), eq(queues.outboundWhisperFlowId, id), eq(queues.customerHoldFlowId, id), eq(queues.surveyFlowId, id), eq(queues.agentHoldFlowId, id)))),
      ...(await usedByRows(scope, "quick connect", quickConnects, quickConnects.name, eq(quickConnects.flowId, id))),
      // Other flows name it in their content (TransferToFlow).
      ...(await usedByRows(scope, "flow", flows, flows.name, and(ne(flows.id, id), like(flows.content, `%${id}%`)))),
    ];
  },
  // New contacts read the flow again (its type or existence may have changed).
  changed: publishedFlowChanged,
};

/** 400 listing every problem of a flow (each naming its action), so bad content is never stored. */
export function assertValidFlow(content: unknown, flowType: FlowType) {
  const { errors } = validateFlow(content, { flowType });
  if (errors.length) {
    const summary = errors.map((e) => (e.actionId ? `${e.actionId}: ${e.message}` : e.message)).join("; ");
    throw badRequest(`The flow has ${errors.length} problem${errors.length === 1 ? "" : "s"}: ${summary}`, errors);
  }
}
