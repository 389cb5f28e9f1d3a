/**
 * The instance-scoped data-access layer. Every read and write of tenant data goes through an
 * `InstanceScope`, which adds `instance_id = ?` to every statement, so a call site cannot
 * forget it: an id belonging to another instance behaves exactly like a missing one.
 */
import { and, asc, eq, gt, inArray, or, sql, type SQL } from "drizzle-orm";
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

  /** Keyset pagination in creation order; the cursor is opaque to clients. */
  async list<T extends TenantTable>(
    table: T,
    opts: { limit: number; cursor?: string; filter?: SQL },
  ): Promise<Page<T["$inferSelect"]>> {
    const after = opts.cursor ? decodeCursor(opts.cursor) : undefined;
    const rows = (await this.db
      .select()
      .from(table as SQLiteTable)
      .where(
        this.where(
          table,
          opts.filter,
          after
            ? or(gt(table.createdAt, after.createdAt), and(eq(table.createdAt, after.createdAt), gt(table.id, after.id)))
            : undefined,
        ),
      )
      .orderBy(asc(table.createdAt), asc(table.id))
      .limit(opts.limit + 1)) as (T["$inferSelect"] & { id: string; createdAt: number })[];
    const items = rows.slice(0, opts.limit);
    const last = items[items.length - 1];
    return {
      items,
      nextCursor: rows.length > opts.limit && last ? encodeCursor(last.createdAt, last.id) : null,
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

/**
 * The opaque `cursor`/`nextCursor` of a keyset-paged list: a row's sort key (a time) and id. The
 * configuration lists page on (createdAt, id), contact search on (initiatedAt, id).
 */
export function encodeCursor(key: number, id: string): string {
  return btoa(JSON.stringify([key, id])).replace(/=+$/, "");
}

/** The position a cursor from `encodeCursor` stands for; undefined for anything else. */
export function decodePosition(cursor: string): PagePosition | undefined {
  try {
    const [key, id, ...rest] = JSON.parse(atob(cursor)) as unknown[];
    if (rest.length === 0 && Number.isSafeInteger(key) && typeof id === "string" && id.length > 0 && id.length <= 200) return [key as number, id];
  } catch {
    /* fall through */
  }
  return undefined;
}

export function decodeCursor(cursor: string): { createdAt: number; id: string } | undefined {
  const position = decodePosition(cursor);
  return position && { createdAt: position[0], id: position[1] };
}
