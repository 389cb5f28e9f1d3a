/**
 * GetParticipantInput with InputEncryption (a card number): what the caller keys is encrypted with
 * the flow owner's key before the flow keeps it. Neither D1, the contact's own storage nor the
 * console ever holds the digits; the flow hands on the ciphertext, which the key's holder reads.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { securityProfiles, users } from "../../src/db/schema";
import type { FlowContent } from "../../src/flows";
import { fromBase64 } from "../../src/lib/crypto";
import { contactRoomName } from "../../src/lib/object-names";
import { createSession } from "../../src/workers/auth/sessions";
import { voiceContactId } from "../../src/workers/twilio/routes";
import { api, db } from "../helpers";
import { makeVoiceInstance, settleContact, simulatedTwilio, until } from "./helpers";
import { TEST_CERTIFICATE, TEST_PRIVATE_KEY } from "./input-encryption-key";

const restores: (() => void)[] = [];
afterEach(() => { while (restores.length) restores.pop()!(); });

const CARD = "4929173650184426";

function cardFlow(key: string): FlowContent {
  return {
    Version: "2019-10-30",
    StartAction: "card",
    Actions: [
      {
        Identifier: "card", Type: "GetParticipantInput",
        Parameters: {
          Text: "Please key your card number, then press pound.", StoreInput: "True", InputTimeLimitSeconds: "10",
          InputValidation: { CustomValidation: { MaximumLength: "16" } },
          InputEncryption: { EncryptionKeyId: "card-key-2026", Key: key },
        },
        Transitions: { NextAction: "keep", Errors: [{ NextAction: "sorry", ErrorType: "InputTimeLimitExceeded" }, { NextAction: "sorry", ErrorType: "NoMatchingError" }] },
      },
      { Identifier: "keep", Type: "UpdateContactAttributes", Parameters: { Attributes: { card: "$.StoredCustomerInput" } }, Transitions: { NextAction: "thanks", Errors: [{ NextAction: "sorry", ErrorType: "NoMatchingError" }] } },
      { Identifier: "thanks", Type: "MessageParticipant", Parameters: { Text: "Thank you, your card is noted." }, Transitions: { NextAction: "bye", Errors: [] } },
      { Identifier: "sorry", Type: "MessageParticipant", Parameters: { Text: "Sorry, that did not work." }, Transitions: { NextAction: "bye", Errors: [] } },
      { Identifier: "bye", Type: "DisconnectParticipant", Parameters: {}, Transitions: {} },
    ],
  };
}

function captureConsole() {
  const lines: string[] = [];
  for (const level of ["log", "info", "warn", "error", "debug"] as const) {
    const spy = vi.spyOn(console, level).mockImplementation((...args: unknown[]) => { lines.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" ")); });
    restores.push(() => spy.mockRestore());
  }
  return lines;
}

async function searcherToken(instanceId: string) {
  const id = `${instanceId}:user:searcher`;
  await db().insert(securityProfiles).values({ id: `${instanceId}:sp:searcher`, instanceId, name: "Searcher", permissions: ["contacts.search"] });
  await db().insert(users).values({ id, instanceId, email: `searcher@${instanceId}.test`, name: "Searcher", passwordHash: "x", securityProfileId: `${instanceId}:sp:searcher` });
  return (await createSession(db(), { id, instanceId })).token;
}

async function decryptWithPrivateKey(b64: string) {
  const der = fromBase64(TEST_PRIVATE_KEY.replace(/-----[A-Z ]+-----|\s+/g, ""));
  const key = await crypto.subtle.importKey("pkcs8", der, { name: "RSA-OAEP", hash: "SHA-256" }, false, ["decrypt"]);
  return new TextDecoder().decode(await crypto.subtle.decrypt({ name: "RSA-OAEP" }, key, fromBase64(b64)));
}

/** Every row of every table of the contact's own SQLite storage, as text. */
async function sessionStorage(instanceId: string, contactId: string) {
  return runInDurableObject(env.CONTACT_SESSION.getByName(contactRoomName(instanceId, contactId)), (_o, state) => {
    const tables = state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\'").toArray();
    return JSON.stringify(tables.map((t) => [t.name, state.storage.sql.exec(`SELECT * FROM "${t.name}"`).toArray()]));
  });
}

