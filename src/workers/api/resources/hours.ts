import { eq } from "drizzle-orm";
import { z } from "zod";
import { hoursOfOperation, queues } from "../../../db/schema";
import { defined, fields, iso, usedByRows, type ResourceDef } from "../resource";

export const DAYS = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"] as const;
const time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, "must be HH:MM (00:00 to 24:00)");
const range = z
  .object({ start: time, end: time })
  .refine((r) => r.start < r.end, { message: "start must be before end", path: ["end"] });

const Create = z.object({
  name: fields.name,
  description: fields.description.default(""),
  timezone: fields.timezone,
  weekly: z.array(range.and(z.object({ day: z.enum(DAYS) }))).max(100),
  overrides: z
    .array(
      z.object({
        date: z.iso.date(),
        name: z.string().trim().min(1).max(127),
        /** Empty = closed all day. */
        ranges: z.array(range).max(10).default([]),
      }),
    )
    .max(366)
    .default([]),
});
const Update = Create.partial();

export const hoursResource: ResourceDef<typeof hoursOfOperation, z.infer<typeof Create>, z.infer<typeof Update>> = {
  path: "hours-of-operation",
  label: "Hours of operation",
  auditType: "hours_of_operation",
  table: hoursOfOperation,
  read: ["instance.configure"],
  write: "instance.configure",
  create: Create,
  update: Update,
  async toRow(input) {
    return defined({ ...input });
  },
  toApi: (rows) =>
    rows.map((r) => ({
      id: r.id,
      name: r.name,
      description: r.description,
      timezone: r.timezone,
      weekly: r.weekly,
      overrides: r.overrides,
      createdAt: iso(r.createdAt),
      updatedAt: iso(r.updatedAt),
    })),
  async usedBy(scope, id) {
    return usedByRows(scope, "queue", queues, queues.name, eq(queues.hoursOfOperationId, id));
  },
};
