/**
 * The cost benchmark's Worker (scripts/bench-cost.mjs): the real Switchboard Worker and objects,
 * with every billable unit counted on its way. Never deployed.
 *
 * - Worker invocations: each request the Worker's `fetch` takes (and each cron run).
 * - Durable Object requests: each call through a stub (RPC method or fetch), counted where it is
 *   made (every binding in `env` is wrapped, in the Worker and in each object), by class and by
 *   method (`QueueRoom.enqueue`); each
 *   incoming WebSocket message (billed 20:1) and each alarm, counted in the object. Active
 *   duration: the wall time of those calls as the caller saw them, and of alarms and messages.
 * - Rows in objects' SQLite: every `ctx.storage.sql.exec` cursor's own `rowsRead`/`rowsWritten`
 *   (the counters Cloudflare bills), by class; the key-value API as one row per key.
 * - D1 rows: the D1 binding drops `meta` for `first()` and `raw()` (which drizzle's selects use),
 *   so every statement is also run, in order, against a shadow copy of the database in an object's
 *   SQLite (`CostD1Shadow`, migrated the same way) whose cursors count rows read and written as
 *   D1's do. The shadow is on only in the counting pass; CPU is measured in a pass without it.
 * - R2 class A (put, list, multipart) and class B (get, head) operations; bytes stored (listed).
 * `GET /bench/cost/units` answers the counts since the last call and starts again from zero;
 * `GET /bench/cost/r2-objects` how many objects the bucket holds (uncounted).
 */
import { DurableObject } from "cloudflare:workers";
import worker, * as app from "../../src/workers/index";

export * from "../../src/workers/index";

type Units = {
  workerRequests: number;
  doRequests: Record<string, number>;
  /** Requests by the object they went to (`<class> <name>`; `<class> ?` for one addressed by id): the load test's hottest object. */
  doRequestsByObject: Record<string, number>;
  /** Requests by class and method (`QueueRoom.enqueue`): which calls a contact makes to each object. */
  doRequestsByMethod: Record<string, number>;
  doWsMessages: Record<string, number>;
  doAlarms: Record<string, number>;
  doActiveMs: Record<string, number>;
  doRowsRead: Record<string, number>;
  doRowsWritten: Record<string, number>;
  /** Statements run, as D1 counts queries (each statement of a batch is one): D1 runs one at a time. */
  d1Queries: number;
  /** Calls to D1: a batch of several statements is one round trip. */
  d1RoundTrips: number;
  /** Queries by what they do ("update contacts", "select instances"…), to see where they come from. */
  d1ByStatement: Record<string, number>;
  d1RowsRead: number;
  d1RowsWritten: number;
  d1ShadowErrors: number;
  r2ClassA: number;
  r2ClassB: number;
};
const zero = (): Units => ({
  workerRequests: 0, doRequests: {}, doRequestsByObject: {}, doRequestsByMethod: {}, doWsMessages: {}, doAlarms: {}, doActiveMs: {}, doRowsRead: {}, doRowsWritten: {},
  d1Queries: 0, d1RoundTrips: 0, d1ByStatement: {}, d1RowsRead: 0, d1RowsWritten: 0, d1ShadowErrors: 0, r2ClassA: 0, r2ClassB: 0,
});
let units = zero();
/** Cursors not yet summed: their counters grow as they are read, so they are summed when asked. */
let cursors: [string, SqlStorageCursor<Record<string, SqlStorageValue>>][] = [];
let shadowOn = true;
/** The shadow's calls, chained so they run in the order the statements ran. */
let shadowChain: Promise<unknown> = Promise.resolve();

const add = (m: Record<string, number>, k: string, n = 1) => { m[k] = (m[k] ?? 0) + n; };

const DO_BINDINGS: Record<string, string> = {
  QUEUE_ROOM: "QueueRoom", AGENT_ROOM: "AgentRoom", METRICS_ROOM: "MetricsRoom", METRICS_SHARD: "MetricsShard", RETENTION_JOB: "RetentionJob",
  CONTACT_SESSION: "ContactSession", PUBLISHED_FLOWS: "PublishedFlows",
};
const NOT_CALLS = new Set(["then", "id", "name", "toJSON", "constructor", "dup"]);

