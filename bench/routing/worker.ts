/**
 * The Worker the routing benchmark runs (scripts/bench-routing.mjs): the real app and objects,
 * plus bench-only routes (never deployed) and EchoRoom, the floor: a bare partyserver object
 * that only echoes to its sockets.
 */
import { Server } from "partyserver";
import { getServerByName } from "partyserver";
import app from "../../src/workers/index";
import { enqueueContact } from "../../src/durable/routing";
import { createDb } from "../../src/db/client";
import { createSession } from "../../src/workers/auth/sessions";
import { createContact } from "../../src/db/contacts";
import { EMPTY_PROFILE, writeProfile } from "../../src/db/profiles";
import { InstanceScope } from "../../src/db/scoped";
import { keyringFromEnv } from "../../src/lib/crypto";

// Every Durable Object class the app binds (routing, contacts, retention…).
export * from "../../src/workers/index";

type BenchEnv = Env & { ECHO_ROOM: DurableObjectNamespace<EchoRoom> };

export class EchoRoom extends Server<BenchEnv> {
  static options = { hibernate: true };
  async ping(id: string) {
    this.broadcast(JSON.stringify({ type: "echo", id }));
  }
  /**
   * The routing path's shape with no routing in it: a socket message here, a call to a second
   * object, which calls back, and the answer on the socket (agent → queue → agent → socket).
   */
  async onMessage(_connection: unknown, message: string | ArrayBuffer) {
    const { id } = JSON.parse(String(message)) as { id: string };
    await this.env.ECHO_ROOM.getByName("echo-other").bounce(id, this.name);
  }
  async bounce(id: string, back: string) {
    this.ctx.waitUntil(this.env.ECHO_ROOM.getByName(back).ping(id));
  }
  /** Cost of SQLite statements in this runtime (timed from outside: in-object clocks stop during CPU). */
  async sqlLoop(n: number, kind: "read" | "write" | "none" | "alarm") {
    if (kind === "alarm") {
      for (let i = 0; i < n; i++) void this.ctx.storage.setAlarm(Date.now() + 3_600_000 + i);
      return n;
    }
    const sql = this.ctx.storage.sql;
    sql.exec("CREATE TABLE IF NOT EXISTS kv (k TEXT PRIMARY KEY, v TEXT NOT NULL)");
    sql.exec("INSERT OR REPLACE INTO kv (k, v) VALUES ('a', 'x')");
    let x = 0;
    for (let i = 0; i < n; i++) {
      if (kind === "read") x += sql.exec("SELECT v FROM kv WHERE k = ?", "a").toArray().length;
      else if (kind === "write") sql.exec("UPDATE kv SET v = ? WHERE k = 'a'", String(i));
      else x += i;
    }
    return x;
  }
}

async function setup(env: BenchEnv, body: { migrations: string[]; agents: number; profiles?: boolean }) {
  for (const stmt of body.migrations) await env.DB.prepare(stmt).run();
  const inst = `bench${Date.now().toString(36)}`;
  const s = (sql: string, ...v: unknown[]) => env.DB.prepare(sql).bind(...v);
  await env.DB.batch([
    s("INSERT INTO instances (id, name, public_base_url) VALUES (?, 'Bench', 'http://127.0.0.1')", inst),
    s("INSERT INTO security_profiles (id, instance_id, name, permissions) VALUES (?, ?, 'Agent', ?)", `${inst}:sp`, inst,
      JSON.stringify(body.profiles ? ["contacts.handle", "profiles.read"] : ["contacts.handle"])),
    s("INSERT INTO hours_of_operation (id, instance_id, name, timezone, weekly, overrides) VALUES (?, ?, '24/7', 'UTC', '[]', '[]')", `${inst}:h`, inst),
    // The bench's queue holds every waiting contact (a queue's default cap is 500).
    s("INSERT INTO queues (id, instance_id, name, hours_of_operation_id, max_contacts) VALUES (?, ?, 'Bench', ?, ?)", `${inst}:q`, inst, `${inst}:h`, 100_000),
    s("INSERT INTO routing_profiles (id, instance_id, name, voice_concurrency, chat_concurrency, task_concurrency, acw_timeout_seconds) VALUES (?, ?, 'Bench', 1, 0, 0, 0)", `${inst}:rp`, inst),
    s("INSERT INTO routing_profile_queues (instance_id, routing_profile_id, queue_id, channel, priority, delay_seconds) VALUES (?, ?, ?, 'VOICE', 1, 0)", inst, `${inst}:rp`, `${inst}:q`),
  ]);
  const db = createDb(env.DB);
  const tokens: string[] = [];
  for (let i = 0; i < body.agents; i += 50) {
    const batch = Array.from({ length: Math.min(50, body.agents - i) }, (_, j) => i + j);
    await env.DB.batch(batch.map((n) => s(
      "INSERT INTO users (id, instance_id, email, name, password_hash, security_profile_id, routing_profile_id) VALUES (?, ?, ?, ?, 'x', ?, ?)",
      `${inst}:u${n}`, inst, `u${n}@${inst}.bench`, `Agent ${n}`, `${inst}:sp`, `${inst}:rp`)));
    for (const n of batch) tokens.push((await createSession(db, { id: `${inst}:u${n}`, instanceId: inst })).token);
  }
  return { instanceId: inst, queueId: `${inst}:q`, tokens };
}

export default {
  async fetch(req: Request, env: BenchEnv, ctx: ExecutionContext) {
    const url = new URL(req.url);
    if (url.pathname === "/bench/setup") return Response.json(await setup(env, await req.json()));
    if (url.pathname === "/bench/enqueue") {
      const b = await req.json<{ instanceId: string; queueId: string; contactId: string; customerNumber?: string; profile?: boolean }>();
      if (b.customerNumber) {
        // As a real call: the contact's record (the caller's number sealed and hashed) before it is queued, and the caller's profile.
        const keys = keyringFromEnv(env);
        await createContact(createDb(env.DB), keys, { id: b.contactId, instanceId: b.instanceId, channel: "VOICE", initiationMethod: "INBOUND", customerEndpoint: b.customerNumber });
        if (b.profile) {
          const scope = new InstanceScope(createDb(env.DB), b.instanceId);
          await scope.batch(await writeProfile(scope, keys, crypto.randomUUID(), { ...EMPTY_PROFILE, firstName: "Bench", lastName: b.contactId, phoneNumbers: [b.customerNumber], attributes: {} }, true));
        }
      }
      return Response.json(await enqueueContact(env, b.instanceId, b.queueId, { contactId: b.contactId, channel: "VOICE" }));
    }
    if (url.pathname === "/bench/echo") {
      const b = await req.json<{ id: string }>();
      await env.ECHO_ROOM.getByName("echo").ping(b.id);
      return Response.json({ ok: true });
    }
    if (url.pathname === "/bench/sql") {
      const n = Number(url.searchParams.get("n") ?? 1000);
      const kind = url.searchParams.get("kind") ?? "read";
      const stub = env.ECHO_ROOM.getByName("sql");
      // rpc-*: n round trips of one statement each (a write's reply waits for its storage commit).
      if (kind.startsWith("rpc-")) {
        for (let i = 0; i < n; i++) await stub.sqlLoop(1, kind.slice(4) as "read");
        return Response.json(n);
      }
      return Response.json(await stub.sqlLoop(n, kind as "read"));
    }
    if (url.pathname === "/bench/echo-socket") return (await getServerByName(env.ECHO_ROOM, "echo")).fetch(req);
    return app.fetch(req, env, ctx);
  },
} satisfies ExportedHandler<BenchEnv>;
