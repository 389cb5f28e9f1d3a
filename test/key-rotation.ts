/**
 * Rotating SWITCHBOARD_SECRET as the README's steps do, on the test Worker's env: a new secret at
 * version 2 with the old one listed as version 1 until the re-wrap pass is done, then retired.
 * Call `neverRotated()` before and `restoreKeys()` after each test.
 */
import { env } from "cloudflare:test";

export const OLD_SECRET = env.SWITCHBOARD_SECRET;
export const NEW_SECRET = "the-rotated-secret-of-this-deployment-9876543210";
const saved = { secret: env.SWITCHBOARD_SECRET, version: env.SWITCHBOARD_KEY_VERSION, previous: env.SWITCHBOARD_SECRETS_PREVIOUS };

export const setKeys = (secret: string, version: string, previous?: string) => {
  Object.assign(env, { SWITCHBOARD_SECRET: secret, SWITCHBOARD_KEY_VERSION: version, SWITCHBOARD_SECRETS_PREVIOUS: previous });
};
/** A deployment that has never rotated. */
export const neverRotated = () => setKeys(OLD_SECRET, "1");
/** The README's rotation steps. */
export const rotate = () => setKeys(NEW_SECRET, "2", `1:${OLD_SECRET}`);
/** The old secret removed from the deployment: version 1 is no longer known. */
export const retireOld = () => setKeys(NEW_SECRET, "2");
export const restoreKeys = () => setKeys(saved.secret, saved.version!, saved.previous);
