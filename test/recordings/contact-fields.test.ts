import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { openAttributes, sealAttributesColumn } from "../../src/db/contacts";
import { decryptField, encryptField, makeKeyring } from "../../src/lib/crypto";
import { api, demoAdmin, DEMO } from "../helpers";
import { newContact } from "./fixtures";

const raw = (id: string) =>
  env.DB.prepare("SELECT attributes, customer_endpoint_enc, customer_endpoint_hash FROM contacts WHERE id = ?").bind(id).first<{
    attributes: string; customer_endpoint_enc: string; customer_endpoint_hash: string;
  }>();

describe("sensitive contact fields at rest", () => {
  let admin: string;
  beforeAll(async () => {
    admin = await demoAdmin();
  });

  it("stores the caller number and attributes encrypted; the API shows them decrypted", async () => {
    const id = await newContact(DEMO.instanceId, undefined, "+14155550142");
    const row = await raw(id);
    expect(row!.attributes).not.toContain("42-1337");
    expect(row!.attributes).not.toContain("billing");
    expect(typeof JSON.parse(row!.attributes)).toBe("string");
    expect(row!.customer_endpoint_enc).not.toContain("4155550142");
    expect(row!.customer_endpoint_hash).toMatch(/^[0-9a-f]{64}$/);
    const res = await api("GET", `/contacts/${id}`, { token: admin });
    expect(res.body).toMatchObject({ customerEndpoint: "+14155550142", attributes: { account: "42-1337", reason: "billing" } });
  });

  it("still reads attributes written in the clear (writers that do not seal yet) and sealed by raw SQL writers", async () => {
    const id = await newContact(DEMO.instanceId);
    await env.DB.prepare("UPDATE contacts SET attributes = ? WHERE id = ?").bind(JSON.stringify({ plain: "yes" }), id).run();
    expect((await api("GET", `/contacts/${id}`, { token: admin })).body.attributes).toEqual({ plain: "yes" });
    const column = await sealAttributesColumn(env.SWITCHBOARD_SECRET, DEMO.instanceId, id, { sealed: "by outbox" });
    await env.DB.prepare("UPDATE contacts SET attributes = ? WHERE id = ?").bind(column, id).run();
    expect((await raw(id))!.attributes).not.toContain("by outbox");
    expect((await api("GET", `/contacts/${id}`, { token: admin })).body.attributes).toEqual({ sealed: "by outbox" });
  });

  it("a sealed value copied to another contact does not decrypt", async () => {
    const a = await newContact(DEMO.instanceId);
    const b = await newContact(DEMO.instanceId);
    const sealedA = JSON.parse((await raw(a))!.attributes);
    await expect(openAttributes(env.SWITCHBOARD_SECRET, DEMO.instanceId, b, sealedA)).rejects.toThrow();
    await expect(openAttributes(env.SWITCHBOARD_SECRET, "other-instance", a, sealedA)).rejects.toThrow();
    expect(await openAttributes(env.SWITCHBOARD_SECRET, DEMO.instanceId, a, sealedA)).toEqual({ account: "42-1337", reason: "billing" });
  });

  it("field encryption carries the key version: v1 values stay readable after rotation, v2 needs version 2", async () => {
    const secret = "field-rotation-secret-0123456789";
    const v1 = await encryptField(secret, "inst", "f", "old value");
    expect(v1.startsWith("v1.")).toBe(true);
    const v2 = await encryptField(makeKeyring(secret, 2), "inst", "f", "new value");
    expect(v2.startsWith("v2.2.")).toBe(true);
    expect(await decryptField(makeKeyring(secret, 2), "inst", "f", v1)).toBe("old value");
    expect(await decryptField(makeKeyring(secret, 2), "inst", "f", v2)).toBe("new value");
    await expect(decryptField(makeKeyring(secret, 1), "inst", "f", v2)).rejects.toThrow(/key version 2/);
    // Changing the version in the value breaks it (the version is bound as additional data).
    await expect(decryptField(makeKeyring(secret, 3), "inst", "f", v2.replace("v2.2.", "v2.3."))).rejects.toThrow();
  });
});
