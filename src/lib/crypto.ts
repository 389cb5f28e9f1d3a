/**
 * Small WebCrypto helpers: per-instance keys derived from the deployment secret, field
 * encryption (AES-256-GCM with the instance id and field bound as additional data), the
 * per-instance search HMAC, hashing, random tokens and constant-time comparison.
 */

const enc = new TextEncoder();
const dec = new TextDecoder();

export function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

export function fromBase64(b64: string): Uint8Array<ArrayBuffer> {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

export function toHex(bytes: ArrayBuffer | Uint8Array): string {
  const u = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  return Array.from(u, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function base64Url(bytes: Uint8Array): string {
  return toBase64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  return fromBase64(text.replace(/-/g, "+").replace(/_/g, "/"));
}

export function randomToken(byteLength = 32): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(byteLength)));
}

export async function sha256Hex(input: string | Uint8Array<ArrayBuffer>): Promise<string> {
  const data = typeof input === "string" ? enc.encode(input) : input;
  return toHex(await crypto.subtle.digest("SHA-256", data));
}

/** Constant-time equality of two byte strings (length is not secret). */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

export function timingSafeEqualString(a: string, b: string): boolean {
  return timingSafeEqual(enc.encode(a), enc.encode(b));
}

/**
 * Key versions. Every derived key has a version: version N of an instance's key for a purpose
 * is HKDF(secret of version N, info = "<purpose>:<instanceId>" for N = 1 — the original
 * derivation, so everything written before versions existed still decrypts — and
 * "<purpose>:<instanceId>:v<N>" for N > 1).
 *
 * The deployment's keyring (see `keyringFromEnv`):
 * - `SWITCHBOARD_SECRET` (secret): the master secret of the current version;
 * - `SWITCHBOARD_KEY_VERSION` (var, default 1): the current version. New objects and fields use
 *   it. Raising it is a routine rotation: older versions derive from the same secret;
 * - `SWITCHBOARD_SECRETS_PREVIOUS` (secret, optional): `"<version>:<secret>"` entries, separated
 *   by spaces, commas or newlines, for versions whose master secret was a different one (a secret
 *   rotation: set a new SWITCHBOARD_SECRET, raise the version, list the old secret under each
 *   version that used it). Versions not listed derive from SWITCHBOARD_SECRET.
 * A version above the current one, or below 1, is unknown: decrypting with it fails.
 */
export type Keyring = {
  readonly current: number;
  /** The master secret of a version; throws `UnknownKeyVersionError` for a version it does not know. */
  secret(version: number): string;
};

export class UnknownKeyVersionError extends Error {
  constructor(readonly version: number) {
    super(`Unknown key version ${version}`);
  }
}

export type KeyringEnv = {
  SWITCHBOARD_SECRET: string;
  SWITCHBOARD_KEY_VERSION?: string;
  SWITCHBOARD_SECRETS_PREVIOUS?: string;
};

function checkSecret(secret: string) {
  if (!secret || secret.length < 16) {
    throw new Error("SWITCHBOARD_SECRET is missing or shorter than 16 characters");
  }
}

/** A keyring from a current secret, its version and the secrets of earlier versions that differ. */
export function makeKeyring(secret: string, current = 1, previous: Record<number, string> = {}): Keyring {
  checkSecret(secret);
  if (!Number.isInteger(current) || current < 1) throw new Error(`Key version must be a positive integer, not ${current}`);
  for (const [v, s] of Object.entries(previous)) {
    if (Number(v) >= current) throw new Error(`Previous secret listed for version ${v}, which is not older than the current version ${current}`);
    checkSecret(s);
  }
  return {
    current,
    secret(version: number) {
      if (!Number.isInteger(version) || version < 1 || version > current) throw new UnknownKeyVersionError(version);
      return previous[version] ?? secret;
    },
  };
}

/** The deployment's keyring from its environment (secrets and vars described above). */
export function keyringFromEnv(env: KeyringEnv): Keyring {
  const raw = env.SWITCHBOARD_KEY_VERSION?.trim();
  const current = raw ? Number(raw) : 1;
  if (!Number.isInteger(current) || current < 1) throw new Error(`SWITCHBOARD_KEY_VERSION must be a positive integer, not "${raw}"`);
  const previous: Record<number, string> = {};
  for (const entry of (env.SWITCHBOARD_SECRETS_PREVIOUS ?? "").split(/[\s,]+/).filter(Boolean)) {
    const at = entry.indexOf(":");
    const version = Number(entry.slice(0, at));
    if (at < 1 || !Number.isInteger(version) || version < 1) {
      throw new Error("SWITCHBOARD_SECRETS_PREVIOUS entries look like <version>:<secret>");
    }
    previous[version] = entry.slice(at + 1);
  }
  return makeKeyring(env.SWITCHBOARD_SECRET, current, previous);
}

/** The distinct master secrets of a keyring's versions, newest first (each with the newest version that uses it). */
export function keyringSecrets(keys: Keyring): { version: number; secret: string }[] {
  const out: { version: number; secret: string }[] = [];
  for (let v = keys.current; v >= 1; v--) {
    const secret = keys.secret(v);
    if (!out.some((o) => o.secret === secret)) out.push({ version: v, secret });
  }
  return out;
}

/** A plain secret as a keyring of version 1 (where older callers still pass the secret itself). */
export const asKeyring = (k: string | Keyring): Keyring => (typeof k === "string" ? makeKeyring(k) : k);