function countedStub(stub: object, cls: string, name: string): object {
  return new Proxy(stub, {
    get(target, prop) {
      const v = Reflect.get(target, prop);
      if (typeof prop === "symbol" || NOT_CALLS.has(prop) || typeof v !== "function") return v;
      return (...args: unknown[]) => {
        add(units.doRequests, cls);
        add(units.doRequestsByObject, `${cls} ${name}`);
        add(units.doRequestsByMethod, `${cls}.${prop}`);
        const t0 = performance.now();
        const r = Reflect.apply(v as (...a: unknown[]) => unknown, target, args);
        const done = () => add(units.doActiveMs, cls, performance.now() - t0);
        Promise.resolve(r).then(done, done);
        return r;
      };
    },
  });
}

function countedNamespace(ns: DurableObjectNamespace, cls: string): DurableObjectNamespace {
  return new Proxy(ns, {
    get(target, prop) {
      const v = Reflect.get(target, prop);
      if (typeof v !== "function") return v;
      if (prop === "get" || prop === "getByName") {
        return (...a: unknown[]) => {
          const name = prop === "getByName" ? String(a[0]) : ((a[0] as DurableObjectId).name ?? "?");
          return countedStub(Reflect.apply(v as (...x: unknown[]) => object, target, a), cls, name);
        };
      }
      return (v as (...x: unknown[]) => unknown).bind(target);
    },
  });
}

type ShadowNs = DurableObjectNamespace<CostD1Shadow>;
const shadowRun = (env: Env, statements: { sql: string; params: unknown[] }[]) => {
  if (!shadowOn) return;
  const ns = (env as Env & { COST_D1_SHADOW: ShadowNs }).COST_D1_SHADOW;
  shadowChain = shadowChain.then(() => ns.getByName("d1").run(statements)).then((r) => {
    units.d1RowsRead += r.rowsRead;
    units.d1RowsWritten += r.rowsWritten;
    units.d1ShadowErrors += r.errors;
  }, () => { units.d1ShadowErrors += statements.length; });
};

type Stmt = { sql: string; params: unknown[]; real: D1PreparedStatement };

/** A statement's verb and table, e.g. "update contacts", "insert contact_events". */
const statementLabel = (sql: string) => {
  const s = sql.replace(/\s+/g, " ").trim().toLowerCase();
  const verb = s.split(" ")[0];
  const table = (verb === "select" ? / from "?(\w+)"?/.exec(s) : /(?:into|update|from) "?(\w+)"?/.exec(s))?.[1] ?? "?";
  return `${verb} ${table}`;
};
const countQuery = (sql: string) => {
  units.d1Queries++;
  add(units.d1ByStatement, statementLabel(sql));
};
const STATEMENT = Symbol("statement");

