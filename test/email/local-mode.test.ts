/**
 * Local mode's mail: `POST /dev/email?to=` takes a raw message the way Email Routing's mail comes
 * in (on loopback with LOCAL_MODE true only), a refused one is a 422 with the reason, and with
 * LOCAL_MODE on the agent's reply lands in the local outbox (`GET /dev/email/outbox`) instead of
 * going to the send_email binding.
 */
import { createExecutionContext, env, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { app } from "../../src/workers/app";
import { contactRoomName } from "../../src/lib/object-names";
import { agentChatSocket } from "../chat/helpers";
import { agentSocket, eventually } from "../routing/helpers";
import { emailContacts, mail, makeEmailInstance } from "./helpers";

async function call(method: string, url: string, body: string | undefined, localMode: "true" | "false") {
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(url, { method, body, headers: body ? { "content-type": "message/rfc822" } : {} }), { ...env, LOCAL_MODE: localMode }, ctx);
  await waitOnExecutionContext(ctx);
  return { status: res.status, body: (await res.json()) as any };
}

describe("local mode: mail in through /dev/email, replies to the local outbox", () => {
  it("feeds a message in, refuses a malformed one with the reason, and keeps the agent's reply in the outbox", async () => {
    const fx = await makeEmailInstance();
    const alice = await agentSocket(fx, "alice");
    const raw = mail({ to: fx.address, id: "local-1@customer.example", text: "Where is my parcel?" });
    const url = `http://127.0.0.1:8790/dev/email?to=${encodeURIComponent(fx.address)}`;
    expect((await call("POST", `https://switchboard.example.com/dev/email?to=${encodeURIComponent(fx.address)}`, raw, "true")).status).toBe(404);
    expect((await call("POST", url, raw, "false")).status).toBe(404);
    expect(await emailContacts(fx.instanceId)).toEqual([]);

    const refused = await call("POST", url, "no headers here\r\n", "true");
    expect(refused).toEqual({ status: 422, body: { error: { code: "email_refused", message: "Malformed message: no From address" } } });

    const fed = await call("POST", url, raw, "true");
    expect(fed.status).toBe(201);
    expect(fed.body).toMatchObject({ ok: true, result: "started" });
    const contactId = fed.body.contactId as string;
    const offer = await alice.next("offer");
    alice.send({ type: "contact.accept", contactId: offer.contact.contactId });
    await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.state === "CONNECTED");

    // The contact's object runs as `npm run dev` runs it.
    await runInDurableObject(env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, contactId)), (instance) => {
      const real = (instance as unknown as { env: Env }).env;
      (instance as unknown as { env: Env }).env = new Proxy(real, { get: (t, p) => (p === "LOCAL_MODE" ? "true" : Reflect.get(t, p)) });
    });
    const agent = (await agentChatSocket(fx.token("alice"), contactId)).socket!;
    await agent.say("It left our warehouse today.");
    const outbox = await eventually(async () => {
      const res = await call("GET", `http://127.0.0.1:8790/dev/email/outbox?instance=${fx.instanceId}`, undefined, "true");
      return res.body.items.length ? res.body.items : null;
    }, "the reply in the local outbox");
    expect(outbox).toEqual([expect.objectContaining({
      instanceId: fx.instanceId, to: "casey@customer.example", subject: "Re: My order has not arrived", text: "It left our warehouse today.",
      headers: { "In-Reply-To": "<local-1@customer.example>", References: "<local-1@customer.example>" },
    })]);
    expect((await call("GET", `http://127.0.0.1:8790/dev/email/outbox?instance=${fx.instanceId}`, undefined, "false")).status).toBe(404);
    agent.close();
    alice.close();
  });
});
