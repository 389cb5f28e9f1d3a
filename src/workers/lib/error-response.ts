/** The one error body every failed request gets (app.ts's onError): `{ error: { code, message, details? } }`. */
import type { Context } from "hono";
import { z } from "zod";
import { ApiError, validationError, type ErrorBody } from "../../lib/errors";

export function errorResponse(c: Context, err: unknown): Response {
  if (err instanceof ApiError) {
    const body: ErrorBody = { error: { code: err.code, message: err.message } };
    if (err.details !== undefined) body.error.details = err.details;
    return c.json(body, err.status);
  }
  if (err instanceof z.ZodError) return errorResponse(c, validationError(err));
  console.error(JSON.stringify({ event: "unhandled_error", message: String(err), stack: (err as Error)?.stack }));
  return c.json({ error: { code: "internal", message: "Internal error" } } satisfies ErrorBody, 500);
}
