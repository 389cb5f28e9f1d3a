/**
 * Local-only routes. They exist only when the Worker runs with LOCAL_MODE=true, which
 * `npm run dev` sets on the command line; a deployed Worker answers 404 here.
 */
import { Hono } from "hono";
import { z } from "zod";
import { seedDemo } from "../db/seed";
import type { AppEnv } from "./env";
import { notFound } from "../lib/errors";
import { parseJson } from "./lib/request";

export const devRoutes = new Hono<AppEnv>()
  .use(async (c, next) => {
    if (c.env.LOCAL_MODE !== "true") throw notFound("Route");
    await next();
  })
  // Body (optional): { publicBaseUrl } — where this dev server answers (scripts/dev.mjs sends its own).
  .post("/seed", async (c) => {
    const body = c.req.header("content-type") ? await parseJson(c, seedBody) : {};
    return c.json(await seedDemo(c.var.db, c.env.SWITCHBOARD_SECRET, body));
  });

const seedBody = z.object({ publicBaseUrl: z.url({ protocol: /^https?$/ }).optional() }).strict();
