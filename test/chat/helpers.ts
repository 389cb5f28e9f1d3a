/**
 * Chat fixtures: an instance (routing fixtures) with a published chat flow and chat settings,
 * the public start call as a website makes it, and chat sockets (customer and agent) that keep
 * every frame they received.
 */
import { env, SELF } from "cloudflare:test";
import { chatSettings, flows, flowVersions, securityProfiles, users } from "../../src/db/schema";
import { contactRoomName } from "../../src/lib/object-names";
import type { FlowContent } from "../../src/flows";
import type { ChatClientMessage, ChatMessageView, ChatServerMessage } from "../../src/shared/chat-protocol";
import type { Permission } from "../../src/shared/permissions";
import { createSession } from "../../src/workers/auth/sessions";
import { db } from "../helpers";
import { eventsInclude, makeInstance, type ProfileSpec } from "../routing/helpers";

export const SHOP = "https://shop.example.com";

/** Greets, asks sales or support (60 s), nudges a quiet customer and Waits 120 s; VIPs (the page sends tier=gold: `$.Visitor.tier`) are welcomed back. */
export function chatFlow(q: (id: string) => string): FlowContent {
  return {
    Version: "2019-10-30",
    StartAction: "greet",
    Actions: [
      { Identifier: "greet", Type: "MessageParticipant", Parameters: { Text: "Hi! Welcome to Acme chat." }, Transitions: { NextAction: "tier", Errors: [] } },
      {
        Identifier: "tier", Type: "Compare", Parameters: { ComparisonValue: "$.Visitor.tier" },
        Transitions: { NextAction: "ask", Conditions: [{ NextAction: "vip", Condition: { Operator: "Equals", Operands: ["gold"] } }], Errors: [{ NextAction: "ask", ErrorType: "NoMatchingCondition" }] },
      },
      { Identifier: "vip", Type: "MessageParticipant", Parameters: { Text: "Welcome back, gold member." }, Transitions: { NextAction: "ask", Errors: [] } },
      {
        Identifier: "ask", Type: "GetParticipantInput", Parameters: { Text: "Sales or support?", InputTimeLimitSeconds: "60", StoreInput: "False" },
        Transitions: {
          NextAction: "ask",
          Conditions: [
            { NextAction: "to-sales", Condition: { Operator: "Equals", Operands: ["sales"] } },
            { NextAction: "to-support", Condition: { Operator: "Equals", Operands: ["support"] } },
          ],
          Errors: [
            { NextAction: "still-there", ErrorType: "InputTimeLimitExceeded" },
            { NextAction: "sorry", ErrorType: "NoMatchingCondition" },
          ],
        },
      },
      { Identifier: "sorry", Type: "MessageParticipant", Parameters: { Text: "Sorry, I did not get that." }, Transitions: { NextAction: "ask", Errors: [] } },
      { Identifier: "still-there", Type: "MessageParticipant", Parameters: { Text: "Are you still there?" }, Transitions: { NextAction: "wait", Errors: [] } },
      {
        Identifier: "wait", Type: "Wait", Parameters: { TimeoutSeconds: "120", Events: ["CustomerReturned"] },
        Transitions: {
          NextAction: "closing",
          Conditions: [
            { NextAction: "ask", Condition: { Operator: "Equals", Operands: ["CustomerReturned"] } },
            { NextAction: "closing", Condition: { Operator: "Equals", Operands: ["WaitCompleted"] } },
          ],
          Errors: [{ NextAction: "closing", ErrorType: "NoMatchingError" }],
        },
      },
      { Identifier: "closing", Type: "MessageParticipant", Parameters: { Text: "Closing this chat. Bye!" }, Transitions: { NextAction: "bye", Errors: [] } },
      { Identifier: "to-sales", Type: "UpdateContactAttributes", Parameters: { Attributes: { intent: "sales" } }, Transitions: { NextAction: "q-sales", Errors: [] } },
      { Identifier: "q-sales", Type: "UpdateContactTargetQueue", Parameters: { QueueId: q("sales") }, Transitions: { NextAction: "transfer", Errors: [] } },
      { Identifier: "to-support", Type: "UpdateContactTargetQueue", Parameters: { QueueId: q("support") }, Transitions: { NextAction: "transfer", Errors: [] } },
      { Identifier: "transfer", Type: "TransferContactToQueue", Parameters: {}, Transitions: { NextAction: "bye", Errors: [{ NextAction: "bye", ErrorType: "NoMatchingError" }] } },
      { Identifier: "bye", Type: "DisconnectParticipant", Parameters: {}, Transitions: {} },
    ],
  };
}

