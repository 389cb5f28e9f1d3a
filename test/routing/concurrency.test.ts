import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { queueRoom } from "../../src/durable/routing";
import { agentSocket, contactEvents, eventually, makeInstance, type TestSocket } from "./helpers";

async function takeOffer(s: TestSocket) {
  const offer = await s.next("offer");
  const r = await s.command({ type: "contact.accept", contactId: offer.contact.contactId });
  expect(r.type).toBe("ack");
  await s.next("contact.update", (m) => m.contact.contactId === offer.contact.contactId && m.contact.state === "CONNECTED");
  return offer.contact.contactId as string;
}

describe("invariant 2: concurrency per channel", () => {
  it("ROUTE_ANY_CHANNEL: while on a voice call the agent takes chats up to its chat concurrency, and no second call", async () => {
    const fx = await makeInstance({
      queues: [{ id: "q" }],
      profiles: [{ id: "rp", voice: 1, chat: 2, cross: "ROUTE_ANY_CHANNEL", queues: [{ queueId: "q", channels: ["VOICE", "CHAT"], priority: 1 }] }],
      agents: [{ id: "ann", profile: "rp" }],
    });
    const ann = await agentSocket(fx, "ann");
    await fx.enqueue("q", { channel: "VOICE" });
    const call = await takeOffer(ann);
    const call2 = await fx.enqueue("q", { channel: "VOICE" });
    const chats = [await fx.enqueue("q", { channel: "CHAT" }), await fx.enqueue("q", { channel: "CHAT" }), await fx.enqueue("q", { channel: "CHAT" })];
    const c1 = await takeOffer(ann);
    const c2 = await takeOffer(ann);
    expect([c1, c2]).toEqual([chats[0].contactId, chats[1].contactId]);
    const q = queueRoom(env, fx.instanceId, fx.queueId("q"));
    expect((await q.position(chats[2].contactId)).status).toBe("WAITING");
    expect((await q.position(call2.contactId)).status).toBe("WAITING");
    const snap = (await ann.command({ type: "sync" }), await ann.next("state.snapshot")).snapshot;
    expect(snap.contacts.map((c: any) => c.channel).sort()).toEqual(["CHAT", "CHAT", "VOICE"]);
    // A freed chat slot (after its ACW) takes the third chat.
    await ann.command({ type: "contact.end", contactId: c1 });
    expect((await ann.command({ type: "contact.clear", contactId: c1 })).type).toBe("ack");
    expect(await takeOffer(ann)).toBe(chats[2].contactId);
    expect(call).toBeTruthy();
  });

  it("ROUTE_CURRENT_CHANNEL_ONLY: no chat is offered while on a voice call", async () => {
    const fx = await makeInstance({
      queues: [{ id: "q" }],
      profiles: [{ id: "rp", voice: 1, chat: 3, cross: "ROUTE_CURRENT_CHANNEL_ONLY", queues: [{ queueId: "q", channels: ["VOICE", "CHAT"], priority: 1 }] }],
      agents: [{ id: "ann", profile: "rp" }],
    });
    const ann = await agentSocket(fx, "ann");
    await fx.enqueue("q", { channel: "VOICE" });
    const call = await takeOffer(ann);
    const chat = await fx.enqueue("q", { channel: "CHAT" });
    const q = queueRoom(env, fx.instanceId, fx.queueId("q"));
    expect((await q.position(chat.contactId)).status).toBe("WAITING");
    await ann.command({ type: "contact.end", contactId: call });
    await ann.command({ type: "contact.clear", contactId: call });
    expect(await takeOffer(ann)).toBe(chat.contactId);
  });

  it("50 agents accepting at once: 50 contacts each connected to exactly one agent, no agent holding two calls", async () => {
    const names = Array.from({ length: 50 }, (_, i) => `a${i}`);
    const fx = await makeInstance({
      queues: [{ id: "q" }],
      profiles: [{ id: "rp", queues: [{ queueId: "q", priority: 1 }] }],
      agents: names.map((id) => ({ id, profile: "rp" })),
    });
    const sockets = await Promise.all(names.map((n) => agentSocket(fx, n)));
    const contacts = await Promise.all(Array.from({ length: 55 }, () => fx.enqueue("q")));
    const offers = await Promise.all(sockets.map((s) => s.next("offer")));
    // Everyone accepts at the same moment.
    const replies = await Promise.all(sockets.map((s, i) => s.command({ type: "contact.accept", contactId: offers[i].contact.contactId })));
    expect(replies.every((r) => r.type === "ack")).toBe(true);
    await Promise.all(sockets.map((s) => s.next("contact.update", (m) => m.contact.state === "CONNECTED")));
    const offered = offers.map((o) => o.contact.contactId);
    expect(new Set(offered).size).toBe(50);
    for (const s of sockets) expect(s.messages.filter((m) => m.type === "offer")).toHaveLength(1);
    // The 5 left wait; every contact is connected once or waiting.
    const q = queueRoom(env, fx.instanceId, fx.queueId("q"));
    const positions = await Promise.all(contacts.map((c) => q.position(c.contactId)));
    expect(positions.filter((p) => p.status === "CONNECTED")).toHaveLength(50);
    expect(positions.filter((p) => p.status === "WAITING")).toHaveLength(5);
    await eventually(async () => {
      const { results } = await env.DB.prepare("SELECT contact_id, count(*) AS n FROM contact_events WHERE instance_id = ? AND type = 'CONNECTED' GROUP BY contact_id")
        .bind(fx.instanceId).all<{ n: number }>();
      return results.length === 50 && results.every((r) => r.n === 1);
    }, "50 CONNECTED rows");
    const perAgent = await env.DB.prepare("SELECT agent_id, count(*) AS n FROM contacts WHERE instance_id = ? AND state = 'CONNECTED' GROUP BY agent_id")
      .bind(fx.instanceId).all<{ n: number }>();
    expect(perAgent.results).toHaveLength(50);
    expect(perAgent.results.every((r) => r.n === 1)).toBe(true);
    expect((await contactEvents(fx.instanceId, contacts[0].contactId)).map((e) => e.type)).toContain("ENQUEUED");
  });
});
