/** The API's errors (status, code, message), thrown from any layer; app.ts turns them into the error body. */
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";

/** The one error body of the API: `{ error: { code, message, details? } }`. */
export type ErrorBody = {
  error: { code: string; message: string; details?: unknown };
};

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new ApiError(404, "not_found", `${what} not found`);
export const forbidden = (permission: string) =>
  new ApiError(403, "forbidden", `This needs the "${permission}" permission`);
export const badRequest = (message: string, details?: unknown) =>
  new ApiError(400, "validation_failed", message, details);
export const conflict = (message: string, details?: unknown) =>
  new ApiError(409, "conflict", message, details);

/** Turns zod issues into one readable sentence plus a per-field list. */
export function validationError(error: z.ZodError): ApiError {
  const details = error.issues.map((i) => ({
    field: i.path.length ? i.path.join(".") : "(body)",
    message: i.message,
  }));
  const message = details.map((d) => `${d.field}: ${d.message}`).join("; ");
  return badRequest(message, details);
}

/** Text for an operator's log line with phone numbers (E.164, as actions carry them and Twilio's errors quote them) left out. */
export const withoutPhoneNumbers = (text: string): string => text.replace(/\+[1-9]\d{6,14}\b/g, "+…");
