/**
 * One configuration resource (queues, users, flows…) as a REST collection:
 *   GET    /<path>          list (paginated: ?limit=&cursor=; creation order, or `listOrder`)
 *   POST   /<path>          create
 *   GET    /<path>/:id      read
 *   PATCH  /<path>/:id      update (partial)
 *   DELETE /<path>/:id      delete (409 while something still uses it)
 * Every statement goes through the caller's InstanceScope and every write is audited in the
 * same D1 batch. A resource file describes its table, schemas and references; this file
 * does the rest.
 */
import { Hono, type Context } from "hono";
import type { SQL } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import { z } from "zod";
import { decodeCursor, MAX_PAGE_SIZE, type IntegerKey, type InstanceScope, type Statement, type TenantTable } from "../../db/scoped";
import type { Permission } from "../../shared/permissions";
import { assertPermission } from "../auth/middleware";
import type { AppEnv, Caller } from "../env";
import { ApiError, badRequest, conflict, notFound } from "../../lib/errors";
import { clientInfo, parseJson, parseQuery } from "../lib/request";

export type WriteContext = { scope: InstanceScope; env: Env; caller: Caller; id: string };

export type ResourceDef<T extends TenantTable, Create, Update> = {
  /** URL segment, e.g. "queues". */
  path: string;
  /** Human name, e.g. "Queue". */
  label: string;
  /** Audit log resource type, e.g. "queue". */
  auditType: string;
  table: T;
  /** The integer column lists are sorted by first (creation order breaks ties); creation order when absent. */
  listOrder?: IntegerKey<T>;
  /** Any of these may read; `write` may also read. */
  read: Permission[];
  write: Permission;
  create: z.ZodType<Create>;
  update: z.ZodType<Update>;
  /** Column values for a create or update; checks references (400) and derives columns. */
  toRow(input: Create | Update, ctx: WriteContext, existing?: T["$inferSelect"]): Promise<Record<string, unknown>>;
  /** Statements to run in the same batch (child rows), after the main row is written. */
  childWrites?(input: Create | Update, ctx: WriteContext, isCreate: boolean): Promise<Statement[]> | Statement[];
  /** The public shape; `rows` are the page being shown (for loading child rows at once). */
  toApi(rows: T["$inferSelect"][], scope: InstanceScope, env: Env): Promise<unknown[]> | unknown[];
  /** Checks before a delete (a 403 when the caller may not delete this row): nothing is deleted when it throws. */
  beforeDelete?(existing: T["$inferSelect"], ctx: WriteContext): Promise<void>;
  /** What still uses this resource; non-empty = deleting answers 409. */
  usedBy?(scope: InstanceScope, id: string): Promise<UsedBy[]>;
  /** After a create, update or delete has committed (e.g. to drop what an object holds of it). */
  changed?(env: Env, instanceId: string, id: string, change: ResourceChange): Promise<void>;
};

const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(50),
  cursor: z.string().max(200).optional(),
});

const IdParam = z.string().min(1).max(64);