/**
 * What a derived key is for: each purpose has its own HKDF info, so no key serves two uses.
 * `chat-token` keys sign chats' customer tokens (before versions existed those were signed with
 * the search key, still accepted: src/workers/chat/token.ts).
 */
type KeyPurpose = "field-encryption" | "search-hmac" | "recording-kek" | "chat-token";
const HMAC_PURPOSES: ReadonlySet<KeyPurpose> = new Set(["search-hmac", "chat-token"]);
const keyCache = new Map<string, Promise<CryptoKey>>();

/**
 * Derives (and caches per isolate) an instance's key for one purpose and key version with
 * HKDF-SHA256. Version 1 is the original derivation.
 */
export function instanceKey(secret: string, instanceId: string, purpose: KeyPurpose, version = 1): Promise<CryptoKey> {
  checkSecret(secret);
  const cacheKey = `${purpose}\u0000${version}\u0000${instanceId}\u0000${secret}`;
  let key = keyCache.get(cacheKey);
  if (!key) {
    key = (async () => {
      const base = await crypto.subtle.importKey("raw", enc.encode(secret), "HKDF", false, ["deriveKey"]);
      const params = {
        name: "HKDF",
        hash: "SHA-256",
        salt: enc.encode("switchboard/v1"),
        info: enc.encode(version === 1 ? `${purpose}:${instanceId}` : `${purpose}:${instanceId}:v${version}`),
      };
      return HMAC_PURPOSES.has(purpose)
        ? crypto.subtle.deriveKey(params, base, { name: "HMAC", hash: "SHA-256", length: 256 }, false, ["sign"])
        : crypto.subtle.deriveKey(params, base, { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
    })();
    key.catch(() => keyCache.delete(cacheKey));
    keyCache.set(cacheKey, key);
  }
  return key;
}

/** An instance's key of one version for a purpose, from a keyring. */
export function keyringKey(keys: Keyring, instanceId: string, purpose: KeyPurpose, version: number): Promise<CryptoKey> {
  return instanceKey(keys.secret(version), instanceId, purpose, version);
}

/**
 * Encrypts a short field value for one instance. `field` names where the value lives
 * (e.g. "contacts.customer_endpoint"); it is bound as additional data with the instance id,
 * so a value copied to another field or tenant fails to decrypt.
 *
 * Formats: key version 1 writes "v1.<iv>.<ct>" (as before versions existed); a keyring whose
 * current version N > 1 writes "v2.<N>.<iv>.<ct>" with the version also bound as additional data.
 * A plain secret string is a keyring of version 1.
 */
export async function encryptField(secret: string | Keyring, instanceId: string, field: string, plaintext: string): Promise<string> {
  const keys = asKeyring(secret);
  const version = keys.current;
  const key = await keyringKey(keys, instanceId, "field-encryption", version);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: fieldAad(instanceId, field, version) },
    key,
    enc.encode(plaintext),
  );
  const body = `${toBase64(iv)}.${toBase64(new Uint8Array(ct))}`;
  return version === 1 ? `v1.${body}` : `v2.${version}.${body}`;
}

export async function decryptField(secret: string | Keyring, instanceId: string, field: string, sealed: string): Promise<string> {
  const parts = sealed.split(".");
  let version: number;
  let ivB64: string | undefined;
  let ctB64: string | undefined;
  if (parts[0] === "v1" && parts.length === 3) {
    version = 1;
    [, ivB64, ctB64] = parts;
  } else if (parts[0] === "v2" && parts.length === 4 && /^[1-9][0-9]*$/.test(parts[1])) {
    version = Number(parts[1]);
    [, , ivB64, ctB64] = parts;
  } else {
    throw new Error(`Unknown ciphertext format for ${field}`);
  }
  if (!ivB64 || !ctB64) throw new Error(`Unknown ciphertext format for ${field}`);
  // A plain secret decrypts every version derived from it (routine rotation keeps one secret).
  const keys = typeof secret === "string" ? makeKeyring(secret, Math.max(version, 1)) : secret;
  const key = await keyringKey(keys, instanceId, "field-encryption", version);
  const pt = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: fromBase64(ivB64), additionalData: fieldAad(instanceId, field, version) },
    key,
    fromBase64(ctB64),
  );
  return dec.decode(pt);
}

/** Whether a sealed field was written with a key version older than the keyring's current one. */
export function fieldKeyVersion(sealed: string): number | undefined {
  const parts = sealed.split(".");
  if (parts[0] === "v1" && parts.length === 3) return 1;
  if (parts[0] === "v2" && parts.length === 4) return Number(parts[1]);
  return undefined;
}

/** How every field sealed with key `version` begins ("v1." or "v2.<N>."): a value without it is older or newer. */
export const sealedPrefix = (version: number) => (version === 1 ? "v1." : `v2.${version}.`);

function fieldAad(instanceId: string, field: string, version: number) {
  return enc.encode(version === 1 ? `${instanceId}\u0000${field}` : `${instanceId}\u0000${field}\u0000k${version}`);
}

/**
 * Per-instance keyed hash of a value (e.g. a caller's number) for exact-match search, with the
 * search key of `version` (default: the keyring's current one; a plain secret is version 1).
 * Hashes of different versions differ: whoever stores one records its version.
 */
export async function searchHash(secret: string | Keyring, instanceId: string, value: string, version?: number): Promise<string> {
  const keys = typeof secret === "string" ? makeKeyring(secret, version ?? 1) : secret;
  const key = await keyringKey(keys, instanceId, "search-hmac", version ?? keys.current);
  return toHex(await crypto.subtle.sign("HMAC", key, enc.encode(value)));
}
