import { z } from "zod";
import { flows, queues, quickConnects, users } from "../../../db/schema";
import { badRequest } from "../../../lib/errors";
import { assertReferences, defined, fields, iso, type ResourceDef } from "../resource";

const Base = z.object({
  name: fields.name,
  description: fields.description,
  type: z.enum(["USER", "QUEUE", "PHONE_NUMBER"]),
  userId: fields.id.nullable(),
  queueId: fields.id.nullable(),
  phoneNumber: fields.e164.nullable(),
  flowId: fields.id.nullable(),
});
const Create = Base.extend({
  description: fields.description.default(""),
  userId: fields.id.nullable().default(null),
  queueId: fields.id.nullable().default(null),
  phoneNumber: fields.e164.nullable().default(null),
  flowId: fields.id.nullable().default(null),
});
const Update = Base.partial();
type Input = z.infer<typeof Update>;

/** The target field each type needs. */
const TARGET = { USER: "userId", QUEUE: "queueId", PHONE_NUMBER: "phoneNumber" } as const;

export const quickConnectsResource: ResourceDef<typeof quickConnects, z.infer<typeof Create>, Input> = {
  path: "quick-connects",
  label: "Quick connect",
  auditType: "quick_connect",
  table: quickConnects,
  read: ["contacts.handle"],
  write: "instance.configure",
  create: Create,
  update: Update,
  async toRow(input: Input, { scope }, existing) {
    const merged = { ...existing, ...defined(input) } as Input;
    const type = merged.type!;
    const need = TARGET[type];
    if (!merged[need]) throw badRequest(`${need}: required for a ${type} quick connect`, [{ field: need, message: "required" }]);
    await assertReferences(scope, [
      { field: "userId", label: "User", table: users, id: input.userId },
      { field: "queueId", label: "Queue", table: queues, id: input.queueId },
      { field: "flowId", label: "Flow", table: flows, id: input.flowId },
    ]);
    // Keep only the target of the chosen type.
    const targets = { userId: null, queueId: null, phoneNumber: null, [need]: merged[need] };
    return defined({ ...input, ...targets });
  },
  toApi: (rows) =>
    rows.map((r) => ({
      id: r.id,
      name: r.name,
      description: r.description,
      type: r.type,
      userId: r.userId,
      queueId: r.queueId,
      phoneNumber: r.phoneNumber,
      flowId: r.flowId,
      createdAt: iso(r.createdAt),
      updatedAt: iso(r.updatedAt),
    })),
};