export function resourceRoutes<T extends TenantTable, C, U>(def: ResourceDef<T, C, U>) {
  const canRead = (caller: Caller) => assertPermission(caller.permissions, def.write, ...def.read);
  const canWrite = (caller: Caller) => assertPermission(caller.permissions, def.write);

  const load = async (scope: InstanceScope, id: string) => {
    if (!IdParam.safeParse(id).success) throw notFound(def.label);
    const row = await scope.get(def.table, id);
    if (!row) throw notFound(def.label);
    return row;
  };
  const show = async (scope: InstanceScope, env: Env, row: T["$inferSelect"]) =>
    (await def.toApi([row], scope, env))[0];

  const write = async (scope: InstanceScope, statements: Statement[]) => {
    try {
      await scope.batch(statements);
    } catch (err) {
      const message = String((err as Error)?.message ?? err);
      if (message.includes("UNIQUE constraint failed")) {
        throw conflict(`${def.label} conflicts with an existing one (${uniqueField(message)} is taken)`);
      }
      if (message.includes("FOREIGN KEY constraint failed")) {
        throw conflict(`${def.label} is still referenced by other configuration`);
      }
      throw err;
    }
  };

  return new Hono<AppEnv>()
    .get("/", async (c) => {
      canRead(c.var.caller);
      const q = parseQuery(c, ListQuery);
      if (q.cursor && decodeCursor(q.cursor)?.length !== (def.listOrder ? 3 : 2)) throw badRequest("cursor: not a cursor this API returned");
      const page = await c.var.scope.list(def.table, { limit: q.limit, cursor: q.cursor, orderBy: def.listOrder });
      return c.json({ items: await def.toApi(page.items, c.var.scope, c.env), nextCursor: page.nextCursor });
    })
    .post("/", async (c) => {
      canWrite(c.var.caller);
      const input = await parseJson(c, def.create);
      const ctx: WriteContext = { scope: c.var.scope, env: c.env, caller: c.var.caller, id: crypto.randomUUID() };
      const values = await def.toRow(input, ctx);
      await write(ctx.scope, [
        ctx.scope.insert(def.table, { ...values, id: ctx.id } as never),
        ...((await def.childWrites?.(input, ctx, true)) ?? []),
        ctx.scope.audit({ ...audit(c, "create", def.auditType, ctx.id), details: { fields: Object.keys(input as object) } }),
      ]);
      await def.changed?.(c.env, ctx.scope.instanceId, ctx.id, { kind: "create", fields: Object.keys(input as object) });
      return c.json(await show(ctx.scope, c.env, await load(ctx.scope, ctx.id)), 201);
    })
    .get("/:id", async (c) => {
      canRead(c.var.caller);
      return c.json(await show(c.var.scope, c.env, await load(c.var.scope, c.req.param("id"))));
    })
    .patch("/:id", async (c) => {
      canWrite(c.var.caller);
      const existing = await load(c.var.scope, c.req.param("id"));
      const input = await parseJson(c, def.update);
      const ctx: WriteContext = { scope: c.var.scope, env: c.env, caller: c.var.caller, id: (existing as { id: string }).id };
      const values = await def.toRow(input, ctx, existing);
      await write(ctx.scope, [
        ...(Object.keys(values).length ? [ctx.scope.update(def.table, ctx.id, values as never)] : []),
        ...((await def.childWrites?.(input, ctx, false)) ?? []),
        ctx.scope.audit({ ...audit(c, "update", def.auditType, ctx.id), details: { fields: Object.keys(input as object) } }),
      ]);
      await def.changed?.(c.env, ctx.scope.instanceId, ctx.id, { kind: "update", fields: Object.keys(input as object) });
      return c.json(await show(ctx.scope, c.env, await load(ctx.scope, ctx.id)));
    })
    .delete("/:id", async (c) => {
      canWrite(c.var.caller);
      const existing = (await load(c.var.scope, c.req.param("id"))) as { id: string };
      await def.beforeDelete?.(existing as T["$inferSelect"], { scope: c.var.scope, env: c.env, caller: c.var.caller, id: existing.id });
      const users = (await def.usedBy?.(c.var.scope, existing.id)) ?? [];
      if (users.length) {
        const names = users.map((u) => `${u.type} "${u.name}"`).join(", ");
        throw new ApiError(409, "in_use", `${def.label} is still used by ${names}`, { usedBy: users });
      }
      await write(c.var.scope, [
        c.var.scope.delete(def.table, existing.id),
        c.var.scope.audit(audit(c, "delete", def.auditType, existing.id)),
      ]);
      await def.changed?.(c.env, c.var.scope.instanceId, existing.id, { kind: "delete", fields: [] });
      return c.body(null, 204);
    });
}

function audit(c: Context<AppEnv>, action: string, resourceType: string, resourceId: string) {
  return { userId: c.var.caller.userId, action, resourceType, resourceId, ...clientInfo(c) };
}

function uniqueField(message: string): string {
  const m = message.match(/UNIQUE constraint failed: ([\w.]+(?:, [\w.]+)*)/);
  const cols = m?.[1]?.split(", ").map((col) => col.split(".")[1]).filter((col) => col !== "instance_id");
  return cols?.length ? cols.join(", ") : "a unique field";
}

/** 400 naming the field unless every referenced id exists in the caller's instance. */
export async function assertReferences(
  scope: InstanceScope,
  refs: { field: string; label: string; table: TenantTable; id: string | null | undefined }[],
) {
  for (const ref of refs) {
    if (ref.id == null) continue;
    if (!(await scope.get(ref.table, ref.id))) {
      throw badRequest(`${ref.field}: ${ref.label} "${ref.id}" does not exist`, [
        { field: ref.field, message: `${ref.label} does not exist` },
      ]);
    }
  }
}

/** Shared field schemas. */
export const fields = {
  name: z.string().trim().min(1, "must not be empty").max(127),
  description: z.string().trim().max(250),
  e164: z.string().regex(/^\+[1-9]\d{1,14}$/, "must be an E.164 phone number such as +14155550123"),
  id: z.string().min(1).max(64),
  timezone: z.string().refine((tz) => {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, "must be an IANA time zone such as America/New_York"),
  /** Where Twilio reaches this deployment: scheme and host only, kept without a trailing slash. */
  publicBaseUrl: z
    .string()
    .url()
    .refine((u) => /^https?:\/\/[^/?#]+$/.test(u.replace(/\/$/, "")), "must be a scheme and host only, e.g. https://switchboard.example.com")
    .transform((u) => u.replace(/\/$/, "")),
};

/** Drops keys whose value is undefined (so a PATCH only touches what it names). */
export function defined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export const iso = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString());

/** What a write did, for `ResourceDef.changed`: its kind and the input fields it named. */
export type ResourceChange = { kind: "create" | "update" | "delete"; fields: string[] };

export type UsedBy = { type: string; id: string; name: string };

/** The rows of one of this instance's tables that match `condition`, as "used by" entries for a 409. */
export async function usedByRows(
  scope: InstanceScope,
  type: string,
  table: TenantTable,
  name: SQLiteColumn,
  condition: SQL | undefined,
): Promise<UsedBy[]> {
  const rows = await scope.db
    .selectDistinct({ id: table.id, name })
    .from(table as SQLiteTable)
    .where(scope.where(table, condition));
  return rows.map((r) => ({ type, id: String(r.id), name: String(r.name) }));
}
