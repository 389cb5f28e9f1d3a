/**
 * The instance-scoped data-access layer. Every read and write of tenant data goes through an
 * `InstanceScope`, which adds `instance_id = ?` to every statement, so a call site cannot
 * forget it: an id belonging to another instance behaves exactly like a missing one.
 */
import { and, asc, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Db } from "./client";
import { auditLog } from "./schema";

/** A tenant table: has `id`, `instance_id` and `created_at` columns. */
export type TenantTable = SQLiteTable & {
  id: SQLiteColumn;
  instanceId: SQLiteColumn;
  createdAt: SQLiteColumn;
};

export type Statement = BatchItem<"sqlite">;

export type Page<T> = { items: T[]; nextCursor: string | null };

/** The name of a table's integer column (a list's leading sort key, such as `displayOrder`). */
export type IntegerKey<T extends TenantTable> = { [K in keyof T["$inferSelect"]]: T["$inferSelect"][K] extends number ? K : never }[keyof T["$inferSelect"]] & string;

export type AuditEntry = {
  userId: string | null;
  action: string;
  resourceType: string;
  resourceId?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  details?: Record<string, unknown>;
};

export const MAX_PAGE_SIZE = 100;

export class InstanceScope {
  constructor(
    readonly db: Db,
    readonly instanceId: string,
  ) {}

  /** `instance_id = <this instance>` and any further conditions. */
  where(table: { instanceId: SQLiteColumn }, ...conditions: (SQL | undefined)[]): SQL {
    return and(eq(table.instanceId, this.instanceId), ...conditions)!;
  }

  async get<T extends TenantTable>(table: T, id: string): Promise<T["$inferSelect"] | undefined> {
    const rows = await this.db
      .select()
      .from(table as SQLiteTable)
      .where(this.where(table, eq(table.id, id)))
      .limit(1);
    return rows[0] as T["$inferSelect"] | undefined;
  }

  async getMany<T extends TenantTable>(table: T, ids: string[]): Promise<T["$inferSelect"][]> {
    if (ids.length === 0) return [];
    return (await this.db
      .select()
      .from(table as SQLiteTable)
      .where(this.where(table, inArray(table.id, ids)))) as T["$inferSelect"][];
  }

  /**
   * Keyset pagination in creation order, or by an integer column first (`orderBy`, such as an
   * agent status's display order) with creation order breaking ties. The cursor is opaque to
   * clients; it holds the sort key of the page's last row.
   */
  async list<T extends TenantTable>(
    table: T,
    opts: { limit: number; cursor?: string; filter?: SQL; orderBy?: IntegerKey<T> },
  ): Promise<Page<T["$inferSelect"]>> {
    const names = [...(opts.orderBy ? [opts.orderBy] : []), "createdAt", "id"];
    const keys = names.map((name) => (table as unknown as Record<string, SQLiteColumn>)[name]);
    const after = opts.cursor ? decodeCursor(opts.cursor) : undefined;
    if (opts.cursor && after?.length !== keys.length) throw new RangeError("not a cursor for this list");
    const rows = (await this.db
      .select()
      .from(table as SQLiteTable)
      .where(
        this.where(
          table,
          opts.filter,
          after ? sql`(${sql.join(keys, sql`, `)}) > (${sql.join(after.map((v) => sql`${v}`), sql`, `)})` : undefined,
        ),
      )
      .orderBy(...keys.map((k) => asc(k)))
      .limit(opts.limit + 1)) as (T["$inferSelect"] & Record<string, unknown>)[];
    const items = rows.slice(0, opts.limit);
    const last = items[items.length - 1];
    const keyOf = (row: Record<string, unknown>) => names.map((name) => row[name]) as CursorKey;
    return {
      items,
      nextCursor: rows.length > opts.limit && last ? encodeCursor(keyOf(last)) : null,
    };
  }

  insert<T extends TenantTable>(table: T, values: Omit<T["$inferInsert"], "instanceId">): Statement {
    return this.db.insert(table).values({ ...values, instanceId: this.instanceId } as T["$inferInsert"]);
  }

  update<T extends TenantTable>(table: T, id: string, values: Partial<T["$inferInsert"]>): Statement {
    const { instanceId: _ignored, id: _id, ...rest } = values as Record<string, unknown>;
    return this.db
      .update(table)
      .set({ ...rest, updatedAt: Date.now() } as never)
      .where(this.where(table, eq(table.id, id)));
  }

