/**
 * How Twilio signs a webhook (X-Twilio-Signature): HMAC-SHA1 keyed with the auth token over
 * the full URL followed by every POST parameter sorted by name, name then value; base64.
 * Written independently of the `twilio` package the Worker uses to verify, so each checks the other.
 */
export async function twilioSignature(authToken: string, url: string, params: Record<string, string>): Promise<string> {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, key) => acc + key + params[key], url);
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey("raw", enc.encode(authToken), { name: "HMAC", hash: "SHA-1" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, enc.encode(data)));
  let bin = "";
  for (const b of mac) bin += String.fromCharCode(b);
  return btoa(bin);
}
