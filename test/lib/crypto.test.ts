import { describe, expect, it } from "vitest";
import { decryptField, encryptField, searchHash } from "../../src/lib/crypto";
import { hashPassword, verifyPassword } from "../../src/lib/password";

const SECRET = "unit-test-secret-0123456789";

describe("field encryption", () => {
  it("round-trips and never stores the plaintext", async () => {
    const sealed = await encryptField(SECRET, "inst-a", "contacts.customer_endpoint", "+14155550123");
    expect(sealed).not.toContain("4155550123");
    expect(await decryptField(SECRET, "inst-a", "contacts.customer_endpoint", sealed)).toBe("+14155550123");
  });

  it("fails for another instance, another field, a flipped byte or another secret", async () => {
    const sealed = await encryptField(SECRET, "inst-a", "f", "secret value");
    await expect(decryptField(SECRET, "inst-b", "f", sealed)).rejects.toThrow();
    await expect(decryptField(SECRET, "inst-a", "g", sealed)).rejects.toThrow();
    await expect(decryptField("another-secret-0123456789", "inst-a", "f", sealed)).rejects.toThrow();
    const [v, iv, ct] = sealed.split(".");
    const bytes = Uint8Array.from(atob(ct), (ch) => ch.charCodeAt(0));
    bytes[0] ^= 1;
    const tampered = `${v}.${iv}.${btoa(String.fromCharCode(...bytes))}`;
    await expect(decryptField(SECRET, "inst-a", "f", tampered)).rejects.toThrow();
  });

  it("hashes a number for search per instance", async () => {
    const a1 = await searchHash(SECRET, "inst-a", "+14155550123");
    expect(a1).toMatch(/^[0-9a-f]{64}$/);
    expect(await searchHash(SECRET, "inst-a", "+14155550123")).toBe(a1);
    expect(await searchHash(SECRET, "inst-b", "+14155550123")).not.toBe(a1);
  });

  it("refuses to work without a real secret", async () => {
    await expect(encryptField("", "inst-a", "f", "x")).rejects.toThrow(/SWITCHBOARD_SECRET/);
  });
});

describe("password hashing", () => {
  it("verifies the right password only, with a salted PBKDF2 hash", async () => {
    const h1 = await hashPassword("correct horse battery");
    const h2 = await hashPassword("correct horse battery");
    expect(h1).toMatch(/^pbkdf2-sha256\$100000\$/);
    expect(h1).not.toBe(h2);
    expect(await verifyPassword("correct horse battery", h1)).toBe(true);
    expect(await verifyPassword("correct horse batterY", h1)).toBe(false);
    expect(await verifyPassword("anything", null)).toBe(false);
    expect(await verifyPassword("anything", "garbage")).toBe(false);
  });
});
