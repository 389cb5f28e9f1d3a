/**
 * One Vite build for the Worker (src/workers) and the web app (src/web), via the Cloudflare
 * Vite plugin: `vite dev` runs the Worker in workerd beside the app with hot reload (reading
 * wrangler.toml and .dev.vars), `vite build` writes dist/client (static assets) and
 * dist/switchboard/wrangler.json, which `wrangler deploy` then uses.
 */
import { cloudflare } from "@cloudflare/vite-plugin";
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";
import { bodyLimitFor } from "./src/workers/body-limits";
import { chatWidget } from "./scripts/widget.mjs";

// `npm run dev` (scripts/dev.mjs) may set these for the dev server only; a build never reads them.
// SWITCHBOARD_STATE_DIR: where local D1/DO/R2 state lives (default .wrangler/state);
// TWILIO_API_BASE_URL: where the Worker calls Twilio's REST API (default the phone simulator's
// 127.0.0.1:8788). A value in .dev.vars still wins, as for any variable.
const DEV_TWILIO_API = process.env.TWILIO_API_BASE_URL ?? "http://127.0.0.1:8788";
const DEV_STATE_DIR = process.env.SWITCHBOARD_STATE_DIR;

export default defineConfig(({ command }) => ({
  plugins: [
    refuseOversizedBodies(),
    react(),
    chatWidget(), // /widget.js: the chat widget bundled into the Worker
    cloudflare({
      configPath: "./wrangler.toml",
      inspectorPort: false,
      ...(command === "serve"
        ? {
            persistState: DEV_STATE_DIR ? { path: DEV_STATE_DIR } : true,
            config: (worker) => ({ vars: { ...worker.vars, TWILIO_API_BASE_URL: DEV_TWILIO_API } }),
          }
        : {}),
    }),
  ],
  // Copied as is into dist/client: _headers (security headers for the static files).
  publicDir: "src/web/public",
  build: {
    manifest: true,
    sourcemap: false,
  },
  clearScreen: false,
  // No CORS handling by Vite: the Worker answers cross-origin requests itself (the chat widget's
  // allowed websites), in dev as when deployed. Vite's own default would answer preflights from
  // other local origins before the Worker sees them.
  server: { strictPort: true, cors: false },
  preview: { strictPort: true },
}));

/**
 * Dev server only: a request whose declared Content-Length is over the Worker's limit for its
 * path gets the Worker's own 413 here. Passed on, the Worker answers 413 before reading the
 * body, and Vite's proxy to workerd, still sending it, fails with a 500 about half the time.
 */
function refuseOversizedBodies(): Plugin {
  return {
    name: "switchboard:refuse-oversized-bodies",
    apply: "serve",
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const limit = bodyLimitFor(req.url ?? "");
        if (!limit || !(Number(req.headers["content-length"]) > limit.maxBytes)) return next();
        // Read and drop the body first, then answer: answering while the client still sends
        // makes it fail with EPIPE instead of reading the 413.
        req.on("end", () => {
          res.writeHead(413, { "content-type": "application/json" });
          res.end(JSON.stringify({ error: { code: "payload_too_large", message: limit.message } }));
        });
        req.resume();
      });
    },
  };
}
