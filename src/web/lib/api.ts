/**
 * The browser's client for the JSON API under /api/v1. The session travels in the HttpOnly
 * `sb_session` cookie the sign-in response sets, so no token is ever visible to scripts.
 * Every failure becomes an `ApiError` whose `message` is written for a person.
 */

export type FieldError = { field: string; message: string };
/** A flow validation problem (from the flow engine): at one action, or (actionId null) the whole flow. */
export type ActionError = { actionId: string | null; field?: string; message: string };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** What the server said, unchanged (for the details line). */
    readonly serverMessage: string,
    readonly fieldErrors: FieldError[] = [],
    readonly actionErrors: ActionError[] = [],
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** Called when any request answers 401, so the app can show the sign-in screen. */
let onUnauthenticated: (() => void) | undefined;
export function setUnauthenticatedHandler(handler: (() => void) | undefined) {
  onUnauthenticated = handler;
}

/** The session ended while the app runs (a socket closed with SIGNED_OUT_CLOSE_CODE): the sign-in screen. */
export function sessionEnded() {
  onUnauthenticated?.();
}

type Query = Record<string, string | number | undefined | null>;

async function request<T>(method: string, path: string, body?: unknown, query?: Query, raw?: { body: BodyInit; contentType: string }): Promise<T> {
  const qs = query
    ? new URLSearchParams(
        Object.entries(query).flatMap(([k, v]) => (v === undefined || v === null || v === "" ? [] : [[k, String(v)]])),
      ).toString()
    : "";
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}${qs ? `?${qs}` : ""}`, {
      method,
      headers: raw
        ? { accept: "application/json", "content-type": raw.contentType }
        : body === undefined ? { accept: "application/json" } : { accept: "application/json", "content-type": "application/json" },
      body: raw ? raw.body : body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    });
  } catch {
    throw new ApiError(0, "network", "Switchboard could not be reached. Check your connection and try again.", "network error");
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    const err = toApiError(res.status, json);
    if (res.status === 401 && path !== "/auth/sign-in") onUnauthenticated?.();
    throw err;
  }
  return json as T;
}

export const api = {
  get: <T>(path: string, query?: Query) => request<T>("GET", path, undefined, query),
  post: <T>(path: string, body?: unknown) => request<T>("POST", path, body ?? {}),
  patch: <T>(path: string, body: unknown) => request<T>("PATCH", path, body),
  put: <T>(path: string, body: unknown) => request<T>("PUT", path, body),
  del: (path: string) => request<void>("DELETE", path),
  /** POST a file's bytes or text as they are, with its content type. */
  upload: <T>(path: string, body: BodyInit, contentType: string, query?: Query) => request<T>("POST", path, undefined, query, { body, contentType }),
};

/** Loads every page of a collection (`{items, nextCursor}`). Configuration lists are small. */
export async function listAll<T>(path: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null | undefined;
  for (let page = 0; page < 100; page++) {
    const res = await api.get<{ items: T[]; nextCursor: string | null }>(path, { limit: 100, cursor });
    items.push(...res.items);
    cursor = res.nextCursor;
    if (!cursor) break;
  }
  return items;
}

function toApiError(status: number, json: unknown): ApiError {
  const e = (json as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
  const code = e?.code ?? (status >= 500 ? "internal" : "http_error");
  const serverMessage = e?.message ?? `HTTP ${status}`;
  const details = e?.details;
  const list = Array.isArray(details) ? (details as Record<string, unknown>[]) : [];
  // The flow engine's problems carry an `actionId` key (null for the flow as a whole); the
  // API's schema errors carry only `field`. A flow-level problem naming a form field (the
  // import's "name") is also a field error, so the form shows it at that field.
  const fieldErrors = list
    .filter((d) => typeof d.field === "string" && typeof d.message === "string" && (!("actionId" in d) || d.actionId === null))
    .map((d) => ({ field: d.field as string, message: plainFieldMessage(d.message as string) }));
  const actionErrors = list
    .filter((d) => "actionId" in d && (typeof d.actionId === "string" || d.actionId === null) && typeof d.message === "string")
    .map((d) => ({ actionId: d.actionId as string | null, field: typeof d.field === "string" ? d.field : undefined, message: d.message as string }));
  return new ApiError(status, code, humanMessage(status, code, serverMessage, fieldErrors, actionErrors), serverMessage, fieldErrors, actionErrors, details);
}

/** zod's generic messages ("Too small: expected number to be >=1") in plain words. */
export function plainFieldMessage(message: string): string {
  const rules: [RegExp, (m: RegExpMatchArray) => string][] = [
    [/^Too small: expected number to be >=?(-?\d+)/, (m) => `must be at least ${m[1]}`],
    [/^Too big: expected number to be <=?(-?\d+)/, (m) => `must be at most ${m[1]}`],
    [/^Too small: expected string to have >=?1 characters?/, () => "must not be empty"],
    [/^Too small: expected string to have >=?(\d+) characters?/, (m) => `must be at least ${m[1]} characters`],
    [/^Too big: expected string to have <=?(\d+) characters?/, (m) => `must be at most ${m[1]} characters`],
    [/^Too big: expected array to have <=?(\d+) items?/, (m) => `may have at most ${m[1]} entries`],
    [/^Invalid input: expected \w+, received (undefined|null)/, () => "is required"],
    [/^Invalid input: expected (int|number), received/, () => "must be a whole number"],
    [/^Invalid input: expected string, received/, () => "must be text"],
    [/^Invalid input: expected boolean, received/, () => "must be yes or no"],
    [/^Invalid option: expected one of/, () => "choose one of the listed options"],
    [/^Invalid email address/, () => "must be an email address such as name@example.com"],
    [/^Invalid URL/, () => "must be a web address such as https://switchboard.example.com"],
    [/^Invalid ISO date/, () => "must be a date"],
  ];
  for (const [re, words] of rules) {
    const m = message.match(re);
    if (m) return words(m);
  }
  return message;
}

function humanMessage(status: number, code: string, server: string, fields: FieldError[], actions: ActionError[]): string {
  switch (code) {
    case "validation_failed":
      if (actions.length) return `The flow was not saved: it has ${actions.length} problem${actions.length === 1 ? "" : "s"}, each listed with the action it is at.`;
      if (fields.length) return `Some fields need attention (${fields.length}). Each problem is shown next to its field.`;
      return `Some input was not accepted: ${server}`;
    case "invalid_credentials":
      return "Wrong email or password.";
    case "too_many_attempts":
      return "Too many failed sign-ins. Wait a few minutes, then try again.";
    case "unauthenticated":
      return "Your session has ended. Please sign in again.";
    case "forbidden":
      return "Your security profile does not allow this. Ask an administrator if you need it.";
    case "not_found":
      return `${server.replace(/ not found$/, "")} was not found. It may have been deleted by someone else; reload the list.`;
    case "in_use":
      return `It cannot be deleted yet: ${server.replace(/^.*? is still used by /, "it is still used by ")}. Change those first.`;
    case "conflict":
      return server.includes("is taken")
        ? `That is already in use: ${server.replace(/^.*\((.*) is taken\)$/, "another one has the same $1")}. Choose a different one.`
        : server;
    case "built_in":
      return server;
    case "payload_too_large":
      return "That is too large to save (the limit is 1 MiB).";
    default:
      if (status >= 500) return "Something went wrong on the server. Try again; if it keeps happening, tell your administrator.";
      return server;
  }
}

/** A message for any thrown value, for display. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
