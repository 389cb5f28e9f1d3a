/**
 * Local mode's mail (mounted under /dev, so it answers only with LOCAL_MODE=true on loopback:
 * ./dev.ts): `POST /dev/email?to=<address>` hands a raw message (the .eml file's bytes) to the
 * same path Cloudflare Email Routing's mail takes (./email/inbound.ts) — a refused one answers
 * 422 with the reason — and `GET /dev/email/outbox?instance=<id>` lists the replies the local
 * outbox kept in place of the `send_email` binding (src/lib/mailer.ts). `npm run email` uses both.
 */
import { Hono } from "hono";
import { z } from "zod";
import { localOutbox } from "../lib/mailer";
import { ApiError } from "../lib/errors";
import type { AppEnv } from "./env";
import { parseQuery } from "./lib/request";
import { receiveEmail } from "./email/inbound";
import { EMAIL_MAX_BYTES } from "./email/parse";
import { EMAIL_ADDRESS } from "./api/resources/email-addresses";

export const devEmailRoutes = new Hono<AppEnv>()
  .post("/", async (c) => {
    const { to } = parseQuery(c, z.object({ to: EMAIL_ADDRESS }));
    const raw = await c.req.arrayBuffer();
    // The size check is the handler's own (as Email Routing gives rawSize), up to what a dev request may carry.
    if (raw.byteLength > EMAIL_MAX_BYTES * 2) throw new ApiError(413, "too_large", "The message is larger than twice the email size limit");
    const result = await receiveEmail(c.env, { to, raw, rawSize: raw.byteLength });
    if (!result.ok) throw new ApiError(422, "email_refused", result.reason);
    return c.json(result, 201);
  })
  .get("/outbox", async (c) => {
    const { instance } = parseQuery(c, z.object({ instance: z.string().min(1).max(100).default("demo") }));
    return c.json({ items: await localOutbox(c.env, instance) });
  });
