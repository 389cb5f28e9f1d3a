/**
 * Encrypting what a caller keys for an input the flow encrypts (GetParticipantInput's
 * InputEncryption) with the flow owner's RSA public key: RSA-OAEP with SHA-256, the ciphertext
 * in base64. Only the holder of the private key (the business's own system, reached through an
 * external call) can read it back; Switchboard never can.
 *
 * The key is PEM: a public key (`-----BEGIN PUBLIC KEY-----`, SubjectPublicKeyInfo) or an X.509
 * certificate (`-----BEGIN CERTIFICATE-----`, as Amazon Connect takes it), whose public key is
 * read from the certificate's DER (the seventh field of tbsCertificate, after an optional version).
 */
import { fromBase64, toBase64 } from "./crypto";

const keyCache = new Map<string, Promise<CryptoKey>>();

/** One DER element at `at`: where its content starts and where the element ends. */
function element(der: Uint8Array, at: number): { tag: number; start: number; end: number } {
  if (at + 2 > der.length) throw new Error("certificate: truncated");
  const tag = der[at];
  let len = der[at + 1];
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n < 1 || n > 4 || start + n > der.length) throw new Error("certificate: bad length");
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[start + i];
    start += n;
  }
  if (start + len > der.length) throw new Error("certificate: truncated");
  return { tag, start, end: start + len };
}

/** The SubjectPublicKeyInfo of a DER X.509 certificate. */
function certificatePublicKey(der: Uint8Array): Uint8Array<ArrayBuffer> {
  const cert = element(der, 0);
  const tbs = element(der, cert.start);
  if (cert.tag !== 0x30 || tbs.tag !== 0x30) throw new Error("certificate: not a certificate");
  let at = tbs.start;
  if (der[at] === 0xa0) at = element(der, at).end; // [0] version
  for (let i = 0; i < 5; i++) at = element(der, at).end; // serialNumber, signature, issuer, validity, subject
  const spki = element(der, at);
  if (spki.tag !== 0x30) throw new Error("certificate: no public key");
  return der.slice(at, spki.end);
}

/** The RSA-OAEP public key of a PEM public key or certificate (cached per isolate). */
export function inputEncryptionKey(pem: string): Promise<CryptoKey> {
  let key = keyCache.get(pem);
  if (!key) {
    key = (async () => {
      const m = /-----BEGIN (PUBLIC KEY|CERTIFICATE)-----([\sA-Za-z0-9+/=]+)-----END \1-----/.exec(pem);
      if (!m) throw new Error("not a PEM public key or certificate");
      const der = fromBase64(m[2].replace(/\s+/g, ""));
      const spki = m[1] === "CERTIFICATE" ? certificatePublicKey(der) : der;
      return crypto.subtle.importKey("spki", spki, { name: "RSA-OAEP", hash: "SHA-256" }, false, ["encrypt"]);
    })();
    key.catch(() => keyCache.delete(pem));
    if (keyCache.size > 100) keyCache.clear();
    keyCache.set(pem, key);
  }
  return key;
}

/** `plaintext` encrypted for the holder of the PEM key's private key (RSA-OAEP, SHA-256), in base64. */
export async function encryptForKeyHolder(pem: string, plaintext: string): Promise<string> {
  const ct = await crypto.subtle.encrypt({ name: "RSA-OAEP" }, await inputEncryptionKey(pem), new TextEncoder().encode(plaintext));
  return toBase64(new Uint8Array(ct));
}
