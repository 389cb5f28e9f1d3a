/**
 * Local-only routes. They answer only when the Worker runs with LOCAL_MODE=true (which
 * `npm run dev` sets on the command line) AND the request was addressed to this machine's
 * loopback (127.0.0.1, localhost, [::1]): a Worker deployed with LOCAL_MODE left on by mistake
 * still answers 404 here on its public host, so the demo seed and its published passwords are
 * never reachable from outside.
 */
import { Hono } from "hono";
import { z } from "zod";
import { seedDemo } from "../db/seed";
import { keyringFromEnv } from "../lib/crypto";
import type { AppEnv } from "./env";
import { notFound } from "../lib/errors";
import { parseJson } from "./lib/request";
import { devEmailRoutes } from "./dev-email";

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** Whether a request URL names this machine's loopback (URL.hostname keeps IPv6's brackets). */
export const isLoopbackUrl = (url: string): boolean => LOOPBACK_HOSTS.has(new URL(url).hostname);

export const devRoutes = new Hono<AppEnv>()
  .use(async (c, next) => {
    if (c.env.LOCAL_MODE !== "true" || !isLoopbackUrl(c.req.url)) throw notFound("Route");
    await next();
  })
  // Body (optional): { publicBaseUrl } — where this dev server answers (scripts/dev.mjs sends its own).
  .post("/seed", async (c) => {
    const body = c.req.header("content-type") ? await parseJson(c, seedBody) : {};
    return c.json(await seedDemo(c.var.db, keyringFromEnv(c.env), body));
  })
  // Mail in and the local outbox (./dev-email.ts; `npm run email`).
  .route("/email", devEmailRoutes);

const seedBody = z.object({ publicBaseUrl: z.url({ protocol: /^https?$/ }).optional() }).strict();
