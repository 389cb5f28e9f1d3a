import { z } from "zod";
import { flows, phoneNumbers } from "../../../db/schema";
import { assertReferences, defined, fields, iso, type ResourceDef } from "../resource";

const Create = z.object({
  e164: fields.e164,
  description: fields.description.default(""),
  /** The CONTACT_FLOW an inbound call to this number runs. */
  flowId: fields.id.nullable().default(null),
  /** The chat flow an inbound SMS or WhatsApp message runs (null: the instance's first chat flow). */
  messagingFlowId: fields.id.nullable().default(null),
});
const Update = z.object({ description: fields.description, flowId: fields.id.nullable(), messagingFlowId: fields.id.nullable() }).partial();

export const phoneNumbersResource: ResourceDef<typeof phoneNumbers, z.infer<typeof Create>, z.infer<typeof Update>> = {
  path: "phone-numbers",
  label: "Phone number",
  auditType: "phone_number",
  table: phoneNumbers,
  read: ["instance.configure"],
  write: "instance.configure",
  create: Create,
  update: Update,
  async toRow(input, { scope }) {
    await assertReferences(scope, [
      { field: "flowId", label: "Flow", table: flows, id: input.flowId },
      { field: "messagingFlowId", label: "Flow", table: flows, id: input.messagingFlowId },
    ]);
    return defined({ ...input });
  },
  toApi: (rows) =>
    rows.map((r) => ({
      id: r.id,
      e164: r.e164,
      description: r.description,
      flowId: r.flowId,
      messagingFlowId: r.messagingFlowId,
      createdAt: iso(r.createdAt),
      updatedAt: iso(r.updatedAt),
    })),
};
