import { getCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import { InstanceScope } from "../../db/scoped";
import type { Permission } from "../../shared/permissions";
import type { AppEnv } from "../env";
import { ApiError, forbidden } from "../../lib/errors";
import { lookupSession, SESSION_COOKIE } from "./sessions";

/** The session token from `Authorization: Bearer …` (API clients) or the session cookie (web app). */
export function sessionToken(header: string | undefined, cookie: string | undefined): string | undefined {
  const bearer = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
  return bearer ?? cookie;
}

/** 401 unless the request carries a live session; sets `caller` and the instance `scope`. */
export const requireSession = createMiddleware<AppEnv>(async (c, next) => {
  const token = sessionToken(c.req.header("authorization"), getCookie(c, SESSION_COOKIE));
  const caller = token ? await lookupSession(c.var.db, token) : null;
  if (!caller) throw new ApiError(401, "unauthenticated", "Sign in first (the session is missing or has expired)");
  c.set("caller", caller);
  c.set("scope", new InstanceScope(c.var.db, caller.instanceId));
  await next();
});

/** 403 unless the caller's security profile grants at least one of the permissions. */
export const requirePermission = (...anyOf: Permission[]) =>
  createMiddleware<AppEnv>(async (c, next) => {
    if (!anyOf.some((p) => c.var.caller.permissions.has(p))) throw forbidden(anyOf.join(" or "));
    await next();
  });

export function assertPermission(permissions: ReadonlySet<Permission>, ...anyOf: Permission[]) {
  if (!anyOf.some((p) => permissions.has(p))) throw forbidden(anyOf.join(" or "));
}
