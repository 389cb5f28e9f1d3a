/**
 * One Vite build for the Worker (src/workers) and the web app (src/web), via the Cloudflare
 * Vite plugin: `vite dev` runs the Worker in workerd beside the app with hot reload (reading
 * wrangler.toml and .dev.vars), `vite build` writes dist/client (static assets) and
 * dist/switchboard/wrangler.json, which `wrangler deploy` then uses.
 *
 * SWITCHBOARD_PERSIST_DIR moves the local D1/R2/DO state (default .wrangler/state), so the
 * browser tests can run against a fresh database.
 */
import { cloudflare } from "@cloudflare/vite-plugin";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const persistDir = process.env.SWITCHBOARD_PERSIST_DIR;

export default defineConfig({
  plugins: [
    react(),
    cloudflare({
      configPath: "./wrangler.toml",
      persistState: persistDir ? { path: persistDir } : true,
      inspectorPort: false,
    }),
  ],
  build: {
    manifest: true,
    sourcemap: false,
  },
  clearScreen: false,
  server: { strictPort: true },
  preview: { strictPort: true },
});
