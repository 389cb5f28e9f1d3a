/**
 * A chat's customer token: what the widget holds to resume its chat and open its socket.
 *
 * `k<N>_<mac>`: `mac` is the base64url HMAC-SHA256 of the chat id with the instance's chat-token
 * key of key version N (src/lib/crypto.ts), so the token is bound to this chat and this instance
 * and names the key that made it. A token survives a key rotation while its version is in the
 * deployment's keyring (a secret rotation keeps the old secret in SWITCHBOARD_SECRETS_PREVIOUS).
 *
 * Tokens made before versions existed are the bare 43-character mac made with the version 1
 * derivation of the search key of the secret current then: still accepted, checked against each
 * distinct secret of the keyring.
 */
import { base64Url, instanceKey, type Keyring, keyringKey, keyringSecrets, timingSafeEqualString, UnknownKeyVersionError } from "../../lib/crypto";

const enc = new TextEncoder();
const message = (chatId: string) => enc.encode(`chat-customer-token\u0000${chatId}`);
const TAGGED = /^k([1-9][0-9]{0,5})_([A-Za-z0-9_-]{43})$/;
const UNTAGGED = /^[A-Za-z0-9_-]{43}$/;

const mac = async (key: CryptoKey, chatId: string) => base64Url(new Uint8Array(await crypto.subtle.sign("HMAC", key, message(chatId))));

/** The customer token of a chat with the keyring's current version. */
export async function customerToken(keys: Keyring, instanceId: string, chatId: string): Promise<string> {
  return `k${keys.current}_${await mac(await keyringKey(keys, instanceId, "chat-token", keys.current), chatId)}`;
}

/** The key version of a token (1 for an untagged one made before versions), or null when it is not a chat token. */
export function customerTokenVersion(token: string): number | null {
  const tagged = TAGGED.exec(token);
  if (tagged) return Number(tagged[1]);
  return UNTAGGED.test(token) ? 1 : null;
}

/** Whether `token` is this chat's token under any key version the keyring knows (constant-time compare). */
export async function customerTokenValid(keys: Keyring, instanceId: string, chatId: string, token: string): Promise<boolean> {
  const tagged = TAGGED.exec(token);
  if (tagged) {
    let key: CryptoKey;
    try {
      key = await keyringKey(keys, instanceId, "chat-token", Number(tagged[1]));
    } catch (err) {
      if (err instanceof UnknownKeyVersionError) return false;
      throw err;
    }
    return timingSafeEqualString(await mac(key, chatId), tagged[2]);
  }
  if (!UNTAGGED.test(token)) return false;
  let ok = false;
  for (const { secret } of keyringSecrets(keys)) {
    ok = timingSafeEqualString(await mac(await instanceKey(secret, instanceId, "search-hmac"), chatId), token) || ok;
  }
  return ok;
}
