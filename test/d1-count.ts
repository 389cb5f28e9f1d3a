/**
 * A D1 binding that counts the statements it runs, as D1 counts queries: each statement of a
 * `batch` is one, though the batch is one round trip. Labelled by verb and table
 * ("insert contact_events", "update contacts"), as bench/cost/worker.ts labels them.
 */
export type D1Count = { db: D1Database; statements: string[]; roundTrips: number; reset(): void };

const label = (sql: string) => {
  const s = sql.replace(/\s+/g, " ").trim().toLowerCase();
  const verb = s.split(" ")[0];
  const table = (verb === "select" ? / from "?(\w+)"?/.exec(s) : /(?:into|update|from) "?(\w+)"?/.exec(s))?.[1] ?? "?";
  return `${verb} ${table}`;
};

export function countingD1(real: D1Database): D1Count {
  const count: D1Count = {
    db: real,
    statements: [],
    roundTrips: 0,
    reset() {
      count.statements.length = 0;
      count.roundTrips = 0;
    },
  };
  const SQL = Symbol("sql");
  const REAL = Symbol("real");
  const statement = (sql: string, s: D1PreparedStatement): D1PreparedStatement =>
    new Proxy(s, {
      get(target, prop) {
        if (prop === SQL) return sql;
        if (prop === REAL) return target;
        if (prop === "bind") return (...p: unknown[]) => statement(sql, target.bind(...p));
        const v = Reflect.get(target, prop);
        if (typeof v !== "function") return v;
        if (prop === "first" || prop === "run" || prop === "all" || prop === "raw") {
          return (...a: unknown[]) => {
            count.statements.push(label(sql));
            count.roundTrips++;
            return Reflect.apply(v, target, a);
          };
        }
        return v.bind(target);
      },
    });
  count.db = new Proxy(real, {
    get(target, prop) {
      if (prop === "prepare") return (sql: string) => statement(sql, target.prepare(sql));
      if (prop === "batch") {
        return (stmts: D1PreparedStatement[]) => {
          for (const s of stmts) count.statements.push(label((s as unknown as Record<symbol, string>)[SQL] ?? "?"));
          count.roundTrips++;
          return target.batch(stmts.map((s) => (s as unknown as Record<symbol, D1PreparedStatement>)[REAL] ?? s));
        };
      }
      const v = Reflect.get(target, prop);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  return count;
}
