/**
 * Personal-data erasure reaches the chat's ContactSession: the messages it holds (live or
 * ended) and the customer's name go; a live chat goes on with new messages numbered after the
 * erased ones; nothing it held comes back in the transcript stored at the end.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, otherInstance } from "../helpers";
import { eventsInclude } from "../routing/helpers";
import { customerSocket, makeChatInstance, session, startChat, userWith } from "./helpers";

const admin = (instanceId: string) => userWith(instanceId, "dpo", ["instance.configure", "contacts.search", "recordings.listen"]);

describe("chat: personal-data erasure purges the ContactSession's messages", () => {
  it("a live chat: its messages and the customer's name leave the object, new ones continue after them, and the stored transcript holds none of the erased words", async () => {
    const fx = await makeChatInstance({ agents: [] });
    const token = await admin(fx.instanceId);
    const { body: chat } = await startChat(fx.instanceId, { body: { customerName: "Zoë Martin" } });
    const c = (await customerSocket(fx.instanceId, chat)).socket!;
    await c.say("My card number is 4111 1111 1111 1111");
    const stub = session(fx.instanceId, chat.contactId);
    const before = (await stub.chatSnapshot()).messages;
    expect(before.map((m) => m.text)).toContain("My card number is 4111 1111 1111 1111");
    const lastSeq = Math.max(...before.map((m) => m.seq));
    const named = await runInDurableObject(stub, (_o, state) => state.storage.sql.exec<{ n: string | null }>("SELECT customer_name AS n FROM chat").one().n);
    expect(named).toBe("Zoë Martin");

    // Another instance's admin cannot reach it (404), and nothing is erased.
    const other = await otherInstance();
    expect((await api("DELETE", `/contacts/${chat.contactId}/personal-data`, { token: other.token })).status).toBe(404);
    expect((await stub.chatSnapshot()).messages).toHaveLength(before.length);

    const res = await api("DELETE", `/contacts/${chat.contactId}/personal-data`, { token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ contactId: chat.contactId, chatMessages: before.length, transcriptFragments: 0 });
    expect((await stub.chatSnapshot()).messages).toEqual([]);
    const name = await runInDurableObject(stub, (_o, state) => state.storage.sql.exec<{ n: string | null }>("SELECT customer_name AS n FROM chat").one().n);
    expect(name).toBeNull();

    // The chat goes on: a new message is stored after the erased ones.
    await c.say("support");
    const after = (await stub.chatSnapshot()).messages;
    expect(after.length).toBeGreaterThan(0);
    expect(Math.min(...after.map((m) => m.seq))).toBeGreaterThan(lastSeq);

    c.send({ type: "chat.end" });
    await c.wait("chat.state", (s) => s.chat.status === "ENDED");
    await stub.settle();
    await eventsInclude(fx.instanceId, chat.contactId, ["TRANSCRIPT_STORED"]);
    const [transcript] = (await api("GET", `/contacts/${chat.contactId}/recordings`, { token })).body.items;
    const text = await (await api("GET", `/recordings/${transcript.id}/media`, { token })).body;
    // The words themselves, not the JSON: a timestamp such as 1796615584111 holds "4111" too.
    const said = (text as { messages: { text: string }[] }).messages.map((m) => m.text);
    expect(said.join("\n")).not.toMatch(/4111|card number/);
    expect(JSON.stringify(text)).not.toContain("4111 1111");
    expect(said).toContain("support");
    const audit = await env.DB.prepare("SELECT details FROM audit_log WHERE instance_id = ? AND action = 'delete_personal_data'").bind(fx.instanceId).first<{ details: string }>();
    expect(JSON.parse(audit!.details)).toMatchObject({ chatMessages: before.length });
  });
});
