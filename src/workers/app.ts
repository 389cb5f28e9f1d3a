/**
 * The Worker's HTTP surface: health, the JSON API, (later) Twilio webhooks and sockets.
 * Thin by design: verify, authenticate, hand off.
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { secureHeaders } from "hono/secure-headers";
import { createDb } from "../db/client";
import { api } from "./api";
import { bodyLimitFor } from "./body-limits";
import { agentSocketRoutes } from "./api/agent-socket";
import { chatAgentSocketRoutes } from "./chat/agent-socket";
import { chatPublicRoutes } from "./chat/routes";
import { serveWidget } from "./chat/widget";
import { metricsSocketRoutes } from "./api/metrics";
import { devRoutes } from "./dev";
import { twilioRoutes } from "./twilio/routes";
import type { AppEnv } from "./env";
import { ApiError } from "../lib/errors";
import { errorResponse } from "./lib/error-response";

export const app = new Hono<AppEnv>();

/** A body over `maxSize` is refused with 413 before it is read in full or parsed (a declared length at once, a streamed body as soon as it passes the limit). */
const refuseBodiesOver = (maxSize: number, message: string) =>
  bodyLimit({
    maxSize,
    onError: () => {
      throw new ApiError(413, "payload_too_large", message);
    },
  });

// Twilio's webhooks (small forms, answered with TwiML for Twilio, not a browser) come first, on
// the shortest path: they need neither the browser security headers nor the request's query builder.
app.use("/twilio/*", refuseBodiesOver(bodyLimitFor("/twilio/")!.maxBytes, bodyLimitFor("/twilio/")!.message));
app.route("/twilio", twilioRoutes);

// The chat widget is embedded by other websites: served before the same-origin security headers.
app.get("/widget.js", serveWidget);
app.use("*", secureHeaders());
app.use("*", async (c, next) => {
  c.set("db", createDb(c.env.DB));
  await next();
});
app.use("/api/*", refuseBodiesOver(bodyLimitFor("/api/")!.maxBytes, bodyLimitFor("/api/")!.message));

app.get("/healthz", async (c) => {
  await c.env.DB.prepare("select 1").first();
  return c.json({ ok: true });
});

app.route("/api/v1", agentSocketRoutes);
app.route("/api/v1", chatAgentSocketRoutes);
app.route("/api/v1", chatPublicRoutes); // public: the website widget (Origin + chat token)
app.route("/api/v1", metricsSocketRoutes);
app.route("/api/v1", api);
app.route("/dev", devRoutes);

app.notFound((c) => c.json({ error: { code: "not_found", message: `No route for ${c.req.method} ${c.req.path}` } }, 404));
app.onError((err, c) => errorResponse(c, err));
