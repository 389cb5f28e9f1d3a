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

type KeyPurpose = "field-encryption" | "search-hmac";
const keyCache = new Map<string, Promise<CryptoKey>>();

/** Derives (and caches per isolate) an instance's key for one purpose with HKDF-SHA256. */
export function instanceKey(secret: string, instanceId: string, purpose: KeyPurpose): Promise<CryptoKey> {
  if (!secret || secret.length < 16) {
    throw new Error("SWITCHBOARD_SECRET is missing or shorter than 16 characters");
  }
  const cacheKey = `${purpose}\u0000${instanceId}\u0000${secret}`;
  let key = keyCache.get(cacheKey);
  if (!key) {
    key = (async () => {
      const base = await crypto.subtle.importKey("raw", enc.encode(secret), "HKDF", false, ["deriveKey"]);
      const params = {
        name: "HKDF",
        hash: "SHA-256",
        salt: enc.encode("switchboard/v1"),
        info: enc.encode(`${purpose}:${instanceId}`),
      };
      return purpose === "field-encryption"
        ? crypto.subtle.deriveKey(params, base, { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"])
        : crypto.subtle.deriveKey(params, base, { name: "HMAC", hash: "SHA-256", length: 256 }, false, ["sign"]);
    })();
    keyCache.set(cacheKey, key);
  }
  return key;
}

/**
 * Encrypts a short field value for one instance. `field` names where the value lives
 * (e.g. "contacts.customer_endpoint"); it is bound as additional data with the instance id,
 * so a value copied to another field or tenant fails to decrypt.
 */
export async function encryptField(secret: string, instanceId: string, field: string, plaintext: string): Promise<string> {
  const key = await instanceKey(secret, instanceId, "field-encryption");
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: enc.encode(`${instanceId}\u0000${field}`) },
    key,
    enc.encode(plaintext),
  );
  return `v1.${toBase64(iv)}.${toBase64(new Uint8Array(ct))}`;
}

export async function decryptField(secret: string, instanceId: string, field: string, sealed: string): Promise<string> {
  const [version, ivB64, ctB64] = sealed.split(".");
  if (version !== "v1" || !ivB64 || !ctB64) throw new Error(`Unknown ciphertext format for ${field}`);
  const key = await instanceKey(secret, instanceId, "field-encryption");
  const pt = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: fromBase64(ivB64), additionalData: enc.encode(`${instanceId}\u0000${field}`) },
    key,
    fromBase64(ctB64),
  );
  return dec.decode(pt);
}

/** Per-instance keyed hash of a value (e.g. a caller's number) for exact-match search. */
export async function searchHash(secret: string, instanceId: string, value: string): Promise<string> {
  const key = await instanceKey(secret, instanceId, "search-hmac");
  return toHex(await crypto.subtle.sign("HMAC", key, enc.encode(value)));
}
