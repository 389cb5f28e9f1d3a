import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { analysisField } from "../../src/db/contact-analysis";
import { createContact, notesField } from "../../src/db/contacts";
import { encryptField, keyringFromEnv } from "../../src/lib/crypto";
import { userWith } from "../chat/helpers";
import { api, db, demoAdmin, demoAgent, DEMO, otherInstance } from "../helpers";

const all = async (query: string, ...params: unknown[]) => (await env.DB.prepare(query).bind(...params).all<Record<string, unknown>>()).results;
const count = async (query: string, ...params: unknown[]) => Number((await env.DB.prepare(query).bind(...params).first<{ n: number }>())!.n);

/** A unique number per test, so profiles of different tests never share one. */
const number = () => `+1415${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`;
const call = (from: string) =>
  createContact(db(), keyringFromEnv(env), { instanceId: DEMO.instanceId, channel: "VOICE", initiationMethod: "INBOUND", customerEndpoint: from });

describe("customer profiles", () => {
  let agent: string;
  let admin: string;
  beforeAll(async () => {
    admin = await demoAdmin();
    agent = await demoAgent();
  });

  it("an agent creates, reads, updates and erases a profile; D1 holds no clear name, number or email", async () => {
    const phone = number();
    const created = await api("POST", "/profiles", {
      token: agent,
      body: { firstName: "Ada", lastName: "Lovelace", phoneNumbers: [phone], emails: ["Ada@Example.com"], address: { city: "London" }, attributes: { Tier: "Gold" } },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ firstName: "Ada", lastName: "Lovelace", phoneNumbers: [phone], emails: ["ada@example.com"], address: { city: "London" }, attributes: { Tier: "Gold" } });
    const id = created.body.id as string;

    const stored = JSON.stringify([
      ...(await all("SELECT * FROM customer_profiles WHERE id = ?", id)),
      ...(await all("SELECT * FROM profile_keys WHERE profile_id = ?", id)),
    ]);
    expect(stored).toContain(id);
    // A word standing alone, not inside the id, a hash or a ciphertext (whose base64 may hold "ada" by chance).
    const alone = (word: string) => new RegExp(`(?<![A-Za-z0-9+/=_-])${word.replace(/[+.]/g, "\\$&")}(?![A-Za-z0-9+/=_-])`);
    const outsideId = stored.replaceAll(id, "");
    for (const clear of [phone, phone.slice(1), "ada@example.com", "Ada", "ada", "Lovelace", "lovelace", "London", "Gold"]) expect(outsideId).not.toMatch(alone(clear));
    expect(outsideId.includes(phone)).toBe(false);
    expect(await count("SELECT COUNT(*) AS n FROM profile_keys WHERE profile_id = ?", id)).toBe(4); // a number, an email, two name words

    const read = await api("GET", `/profiles/${id}`, { token: agent });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id, firstName: "Ada", contacts: [] });

    const updated = await api("PATCH", `/profiles/${id}`, { token: agent, body: { lastName: "King", attributes: { Tier: null, CustomerSince: "2020-01-31" } } });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ firstName: "Ada", lastName: "King", phoneNumbers: [phone], attributes: { CustomerSince: "2020-01-31" } });
    expect(updated.body.attributes.Tier).toBeUndefined();
    // The old name word is no longer a key; the new one is.
    expect((await api("GET", "/profiles?name=lovelace", { token: agent })).body.items.map((p: { id: string }) => p.id)).not.toContain(id);
    expect((await api("GET", "/profiles?name=KING%20ada", { token: agent })).body.items.map((p: { id: string }) => p.id)).toContain(id);

    expect((await api("DELETE", `/profiles/${id}`, { token: agent })).status).toBe(204);
    expect((await api("GET", `/profiles/${id}`, { token: agent })).status).toBe(404);
    expect(await count("SELECT COUNT(*) AS n FROM profile_keys WHERE profile_id = ?", id)).toBe(0);
    const audited = await all("SELECT action FROM audit_log WHERE resource_type = 'customer_profile' AND resource_id = ? ORDER BY id", id);
    expect(audited.map((a) => a.action)).toEqual(["create", "read", "update", "erase"]);
  });

  it("search finds a profile by number or email exactly, and by name words in any case or accent", async () => {
    const phone = number();
    const { body: p } = await api("POST", "/profiles", { token: agent, body: { firstName: "Zoë", lastName: "Ñúñez", phoneNumbers: [phone], emails: [`zoe.${phone.slice(1)}@example.org`] } });
    const ids = async (query: string) => (await api("GET", `/profiles?${query}`, { token: agent })).body.items.map((x: { id: string }) => x.id);
    expect(await ids(`phone=${encodeURIComponent(phone)}`)).toEqual([p.id]);
    expect(await ids(`email=${encodeURIComponent(`ZOE.${phone.slice(1)}@Example.org`)}`)).toEqual([p.id]);
    expect(await ids("name=zoe%20nunez")).toContain(p.id);
    expect(await ids(`name=zoe&phone=${encodeURIComponent(phone)}`)).toEqual([p.id]);
    expect(await ids(`phone=${encodeURIComponent(number())}`)).toEqual([]);
    expect(await ids("name=zo")).not.toContain(p.id); // whole words only
  });

  it("refuses bad input with 400 and its field, and stores nothing", async () => {
    const before = await count("SELECT COUNT(*) AS n FROM customer_profiles WHERE instance_id = ?", DEMO.instanceId);
    for (const body of [
      {},
      { firstName: "A", phoneNumbers: ["0155 5555"] },
      { firstName: "A", emails: ["not-an-email"] },
      { firstName: "A", attributes: { Unknown: "x" } },
      { firstName: "A", attributes: { CustomerSince: "yesterday" } },
      { firstName: "A", nickname: "extra" },
    ]) {
      const res = await api("POST", "/profiles", { token: agent, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
    }
    expect((await api("GET", "/profiles?phone=123", { token: agent })).status).toBe(400);
    expect(await count("SELECT COUNT(*) AS n FROM customer_profiles WHERE instance_id = ?", DEMO.instanceId)).toBe(before);
  });

  it("a contact is matched to its profile by the caller's number hash, or by its link, with the profile's last contacts", async () => {
    const phone = number();
    const { body: p } = await api("POST", "/profiles", { token: agent, body: { firstName: "Grace", phoneNumbers: [phone] } });
    const first = await call(phone);
    const matched = await api("GET", `/profiles/for-contact/${first}`, { token: agent });
    expect(matched.status).toBe(200);
    expect(matched.body).toMatchObject({ profile: { id: p.id, firstName: "Grace" }, matchedBy: "phone" });
    expect(matched.body.contacts.map((c: { id: string }) => c.id)).toEqual([first]);
    expect(matched.body.contacts[0]).toMatchObject({ channel: "VOICE", queue: null, agent: null, disposition: null, notes: null, sentiment: null, summary: null });

    // A contact from another number: nothing until the agent links it.
    const other = await call(number());
    expect((await api("GET", `/profiles/for-contact/${other}`, { token: agent })).body).toEqual({ profile: null, matchedBy: null, contacts: [] });
    expect((await api("PUT", `/profiles/${p.id}/contacts/${other}`, { token: agent })).status).toBe(204);
    const linked = await api("GET", `/profiles/for-contact/${other}`, { token: agent });
    expect(linked.body).toMatchObject({ profile: { id: p.id }, matchedBy: "link" });
    expect(linked.body.contacts.map((c: { id: string }) => c.id).sort()).toEqual([first, other].sort());

    // Contact search by profile lists the same contacts.
    const search = await api("GET", `/contacts?profileId=${p.id}`, { token: admin });
    expect(search.status).toBe(200);
    expect(search.body.items.map((c: { id: string }) => c.id).sort()).toEqual([first, other].sort());

    expect((await api("DELETE", `/profiles/${p.id}/contacts/${other}`, { token: agent })).status).toBe(204);
    expect((await api("GET", `/profiles/for-contact/${other}`, { token: agent })).body.profile).toBeNull();
  });

  it("the lookup on an offer answers the last contacts newest first with queue and agent names, notes, sentiment and summary, and audits the read with how it matched", async () => {
    const phone = number();
    const { body: p } = await api("POST", "/profiles", { token: agent, body: { firstName: "Edsger", phoneNumbers: [phone] } });
    const older = await call(phone);
    const keys = keyringFromEnv(env);
    const notes = await encryptField(keys, DEMO.instanceId, notesField(older), "Promised a refund");
    await env.DB.prepare("UPDATE contacts SET initiated_at = initiated_at - 60000, queue_id = ?, agent_id = ?, disposition = 'Refund', notes = ? WHERE id = ?")
      .bind(DEMO.queues.billing, DEMO.agents[0].id, notes, older).run();
    const sealed = await encryptField(keys, DEMO.instanceId, analysisField(older), JSON.stringify({ summary: "Asked for a refund of the May bill" }));
    await env.DB.prepare("INSERT INTO contact_analysis (instance_id, contact_id, customer_sentiment, engines, analysis_enc, key_version) VALUES (?, ?, 'NEGATIVE', ?, ?, ?)")
      .bind(DEMO.instanceId, older, JSON.stringify({ sentiment: "test", summary: "test" }), sealed, keys.current).run();
    const linkedElsewhere = await call(phone); // from the profile's number, but linked to another profile: not its contact
    const { body: otherProfile } = await api("POST", "/profiles", { token: agent, body: { firstName: "Other" } });
    await api("PUT", `/profiles/${otherProfile.id}/contacts/${linkedElsewhere}`, { token: agent });
    const offered = await call(phone);

    const res = await api("GET", `/profiles/for-contact/${offered}`, { token: agent });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ profile: { id: p.id, firstName: "Edsger", phoneNumbers: [phone] }, matchedBy: "phone" });
    expect(res.body.contacts.map((c: { id: string }) => c.id)).toEqual([offered, older]);
    expect(res.body.contacts[1]).toMatchObject({
      channel: "VOICE", queue: { id: DEMO.queues.billing, name: "Billing" }, agent: { id: DEMO.agents[0].id, name: "Alice Agent" },
      disposition: "Refund", notes: "Promised a refund", sentiment: "NEGATIVE", summary: "Asked for a refund of the May bill",
    });
    expect(res.body.contacts[0]).toMatchObject({ queue: null, agent: null, notes: null, sentiment: null, summary: null });
    // The same history as the profile's own page.
    expect((await api("GET", `/profiles/${p.id}`, { token: agent })).body.contacts).toEqual(res.body.contacts);

    const reads = async (contactId: string) =>
      (await all("SELECT user_id, resource_id, details FROM audit_log WHERE action = 'read' AND resource_type = 'customer_profile' AND details LIKE ?", `%${contactId}%`))
        .map((r) => ({ ...r, details: JSON.parse(String(r.details)) }));
    expect(await reads(offered)).toEqual([{ user_id: DEMO.agents[0].id, resource_id: p.id, details: { contactId: offered, matchedBy: "phone" } }]);
    const stranger = await call(number());
    expect((await api("GET", `/profiles/for-contact/${stranger}`, { token: agent })).body).toEqual({ profile: null, matchedBy: null, contacts: [] });
    expect(await reads(stranger)).toEqual([{ user_id: DEMO.agents[0].id, resource_id: null, details: { contactId: stranger, matchedBy: null } }]);
    const missing = await api("GET", "/profiles/for-contact/no-such-contact", { token: agent });
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ code: "not_found" });
    expect(await reads("no-such-contact")).toEqual([]);
  });

  it("merge combines two profiles into one: contacts relinked, fields joined, the other removed", async () => {
    const [a, b] = [number(), number()];
    const { body: kept } = await api("POST", "/profiles", { token: agent, body: { firstName: "Alan", phoneNumbers: [a], attributes: { Tier: "Silver" } } });
    const { body: gone } = await api("POST", "/profiles", { token: agent, body: { firstName: "Al", lastName: "Turing", phoneNumbers: [b], emails: ["alan@example.net"], attributes: { Tier: "Gold", CustomerSince: "2019-05-01" } } });
    const linked = await call(number());
    await api("PUT", `/profiles/${gone.id}/contacts/${linked}`, { token: agent });
    const fromB = await call(b);

    const merged = await api("POST", `/profiles/${kept.id}/merge`, { token: agent, body: { otherProfileId: gone.id } });
    expect(merged.status).toBe(200);
    expect(merged.body).toMatchObject({
      id: kept.id, firstName: "Alan", lastName: "Turing", phoneNumbers: [a, b], emails: ["alan@example.net"],
      attributes: { Tier: "Silver", CustomerSince: "2019-05-01" },
    });
    expect(merged.body.contacts.map((c: { id: string }) => c.id).sort()).toEqual([linked, fromB].sort());
    expect((await api("GET", `/profiles/${gone.id}`, { token: agent })).status).toBe(404);
    expect(await count("SELECT COUNT(*) AS n FROM profile_keys WHERE profile_id = ?", gone.id)).toBe(0);
    expect((await all("SELECT profile_id FROM profile_contacts WHERE contact_id = ?", linked))[0]?.profile_id).toBe(kept.id);
    expect((await api("GET", `/profiles/for-contact/${fromB}`, { token: agent })).body.profile.id).toBe(kept.id);
    expect((await api("POST", `/profiles/${kept.id}/merge`, { token: agent, body: { otherProfileId: kept.id } })).status).toBe(400);
  });

  it("erasing a profile removes it and its links to contacts, and the contacts stay", async () => {
    const { body: p } = await api("POST", "/profiles", { token: agent, body: { lastName: "Hopper" } });
    const contact = await call(number());
    await api("PUT", `/profiles/${p.id}/contacts/${contact}`, { token: agent });
    expect(await count("SELECT COUNT(*) AS n FROM profile_contacts WHERE profile_id = ?", p.id)).toBe(1);
    expect((await api("DELETE", `/profiles/${p.id}`, { token: agent })).status).toBe(204);
    expect(await count("SELECT COUNT(*) AS n FROM profile_contacts WHERE profile_id = ?", p.id)).toBe(0);
    expect(await count("SELECT COUNT(*) AS n FROM customer_profiles WHERE id = ?", p.id)).toBe(0);
    expect(await count("SELECT COUNT(*) AS n FROM contacts WHERE id = ?", contact)).toBe(1);
    expect((await api("GET", `/profiles/for-contact/${contact}`, { token: agent })).body.profile).toBeNull();
  });

  it("erasing a contact's personal data removes its link to a profile", async () => {
    const { body: p } = await api("POST", "/profiles", { token: agent, body: { lastName: "Lamarr" } });
    const contact = await call(number());
    await api("PUT", `/profiles/${p.id}/contacts/${contact}`, { token: agent });
    expect((await api("DELETE", `/contacts/${contact}/personal-data`, { token: admin })).status).toBe(200);
    expect(await count("SELECT COUNT(*) AS n FROM profile_contacts WHERE contact_id = ?", contact)).toBe(0);
    expect((await api("GET", `/profiles/${p.id}`, { token: agent })).body.contacts).toEqual([]);
  });

  it("another instance's profile and contact ids answer 404, exactly like missing ones, and change nothing", async () => {
    const other = await otherInstance();
    const phone = number();
    const { body: p } = await api("POST", "/profiles", { token: agent, body: { firstName: "Own", phoneNumbers: [phone] } });
    const contact = await call(phone);
    const missing = await api("GET", "/profiles/does-not-exist", { token: other.token });
    const foreign = await api("GET", `/profiles/${p.id}`, { token: other.token });
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual(missing.body);
    expect((await api("PATCH", `/profiles/${p.id}`, { token: other.token, body: { firstName: "Hijacked" } })).status).toBe(404);
    expect((await api("DELETE", `/profiles/${p.id}`, { token: other.token })).status).toBe(404);
    expect((await api("PUT", `/profiles/${p.id}/contacts/${contact}`, { token: other.token })).status).toBe(404);
    expect((await api("GET", `/profiles/for-contact/${contact}`, { token: other.token })).status).toBe(404);
    expect((await api("GET", `/profiles?phone=${encodeURIComponent(phone)}`, { token: other.token })).body.items).toEqual([]);
    // The other instance's own profile cannot take the demo's contact or be merged with the demo's profile.
    const { body: theirs } = await api("POST", "/profiles", { token: other.token, body: { firstName: "Theirs" } });
    expect((await api("PUT", `/profiles/${theirs.id}/contacts/${contact}`, { token: other.token })).status).toBe(404);
    expect((await api("POST", `/profiles/${theirs.id}/merge`, { token: other.token, body: { otherProfileId: p.id } })).status).toBe(404);
    expect((await api("POST", `/profiles/${p.id}/merge`, { token: agent, body: { otherProfileId: theirs.id } })).status).toBe(404);
    expect((await api("GET", `/profiles/${p.id}`, { token: agent })).body).toMatchObject({ firstName: "Own", phoneNumbers: [phone] });
    expect((await api("GET", `/contacts?profileId=${p.id}`, { token: other.token })).body.items).toEqual([]);
  });

  it("needs profiles.read to read and profiles.write to change", async () => {
    const reader = await userWith(DEMO.instanceId, `reader-${crypto.randomUUID().slice(0, 6)}`, ["profiles.read"]);
    const nobody = await userWith(DEMO.instanceId, `nobody-${crypto.randomUUID().slice(0, 6)}`, ["contacts.handle"]);
    const { body: p } = await api("POST", "/profiles", { token: agent, body: { firstName: "Perm" } });
    expect((await api("GET", `/profiles/${p.id}`, { token: reader })).status).toBe(200);
    expect((await api("PATCH", `/profiles/${p.id}`, { token: reader, body: { firstName: "X" } })).status).toBe(403);
    expect((await api("POST", "/profiles", { token: reader, body: { firstName: "X" } })).status).toBe(403);
    expect((await api("GET", `/profiles/${p.id}`, { token: nobody })).status).toBe(403);
    // Custom fields: agents read them, only instance.configure defines them.
    expect((await api("GET", "/profile-fields", { token: agent })).body.items.map((f: { name: string }) => f.name).sort()).toEqual(["CustomerSince", "Tier"]);
    expect((await api("POST", "/profile-fields", { token: agent, body: { name: "Plan" } })).status).toBe(403);
    expect((await api("POST", "/profile-fields", { token: admin, body: { name: "Plan", type: "TEXT" } })).status).toBe(201);
  });
});