function countedStatement(env: Env, s: Stmt): D1PreparedStatement {
  const run = <T>(f: () => Promise<T>) => {
    countQuery(s.sql);
    units.d1RoundTrips++;
    shadowRun(env, [{ sql: s.sql, params: s.params }]);
    return f();
  };
  return new Proxy(s.real, {
    get(target, prop) {
      if (prop === STATEMENT) return s;
      if (prop === "bind") return (...params: unknown[]) => countedStatement(env, { sql: s.sql, params, real: target.bind(...params) });
      if (prop === "first" || prop === "run" || prop === "all" || prop === "raw") {
        const f = Reflect.get(target, prop) as (...a: unknown[]) => Promise<unknown>;
        return (...a: unknown[]) => run(() => Reflect.apply(f, target, a));
      }
      const v = Reflect.get(target, prop);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

function countedD1(env: Env, db: D1Database): D1Database {
  return new Proxy(db, {
    get(target, prop) {
      if (prop === "prepare") return (sql: string) => countedStatement(env, { sql, params: [], real: target.prepare(sql) });
      if (prop === "batch") {
        return (stmts: D1PreparedStatement[]) => {
          const own = stmts.map((x) => (x as unknown as Record<symbol, Stmt>)[STATEMENT]);
          for (const x of own) countQuery(x.sql);
          units.d1RoundTrips++;
          shadowRun(env, own.map((x) => ({ sql: x.sql, params: x.params })));
          return target.batch(own.map((x) => x.real));
        };
      }
      const v = Reflect.get(target, prop);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

function countedR2(bucket: R2Bucket): R2Bucket {
  const CLASS_A = new Set(["put", "list", "createMultipartUpload", "uploadPart", "complete"]);
  const CLASS_B = new Set(["get", "head"]);
  const wrap = <T extends object>(o: T): T => new Proxy(o, {
    get(target, prop) {
      const v = Reflect.get(target, prop);
      if (typeof v !== "function") return v;
      return (...a: unknown[]) => {
        if (typeof prop === "string" && CLASS_A.has(prop)) units.r2ClassA++;
        if (typeof prop === "string" && CLASS_B.has(prop)) units.r2ClassB++;
        const r = Reflect.apply(v as (...x: unknown[]) => unknown, target, a);
        if (prop === "resumeMultipartUpload") return wrap(r as object);
        if (prop === "createMultipartUpload") return (r as Promise<object>).then(wrap);
        return r;
      };
    },
  });
  return wrap(bucket);
}

const wrapped = new WeakMap<object, Env>();
/** `env` with every billable binding counted. */
function countedEnv(env: Env): Env {
  const known = wrapped.get(env);
  if (known) return known;
  const cache = new Map<PropertyKey, unknown>();
  const out: Env = new Proxy(env, {
    get(target, prop) {
      if (cache.has(prop)) return cache.get(prop);
      const v = Reflect.get(target, prop);
      let w: unknown = v;
      if (typeof prop === "string" && DO_BINDINGS[prop]) w = countedNamespace(v as DurableObjectNamespace, DO_BINDINGS[prop]);
      else if (prop === "DB") w = countedD1(target, v as D1Database);
      else if (prop === "RECORDINGS") w = countedR2(v as R2Bucket);
      cache.set(prop, w);
      return w;
    },
  });
  wrapped.set(env, out);
  return out;
}

/** The object's SQLite and key-value calls, counted under its class. */
function countStorage(ctx: DurableObjectState, cls: string) {
  const sql = ctx.storage.sql;
  const exec = sql.exec.bind(sql);
  Object.defineProperty(sql, "exec", {
    value: (query: string, ...bindings: unknown[]) => {
      const c = exec(query, ...bindings);
      cursors.push([cls, c]);
      return c;
    },
  });
  const storage = ctx.storage as unknown as Record<string, (...a: unknown[]) => unknown>;
  const keys = (a: unknown) => (Array.isArray(a) ? a.length : typeof a === "object" && a !== null ? Object.keys(a).length : 1);
  for (const [method, field] of [["get", "doRowsRead"], ["put", "doRowsWritten"], ["delete", "doRowsWritten"]] as const) {
    const f = storage[method].bind(ctx.storage);
    Object.defineProperty(ctx.storage, method, { value: (...a: unknown[]) => { add(units[field], cls, keys(a[0])); return f(...a); } });
  }
}

/** A class of the app's, counting its storage, its alarms and its incoming socket messages. */
function counted<T extends new (ctx: DurableObjectState, env: Env) => object>(Base: T, cls: string): T {
  const C = class extends (Base as new (ctx: DurableObjectState, env: Env) => Record<string, (...a: unknown[]) => unknown>) {
    constructor(ctx: DurableObjectState, env: Env) {
      countStorage(ctx, cls);
      super(ctx, countedEnv(env));
    }
    async alarm(...a: unknown[]) {
      add(units.doAlarms, cls);
      const t0 = performance.now();
      try { return await super.alarm(...a); } finally { add(units.doActiveMs, cls, performance.now() - t0); }
    }
    async webSocketMessage(...a: unknown[]) {
      add(units.doWsMessages, cls);
      const t0 = performance.now();
      try { return await super.webSocketMessage(...a); } finally { add(units.doActiveMs, cls, performance.now() - t0); }
    }
  };
  Object.defineProperty(C, "name", { value: cls });
  return C as unknown as T;
}

export const QueueRoom = counted(app.QueueRoom, "QueueRoom");
export const AgentRoom = counted(app.AgentRoom, "AgentRoom");
export const MetricsRoom = counted(app.MetricsRoom, "MetricsRoom");
export const MetricsShard = counted(app.MetricsShard, "MetricsShard");
export const ContactSession = counted(app.ContactSession, "ContactSession");
export const PublishedFlows = counted(app.PublishedFlows, "PublishedFlows");
export const RetentionJob = counted(app.RetentionJob, "RetentionJob");

/** The shadow of D1: the same schema in an object's SQLite, each statement run to count its rows. */
export class CostD1Shadow extends DurableObject<Env> {
  migrate(statements: string[]) {
    for (const s of statements) this.ctx.storage.sql.exec(s);
    return statements.length;
  }

  run(statements: { sql: string; params: unknown[] }[]) {
    let rowsRead = 0, rowsWritten = 0, errors = 0;
    for (const s of statements) {
      const params = s.params.map((p) => (typeof p === "boolean" ? (p ? 1 : 0) : p === undefined ? null : p)) as SqlStorageValue[];
      try {
        const c = this.ctx.storage.sql.exec(s.sql, ...params);
        c.toArray();
        rowsRead += c.rowsRead;
        rowsWritten += c.rowsWritten;
      } catch {
        errors++;
      }
    }
    return { rowsRead, rowsWritten, errors };
  }
}

type BenchEnv = Env & { COST_D1_SHADOW: DurableObjectNamespace<CostD1Shadow> };

async function snapshot(env: BenchEnv) {
  // A shadow call made from an event that workerd cancelled may never settle: wait for the chain a
  // while, then count it as an error and start a new chain, rather than hang this request.
  const settled = await Promise.race([shadowChain.then(() => true), new Promise<boolean>((ok) => setTimeout(() => ok(false), 20_000))]);
  if (!settled) {
    units.d1ShadowErrors++;
    shadowChain = Promise.resolve();
  }
  for (const [cls, c] of cursors) {
    add(units.doRowsRead, cls, c.rowsRead);
    add(units.doRowsWritten, cls, c.rowsWritten);
  }
  cursors = [];
  let r2Bytes = 0, r2Objects = 0;
  let cursor: string | undefined;
  do {
    const page = await env.RECORDINGS.list({ cursor });
    for (const o of page.objects) { r2Bytes += o.size; r2Objects++; }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  const out = { ...units, r2BytesStored: r2Bytes, r2Objects };
  units = zero();
  return out;
}

export default {
  ...worker,
  async fetch(request: Request, env: BenchEnv, ctx: ExecutionContext) {
    const url = new URL(request.url);
    if (url.pathname === "/bench/cost/units") return Response.json(await snapshot(env));
    if (url.pathname === "/bench/cost/r2-objects") {
      let n = 0;
      let cursor: string | undefined;
      do {
        const page = await env.RECORDINGS.list({ cursor });
        n += page.objects.length;
        cursor = page.truncated ? page.cursor : undefined;
      } while (cursor);
      return Response.json({ objects: n });
    }
    if (url.pathname === "/bench/cost/shadow") {
      shadowOn = url.searchParams.get("on") === "1";
      return Response.json({ shadowOn });
    }
    if (url.pathname === "/bench/cost/migrate") {
      const statements = (await request.json()) as string[];
      return Response.json({ applied: await env.COST_D1_SHADOW.getByName("d1").migrate(statements) });
    }
    units.workerRequests++;
    return worker.fetch!(request, countedEnv(env), ctx);
  },
  async scheduled(controller: ScheduledController, env: BenchEnv, ctx: ExecutionContext) {
    units.workerRequests++;
    return worker.scheduled!(controller, countedEnv(env), ctx);
  },
} satisfies ExportedHandler<BenchEnv>;
