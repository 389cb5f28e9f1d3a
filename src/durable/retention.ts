/**
 * RetentionJob: one object per instance (named by the instance id) that runs data retention
 * (src/recordings/retention.ts) from its alarm, a bounded batch per run, re-arming only while
 * work remains. The daily cron (src/workers/index.ts `scheduled`) and the admin API start it.
 * Its state — the instance it serves and its last run — lives in its SQLite storage.
 */
import { DurableObject } from "cloudflare:workers";
import { runRetention, type RetentionReport } from "../recordings/retention";

/** Delay between batches while a backlog remains. */
const NEXT_BATCH_MS = 1_000;
/** After a failure, try again later. */
const RETRY_MS = 5 * 60_000;

export class RetentionJob extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS job (
        id INTEGER PRIMARY KEY CHECK (id = 1), instance_id TEXT NOT NULL,
        last_run_at INTEGER, last_report TEXT, last_error TEXT, sweep_cursor TEXT)`);
    });
  }

  #instanceId(): string | undefined {
    return this.ctx.storage.sql.exec<{ instance_id: string }>("SELECT instance_id FROM job WHERE id = 1").toArray()[0]?.instance_id;
  }

  #bind(instanceId: string) {
    const bound = this.#instanceId();
    if (bound && bound !== instanceId) throw new Error(`This RetentionJob serves instance ${bound}, not ${instanceId}`);
    if (!bound) this.ctx.storage.sql.exec("INSERT INTO job (id, instance_id) VALUES (1, ?)", instanceId);
  }

  /** Makes sure a run is due now (idempotent): the cron calls it daily for every instance. */
  async schedule(instanceId: string): Promise<void> {
    this.#bind(instanceId);
    const next = await this.ctx.storage.getAlarm();
    if (next === null || next > Date.now()) await this.ctx.storage.setAlarm(Date.now());
  }

  /** Runs one batch now and returns what it deleted; re-arms the alarm if more is due. */
  async runNow(instanceId: string): Promise<RetentionReport> {
    this.#bind(instanceId);
    return this.#run(instanceId);
  }

  async alarm(): Promise<void> {
    const instanceId = this.#instanceId();
    if (!instanceId) return;
    try {
      await this.#run(instanceId);
    } catch (err) {
      this.ctx.storage.sql.exec("UPDATE job SET last_run_at = ?, last_error = ? WHERE id = 1", Date.now(), String(err));
      console.error(JSON.stringify({ event: "retention_failed", instanceId, message: String(err) }));
      await this.ctx.storage.setAlarm(Date.now() + RETRY_MS);
    }
  }

  async #run(instanceId: string): Promise<RetentionReport> {
    const sweepCursor = this.ctx.storage.sql.exec<{ sweep_cursor: string | null }>("SELECT sweep_cursor FROM job WHERE id = 1").one().sweep_cursor;
    const report = await runRetention(this.env, instanceId, { sweepCursor: sweepCursor ?? undefined });
    this.ctx.storage.sql.exec(
      "UPDATE job SET last_run_at = ?, last_report = ?, last_error = NULL, sweep_cursor = ? WHERE id = 1",
      Date.now(),
      JSON.stringify({ recordings: report.recordings.length, transcripts: report.transcripts.length, contacts: report.contacts.length, orphans: report.orphans.length, more: report.more }),
      report.sweepCursor ?? null,
    );
    if (report.more) await this.ctx.storage.setAlarm(Date.now() + NEXT_BATCH_MS);
    return report;
  }
}
