/** Starts every instance's RetentionJob (daily cron); each then works through its backlog by alarm. */
import { instances } from "../db/schema";
import { createDb } from "../db/client";

export async function scheduleRetention(env: Env): Promise<number> {
  const rows = await createDb(env.DB).select({ id: instances.id }).from(instances);
  await Promise.all(rows.map((r) => env.RETENTION_JOB.getByName(r.id).schedule(r.id)));
  return rows.length;
}
