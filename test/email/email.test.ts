/**
 * Email contacts end to end, through the Worker's `email()` handler: a message to an instance's
 * address becomes an EMAIL contact in the address's queue, is offered to an agent whose profile
 * takes email, the agent reads it (sanitised HTML, its file stored encrypted) and replies through
 * the `send_email` binding with the thread's headers, the customer's answer continues the same
 * contact, and the record, transcript and search cover it. Refused mail stores nothing; another
 * instance sees none of it.
 */
import { env, runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { contactRoomName } from "../../src/lib/object-names";
import { EMAIL_MAX_ATTACHMENT_BYTES, EMAIL_MAX_BYTES } from "../../src/workers/email/parse";
import { api, otherInstance } from "../helpers";
import { agentChatSocket, session, texts, userWith } from "../chat/helpers";
import { agentSocket, contactRow, eventsInclude, eventually, type TestSocket } from "../routing/helpers";
import { captureMail, deliver, emailContacts, mail, makeEmailInstance } from "./helpers";

const PDF = new TextEncoder().encode("%PDF-1.4 the delivery note");

async function take(agent: TestSocket) {
  const offer = await agent.next("offer");
  expect(offer.contact.channel).toBe("EMAIL");
  agent.send({ type: "contact.accept", contactId: offer.contact.contactId });
  await agent.next("contact.update", (m) => m.contact.contactId === offer.contact.contactId && m.contact.state === "CONNECTED");
  return offer.contact.contactId as string;
}

describe("email contacts", () => {
  it("email in → EMAIL contact in the address's queue → offered → accepted → the agent's reply leaves through send_email with the thread's headers → the answer continues the contact → record, transcript and search", async () => {
    const fx = await makeEmailInstance();
    const alice = await agentSocket(fx, "alice");
    const refused = await deliver(fx.address, mail({
      to: fx.address, id: "m1@customer.example",
      html: `<p onclick="steal()">Order 1234 has not arrived.<script>alert(1)</script><img src="https://tracker.example/p.gif"><a href="javascript:alert(2)">x</a></p>`,
      attachment: { name: "note.pdf", type: "application/pdf", bytes: PDF },
    }));
    expect(refused).toBeNull();
    const [contact] = await emailContacts(fx.instanceId);
    expect(contact.channel).toBe("EMAIL");
    const contactId = await take(alice);
    expect(contactId).toBe(contact.id);
    const sent = await captureMail(fx.instanceId, contactId);

    const agent = (await agentChatSocket(fx.token("alice"), contactId)).socket!;
    const history = await agent.history();
    const first = history.messages.find((m) => m.from === "CUSTOMER")!;
    expect(first.text).toBe("Hello, order 1234 has not arrived.");
    expect(first.email?.subject).toBe("My order has not arrived");
    expect(first.email?.html).toContain("Order 1234 has not arrived.");
    for (const bad of ["<script", "onclick", "alert(1)", "javascript:", ' src="https://tracker.example']) expect(first.email?.html).not.toContain(bad);
    expect(first.email?.html).toContain('data-blocked-src="https://tracker.example/p.gif"');
    expect(first.attachments).toEqual([expect.objectContaining({ name: "note.pdf", contentType: "application/pdf", status: "stored", sizeBytes: PDF.byteLength })]);
    // The file is in R2 encrypted (not its plain bytes), on the contact.
    const obj = await env.RECORDINGS.list({ prefix: `${fx.instanceId}/` });
    const stored = await Promise.all(obj.objects.map(async (o) => new Uint8Array(await (await env.RECORDINGS.get(o.key))!.arrayBuffer())));
    expect(stored.length).toBeGreaterThan(0);
    for (const bytes of stored) expect(new TextDecoder().decode(bytes)).not.toContain("the delivery note");

    await agent.say("Sorry about that, a new one is on its way.");
    await eventually(() => sent.length === 1, "the reply through send_email");
    expect(sent[0]).toMatchObject({
      from: { name: "Acme Support", email: fx.address }, to: "casey@customer.example", subject: "Re: My order has not arrived",
      text: "Sorry about that, a new one is on its way.",
      headers: { "In-Reply-To": "<m1@customer.example>", References: "<m1@customer.example>" },
    });
    await agent.wait("delivery", (d) => d.delivery.status === "sent");

    // The customer answers our reply (its Message-ID is the binding's): the same contact goes on.
    expect(await deliver(fx.address, mail({
      to: fx.address, id: "m2@customer.example", subject: "Re: My order has not arrived", inReplyTo: "reply-1@mail.example.com",
      references: ["m1@customer.example", "reply-1@mail.example.com"], text: "Thank you!",
    }))).toBeNull();
    await agent.message("Thank you!");
    expect((await emailContacts(fx.instanceId)).map((c) => c.id)).toEqual([contactId]);
    await agent.say("You're welcome.");
    await eventually(() => sent.length === 2, "the second reply");
    // RFC 5322: the parent's References, then its Message-ID.
    expect(sent[1].headers).toEqual({ "In-Reply-To": "<m2@customer.example>", References: "<m1@customer.example> <reply-1@mail.example.com> <m2@customer.example>" });

    alice.send({ type: "contact.end", contactId });
    await session(fx.instanceId, contactId).settle();
    await eventsInclude(fx.instanceId, contactId, ["ENQUEUED", "CONNECTED", "TRANSCRIPT_STORED"]);
    const row = await contactRow(fx.instanceId, contactId);
    expect(row).toMatchObject({ channel: "EMAIL", initiation_method: "INBOUND", system_endpoint: fx.address, agent_id: fx.agentId("alice") });
    expect(row.customer_endpoint_enc).not.toContain("casey"); // sealed as contact addresses are
    const sup = await userWith(fx.instanceId, "sup", ["contacts.search", "recordings.listen"]);
    const record = await api("GET", `/contacts/${contactId}`, { token: sup });
    expect(record.status).toBe(200);
    expect(record.body).toMatchObject({ channel: "EMAIL", customerEndpoint: "casey@customer.example" });
    const found = await api("GET", `/contacts?q=${encodeURIComponent("arrived")}`, { token: sup });
    expect(found.body.items.map((c: any) => c.id)).toEqual([contactId]);
    const bySender = await api("GET", `/contacts?channel=EMAIL&customerEmail=${encodeURIComponent("Casey@Customer.example")}`, { token: sup });
    expect(bySender.body.items.map((c: any) => c.id)).toEqual([contactId]);
    expect((await api("GET", "/contacts?customerEmail=not-an-address", { token: sup })).status).toBe(400);
    const snap = await session(fx.instanceId, contactId).chatSnapshot();
    expect(texts(snap.messages).filter((t) => !t.startsWith("SYSTEM"))).toEqual([
      "CUSTOMER: Hello, order 1234 has not arrived.", "AGENT: Sorry about that, a new one is on its way.", "CUSTOMER: Thank you!", "AGENT: You're welcome.",
    ]);

    // A message in the thread after the contact ended starts a new contact, linked to it.
    expect(await deliver(fx.address, mail({ to: fx.address, id: "m3@customer.example", references: ["m1@customer.example", "m2@customer.example"], text: "One more thing" }))).toBeNull();
    const all = await emailContacts(fx.instanceId);
    expect(all).toHaveLength(2);
    expect(all[1]).toMatchObject({ channel: "EMAIL", previousContactId: contactId });
    agent.close();
    alice.close();
  });

  it("a reply the binding refuses is retried from the contact's alarm, in order, and not lost", async () => {
    const fx = await makeEmailInstance();
    const alice = await agentSocket(fx, "alice");
    expect(await deliver(fx.address, mail({ to: fx.address, id: "r1@customer.example" }))).toBeNull();
    const contactId = await take(alice);
    const sent = await captureMail(fx.instanceId, contactId, { failFirst: 1 });
    const agent = (await agentChatSocket(fx.token("alice"), contactId)).socket!;
    await agent.say("First answer");
    await agent.say("Second answer");
    const stub = env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, contactId));
    await eventually(async () => (await stub.chatSnapshot()).messages.some((m) => m.from === "AGENT" && m.delivery?.status === "pending"), "the first try");
    expect(sent).toHaveLength(0);
    for (let i = 0; i < 20 && sent.length < 2; i++) {
      await new Promise((r) => setTimeout(r, 150));
      await runDurableObjectAlarm(stub);
    }
    expect(sent.map((m) => m.text)).toEqual(["First answer", "Second answer"]);
    agent.close();
    alice.close();
  });

  it("oversized, malformed, unknown-address and too-large-attachment mail is refused with the reason, and nothing is stored", async () => {
    const fx = await makeEmailInstance();
    const small = mail({ to: fx.address, id: "big@customer.example" });
    expect(await deliver(fx.address, small, EMAIL_MAX_BYTES + 1)).toMatch(/^Message too large: \d+ bytes \(the limit is \d+ bytes\)$/);
    expect(await deliver(fx.address, "this is not a mail message at all\r\n")).toBe("Malformed message: no From address");
    expect(await deliver(`nobody-${fx.instanceId}@mail.example.com`, mail({ to: "x@y.z", id: "n@customer.example" }))).toMatch(/^No such mailbox/);
    const refusedAttachment = await deliver(fx.address, mailWithBigAttachment(fx.address));
    expect(refusedAttachment).toMatch(/^Attachment too large: huge\.bin is \d+ bytes/);
    expect(await emailContacts(fx.instanceId)).toEqual([]);
    expect((await env.DB.prepare("SELECT count(*) AS n FROM email_threads WHERE instance_id = ?").bind(fx.instanceId).first<{ n: number }>())!.n).toBe(0);
    expect((await env.RECORDINGS.list({ prefix: `${fx.instanceId}/` })).objects).toEqual([]);
  });

  it("another instance's email contact answers 404, its record and its chat socket alike", async () => {
    const fx = await makeEmailInstance();
    expect(await deliver(fx.address, mail({ to: fx.address, id: "t1@customer.example" }))).toBeNull();
    const [contact] = await emailContacts(fx.instanceId);
    const other = await otherInstance();
    expect((await api("GET", `/contacts/${contact.id}`, { token: other.token })).status).toBe(404);
    const socket = await agentChatSocket(other.token, contact.id);
    expect(socket.status).toBe(404);
  });
});

function mailWithBigAttachment(to: string) {
  const b64 = "A".repeat(Math.ceil(((EMAIL_MAX_ATTACHMENT_BYTES + 10) * 4) / 3 / 4) * 4).replace(/.{76}/g, "$&\r\n");
  return [
    "From: casey@customer.example", `To: ${to}`, "Subject: big", "Message-ID: <huge@customer.example>", "MIME-Version: 1.0",
    'Content-Type: multipart/mixed; boundary="b1"', "", "--b1", "Content-Type: text/plain", "", "see file", "--b1",
    'Content-Type: application/octet-stream; name="huge.bin"', 'Content-Disposition: attachment; filename="huge.bin"', "Content-Transfer-Encoding: base64", "", b64, "--b1--", "",
  ].join("\r\n");
}
