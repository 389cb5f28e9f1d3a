/**
 * Caller-number search after a key change: each contact's search hash records the key version
 * it was made with, search matches hashes of the current version only, and the rotation command
 * (`POST /recordings/rewrap`) re-hashes older ones a page at a time, per instance.
 * Tests run as a deployment at key version 2 (vitest.config.ts): a contact written with a version 1
 * keyring is one written before the version was raised.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { createContact, rehashCustomerEndpoints } from "../../src/db/contacts";
import { keyringFromEnv, makeKeyring, searchHash, type Keyring } from "../../src/lib/crypto";
import { api, db, demoAdmin, demoAgent, DEMO, otherInstance } from "../helpers";

const v1 = () => makeKeyring(env.SWITCHBOARD_SECRET, 1);

const number = () => `+1415${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`;

function contactWith(instanceId: string, keys: Keyring, customerEndpoint: string | null) {
  return createContact(db(), keys, { instanceId, channel: "VOICE", initiationMethod: "INBOUND", customerEndpoint });
}

const hashRow = (id: string) =>
  env.DB.prepare("SELECT customer_endpoint_hash AS hash, customer_endpoint_hash_version AS version FROM contacts WHERE id = ?").bind(id).first<{ hash: string | null; version: number }>();

const search = async (token: string, customerNumber: string) => {
  const res = await api("GET", `/contacts?customerNumber=${encodeURIComponent(customerNumber)}`, { token });
  expect(res.status).toBe(200);
  return res.body.items.map((c: any) => c.id);
};

const rewrap = (token: string, limit: number) => api("POST", "/recordings/rewrap", { token, body: { limit } });

describe("caller-number search across a key version change", () => {
  let admin: string;
  beforeAll(async () => {
    admin = await demoAdmin();
  });

  it("a contact hashed before the version change is found by its number only after the re-index; new contacts are found at once", async () => {
    const oldNumber = number();
    const newNumber = number();
    const before = await contactWith(DEMO.instanceId, v1(), oldNumber);
    const after = await contactWith(DEMO.instanceId, keyringFromEnv(env), newNumber);
    expect(await hashRow(before)).toMatchObject({ version: 1 });
    expect(await hashRow(after)).toMatchObject({ version: 2 });

    expect(await search(admin, oldNumber)).toEqual([]);
    expect(await search(admin, newNumber)).toEqual([after]);

    const res = await rewrap(admin, 100);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ keyVersion: 2, remaining: 0, done: true, callerNumbers: { rehashed: expect.any(Number), failed: [], remaining: 0 } });
    expect(res.body.callerNumbers.rehashed).toBeGreaterThanOrEqual(1);
    expect(await hashRow(before)).toEqual({ hash: await searchHash(keyringFromEnv(env), DEMO.instanceId, oldNumber), version: 2 });

    expect(await search(admin, oldNumber)).toEqual([before]);
    expect(await search(admin, newNumber)).toEqual([after]);
    const log = await api("GET", "/audit-log?resourceType=recording&limit=10", { token: admin });
    expect(log.body.items.find((e: any) => e.action === "rewrap")).toMatchObject({
      details: expect.objectContaining({ callerNumbers: expect.objectContaining({ remaining: 0 }) }),
    });
  });

  it("the re-index is paged and idempotent: `limit` contacts per call, remaining counts down, a second pass changes nothing", async () => {
    const other = await otherInstance();
    const numbers = [number(), number(), number(), number(), number()];
    const ids = [];
    for (const n of numbers) ids.push(await contactWith(other.instanceId, v1(), n));
    const noNumber = await contactWith(other.instanceId, v1(), null); // nothing to hash: never counted

    const pages = [];
    for (let i = 0; i < 3; i++) {
      const res = await rewrap(other.token, 2);
      expect(res.status).toBe(200);
      pages.push(res.body.callerNumbers);
    }
    expect(pages).toEqual([
      { rehashed: 2, failed: [], remaining: 3 },
      { rehashed: 2, failed: [], remaining: 1 },
      { rehashed: 1, failed: [], remaining: 0 },
    ]);
    const hashes = await Promise.all(ids.map(hashRow));
    expect(hashes.map((h) => h!.version)).toEqual([2, 2, 2, 2, 2]);
    expect(await hashRow(noNumber)).toEqual({ hash: null, version: 1 });

    const again = await rewrap(other.token, 100);
    expect(again.body).toMatchObject({ callerNumbers: { rehashed: 0, failed: [], remaining: 0 }, done: true });
    expect(await Promise.all(ids.map(hashRow))).toEqual(hashes);
    for (let i = 0; i < ids.length; i++) expect(await search(other.token, numbers[i])).toEqual([ids[i]]);
  });

  it("only the caller's instance is re-indexed; another instance's contacts keep their hashes and stay unfound there", async () => {
    const other = await otherInstance();
    const shared = number();
    const ours = await contactWith(DEMO.instanceId, v1(), shared);
    const theirs = await contactWith(other.instanceId, v1(), shared);
    const theirsBefore = await hashRow(theirs);

    const res = await rewrap(admin, 100);
    expect(res.body.callerNumbers.remaining).toBe(0);
    expect(await hashRow(ours)).toMatchObject({ version: 2 });
    expect(await hashRow(theirs)).toEqual(theirsBefore);
    expect(await search(admin, shared)).toEqual([ours]);
    expect(await search(other.token, shared)).toEqual([]);

    expect((await rewrap(other.token, 100)).body.callerNumbers).toEqual({ rehashed: 1, failed: [], remaining: 0 });
    expect(await search(other.token, shared)).toEqual([theirs]);
    expect(await search(admin, shared)).toEqual([ours]);
  });

  it("bad input changes nothing: 400 with the error envelope, hashes left at their version; only instance.configure may run it", async () => {
    const n = number();
    const id = await contactWith(DEMO.instanceId, v1(), n);
    for (const body of [{ limit: 0 }, { limit: 101 }, { limit: "all" }]) {
      const res = await api("POST", "/recordings/rewrap", { token: admin, body });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
    }
    expect((await rewrap(await demoAgent(), 10)).status).toBe(403);
    expect(await hashRow(id)).toMatchObject({ version: 1 });
    expect(await search(admin, n)).toEqual([]);
  });

  it("after a master-secret change: the number is decrypted with the old secret from the keyring and hashed with the new one", async () => {
    const other = await otherInstance();
    const n = number();
    const oldSecret = "an-old-master-secret-0123456789abcdef";
    const id = await contactWith(other.instanceId, makeKeyring(oldSecret, 1), n);
    const rotated = makeKeyring(env.SWITCHBOARD_SECRET, 2, { 1: oldSecret });
    // Without the old secret the number cannot be read: reported, the row left as it was.
    const without = await rehashCustomerEndpoints(db(), keyringFromEnv(env), other.instanceId, 10);
    expect(without).toMatchObject({ rehashed: 0, remaining: 1, failed: [{ id, error: expect.any(String) }] });
    expect(await hashRow(id)).toMatchObject({ version: 1 });

    expect(await rehashCustomerEndpoints(db(), rotated, other.instanceId, 10)).toEqual({ keyVersion: 2, rehashed: 1, failed: [], remaining: 0, next: null });
    expect(await hashRow(id)).toEqual({ hash: await searchHash(keyringFromEnv(env), other.instanceId, n), version: 2 });
  });
});
