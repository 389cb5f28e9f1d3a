import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { securityProfiles, users } from "../../src/db/schema";
import { createSession } from "../../src/workers/auth/sessions";
import { api, db } from "../helpers";
import { agentChatSocket, customerSocket, makeChatInstance, startChat, userWith, waitFor } from "../chat/helpers";
import { agentSocket, makeInstance } from "../routing/helpers";

/** A socket that records its messages and how it closed. */
async function open(path: string, token: string) {
  const res = await SELF.fetch(`https://switchboard.test/api/v1${path}`, { headers: { upgrade: "websocket", authorization: `Bearer ${token}` } });
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  const messages: any[] = [];
  let resolveClosed!: (code: number) => void;
  const closed = new Promise<number>((r) => (resolveClosed = r));
  ws.addEventListener("message", (e) => {
    messages.push(JSON.parse(e.data as string));
  });
  ws.addEventListener("close", (e) => resolveClosed(e.code));
  ws.accept();
  const within = <T>(p: Promise<T>, ms = 5000) =>
    Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`socket ${path} still open after ${ms} ms`)), ms))]);
  return { ws, messages, closed: () => within(closed) };
}

/** An instance with agent ann (who may also watch the dashboard) and an admin who manages users. */
async function setup() {
  const fx = await makeInstance({ queues: [{ id: "q" }], profiles: [{ id: "p", queues: [{ queueId: "q", priority: 1 }] }], agents: [{ id: "ann", profile: "p", securityProfile: "supervisor" }] });
  const d = db();
  await d.insert(securityProfiles).values({ id: `${fx.instanceId}:sp:admin`, instanceId: fx.instanceId, name: "Admin", permissions: ["users.manage", "contacts.handle", "metrics.realtime"] });
  const adminId = `${fx.instanceId}:user:admin`;
  await d.insert(users).values({ id: adminId, instanceId: fx.instanceId, email: `admin@${fx.instanceId}.test`, name: "Admin", passwordHash: "x", securityProfileId: `${fx.instanceId}:sp:admin` });
  const admin = (await createSession(d, { id: adminId, instanceId: fx.instanceId })).token;
  return { ...fx, admin };
}

describe("ending a session closes what it opened", () => {
  it("a new password ends the user's sessions and closes its agent and dashboard sockets", async () => {
    const fx = await setup();
    const ann = fx.token("ann");
    const agent = await open("/agent/socket", ann);
    const dashboard = await open("/metrics/socket", ann);
    const res = await api("PATCH", `/users/${fx.agentId("ann")}`, { token: fx.admin, body: { password: "a-brand-new-password" } });
    expect(res.status).toBe(200);
    expect(await agent.closed()).toBe(4401);
    expect(await dashboard.closed()).toBe(4401);
    expect((await api("GET", "/auth/me", { token: ann })).status).toBe(401);
    // The admin's own dashboard and session are untouched.
    expect((await api("GET", "/auth/me", { token: fx.admin })).status).toBe(200);
  });

  it("deactivating a user ends its sessions and closes its sockets; renaming it does not", async () => {
    const fx = await setup();
    const ann = fx.token("ann");
    const agent = await open("/agent/socket", ann);
    expect((await api("PATCH", `/users/${fx.agentId("ann")}`, { token: fx.admin, body: { name: "Ann B." } })).status).toBe(200);
    expect((await api("GET", "/auth/me", { token: ann })).status).toBe(200);
    expect((await api("PATCH", `/users/${fx.agentId("ann")}`, { token: fx.admin, body: { active: false } })).status).toBe(200);
    expect(await agent.closed()).toBe(4401);
    expect((await api("GET", "/auth/me", { token: ann })).status).toBe(401);
  });

  it("signing out closes the sockets that session opened, not those of the user's other sessions", async () => {
    const fx = await setup();
    const first = fx.token("ann");
    const second = (await createSession(db(), { id: fx.agentId("ann"), instanceId: fx.instanceId })).token;
    const mine = await open("/agent/socket", first);
    const myDashboard = await open("/metrics/socket", first);
    const other = await open("/agent/socket", second);
    expect((await api("POST", "/auth/sign-out", { token: first })).status).toBe(200);
    expect(await mine.closed()).toBe(4401);
    expect(await myDashboard.closed()).toBe(4401);
    // The other device's socket still answers.
    other.ws.send(JSON.stringify({ type: "status.set", status: { kind: "AVAILABLE" }, requestId: "r1" }));
    await expect.poll(() => other.messages.some((m) => m.type === "ack" && m.requestId === "r1")).toBe(true);
    expect((await api("GET", "/auth/me", { token: second })).status).toBe(200);
  });

  it("a client cannot claim another user's socket by sending the owner headers itself", async () => {
    const fx = await setup();
    const res = await SELF.fetch("https://switchboard.test/api/v1/agent/socket", {
      headers: { upgrade: "websocket", authorization: `Bearer ${fx.token("ann")}`, "x-switchboard-socket-user": `${fx.instanceId}:user:admin` },
    });
    const ws = res.webSocket!;
    let code = 0;
    ws.addEventListener("close", (e) => {
      code = e.code;
    });
    ws.accept();
    // Revoking the admin does not touch ann's socket (it was tagged with ann, not the header sent).
    expect((await api("PATCH", `/users/${fx.instanceId}:user:admin`, { token: fx.admin, body: { password: "another-new-password" } })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 200));
    expect(code).toBe(0);
  });

  it("a new password closes the agent's chat sockets too, and leaves the customer's open", async () => {
    const fx = await makeChatInstance({ agents: [{ id: "alice", profile: "chat" }] });
    const admin = await userWith(fx.instanceId, "admin", ["users.manage", "contacts.handle"]);
    const alice = await agentSocket(fx, "alice");
    const chat = (await startChat(fx.instanceId)).body as { chatId: string; token: string; contactId: string };
    const customer = (await customerSocket(fx.instanceId, chat)).socket!;
    await customer.say("sales");
    const offer = await alice.next("offer");
    alice.send({ type: "contact.accept", contactId: offer.contact.contactId });
    await alice.next("contact.update", (m) => m.contact.state === "CONNECTED");
    const agentChat = (await agentChatSocket(fx.token("alice"), chat.contactId)).socket!;
    expect((await api("PATCH", `/users/${fx.agentId("alice")}`, { token: admin, body: { password: "a-brand-new-password" } })).status).toBe(200);
    await waitFor(() => agentChat.closed?.code === 4401, "the agent's chat socket to close");
    expect(customer.closed).toBeNull();
  });
});