describe("voice: encrypted input (InputEncryption)", () => {
  it("a card number keyed for an encrypted input is in no D1 table, not in the contact's storage and not on the console; the flow keeps the ciphertext, which the key's holder decrypts", async () => {
    const fx = await makeVoiceInstance({ flow: () => cardFlow(TEST_CERTIFICATE) });
    const net = simulatedTwilio();
    restores.push(net.restore);
    const consoleLines = captureConsole();
    const call = await net.phone.call({ from: "+14155550142", to: fx.number });
    await call.press(`${CARD}#`);
    await until(net.phone, () => net.phone.events.some((e) => e.type === "say" && e.text === "Thank you, your card is noted."), "the thank-you");
    const contactId = await voiceContactId(fx.instanceId, call.sid);
    await settleContact(fx.instanceId, contactId);

    for (const table of ["flow_logs", "contact_events", "contacts", "audit_log"]) {
      const column = table === "contacts" ? "id" : table === "audit_log" ? "resource_id" : "contact_id";
      const rows = await env.DB.prepare(`SELECT * FROM ${table} WHERE instance_id = ? AND ${column} = ?`).bind(fx.instanceId, contactId).all();
      expect(JSON.stringify(rows.results), table).not.toContain(CARD);
    }
    expect(await sessionStorage(fx.instanceId, contactId)).not.toContain(CARD);
    expect(consoleLines.join("\n")).not.toContain(CARD);

    // A contact searcher sees the flow took the Success branch with an encrypted input, and the
    // attribute holds the ciphertext: only the private key's holder reads the card number.
    const token = await searcherToken(fx.instanceId);
    const logs = await api("GET", `/contacts/${contactId}/flow-logs`, { token });
    expect(logs.status).toBe(200);
    expect(logs.body.items.find((i: { actionId: string }) => i.actionId === "card")).toMatchObject({ branch: "NextAction", nextActionId: "keep", data: { input: "(encrypted)", encryptionKeyId: "card-key-2026" } });
    expect(JSON.stringify(logs.body)).not.toContain(CARD);
    const contact = await api("GET", `/contacts/${contactId}`, { token });
    expect(contact.status).toBe(200);
    const card = contact.body.attributes.card as string;
    expect(card).not.toContain(CARD);
    expect(await decryptWithPrivateKey(card)).toBe(CARD);
  });

  it("an encrypted input whose key does not import takes the error branch and keeps nothing of the digits", async () => {
    const broken = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----";
    const fx = await makeVoiceInstance({ flow: () => cardFlow(broken) });
    const net = simulatedTwilio();
    restores.push(net.restore);
    const consoleLines = captureConsole();
    const call = await net.phone.call({ from: "+14155550143", to: fx.number });
    await call.press(`${CARD}#`);
    await until(net.phone, () => net.phone.events.some((e) => e.type === "say" && e.text === "Sorry, that did not work."), "the error branch");
    const contactId = await voiceContactId(fx.instanceId, call.sid);
    await settleContact(fx.instanceId, contactId);
    expect(await sessionStorage(fx.instanceId, contactId)).not.toContain(CARD);
    expect(consoleLines.join("\n")).not.toContain(CARD);
    expect(consoleLines.some((l) => l.includes("input_encryption_failed") && l.includes("card-key-2026"))).toBe(true);
    const logs = await api("GET", `/contacts/${contactId}/flow-logs`, { token: await searcherToken(fx.instanceId) });
    expect(logs.body.items.find((i: { actionId: string }) => i.actionId === "card")).toMatchObject({ branch: "Error: NoMatchingError", nextActionId: "sorry" });
    expect(JSON.stringify(logs.body)).not.toContain(CARD);
  });
});
