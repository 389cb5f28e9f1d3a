/**
 * The largest body each part of the Worker reads, by path prefix (first match). app.ts refuses
 * a larger one with 413 before reading it; `npm run dev` (vite.config.ts) refuses a larger
 * declared Content-Length the same way in front of the Worker, because Vite's dev proxy turns
 * the Worker's early answer to a body it is still sending into a 500.
 */
export const BODY_LIMITS = [
  { prefix: "/twilio/", maxBytes: 64 * 1024, message: "Webhook body larger than 64 KiB" },
  { prefix: "/api/", maxBytes: 1024 * 1024, message: "The body is larger than 1 MiB" },
] as const;

/** The limit for a path, or undefined where none applies. */
export function bodyLimitFor(path: string) {
  return BODY_LIMITS.find((l) => path.startsWith(l.prefix));
}
