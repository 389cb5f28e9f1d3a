// Secrets are not in wrangler.toml, so `wrangler types` (which reads no .dev.vars here: --env-file=/dev/null keeps
// worker-configuration.d.ts the same on every machine) does not see them. Declare them here.
// Set with `wrangler secret put SWITCHBOARD_SECRET` (deploy) or `.dev.vars` (local, made by `npm run dev`).
// Key versions and rotation: see `keyringFromEnv` in src/lib/crypto.ts.
declare namespace Cloudflare {
  interface Env {
    /** Master secret: per-instance encryption and search keys are derived from it (HKDF). */
    SWITCHBOARD_SECRET: string;
    /** Only after a master-secret change: "<version>:<old secret>" entries for older key versions. */
    SWITCHBOARD_SECRETS_PREVIOUS?: string;
    /** One-time token for the first-run setup (POST /api/v1/setup); `npm run deploy` sets it. Absent: setup is refused. */
    SWITCHBOARD_SETUP_TOKEN?: string;
  }
}
interface Env {
  SWITCHBOARD_SECRET: string;
  SWITCHBOARD_SECRETS_PREVIOUS?: string;
  SWITCHBOARD_SETUP_TOKEN?: string;
}
