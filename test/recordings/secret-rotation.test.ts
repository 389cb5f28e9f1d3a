/**
 * A secret rotation as the README describes it: a new SWITCHBOARD_SECRET, SWITCHBOARD_KEY_VERSION
 * raised to 2, the old secret kept as SWITCHBOARD_SECRETS_PREVIOUS="1:<old>". Everything made
 * under version 1 with the old secret keeps working — calls (the Twilio auth token), contact lists
 * (sealed attributes), chat resumes (customer tokens), signed external calls — until the rotation
 * pass (`POST /recordings/rewrap`) brings what D1 holds to version 2, after which the old secret
 * is no longer needed. The environment is changed in the middle of each test (the Worker and its
 * objects read the same `env`), and restored after it.
 */
import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createContact } from "../../src/db/contacts";
import { TWILIO_TOKEN_FIELD } from "../../src/db/provision";
import { contacts, instances } from "../../src/db/schema";
import { analyseTranscript } from "../../src/durable/contact-analysis";
import { performEffect } from "../../src/durable/contact-flow";
import { verifySignature, SIGNATURE_HEADER } from "../../src/flows/io/invoke-external";
import { base64Url, decryptField, encryptField, instanceKey, keyringFromEnv, makeKeyring, toHex } from "../../src/lib/crypto";
import { twilioSignature } from "../../src/simulator";
import { api, db } from "../helpers";
import { makeChatInstance, SHOP, startChat, userWith } from "../chat/helpers";
import { ACCOUNT_SID, AUTH_TOKEN, BASE_URL, makeVoiceInstance, simulatedTwilio } from "../voice/helpers";
import { rewrapPass } from "./fixtures";
import { NEW_SECRET as NEW, OLD_SECRET as OLD, neverRotated, restoreKeys, retireOld, rotate } from "../key-rotation";


let restoreFetch: (() => void) | undefined;
beforeEach(neverRotated);
afterEach(() => {
  restoreFetch?.();
  restoreFetch = undefined;
  restoreKeys();
});

const resume = (instanceId: string, chatId: string, token: string) =>
  api("POST", "/chat/resume", { body: { instanceId, chatId, token }, headers: { origin: SHOP } });

const storedToken = async (instanceId: string) =>
  (await db().select({ t: instances.twilioAuthTokenEnc }).from(instances).where(eq(instances.id, instanceId)))[0].t!;
const storedAttributes = async (contactId: string) =>
  (await env.DB.prepare("SELECT attributes AS a FROM contacts WHERE id = ?").bind(contactId).first<{ a: string }>())!.a;

