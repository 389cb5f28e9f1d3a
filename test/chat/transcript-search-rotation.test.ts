/**
 * Transcript word search (`GET /contacts?q=`) across a key version change: each term records the
 * version of the search key it was hashed with, search hashes the query with every version still
 * in the instance's index, and the rotation command (`POST /recordings/rewrap`) re-indexes older
 * chats from their encrypted transcript with the current version.
 * Tests run as a deployment at key version 2 (vitest.config.ts): a chat indexed with a version 1
 * keyring is one that ended before the version was raised.
 */
import { env } from "cloudflare:test";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { contacts } from "../../src/db/schema";
import { deleteContactText, reindexTranscripts, transcriptMatch } from "../../src/recordings/transcript-search";
import { keyringFromEnv, makeKeyring, type Keyring } from "../../src/lib/crypto";
import { api, db, otherInstance } from "../helpers";
import { chatIndexedWith, renv, rewrapPass, termVersions } from "../recordings/fixtures";
import { endedChat, makeChatInstance, userWith } from "./helpers";

const v1 = () => makeKeyring(env.SWITCHBOARD_SECRET, 1);


const searchAs = (token: string) => async (q: string) => {
  const res = await api("GET", `/contacts?q=${encodeURIComponent(q)}`, { token });
  expect(res.status).toBe(200);
  return res.body.items.map((c: any) => c.id).sort();
};

/** The key versions present in an instance's whole index. */
const indexVersions = async (instanceId: string) =>
  (await env.DB.prepare("SELECT DISTINCT key_version AS v FROM contact_search_terms WHERE instance_id = ? ORDER BY v").bind(instanceId).all<{ v: number }>()).results.map((r) => r.v);

/** Contacts of an instance matching a text query with a given keyring (the search condition, without HTTP). */
async function matchWith(keys: Keyring, instanceId: string, q: string) {
  const match = await transcriptMatch(db(), keys, instanceId, q);
  const rows = await db().select({ id: contacts.id }).from(contacts).where(and(eq(contacts.instanceId, instanceId), match!));
  return rows.map((r) => r.id).sort();
}

