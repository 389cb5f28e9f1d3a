/**
 * Personal-data erasure of an EMAIL contact: its files and transcript leave R2, the object's
 * messages, HTML and replies go (an ended contact's object is emptied), the customer's address
 * leaves the record, and the thread is unlinked: the customer's next mail in it starts a new
 * contact not tied to the erased one.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, otherInstance } from "../helpers";
import { agentChatSocket, session, userWith } from "../chat/helpers";
import { agentSocket, contactRow, eventsInclude, eventually } from "../routing/helpers";
import { captureMail, deliver, emailContacts, mail, makeEmailInstance } from "./helpers";

describe("email: personal-data erasure", () => {
  it("removes the files, transcript, messages and address, and unlinks the thread", async () => {
    const fx = await makeEmailInstance();
    const alice = await agentSocket(fx, "alice");
    expect(await deliver(fx.address, mail({
      to: fx.address, id: "e1@customer.example", html: "<p>My address is 1 Main Street</p>",
      attachment: { name: "id.txt", type: "text/plain", bytes: new TextEncoder().encode("passport 123") },
    }))).toBeNull();
    const offer = await alice.next("offer");
    const contactId = offer.contact.contactId as string;
    alice.send({ type: "contact.accept", contactId });
    await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.state === "CONNECTED");
    const sent = await captureMail(fx.instanceId, contactId);
    const agent = (await agentChatSocket(fx.token("alice"), contactId)).socket!;
    await agent.say("Thanks, noted.");
    await eventually(() => sent.length === 1, "the reply");
    alice.send({ type: "contact.end", contactId });
    await session(fx.instanceId, contactId).settle();
    await eventsInclude(fx.instanceId, contactId, ["TRANSCRIPT_STORED"]);
    expect((await env.RECORDINGS.list({ prefix: `${fx.instanceId}/` })).objects.length).toBe(2); // the file and the transcript

    const other = await otherInstance();
    expect((await api("DELETE", `/contacts/${contactId}/personal-data`, { token: other.token })).status).toBe(404);
    const token = await userWith(fx.instanceId, "dpo", ["instance.configure"]);
    const res = await api("DELETE", `/contacts/${contactId}/personal-data`, { token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ contactId, transcripts: 2 });
    expect((await env.RECORDINGS.list({ prefix: `${fx.instanceId}/` })).objects).toEqual([]);
    expect((await session(fx.instanceId, contactId).chatSnapshot()).messages).toEqual([]);
    expect((await contactRow(fx.instanceId, contactId)).customer_endpoint_enc).toBeNull();
    expect((await env.DB.prepare("SELECT count(*) AS n FROM email_threads WHERE instance_id = ? AND contact_id = ?").bind(fx.instanceId, contactId).first<{ n: number }>())!.n).toBe(0);

    // The customer writes again in the same thread: a new contact, not linked to the erased one.
    expect(await deliver(fx.address, mail({ to: fx.address, id: "e2@customer.example", references: ["e1@customer.example"], text: "Any news?" }))).toBeNull();
    const all = await emailContacts(fx.instanceId);
    expect(all).toHaveLength(2);
    expect(all[1]).toMatchObject({ channel: "EMAIL", previousContactId: null });
    agent.close();
    alice.close();
  });
});
