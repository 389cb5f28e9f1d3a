/** Sign-in, sign-out and "who am I". */
import { eq } from "drizzle-orm";
import { Hono } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import { InstanceScope } from "../../db/scoped";
import { instances, users } from "../../db/schema";
import type { AppEnv } from "../env";
import { ApiError } from "../../lib/errors";
import { verifyPassword } from "../../lib/password";
import { clientInfo, parseJson } from "../lib/request";
import { requireSession } from "./middleware";
import { endSession } from "./revoke";
import { socketTicketRoutes } from "./socket-tickets";
import { createSession, SESSION_COOKIE, SESSION_TTL_MS } from "./sessions";
import { clearAccountFailures, recordFailure, retryAfterMs, throttleKeys } from "./throttle";

const SignIn = z.object({
  email: z.string().trim().toLowerCase().email().max(254),
  password: z.string().min(1).max(1024),
});

export const authRoutes = new Hono<AppEnv>()
  .route("/", socketTicketRoutes)
  .post("/sign-in", async (c) => {
    const { email, password } = await parseJson(c, SignIn);
    const db = c.var.db;
    const { ip, userAgent } = clientInfo(c);
    const keys = throttleKeys(email, ip);
    const wait = await retryAfterMs(db, keys);
    if (wait > 0) {
      c.header("Retry-After", String(Math.ceil(wait / 1000)));
      throw new ApiError(429, "too_many_attempts", "Too many failed sign-ins; try again later");
    }
    const [user] = await db.select().from(users).where(eq(users.email, email)).limit(1);
    const ok = await verifyPassword(password, user?.passwordHash);
    if (!ok || !user || !user.active) {
      await recordFailure(db, keys);
      if (user) {
        await new InstanceScope(db, user.instanceId).writeAudit({
          userId: user.id, action: "sign_in_failed", resourceType: "user", resourceId: user.id, ip, userAgent,
        });
      }
      throw new ApiError(401, "invalid_credentials", "Wrong email or password");
    }
    await clearAccountFailures(db, keys);
    const session = await createSession(db, user);
    const scope = new InstanceScope(db, user.instanceId);
    await scope.writeAudit({ userId: user.id, action: "sign_in", resourceType: "user", resourceId: user.id, ip, userAgent });
    setCookie(c, SESSION_COOKIE, session.token, {
      httpOnly: true,
      secure: true,
      sameSite: "Lax",
      path: "/",
      maxAge: SESSION_TTL_MS / 1000,
    });
    return c.json({
      token: session.token,
      expiresAt: new Date(session.expiresAt).toISOString(),
      user: { id: user.id, email: user.email, name: user.name, instanceId: user.instanceId },
    });
  })
  .post("/sign-out", requireSession, async (c) => {
    await endSession(c.env, c.var.db, c.var.caller);
    deleteCookie(c, SESSION_COOKIE, { path: "/", secure: true });
    return c.json({ signedOut: true });
  })
  .get("/me", requireSession, async (c) => {
    const caller = c.var.caller;
    const [instance] = await c.var.db
      .select({ id: instances.id, name: instances.name, timezone: instances.timezone })
      .from(instances)
      .where(eq(instances.id, caller.instanceId));
    const [user] = await c.var.db
      .select({ routingProfileId: users.routingProfileId })
      .from(users)
      .where(eq(users.id, caller.userId));
    return c.json({
      user: { id: caller.userId, email: caller.email, name: caller.name, routingProfileId: user?.routingProfileId ?? null },
      instance,
      permissions: [...caller.permissions],
    });
  });