describe("transcript search across a key version change", () => {
  it("chats indexed under version 1 are found before, during and after the re-index; a chat ended under version 2 at once; then the index holds version 2 only", async () => {
    const fx = await makeChatInstance({ agents: [] });
    const admin = await userWith(fx.instanceId, "admin", ["instance.configure", "contacts.search", "audit.view"]);
    const search = searchAs(admin);
    const old1 = await chatIndexedWith(v1(), fx.instanceId, [["CUSTOMER", "My parcel to Zürich never arrived"], ["SYSTEM", "alice joined the chat."], ["AGENT", "I will resend it"]]);
    const old2 = await chatIndexedWith(v1(), fx.instanceId, [["CUSTOMER", "Parcel damaged, the kettle is broken"]]);
    const fresh = await endedChat(fx, "Where is my parcel to Paris");
    const oldTerms = await termVersions(fx.instanceId, old1.contactId);
    expect(oldTerms).toEqual({ 1: expect.any(Number) });
    expect(await termVersions(fx.instanceId, fresh)).toEqual({ 2: expect.any(Number) }); // the chat channel indexes with the deployment's keyring

    const all = [old1.contactId, old2.contactId, fresh].sort();
    expect(await search("parcel")).toEqual(all);
    expect(await search("ZURICH parcel")).toEqual([old1.contactId]);
    expect(await search("paris")).toEqual([fresh]);
    expect(await search("parcel kettle")).toEqual([old2.contactId]);
    expect(await search("joined")).toEqual([]);

    // One contact per page: half-way through the re-index both versions are in the index, and search still finds every chat.
    const first = await api("POST", "/recordings/rewrap", { token: admin, body: { limit: 1 } });
    expect(first.status).toBe(200);
    expect(first.body.transcripts).toEqual({ reindexed: 1, removed: 0, failed: [], remaining: 1 });
    expect(first.body).toMatchObject({ done: false, nextCursor: expect.any(String) });
    expect(await indexVersions(fx.instanceId)).toEqual([1, 2]);
    expect(await search("parcel")).toEqual(all);
    expect(await search("zurich")).toEqual([old1.contactId]);
    expect(await search("kettle")).toEqual([old2.contactId]);

    const rest = await rewrapPass(admin, 1);
    const last = rest.at(-1);
    expect(last).toMatchObject({ nextCursor: null, done: true, transcripts: { failed: [], remaining: 0 } });
    expect(rest.reduce((n, p) => n + p.transcripts.reindexed, 0)).toBe(1);

    expect(await indexVersions(fx.instanceId)).toEqual([2]);
    expect(await termVersions(fx.instanceId, old1.contactId)).toEqual({ 2: oldTerms[1] }); // the same words, re-hashed
    expect(await search("parcel")).toEqual(all);
    expect(await search("ZURICH parcel")).toEqual([old1.contactId]);
    expect(await search("paris")).toEqual([fresh]);
    expect(await search("parcel kettle")).toEqual([old2.contactId]);
    expect(await search("joined")).toEqual([]); // system lines are still not indexed
    const after = await endedChat(fx, "Another parcel question");
    expect(await search("parcel")).toEqual([...all, after].sort());

    const log = await api("GET", "/audit-log?resourceType=recording&limit=20", { token: admin });
    expect(log.body.items.filter((e: any) => e.action === "rewrap").map((e: any) => e.details.transcripts)).toContainEqual({ reindexed: 1, removed: 0, failed: 0, remaining: 1 });
  });

  it("after a master-secret change: old terms are found with the old secret from the keyring, and re-indexed by decrypting the transcript with it", async () => {
    const other = await otherInstance();
    const oldSecret = "an-old-master-secret-for-words-0123456789";
    const old = await chatIndexedWith(makeKeyring(oldSecret, 1), other.instanceId, [["CUSTOMER", "The invoice for order 4417 is wrong"]]);
    const rotated = makeKeyring(env.SWITCHBOARD_SECRET, 2, { 1: oldSecret });
    const withoutOld = keyringFromEnv(env); // version 1 derived from the new secret

    expect(await matchWith(rotated, other.instanceId, "invoice 4417")).toEqual([old.contactId]);
    expect(await matchWith(withoutOld, other.instanceId, "invoice 4417")).toEqual([]);

    // Without the old secret the transcript cannot be read: reported, the terms left as they were.
    const without = await reindexTranscripts(renv, other.instanceId, 10, withoutOld);
    expect(without).toMatchObject({ reindexed: 0, remaining: 1, failed: [{ id: old.contactId, error: expect.any(String) }] });
    expect(await termVersions(other.instanceId, old.contactId)).toEqual({ 1: expect.any(Number) });

    expect(await reindexTranscripts(renv, other.instanceId, 10, rotated)).toEqual({ keyVersion: 2, reindexed: 1, removed: 0, failed: [], remaining: 0, next: null });
    expect(await termVersions(other.instanceId, old.contactId)).toEqual({ 2: expect.any(Number) });
    // Version 2 is the new secret's: found by the deployment's keyring, whatever it knows of the old one.
    expect(await matchWith(withoutOld, other.instanceId, "invoice 4417")).toEqual([old.contactId]);
    expect(await matchWith(rotated, other.instanceId, "invoice 4417")).toEqual([old.contactId]);
  });

  it("only the caller's instance is re-indexed: another instance's terms keep their version and each finds only its own chats", async () => {
    const ours = await otherInstance("Ours Co");
    const theirs = await otherInstance("Theirs Co");
    const mine = await chatIndexedWith(v1(), ours.instanceId, [["CUSTOMER", "umbrella refund please"]]);
    const yours = await chatIndexedWith(v1(), theirs.instanceId, [["CUSTOMER", "umbrella refund please"]]);
    const theirTerms = await env.DB.prepare("SELECT term, key_version FROM contact_search_terms WHERE instance_id = ? ORDER BY term").bind(theirs.instanceId).all();

    const pages = await rewrapPass(ours.token, 10);
    expect(pages.at(-1)).toMatchObject({ done: true, nextCursor: null, transcripts: { remaining: 0 } });
    expect(await indexVersions(ours.instanceId)).toEqual([2]);
    expect((await env.DB.prepare("SELECT term, key_version FROM contact_search_terms WHERE instance_id = ? ORDER BY term").bind(theirs.instanceId).all()).results).toEqual(theirTerms.results);
    expect(await searchAs(ours.token)("umbrella refund")).toEqual([mine.contactId]);
    expect(await searchAs(theirs.token)("umbrella refund")).toEqual([yours.contactId]);

    expect((await rewrapPass(theirs.token, 10)).at(-1).transcripts).toEqual({ reindexed: 1, removed: 0, failed: [], remaining: 0 });
    expect(await indexVersions(theirs.instanceId)).toEqual([2]);
    expect(await searchAs(theirs.token)("umbrella refund")).toEqual([yours.contactId]);
    expect(await searchAs(ours.token)("umbrella refund")).toEqual([mine.contactId]);
  });

  it("a long transcript (more distinct words than one statement takes) is re-indexed whole", async () => {
    const other = await otherInstance();
    const words = Array.from({ length: 2500 }, (_, i) => `w${i}x`);
    const long = await chatIndexedWith(v1(), other.instanceId, [["CUSTOMER", words.join(" ")]]);
    expect(await termVersions(other.instanceId, long.contactId)).toEqual({ 1: 2500 });
    expect(await reindexTranscripts(renv, other.instanceId, 10, keyringFromEnv(env))).toMatchObject({ reindexed: 1, failed: [], remaining: 0 });
    expect(await termVersions(other.instanceId, long.contactId)).toEqual({ 2: 2500 });
    expect(await matchWith(keyringFromEnv(env), other.instanceId, "w0x w1234x w2499x")).toEqual([long.contactId]);
  });

  it("a contact erased while its transcript is being read keeps no terms: new ones are written only while the old ones are still there", async () => {
    const other = await otherInstance();
    const chat = await chatIndexedWith(v1(), other.instanceId, [["CUSTOMER", "words to forget"]]);
    // The bucket, except that each read lets a personal-data erasure of the contact's index happen right after it.
    const erasingBucket = new Proxy(env.RECORDINGS, {
      get(target, prop) {
        if (prop === "get") {
          return async (...args: Parameters<R2Bucket["get"]>) => {
            const obj = await target.get(...args);
            await deleteContactText(db(), other.instanceId, [chat.contactId]);
            return obj;
          };
        }
        const v = Reflect.get(target, prop);
        return typeof v === "function" ? v.bind(target) : v;
      },
    });
    const report = await reindexTranscripts({ ...renv, RECORDINGS: erasingBucket }, other.instanceId, 10, keyringFromEnv(env));
    expect(report).toMatchObject({ reindexed: 0, failed: [], remaining: 0 });
    expect(await termVersions(other.instanceId, chat.contactId)).toEqual({});
    expect(await matchWith(keyringFromEnv(env), other.instanceId, "forget")).toEqual([]);
  });

  it("older terms whose transcript is gone (deleted, its terms left behind) are removed by the re-index, not kept forever", async () => {
    const other = await otherInstance();
    const gone = await chatIndexedWith(v1(), other.instanceId, [["CUSTOMER", "orphaned words"]]);
    await env.DB.prepare("UPDATE recordings SET status = 'deleted' WHERE id = ?").bind(gone.recording.id).run();
    const pages = await rewrapPass(other.token, 10);
    expect(pages.at(-1)).toMatchObject({ done: true, transcripts: { reindexed: 0, removed: 1, failed: [], remaining: 0 } });
    expect(await termVersions(other.instanceId, gone.contactId)).toEqual({});
  });
});
