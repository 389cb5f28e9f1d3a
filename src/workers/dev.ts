/**
 * Local-only routes. They exist only when the Worker runs with LOCAL_MODE=true, which
 * `npm run dev` sets on the command line; a deployed Worker answers 404 here.
 */
import { Hono } from "hono";
import { seedDemo } from "../db/seed";
import type { AppEnv } from "./env";
import { notFound } from "./lib/errors";

export const devRoutes = new Hono<AppEnv>()
  .use(async (c, next) => {
    if (c.env.LOCAL_MODE !== "true") throw notFound("Route");
    await next();
  })
  .post("/seed", async (c) => c.json(await seedDemo(c.var.db, c.env.SWITCHBOARD_SECRET)));
