/** Worker entry: the Hono app, plus the Durable Object classes wrangler binds. */
import { app } from "./app";
import { scheduleRetention } from "../recordings/schedule";
import { createDb } from "../db/client";
import { purgeExpiredSignIns } from "./auth/purge";

export { AgentRoom, MetricsRoom, QueueRoom } from "../durable/routing";
export { RetentionJob } from "../durable/retention";
export { ContactSession } from "../durable/contact-session";
export { PublishedFlows } from "../durable/published-flows";

export default {
  fetch: app.fetch,
  // Daily cron (wrangler.toml [triggers]): starts each instance's data-retention job and deletes
  // expired sessions and spent sign-in counters.
  scheduled: (_controller, env, ctx) => {
    ctx.waitUntil(scheduleRetention(env));
    ctx.waitUntil(purgeExpiredSignIns(createDb(env.DB)));
  },
} satisfies ExportedHandler<Env>;
