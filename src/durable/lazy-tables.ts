/**
 * An object's SQLite tables: made in one call (`createTables`), and those only some instances
 * need made on first use (`LazyTables`). Each CREATE costs SQLite about 40 µs, and a
 * ContactSession is constructed for nearly every call: one in its IVR never touches the tables
 * for whispers, transcripts, outbound calls or mutes.
 */

/**
 * Runs a schema function's `CREATE … IF NOT EXISTS` statements in one call into SQLite instead of
 * one per table. Any other statement (a schema function checking a column, say) first runs what
 * was gathered, then itself, in order.
 */
export function createTables(sql: SqlStorage, create: (sql: SqlStorage) => void) {
  const ddl: string[] = [];
  const flush = () => {
    if (ddl.length) sql.exec(ddl.splice(0).join(";\n"));
  };
  const collect = {
    exec(query: string, ...bindings: SqlStorageValue[]) {
      if (bindings.length === 0 && /^\s*CREATE (TABLE|INDEX) IF NOT EXISTS /i.test(query)) return void ddl.push(query);
      flush();
      return sql.exec(query, ...bindings);
    },
  } as SqlStorage;
  create(collect);
  flush();
}

/** A group of tables made together: its schema function, and the name of a table it makes. */
export type TableGroup = { table: string; schema: (sql: SqlStorage) => void };

/** Groups of tables made on first use. Writers call `ensure`; readers ask `exists` (nothing made, nothing to read). */
export class LazyTables<G extends string> {
  #made = new Set<G>();

  constructor(
    private readonly sql: SqlStorage,
    private readonly groups: Record<G, TableGroup>,
  ) {}

  /** Before writing: the group's tables exist from here on. */
  ensure(group: G) {
    if (this.#made.has(group)) return;
    createTables(this.sql, this.groups[group].schema);
    this.#made.add(group);
  }

  /** Before reading: whether the group's tables were made (in this object's life or an earlier one). */
  exists(group: G): boolean {
    if (this.#made.has(group)) return true;
    const found = this.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", this.groups[group].table).toArray().length > 0;
    if (found) this.#made.add(group);
    return found;
  }
}
