/**
 * The reports benchmark's Worker: the real Switchboard Worker, plus one bench-only route that
 * fills the demo instance with a year of contact records (`POST /bench/reports/contacts?n=`),
 * written by D1 itself in one statement so the bench times the reports, not the loading.
 */
import { DEMO } from "../../src/db/seed";
import worker from "../../src/workers/index";

export * from "../../src/workers/index";

const DAY = 86_400_000;

/**
 * `n` contacts spread evenly over the `days` before `end`, by a fixed pattern: a tenth end in the
 * IVR, a fifth are chats; of the queued (Billing and Support in turn), seven in ten are answered
 * by Alice or Bob after 0–59 s, talk 3 min with some hold and 30 s of after contact work, and the
 * rest hang up after 0–89 s; one in twenty answered had a missed offer first.
 */
const FILL = `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?1),
  c AS (SELECT i, CAST(?3 - ?4 + i * (?4 / ?1) AS INTEGER) AS at, i % 10 = 9 AS ivr, i % 10 < 7 AS answered FROM n)
INSERT INTO contacts (id, instance_id, channel, initiation_method, queue_id, agent_id, state, initiated_at, enqueued_at,
  connected_at, ended_at, acw_ended_at, hold_seconds, attributes)
SELECT 'bench-' || i, ?2, CASE WHEN i % 5 = 0 THEN 'CHAT' ELSE 'VOICE' END, 'INBOUND',
  CASE WHEN ivr THEN NULL WHEN i % 2 = 0 THEN ?5 ELSE ?6 END,
  CASE WHEN ivr OR NOT answered THEN NULL WHEN i % 4 < 2 THEN ?7 ELSE ?8 END,
  CASE WHEN ivr OR NOT answered THEN 'ABANDONED' ELSE 'COMPLETED' END,
  at,
  CASE WHEN ivr THEN NULL ELSE at + 10000 END,
  CASE WHEN ivr OR NOT answered THEN NULL ELSE at + 10000 + (i * 7 % 60) * 1000 END,
  CASE WHEN ivr THEN at + 20000 WHEN answered THEN at + 10000 + (i * 7 % 60) * 1000 + 180000 ELSE at + 10000 + (i % 90) * 1000 END,
  CASE WHEN ivr OR NOT answered THEN NULL ELSE at + 10000 + (i * 7 % 60) * 1000 + 210000 END,
  CASE WHEN ivr OR NOT answered THEN 0 ELSE i % 30 END,
  '{}'
FROM c`;

const MISSED = `INSERT INTO contact_events (instance_id, contact_id, type, at, agent_id, queue_id)
  SELECT instance_id, id, 'MISSED', enqueued_at + 5000, CASE WHEN agent_id = ?2 THEN ?3 ELSE ?2 END, queue_id
  FROM contacts WHERE instance_id = ?1 AND id LIKE 'bench-%' AND connected_at IS NOT NULL AND CAST(substr(id, 7) AS INTEGER) % 20 = 0`;

export default {
  ...worker,
  async fetch(request: Request, env: Env, ctx: ExecutionContext) {
    const url = new URL(request.url);
    if (url.pathname !== "/bench/reports/contacts" || request.method !== "POST") return worker.fetch(request, env, ctx);
    const n = Number(url.searchParams.get("n") ?? 100_000);
    const days = Number(url.searchParams.get("days") ?? 365);
    const end = Number(url.searchParams.get("end") ?? Date.now());
    const alice = "demo:user:alice";
    const bob = "demo:user:bob";
    await env.DB.prepare(FILL).bind(n, DEMO.instanceId, end, days * DAY, DEMO.queues.billing, DEMO.queues.support, alice, bob).run();
    await env.DB.prepare(MISSED).bind(DEMO.instanceId, alice, bob).run();
    const { count } = (await env.DB.prepare("SELECT count(*) AS count FROM contacts WHERE instance_id = ?").bind(DEMO.instanceId).first<{ count: number }>())!;
    return Response.json({ contacts: count });
  },
} satisfies ExportedHandler<Env>;