/** An instance set up before the rotation: its Twilio auth token and a contact's attributes and number sealed under version 1 with the old secret. */
async function instanceBeforeRotation() {
  const fx = await makeVoiceInstance({ agents: [] });
  const admin = await userWith(fx.instanceId, "keyadmin", ["instance.configure", "contacts.search"]);
  const contactId = await createContact(db(), keyringFromEnv(env), {
    instanceId: fx.instanceId, channel: "VOICE", initiationMethod: "INBOUND", customerEndpoint: "+14155550111", attributes: { tier: "gold" },
  });
  expect(await storedToken(fx.instanceId)).toMatch(/^v1\./);
  expect(await storedAttributes(contactId)).toMatch(/^"v1\./);
  return { ...fx, admin, contactId };
}

const listed = async (token: string, contactId: string) => {
  const list = await api("GET", "/contacts?limit=100", { token });
  expect(list.status).toBe(200);
  return list.body.items.find((c: any) => c.id === contactId);
};

describe("rotating SWITCHBOARD_SECRET", () => {
  it("a call through the phone simulator is answered: webhooks verify with the auth token sealed under the old secret; an unsigned one is still refused with 403", async () => {
    const fx = await instanceBeforeRotation();
    rotate();
    const net = simulatedTwilio();
    restoreFetch = net.restore;
    const call = await net.phone.call({ from: "+14155550123", to: fx.number });
    expect(call.heard).toEqual(["Welcome to Acme.", "For sales press 1. For support press 2."]);
    await call.hangup();
    const unsigned = await SELF_post(`${BASE_URL}/twilio/voice`, { To: fx.number, From: "+14155550123", CallSid: `CA${"1".repeat(32)}` });
    expect(unsigned.status).toBe(403);
  });

  it("the contact list opens attributes sealed under the old secret", async () => {
    const fx = await instanceBeforeRotation();
    rotate();
    expect(await listed(fx.admin, fx.contactId)).toMatchObject({ attributes: { tier: "gold" }, customerEndpoint: "+14155550111" });
  });

  it("an external call is signed with the secret the endpoint was given before the rotation; administrators read it from the API, and after the pass it no longer needs the old secret", async () => {
    const fx = await instanceBeforeRotation();
    // Flows call only endpoints an admin registered.
    await env.DB.prepare("UPDATE instances SET external_endpoints = ? WHERE id = ?").bind(JSON.stringify(["https://crm.example.com"]), fx.instanceId).run();
    // What endpoints were given before the secret was stored: the hex HMAC of "external-call-signing" with the instance's version 1 search key.
    const key = await instanceKey(OLD, fx.instanceId, "search-hmac");
    const signingBefore = toHex(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode("external-call-signing")));
    rotate();
    let header: string | null = null;
    let sentBody = "";
    const realFetch = globalThis.fetch;
    const endpoint = vi.spyOn(globalThis, "fetch").mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
      const req = new Request(input, init);
      if (req.url.startsWith(env.DNS_OVER_HTTPS_URL)) return realFetch(input, init); // the host's lookup (the tests' DNS stub)
      header = req.headers.get(SIGNATURE_HEADER);
      sentBody = await req.text();
      return Response.json({ ok: "yes" });
    });
    try {
      const effect = { type: "invoke_external" as const, url: "https://crm.example.com/lookup", payload: { n: 1 }, timeoutSeconds: 3 };
      expect(await performEffect(env as unknown as Env, fx.instanceId, effect, {} as never, {} as never)).toEqual({ type: "external_result", ok: true, json: { ok: "yes" } });
    } finally {
      endpoint.mockRestore();
    }
    expect(await verifySignature(signingBefore, sentBody, header, Math.floor(Date.now() / 1000))).toBe(true);

    // The administrator reads the same secret; after the pass it outlives the old master secret.
    const shown = await api("GET", "/instance/external-signing-secret", { token: fx.admin });
    expect(shown).toMatchObject({ status: 200, body: { secret: signingBefore } });
    const searcher = await userWith(fx.instanceId, "searcher", ["contacts.search"]);
    expect((await api("GET", "/instance/external-signing-secret", { token: searcher })).status).toBe(403);
    expect((await rewrapPass(fx.admin, 25)).at(-1)).toMatchObject({ done: true });
    retireOld();
    expect((await api("GET", "/instance/external-signing-secret", { token: fx.admin })).body).toEqual({ secret: signingBefore });
    const stored = await env.DB.prepare("SELECT external_signing_secret_enc AS s FROM instances WHERE id = ?").bind(fx.instanceId).first<{ s: string }>();
    expect(stored!.s).toMatch(/^v2\.2\./);
  });

  it("the rotation pass brings the Twilio token and contacts' sealed fields to version 2, after which the new secret alone reads them", async () => {
    const fx = await instanceBeforeRotation();
    rotate();
    const pages = await rewrapPass(fx.admin, 25);
    expect(pages.at(-1)).toMatchObject({ done: true, nextCursor: null, keyVersion: 2 });
    expect(pages.reduce((n, p) => n + p.instanceSecrets.resealed, 0)).toBe(1);
    expect(pages.reduce((n, p) => n + p.contactFields.resealed, 0)).toBe(1);
    expect(pages.at(-1)).toMatchObject({ instanceSecrets: { failed: [], remaining: 0 }, contactFields: { failed: [], remaining: 0 } });
    expect(await storedToken(fx.instanceId)).toMatch(/^v2\.2\./);
    expect(await storedAttributes(fx.contactId)).toMatch(/^"v2\.2\./);
    const endpoint = (await env.DB.prepare("SELECT customer_endpoint_enc AS e FROM contacts WHERE id = ?").bind(fx.contactId).first<{ e: string }>())!.e;
    expect(endpoint).toMatch(/^v2\.2\./);

    // Without the old secret, the new one alone reads it all.
    retireOld();
    expect(await decryptField(makeKeyring(NEW, 2), fx.instanceId, TWILIO_TOKEN_FIELD, await storedToken(fx.instanceId))).toBe(AUTH_TOKEN);
    expect(await listed(fx.admin, fx.contactId)).toMatchObject({ attributes: { tier: "gold" }, customerEndpoint: "+14155550111" });
    const again = await rewrapPass(fx.admin, 25);
    expect(again.at(-1)).toMatchObject({ done: true, instanceSecrets: { resealed: 0, remaining: 0 }, contactFields: { resealed: 0, remaining: 0 } });
  });

  it("conversation analyses sealed under the old secret are re-sealed by the pass (paged, counted, once) and read through the API after the old secret is dropped", async () => {
    const fx = await instanceBeforeRotation();
    const listener = await userWith(fx.instanceId, "analyst", ["contacts.search", "recordings.listen"]);
    const second = await createContact(db(), keyringFromEnv(env), { instanceId: fx.instanceId, channel: "CHAT", initiationMethod: "API" });
    const t0 = Date.now();
    await analyseTranscript(env as unknown as Env, fx.instanceId, fx.contactId, [
      { speaker: "CUSTOMER", text: "I was charged twice for my order and I am really angry.", at: t0 },
      { speaker: "AGENT", text: "I am sorry, I have refunded the second charge.", at: t0 + 4000 },
    ]);
    await analyseTranscript(env as unknown as Env, fx.instanceId, second, [{ speaker: "CUSTOMER", text: "Thanks, the new router works great!", at: t0 }]);
    const stored = (id: string) => env.DB.prepare("SELECT analysis_enc AS enc, key_version AS v FROM contact_analysis WHERE contact_id = ?").bind(id).first<{ enc: string; v: number }>();
    expect(await stored(fx.contactId)).toMatchObject({ enc: expect.stringMatching(/^v1\./), v: 1 });
    const read = (id: string) => api("GET", `/contacts/${id}/analysis`, { token: listener });
    const before = await read(fx.contactId);
    expect(before.status).toBe(200);
    expect(before.body.summary).toMatch(/charged twice/);

    rotate();
    expect((await read(fx.contactId)).body).toEqual(before.body); // the keyring still opens version 1
    const pages = await rewrapPass(fx.admin, 1);
    expect(pages.every((p) => p.analyses.resealed <= 1)).toBe(true); // a page of one at a time
    expect(pages.reduce((n, p) => n + p.analyses.resealed, 0)).toBe(2);
    expect(pages.at(-1)).toMatchObject({ done: true, nextCursor: null, analyses: { failed: [], remaining: 0 } });
    for (const id of [fx.contactId, second]) expect(await stored(id)).toMatchObject({ enc: expect.stringMatching(/^v2\.2\./), v: 2 });

    // The new secret alone: the analyses still read, and a new pass finds nothing to do.
    retireOld();
    const after = await read(fx.contactId);
    expect(after.status).toBe(200);
    expect(after.body).toEqual(before.body);
    expect((await read(second)).body).toMatchObject({ customerSentiment: "POSITIVE" });
    expect((await rewrapPass(fx.admin, 25)).at(-1)).toMatchObject({ done: true, analyses: { resealed: 0, failed: [], remaining: 0 } });
  });

  it("a chat started before the rotation resumes with its old token (and one made before tokens carried a version); the answer gives the token under the new key", async () => {
    const fx = await makeChatInstance({ agents: [] });
    const started = await startChat(fx.instanceId);
    expect(started.status).toBe(201);
    const { chatId, token } = started.body;
    // A token as the widget got it before tokens were tagged: the bare HMAC with the search key.
    const legacyKey = await instanceKey(OLD, fx.instanceId, "search-hmac");
    const legacy = base64Url(new Uint8Array(await crypto.subtle.sign("HMAC", legacyKey, new TextEncoder().encode(`chat-customer-token\u0000${chatId}`))));

    rotate();

    const resumed = await resume(fx.instanceId, chatId, token);
    expect(resumed.status).toBe(200);
    expect(token).toMatch(/^k1_/);
    expect(resumed.body.token).toMatch(/^k2_/);
    expect((await resume(fx.instanceId, chatId, legacy)).status).toBe(200);
    expect((await resume(fx.instanceId, chatId, `k1_${legacy}`)).status).toBe(403); // an untagged mac is not a version 1 token
    expect((await resume(fx.instanceId, chatId, `k3_${token.slice(3)}`)).status).toBe(403); // a version the keyring does not know

    // Once the old secret is dropped, old tokens stop working and the re-issued one goes on.
    retireOld();
    expect((await resume(fx.instanceId, chatId, token)).status).toBe(403);
    expect((await resume(fx.instanceId, chatId, resumed.body.token)).status).toBe(200);
  });

  it("a webhook for an instance whose auth token no key can open answers 403, not 500, and stores nothing", async () => {
    const fx = await makeVoiceInstance({ agents: [] });
    await db().update(instances)
      .set({ twilioAuthTokenEnc: await encryptField(makeKeyring("a-secret-this-deployment-never-had-01", 1), fx.instanceId, TWILIO_TOKEN_FIELD, AUTH_TOKEN) })
      .where(eq(instances.id, fx.instanceId));
    rotate();
    const url = `${BASE_URL}/twilio/voice`;
    const params = { AccountSid: ACCOUNT_SID, CallSid: `CA${"2".repeat(32)}`, CallStatus: "ringing", From: "+14155550123", To: fx.number };
    const signed = await SELF_post(url, params, await twilioSignature(AUTH_TOKEN, url, params));
    expect(signed.status).toBe(403);
    expect(((await signed.json()) as any).error.code).toBe("invalid_signature");
    const count = await db().select({ id: contacts.id }).from(contacts).where(eq(contacts.instanceId, fx.instanceId));
    expect(count).toEqual([]);
  });
});

async function SELF_post(url: string, params: Record<string, string>, signature?: string) {
  const { SELF } = await import("cloudflare:test");
  return SELF.fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...(signature ? { "x-twilio-signature": signature } : {}) },
    body: new URLSearchParams(params).toString(),
  });
}