  delete<T extends TenantTable>(table: T, id: string): Statement {
    return this.db.delete(table).where(this.where(table, eq(table.id, id)));
  }

  audit(entry: AuditEntry): Statement {
    return this.db.insert(auditLog).values({
      instanceId: this.instanceId,
      userId: entry.userId,
      action: entry.action,
      resourceType: entry.resourceType,
      resourceId: entry.resourceId ?? null,
      at: Date.now(),
      ip: entry.ip ?? null,
      userAgent: entry.userAgent ?? null,
      details: entry.details ?? null,
    });
  }

  /** Writes one audit entry on its own (for reads and sign-ins; writes batch theirs). */
  async writeAudit(entry: AuditEntry): Promise<void> {
    await this.batch([this.audit(entry)]);
  }

  /**
   * Raw statements (reads, or writes such as `INSERT … SELECT`) in one D1 round trip and one
   * transaction, each statement's rows in order. drizzle's `batch` cannot take raw SQL with
   * parameters, so these go to D1's own batch.
   */
  async batchAll(queries: SQL[]): Promise<Record<string, unknown>[][]> {
    if (queries.length === 0) return [];
    const d1 = this.db.$client;
    const statements = queries.map((q) => {
      const { sql: text, params } = this.db.all(q).getQuery();
      return d1.prepare(text).bind(...params);
    });
    return (await d1.batch<Record<string, unknown>>(statements)).map((r) => r.results);
  }

  /** Runs statements atomically (D1 batches are transactions). */
  async batch(statements: Statement[]): Promise<void> {
    if (statements.length === 0) return;
    await this.db.batch(statements as [Statement, ...Statement[]]);
  }
}

/**
 * Where a paged pass over rows stands (the key rotation's passes): the sort key (a time or a key
 * version, then an id) of the last row a page looked at. The next page starts after it, so rows
 * that failed are not selected again and again: a pass always ends.
 */
export type PagePosition = readonly [number, string];

/** What every key-rotation pass answers about one page, besides its own counts. */
export type KeyPassPage = {
  /** The version the pass brings rows to (the keyring's current one). */
  keyVersion: number;
  /** Rows (`id`) that could not be brought to it: they stay as they were and are counted in `remaining`. */
  failed: { id: string; error: string }[];
  /** Rows still at an older version, failed ones included. */
  remaining: number;
  /** The last row looked at: pass it as `after` to page on past failures; null when this page reached the end. */
  next: PagePosition | null;
};

/** Rows after `after` in (`key`, `id`) order; undefined (no condition) for the first page. */
export function afterPosition(key: SQLiteColumn, id: SQLiteColumn, after?: PagePosition): SQL | undefined {
  return after ? sql`(${key}, ${id}) > (${after[0]}, ${after[1]})` : undefined;
}

/** Where the next page starts: the last row of a full page, or null when the page reached the end. */
export function pageEnd<R>(rows: R[], limit: number, position: (row: R) => PagePosition): PagePosition | null {
  const last = rows.length === limit ? rows.at(-1) : undefined;
  return last ? position(last) : null;
}

/** A list cursor: the last row's sort key — (created_at, id), or (order column, created_at, id). */
export type CursorKey = [number, string] | [number, number, string];

/** The opaque `cursor`/`nextCursor` of a keyset-paged list (configuration lists, contact search). */
export function encodeCursor(key: CursorKey): string {
  return btoa(JSON.stringify(key)).replace(/=+$/, "");
}

export function decodeCursor(cursor: string): CursorKey | undefined {
  try {
    const key = JSON.parse(atob(cursor)) as unknown[];
    if (!Array.isArray(key) || typeof key.at(-1) !== "string") return undefined;
    if (key.length === 2 && typeof key[0] === "number") return key as CursorKey;
    if (key.length === 3 && typeof key[0] === "number" && typeof key[1] === "number") return key as CursorKey;
  } catch {
    /* fall through */
  }
  return undefined;
}

/** A two-part cursor (a time and an id) as a position; undefined for anything else. */
export function decodePosition(cursor: string): PagePosition | undefined {
  const key = decodeCursor(cursor);
  if (key?.length !== 2 || !Number.isSafeInteger(key[0]) || key[1].length === 0 || key[1].length > 200) return undefined;
  return key;
}