describe("signed-in sockets open only from the app itself", () => {
  const upgrade = (path: string, token: string, origin?: string) =>
    SELF.fetch(`https://switchboard.test/api/v1${path}`, {
      headers: { upgrade: "websocket", cookie: `sb_session=${token}`, ...(origin ? { origin } : {}) },
    });

  it("refuses an upgrade from another website's page with 403, for the agent, chat and dashboard sockets", async () => {
    const fx = await setup();
    for (const path of ["/agent/socket", "/metrics/socket", "/contacts/any/chat/socket"]) {
      const res = await upgrade(path, fx.token("ann"), "https://evil.example");
      expect({ path, status: res.status }).toEqual({ path, status: 403 });
      expect(((await res.json()) as any).error.code).toBe("origin_not_allowed");
    }
  });

  it("accepts the app's own origin, the instance's public base URL, and clients that send no Origin", async () => {
    const fx = await setup();
    for (const origin of ["https://switchboard.test", "https://t.example.com", undefined]) {
      const res = await upgrade("/agent/socket", fx.token("ann"), origin);
      expect({ origin, status: res.status }).toEqual({ origin, status: 101 });
      res.webSocket!.accept();
      res.webSocket!.close(1000, "done");
    }
  });
});

describe("socket tickets", () => {
  it("a ticket expires after 30 seconds, and ends with the session that asked for it", async () => {
    const fx = await setup();
    const ann = fx.token("ann");
    const ticket = async () => ((await api("POST", "/auth/socket-tickets", { token: ann })).body.ticket as string);
    const viaTicket = (t: string) => SELF.fetch(`https://switchboard.test/api/v1/agent/socket?ticket=${t}`, { headers: { upgrade: "websocket" } });
    const old = await ticket();
    await env.DB.prepare("UPDATE socket_tickets SET expires_at = ?").bind(Date.now() - 1).run();
    expect((await viaTicket(old)).status).toBe(401);
    const unused = await ticket();
    expect((await api("POST", "/auth/sign-out", { token: ann })).status).toBe(200);
    expect((await viaTicket(unused)).status).toBe(401);
    expect((await api("POST", "/auth/socket-tickets")).status).toBe(401);
  });
});
