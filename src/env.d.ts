// Secrets are not in wrangler.toml, so `wrangler types` does not see them. Declare them here.
// Set with `wrangler secret put SWITCHBOARD_SECRET` (deploy) or `.dev.vars` (local, made by `npm run dev`).
declare namespace Cloudflare {
  interface Env {
    /** Master secret: per-instance encryption and search keys are derived from it (HKDF). */
    SWITCHBOARD_SECRET: string;
  }
}
interface Env {
  SWITCHBOARD_SECRET: string;
}
