/**
 * Twilio Access Tokens for the browser softphone (`@twilio/voice-sdk`), minted with WebCrypto.
 *
 * The format is Twilio's (as its helper libraries write it): a JWT signed HS256 with an API
 * key's secret, header `cty: "twilio-fpa;v=1"`, `iss` = the API key SID, `sub` = the account
 * SID, `jti` = `<keySid>-<issued at>`, and a `grants` object naming the identity and the Voice
 * grant (incoming calls allowed; outgoing calls through the TwiML App).
 *
 * Why not the `twilio` package's AccessToken (twilio/lib/jwt/AccessToken)? It works in workerd
 * (with nodejs_compat; test/web-api/agent-workspace.test.ts passed with it), but it signs through
 * `jsonwebtoken`, which brings jws, jwa, semver and seven lodash modules. Measured with
 * `wrangler deploy --dry-run` (twilio 6.2.0, jsonwebtoken 9.0.3): the Worker grew from
 * 1,207,809 to 1,371,661 bytes (+160 KiB) and from 292,797 to 324,899 bytes gzip -9
 * (+31 KiB, +11%), every cold start parsing it, to replace the twenty lines below.
 */
import { base64Url } from "../../lib/crypto";

export type VoiceGrantSpec = {
  accountSid: string;
  apiKeySid: string;
  apiKeySecret: string;
  identity: string;
  /** TwiML App for outgoing calls from the browser; null = incoming only. */
  outgoingApplicationSid: string | null;
  /** Seconds; Twilio allows at most 24 h. */
  ttlSeconds: number;
  /** Epoch seconds; defaults to now. */
  now?: number;
};

const enc = new TextEncoder();
const b64json = (v: unknown) => base64Url(enc.encode(JSON.stringify(v)));

export async function mintVoiceAccessToken(spec: VoiceGrantSpec): Promise<{ token: string; expiresAt: number }> {
  const iat = spec.now ?? Math.floor(Date.now() / 1000);
  const exp = iat + Math.min(spec.ttlSeconds, 86_400);
  const voice: Record<string, unknown> = { incoming: { allow: true } };
  if (spec.outgoingApplicationSid) voice.outgoing = { application_sid: spec.outgoingApplicationSid };
  const header = { alg: "HS256", typ: "JWT", cty: "twilio-fpa;v=1" };
  const payload = {
    jti: `${spec.apiKeySid}-${iat}`,
    iss: spec.apiKeySid,
    sub: spec.accountSid,
    iat,
    nbf: iat,
    exp,
    grants: { identity: spec.identity, voice },
  };
  const signingInput = `${b64json(header)}.${b64json(payload)}`;
  const key = await crypto.subtle.importKey("raw", enc.encode(spec.apiKeySecret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const sig = new Uint8Array(await crypto.subtle.sign("HMAC", key, enc.encode(signingInput)));
  return { token: `${signingInput}.${base64Url(sig)}`, expiresAt: exp * 1000 };
}
