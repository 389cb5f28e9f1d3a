/**
 * Email addresses: the instance's inbound addresses (Cloudflare Email Routing sends their mail to
 * the Worker's `email()` handler, src/workers/email). Each address is one instance's — it says
 * whose mail a message is — and its messages wait in its queue as EMAIL contacts; replies leave
 * from it with its display name. An address another instance has is a 409.
 */
import { eq } from "drizzle-orm";
import { z } from "zod";
import { emailAddresses, queues } from "../../../db/schema";
import { assertReferences, defined, fields, iso, usedByRows, type ResourceDef } from "../resource";

/** `local@domain` (lower-cased): what Email Routing gives as the message's envelope recipient. */
export const EMAIL_ADDRESS = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .regex(/^[a-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/, "must be an email address (name@domain)");

const Base = z.object({
  address: EMAIL_ADDRESS,
  displayName: z.string().trim().max(100).regex(/^[^"\r\n<>]*$/, "must not contain quotes, angle brackets or line breaks"),
  queueId: fields.id,
});
const Create = Base.extend({ displayName: Base.shape.displayName.default("") });
const Update = Base.partial();
type Input = z.infer<typeof Update>;

export const emailAddressesResource: ResourceDef<typeof emailAddresses, z.infer<typeof Create>, Input> = {
  path: "email-addresses",
  label: "Email address",
  auditType: "email_address",
  table: emailAddresses,
  read: ["instance.configure"],
  write: "instance.configure",
  create: Create,
  update: Update,
  async toRow(input: Input, { scope }) {
    await assertReferences(scope, [{ field: "queueId", label: "Queue", table: queues, id: input.queueId }]);
    return defined({ ...input });
  },
  toApi: (rows) =>
    rows.map((r) => ({
      id: r.id,
      address: r.address,
      displayName: r.displayName,
      queueId: r.queueId,
      createdAt: iso(r.createdAt),
      updatedAt: iso(r.updatedAt),
    })),
};

/** For the queues resource's 409: the addresses whose mail waits in a queue. */
export const emailAddressesUsingQueue = (scope: Parameters<typeof usedByRows>[0], queueId: string) =>
  usedByRows(scope, "email address", emailAddresses, emailAddresses.address, eq(emailAddresses.queueId, queueId));
