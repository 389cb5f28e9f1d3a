/**
 * An SMS conversation open across a key rotation: its thread is keyed by a hash with the old
 * search key, which the rotation pass cannot recompute (the customer's number is not stored with
 * it). While the keyring still knows the old version, the customer's next message finds the
 * thread with the old key, moves it to the new one, and stays in its contact.
 */
import { env } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { session, texts } from "../chat/helpers";
import { eventually } from "../routing/helpers";
import { CUSTOMER, contactOfMessage, makeSmsInstance, replies, simulatedTwilio } from "./helpers";
import { neverRotated, restoreKeys, rotate } from "../key-rotation";


let restore: (() => void) | null = null;
afterEach(() => {
  restore?.();
  restore = null;
  restoreKeys();
});

describe("SMS across a key rotation", () => {
  it("the customer's next message after the rotation continues the open contact, and its thread is now keyed under the new version", async () => {
    neverRotated();
    const fx = await makeSmsInstance();
    const t = simulatedTwilio();
    restore = t.restore;
    const phone = t.phone;
    const first = await phone.messaging.send({ from: CUSTOMER, to: fx.number, text: "Hello?" });
    const contactId = (await eventually(() => contactOfMessage(fx.instanceId, first.sid), "the contact"))!;
    await replies(phone, CUSTOMER, 2);
    const keyOf = async () =>
      (await env.DB.prepare("SELECT thread_key AS k FROM messaging_threads WHERE instance_id = ?").bind(fx.instanceId).all<{ k: string }>()).results.map((r) => r.k);
    const before = await keyOf();
    expect(before).toHaveLength(1);

    rotate();
    const second = await phone.messaging.send({ from: CUSTOMER, to: fx.number, text: "sales" });
    expect(second.response.status).toBe(200);
    expect(await contactOfMessage(fx.instanceId, second.sid)).toBeNull(); // it started no contact
    const contacts = await env.DB.prepare("SELECT id FROM contacts WHERE instance_id = ?").bind(fx.instanceId).all<{ id: string }>();
    expect(contacts.results.map((r) => r.id)).toEqual([contactId]);
    await eventually(async () => texts((await session(fx.instanceId, contactId).chatSnapshot()).messages).includes("CUSTOMER: sales") || null, "the message in the contact");
    const after = await keyOf();
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(before[0]);
  });
});
