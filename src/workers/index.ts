/** Worker entry: the Hono app, plus the Durable Object classes wrangler binds. */
import { app } from "./app";

export { AgentRoom, MetricsRoom, QueueRoom } from "../durable/routing";

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