export async function makeChatInstance(spec: { profiles?: ProfileSpec[]; agents?: { id: string; profile: string | null }[] } = {}) {
  const fx = await makeInstance({
    queues: [{ id: "sales" }, { id: "support" }],
    profiles: spec.profiles ?? [{ id: "chat", voice: 1, chat: 2, queues: [{ queueId: "sales", channels: ["CHAT"], priority: 1 }, { queueId: "support", channels: ["CHAT"], priority: 2 }] }],
    agents: spec.agents ?? [{ id: "alice", profile: "chat" }, { id: "bob", profile: "chat" }],
  });
  const d = db();
  const flowId = `${fx.instanceId}:flow:chat`;
  const content = chatFlow(fx.queueId);
  await d.insert(flows).values({ id: flowId, instanceId: fx.instanceId, name: "Chat", type: "CONTACT_FLOW", content, publishedVersion: 1 });
  await d.insert(flowVersions).values({ instanceId: fx.instanceId, flowId, version: 1, content });
  await d.insert(chatSettings).values({ instanceId: fx.instanceId, allowedOrigins: [SHOP], flowIds: [flowId] });
  return { ...fx, flowId };
}

export type ChatFixture = Awaited<ReturnType<typeof makeChatInstance>>;

export async function startChat(instanceId: string, opts: { origin?: string | null; body?: Record<string, unknown>; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { "content-type": "application/json", ...opts.headers };
  if (opts.origin !== null) headers.origin = opts.origin ?? SHOP;
  const res = await SELF.fetch("https://switchboard.test/api/v1/chat/start", { method: "POST", headers, body: JSON.stringify({ instanceId, ...opts.body }) });
  return { status: res.status, body: (await res.json()) as any, headers: res.headers };
}

export const session = (instanceId: string, contactId: string) => env.CONTACT_SESSION.getByName(contactRoomName(instanceId, contactId));

export type ChatSocket = Awaited<ReturnType<typeof wrapChat>>;

/** A customer's chat socket (as the widget opens it). */
export async function customerSocket(instanceId: string, chat: { chatId: string; token: string }, origin = SHOP) {
  const qs = new URLSearchParams({ instance: instanceId, chat: chat.chatId, token: chat.token });
  return openChatSocket(`https://switchboard.test/api/v1/chat/socket?${qs}`, { origin });
}

/** An agent's chat socket for a contact. */
export function agentChatSocket(token: string, contactId: string) {
  return openChatSocket(`https://switchboard.test/api/v1/contacts/${encodeURIComponent(contactId)}/chat/socket`, { authorization: `Bearer ${token}` });
}

/** A supervisor's chat socket for a contact they monitor or joined. */
export function supervisorChatSocket(token: string, contactId: string) {
  return openChatSocket(`https://switchboard.test/api/v1/contacts/${encodeURIComponent(contactId)}/chat/supervisor-socket`, { authorization: `Bearer ${token}` });
}

async function openChatSocket(url: string, headers: Record<string, string>) {
  const res = await SELF.fetch(url, { headers: { upgrade: "websocket", ...headers } });
  if (res.status !== 101 || !res.webSocket) return { status: res.status, body: (await res.json()) as any, socket: null };
  res.webSocket.accept();
  return { status: 101, body: null, socket: await wrapChat(res.webSocket) };
}

async function wrapChat(ws: WebSocket) {
  const frames: ChatServerMessage[] = [];
  const waiters: { pred: (m: ChatServerMessage) => boolean; resolve: (m: any) => void }[] = [];
  let closed: { code: number; reason: string } | null = null;
  ws.addEventListener("close", (e) => (closed = { code: e.code, reason: e.reason }));
  ws.addEventListener("message", (e) => {
    const m = JSON.parse(e.data as string) as ChatServerMessage;
    frames.push(m);
    for (const w of [...waiters]) if (w.pred(m)) (waiters.splice(waiters.indexOf(w), 1), w.resolve(m));
  });
  const s = {
    frames,
    get closed() {
      return closed;
    },
    send(m: ChatClientMessage | Record<string, unknown>) {
      ws.send(JSON.stringify(m));
    },
    sendRaw(raw: string) {
      ws.send(raw);
    },
    /** The first frame (already received or coming within 5 s) matching. */
    wait<T extends ChatServerMessage["type"]>(type: T, pred: (m: Extract<ChatServerMessage, { type: T }>) => boolean = () => true, ms = 5000): Promise<Extract<ChatServerMessage, { type: T }>> {
      const match = (m: ChatServerMessage) => m.type === type && pred(m as Extract<ChatServerMessage, { type: T }>);
      const found = frames.find(match);
      if (found) return Promise.resolve(found as Extract<ChatServerMessage, { type: T }>);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no ${type} frame within ${ms} ms; last: ${JSON.stringify(frames.slice(-4))}`)), ms);
        waiters.push({ pred: match, resolve: (m) => (clearTimeout(t), resolve(m)) });
      });
    },
    /** Messages received (live and from history), by seq, each once. */
    messages(): ChatMessageView[] {
      const bySeq = new Map<number, ChatMessageView>();
      for (const f of frames) {
        if (f.type === "message") bySeq.set(f.message.seq, f.message);
        if (f.type === "history") for (const m of f.messages) bySeq.set(m.seq, m);
      }
      return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
    },
    /** Waits for a stored message with this text (from anyone). */
    message(text: string | RegExp) {
      return s.wait("message", (m) => (typeof text === "string" ? m.message.text === text : text.test(m.message.text)));
    },
    /** Sends text and waits for its ack. */
    async say(text: string, clientId = crypto.randomUUID().replaceAll("-", "")) {
      s.send({ type: "message.send", clientId, text });
      return s.wait("ack", (a) => a.clientId === clientId);
    },
    async history(afterSeq = 0) {
      const n = frames.filter((f) => f.type === "history").length;
      s.send({ type: "sync", afterSeq });
      await waitFor(() => frames.filter((f) => f.type === "history").length > n, "history");
      return frames.filter((f) => f.type === "history").at(-1) as Extract<ChatServerMessage, { type: "history" }>;
    },
    close() {
      ws.close(1000, "done");
    },
  };
  await s.wait("chat.state");
  return s;
}

export async function waitFor(fn: () => boolean | Promise<boolean>, what: string) {
  for (let i = 0; i < 250; i++) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The chat's texts in order (what a transcript shows). */
export const texts = (ms: ChatMessageView[]) => ms.map((m) => `${m.from}: ${m.text}`);

/** A user of the instance with exactly these permissions. */
export async function userWith(instanceId: string, name: string, permissions: Permission[]) {
  const d = db();
  const spId = `${instanceId}:sp:${name}`;
  await d.insert(securityProfiles).values({ id: spId, instanceId, name, permissions });
  const id = `${instanceId}:user:${name}`;
  await d.insert(users).values({ id, instanceId, email: `${name}@${instanceId}.test`, name, passwordHash: "x", securityProfileId: spId, routingProfileId: null });
  return (await createSession(d, { id, instanceId })).token;
}

/** A chat whose customer wrote `text` through the widget's socket and then ended it (in the flow): its transcript is stored and indexed. */
export async function endedChat(fx: ChatFixture, text: string) {
  const { body: chat } = await startChat(fx.instanceId);
  const c = (await customerSocket(fx.instanceId, chat)).socket!;
  await c.say(text);
  c.send({ type: "chat.end" });
  await c.wait("chat.state", (s) => s.chat.status === "ENDED");
  await session(fx.instanceId, chat.contactId).settle();
  await eventsInclude(fx.instanceId, chat.contactId, ["TRANSCRIPT_STORED"]);
  c.close();
  return chat.contactId as string;
}
