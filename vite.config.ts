/**
 * One Vite build for the Worker (src/workers) and the web app (src/web), via the Cloudflare
 * Vite plugin: `vite dev` runs the Worker in workerd beside the app with hot reload (reading
 * wrangler.toml and .dev.vars), `vite build` writes dist/client (static assets) and
 * dist/switchboard/wrangler.json, which `wrangler deploy` then uses.
 */
import { cloudflare } from "@cloudflare/vite-plugin";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { chatWidget } from "./scripts/widget.mjs";

export default defineConfig({
  plugins: [
    react(),
    chatWidget(), // /widget.js: the chat widget bundled into the Worker
    cloudflare({
      configPath: "./wrangler.toml",
      inspectorPort: false,
    }),
  ],
  // Copied as is into dist/client: _headers (security headers for the static files).
  publicDir: "src/web/public",
  build: {
    manifest: true,
    sourcemap: false,
  },
  clearScreen: false,
  server: { strictPort: true },
  preview: { strictPort: true },
});
