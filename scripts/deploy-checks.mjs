// Checks `npm run deploy` (scripts/deploy.mjs) makes before it touches a Cloudflare account.
import { randomBytes } from "node:crypto";

/**
 * The value of `LOCAL_MODE` in wrangler.toml's top-level `[vars]` table, or undefined when it
 * is not set there. Reads only `KEY = "value"` (or 'value') lines, which is how the file writes it.
 */
export function localModeOf(toml) {
  let inVars = false;
  for (const raw of toml.split(/\r?\n/)) {
    const line = raw.replace(/^\s+/, "");
    if (line.startsWith("[")) {
      inVars = /^\[\s*vars\s*\]/.test(line);
      continue;
    }
    if (!inVars) continue;
    const m = line.match(/^"?LOCAL_MODE"?\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s#]+))/);
    if (m) return m[1] ?? m[2] ?? m[3];
  }
  return undefined;
}

/**
 * Why this wrangler.toml must not be deployed, or null when it may be. LOCAL_MODE=true turns on
 * the demo seed (with published passwords) and points Twilio at the phone simulator: a deployed
 * Worker must have it "false", written out.
 */
export function localModeRefusal(toml) {
  const value = localModeOf(toml);
  if (value === "false") return null;
  const found = value === undefined ? "is not set" : `is ${JSON.stringify(value)}`;
  return `Refusing to deploy: LOCAL_MODE in wrangler.toml's [vars] ${found}; it must be "false" for a deployed Worker ` +
    `(LOCAL_MODE=true opens the demo seed and its published passwords). \`npm run dev\` turns it on for itself.`;
}

/** A one-time setup token: 32 random bytes, base64url (43 characters, no padding). */
export const newSetupToken = () => randomBytes(32).toString("base64url");

/** Whether `wrangler secret list --format json` output names the secret. */
export const hasSecret = (listJson, name) => {
  try {
    return JSON.parse(listJson).some((s) => s?.name === name);
  } catch {
    return new RegExp(`"${name}"`).test(listJson);
  }
};
