/** Worker entry: the Hono app, plus the Durable Object classes wrangler binds. */
import { app } from "./app";
import { scheduleRetention } from "../recordings/schedule";
import { createDb } from "../db/client";
import { purgeExpiredSignIns } from "./auth/purge";
import { handleEmail } from "./email/inbound";

export { AgentRoom, MetricsRoom, MetricsShard, QueueRoom } from "../durable/routing";
export { RetentionJob } from "../durable/retention";
export { ContactSession } from "../durable/contact-session";
export { PublishedFlows } from "../durable/published-flows";

export default {
  fetch: app.fetch,
  // Cloudflare Email Routing: mail to the instances' addresses becomes EMAIL contacts (./email/inbound.ts).
  email: (message, env) => handleEmail(message, env),
  // Daily cron (wrangler.toml [triggers]): starts each instance's data-retention job and deletes
  // expired sessions and spent sign-in counters.
  scheduled: (_controller, env, ctx) => {
    ctx.waitUntil(scheduleRetention(env));
    ctx.waitUntil(purgeExpiredSignIns(createDb(env.DB)));
  },
} satisfies ExportedHandler<Env>;
