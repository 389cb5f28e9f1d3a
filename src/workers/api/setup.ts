/**
 * First-run setup of a deployment: creates the first instance and its admin, once.
 *
 * Public (no session exists yet), so it is guarded three ways: it needs the one-time setup token
 * that `npm run deploy` stored as the Worker secret SWITCHBOARD_SETUP_TOKEN (compared in constant
 * time); it closes for good once any instance exists; and its claim row (`setup_claim`, one
 * primary key) is written in the same D1 batch as the instance, so of two setups racing only
 * one commits.
 */
import { Hono } from "hono";
import { z } from "zod";
import { instanceStatements } from "../../db/provision";
import { InstanceScope } from "../../db/scoped";
import { instances, setupClaim } from "../../db/schema";
import { keyringFromEnv, sha256Hex, timingSafeEqualString } from "../../lib/crypto";
import { ApiError } from "../../lib/errors";
import type { Db } from "../../db/client";
import type { AppEnv } from "../env";
import { clientInfo, parseJson } from "../lib/request";
import { fields } from "./resource";
import { email, password } from "./resources/users";

const Setup = z
  .object({
    token: z.string().trim().min(1, "must not be empty").max(512),
    instance: z.object({ name: fields.name, timezone: fields.timezone, publicBaseUrl: fields.publicBaseUrl }).strict(),
    admin: z.object({ name: fields.name, email, password }).strict(),
  })
  .strict();

const setupDone = () => new ApiError(409, "setup_done", "This deployment is set up already: sign in instead");

async function anyInstance(db: Db): Promise<boolean> {
  const rows = await db.select({ id: instances.id }).from(instances).limit(1);
  return rows.length > 0;
}

/** Constant time whatever the lengths: both sides are hashed to 32 bytes first. */
async function tokenMatches(given: string, expected: string): Promise<boolean> {
  return timingSafeEqualString(await sha256Hex(given), await sha256Hex(expected));
}

/** A failed batch whose cause is the claim's primary key: another setup committed first. */
function lostTheClaim(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (/UNIQUE constraint failed: setup_claim/i.test(e.message)) return true;
  }
  return false;
}

export const setupRoutes = new Hono<AppEnv>()
  .get("/", async (c) => c.json({ needed: !(await anyInstance(c.var.db)) }))
  .post("/", async (c) => {
    const db = c.var.db;
    const expected = c.env.SWITCHBOARD_SETUP_TOKEN?.trim();
    if (await anyInstance(db)) throw setupDone();
    if (!expected) {
      throw new ApiError(409, "setup_not_configured", "No setup token is configured for this deployment: run `npm run deploy`, which sets one and prints it");
    }
    const input = await parseJson(c, Setup);
    if (!(await tokenMatches(input.token, expected))) {
      throw new ApiError(403, "invalid_setup_token", "Wrong setup token: use the one `npm run deploy` printed");
    }
    const made = await instanceStatements(db, keyringFromEnv(c.env), { ...input.instance, admin: input.admin });
    const scope = new InstanceScope(db, made.instanceId);
    try {
      await db.batch([
        db.insert(setupClaim).values({ id: 1, instanceId: made.instanceId, claimedAt: Date.now() }),
        ...made.statements,
        scope.audit({
          userId: made.adminId, action: "setup", resourceType: "instance", resourceId: made.instanceId,
          ...clientInfo(c), details: { adminEmail: input.admin.email },
        }),
      ]);
    } catch (err) {
      if (lostTheClaim(err)) throw setupDone();
      throw err;
    }
    return c.json(
      {
        instance: { id: made.instanceId, name: input.instance.name },
        admin: { id: made.adminId, email: input.admin.email, name: input.admin.name },
      },
      201,
    );
  });
