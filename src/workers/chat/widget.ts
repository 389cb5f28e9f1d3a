/**
 * `GET /widget.js`: the chat widget (built from src/widget by scripts/widget.mjs, a Vite plugin,
 * into the Worker bundle). Loaded by `<script>` from any website, so it is served cross-origin
 * (CORP cross-origin, CORS *); it holds no secrets. Cached briefly, revalidated by ETag.
 */
import type { Context } from "hono";
import source from "virtual:switchboard-chat-widget";
import { sha256Hex } from "../../lib/crypto";

let etag: Promise<string> | null = null;

export async function serveWidget(c: Context): Promise<Response> {
  etag ??= sha256Hex(source).then((h) => `"${h.slice(0, 32)}"`);
  const tag = await etag;
  const headers = {
    "content-type": "text/javascript; charset=utf-8",
    "cache-control": "public, max-age=300",
    "access-control-allow-origin": "*",
    "cross-origin-resource-policy": "cross-origin",
    "x-content-type-options": "nosniff",
    etag: tag,
  };
  if (c.req.header("if-none-match") === tag) return new Response(null, { status: 304, headers });
  return new Response(source, { headers });
}
