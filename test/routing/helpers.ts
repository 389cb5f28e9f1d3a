/**
 * Test fixtures for the routing engine: a fresh instance per test (so objects and rows never
 * leak between tests), agents with sessions, their sockets, and D1 reads.
 */
import { env, runInDurableObject, SELF } from "cloudflare:test";
import { createContact } from "../../src/db/contacts";
import {
  agentStatuses,
  hoursOfOperation,
  instances,
  queues,
  routingProfileQueues,
  routingProfiles,
  securityProfiles,
  users,
} from "../../src/db/schema";
import { enqueueContact, type QueueRoom } from "../../src/durable/routing";
import type { EnqueueInput } from "../../src/durable/types";
import type { AgentCommand, Channel, ServerToAgent, ServerToSupervisor } from "../../src/shared/wire";
import { createSession } from "../../src/workers/auth/sessions";
import { db } from "../helpers";

export type QueueSpec = { id: string; maxContacts?: number | null; ringTimeoutSeconds?: number };
export type ProfileSpec = {
  id: string;
  voice?: number;
  chat?: number;
  task?: number;
  email?: number;
  cross?: "ROUTE_CURRENT_CHANNEL_ONLY" | "ROUTE_ANY_CHANNEL";
  acwSeconds?: number;
  queues: { queueId: string; channel?: Channel; channels?: Channel[]; priority: number; delaySeconds?: number }[];
};

export type Fixture = Awaited<ReturnType<typeof makeInstance>>;

/** A new instance with the given queues, routing profiles and agents (each with a session token). */
export async function makeInstance(spec: {
  queues: QueueSpec[];
  profiles: ProfileSpec[];
  agents: { id: string; profile: string | null; securityProfile?: "agent" | "supervisor" | "none" }[];
}) {
  const instanceId = `i${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const d = db();
  const q = (id: string) => `${instanceId}-${id}`;
  await d.insert(instances).values({ id: instanceId, name: "Routing test", publicBaseUrl: "https://t.example.com" });
  await d.insert(securityProfiles).values([
    { id: `${instanceId}:sp:agent`, instanceId, name: "Agent", permissions: ["contacts.handle"] },
    { id: `${instanceId}:sp:supervisor`, instanceId, name: "Supervisor", permissions: ["contacts.handle", "metrics.realtime"] },
    { id: `${instanceId}:sp:none`, instanceId, name: "Nothing", permissions: [] },
  ]);
  await d.insert(agentStatuses).values([
    { id: `${instanceId}:status:break`, instanceId, name: "Break", type: "CUSTOM" },
    { id: `${instanceId}:status:available`, instanceId, name: "Available", type: "ROUTABLE" },
  ]);
  await d.insert(hoursOfOperation).values({
    id: `${instanceId}:hours`, instanceId, name: "24/7", timezone: "UTC",
    weekly: ["MONDAY"].map((day) => ({ day, start: "00:00", end: "24:00" })), overrides: [],
  });
  await d.insert(queues).values(
    spec.queues.map((x) => ({ id: q(x.id), instanceId, name: x.id, hoursOfOperationId: `${instanceId}:hours`, maxContacts: x.maxContacts ?? null, ringTimeoutSeconds: x.ringTimeoutSeconds ?? 20 })),
  );
  for (const p of spec.profiles) {
    await d.insert(routingProfiles).values({
      id: q(p.id), instanceId, name: p.id, voiceConcurrency: p.voice ?? 1, chatConcurrency: p.chat ?? 0, taskConcurrency: p.task ?? 0, emailConcurrency: p.email ?? 0,
      crossChannelBehavior: p.cross ?? "ROUTE_CURRENT_CHANNEL_ONLY", afterContactWorkTimeoutSeconds: p.acwSeconds ?? 30,
    });
    const rows = p.queues.flatMap((x) =>
      (x.channels ?? [x.channel ?? "VOICE"]).map((channel) => ({
        instanceId, routingProfileId: q(p.id), queueId: q(x.queueId), channel, priority: x.priority, delaySeconds: x.delaySeconds ?? 0,
      })),
    );
    if (rows.length) await d.insert(routingProfileQueues).values(rows);
  }
  const agentIds: Record<string, string> = {};
  const tokens: Record<string, string> = {};
  const userRows = spec.agents.map((a) => ({
    id: `${instanceId}:user:${a.id}`, instanceId, email: `${a.id}@${instanceId}.test`, name: a.id, passwordHash: "x",
    securityProfileId: `${instanceId}:sp:${a.securityProfile ?? "agent"}`, routingProfileId: a.profile ? q(a.profile) : null,
  }));
  for (let i = 0; i < userRows.length; i += 10) await d.insert(users).values(userRows.slice(i, i + 10));
  for (const a of spec.agents) {
    agentIds[a.id] = `${instanceId}:user:${a.id}`;
    tokens[a.id] = (await createSession(d, { id: agentIds[a.id], instanceId })).token;
  }
  let n = 0;
  return {
    instanceId,
    queueId: q,
    agentId: (name: string) => agentIds[name],
    token: (name: string) => tokens[name],
    breakStatusId: `${instanceId}:status:break`,
    /** Creates the contact row in D1 (as a channel would) and enqueues it. */
    async enqueue(queue: string, input: Partial<EnqueueInput> & { contactId?: string } = {}) {
      const contactId = input.contactId ?? `${instanceId}-c${++n}`;
      await createContact(d, env.SWITCHBOARD_SECRET, { id: contactId, instanceId, channel: input.channel ?? "VOICE", initiationMethod: "INBOUND" });
      const result = await enqueueContact(env, instanceId, q(queue), { channel: "VOICE", ...input, contactId });
      return { contactId, result };
    },
  };
}

/** A single-use ticket for opening one socket as the session `token`. */
export async function socketTicket(token: string): Promise<string> {
  const res = await SELF.fetch("https://switchboard.test/api/v1/auth/socket-tickets", { method: "POST", headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 201) throw new Error(`socket ticket refused: ${res.status} ${await res.text()}`);
  return (await res.json<{ ticket: string }>()).ticket;
}

/** A socket with every message it received, and waits on the next one matching. */
export type TestSocket = ReturnType<typeof wrap>;

/** `bearer`: the session in a header; `ticket`: a single-use ticket (as a browser opens it) in the URL; `ticket=<t>`: that ticket. */
export async function openSocket(path: string, token: string | null, how: "bearer" | "ticket" | `ticket=${string}` = "bearer") {
  const headers: Record<string, string> = { upgrade: "websocket" };
  let url = `https://switchboard.test/api/v1${path}`;
  if (token && how === "bearer") headers.authorization = `Bearer ${token}`;
  if (how.startsWith("ticket")) {
    const ticket = how.startsWith("ticket=") ? how.slice(7) : await socketTicket(token!);
    url += `${url.includes("?") ? "&" : "?"}ticket=${encodeURIComponent(ticket)}`;
  }
  const res = await SELF.fetch(url, { headers });
  if (res.status !== 101 || !res.webSocket) {
    return { status: res.status, body: await res.json<{ error: { code: string } }>(), socket: null };
  }
  const ws = res.webSocket;
  ws.accept();
  return { status: 101, body: null, socket: wrap(ws) };
}

function wrap(ws: WebSocket) {
  const messages: any[] = [];
  const waiters: { pred: (m: any) => boolean; resolve: (m: any) => void; from: number }[] = [];
  let cursor = 0;
  ws.addEventListener("message", (e) => {
    const m = JSON.parse(e.data as string);
    messages.push(m);
    for (const w of [...waiters]) {
      if (w.pred(m)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  return {
    messages,
    send(cmd: AgentCommand) {
      ws.send(JSON.stringify(cmd));
    },
    sendRaw(raw: string) {
      ws.send(raw);
    },
    /** The next message (after the ones already taken) of that type and matching, within 5 s. */
    next<T extends ServerToAgent["type"] | ServerToSupervisor["type"]>(type: T, pred: (m: any) => boolean = () => true, timeoutMs = 5000): Promise<any> {
      const match = (m: any) => m.type === type && pred(m);
      for (let i = cursor; i < messages.length; i++) {
        if (match(messages[i])) {
          cursor = i + 1;
          return Promise.resolve(messages[i]);
        }
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${type} message within ${timeoutMs} ms; got ${JSON.stringify(messages.slice(-5))}`)), timeoutMs);
        waiters.push({
          pred: match,
          from: cursor,
          resolve: (m) => {
            clearTimeout(timer);
            cursor = messages.indexOf(m) + 1;
            resolve(m);
          },
        });
      });
    },
    /** Sends a command and waits for its ack (or rejects with the error message). */
    async command(cmd: AgentCommand) {
      const requestId = crypto.randomUUID();
      ws.send(JSON.stringify({ ...cmd, requestId }));
      const reply = await new Promise<any>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no reply to ${cmd.type}`)), 5000);
        const check = (m: any) => (m.type === "ack" || m.type === "error") && m.requestId === requestId;
        const found = messages.find(check);
        if (found) {
          clearTimeout(timer);
          return resolve(found);
        }
        waiters.push({ pred: check, from: 0, resolve: (m) => (clearTimeout(timer), resolve(m)) });
      });
      return reply as { type: "ack" } | { type: "error"; code: string; message: string };
    },
    close() {
      ws.close(1000, "done");
    },
  };
}

/** Opens an agent's socket, waits for its snapshot, and optionally sets it Available. */
export async function agentSocket(fx: Fixture, name: string, available = true) {
  const res = await openSocket("/agent/socket", fx.token(name));
  const { socket } = res;
  if (!socket) throw new Error(`socket refused for ${name}: ${JSON.stringify(res)}`);
  await socket.next("state.snapshot");
  if (available) {
    const r = await socket.command({ type: "status.set", status: { kind: "AVAILABLE" } });
    if (r.type !== "ack") throw new Error(`status.set failed: ${JSON.stringify(r)}`);
  }
  return socket;
}

/** Polls until `fn` returns a truthy value (bounded: 5 s). Waiting, not timing. */
export async function eventually<T>(fn: () => Promise<T | null | undefined | false> | T | null | undefined | false, what = "condition"): Promise<T> {
  let lastSeen: unknown;
  for (let i = 0; i < 250; i++) {
    const v = await fn();
    if (v) return v;
    lastSeen = (fn as { last?: unknown }).last;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}${lastSeen !== undefined ? ` (last: ${JSON.stringify(lastSeen)})` : ""}`);
}

export async function contactEvents(instanceId: string, contactId: string) {
  const { results } = await env.DB.prepare("SELECT type, agent_id, queue_id, data FROM contact_events WHERE instance_id = ? AND contact_id = ? ORDER BY at, id")
    .bind(instanceId, contactId).all<{ type: string; agent_id: string | null; queue_id: string | null; data: string | null }>();
  return results;
}

export async function contactRow(instanceId: string, contactId: string) {
  return env.DB.prepare("SELECT * FROM contacts WHERE instance_id = ? AND id = ?").bind(instanceId, contactId).first<any>();
}

/** Waits until the contact's events (types, in order) include `types` as a subsequence. */
export async function eventsInclude(instanceId: string, contactId: string, types: string[]) {
  const check = Object.assign(async () => {
    const got = (await contactEvents(instanceId, contactId)).map((e) => e.type);
    check.last = got;
    let i = 0;
    for (const t of got) if (t === types[i]) i++;
    return i === types.length ? got : null;
  }, { last: undefined as unknown });
  return eventually(check, `events ${types.join(",")} of ${contactId}`);
}

/**
 * Changes a queue's storage as time passing would (an offer expiry or enqueue time moved into the
 * past), then has the object re-read it (it serves reads from memory).
 */
export async function editQueueStorage(stub: DurableObjectStub<QueueRoom>, edit: (sql: SqlStorage) => void) {
  await runInDurableObject(stub, async (room: QueueRoom, state) => {
    edit(state.storage.sql);
    await room.reloadFromStorage();
  });
}

/** Gives agents proficiencies in D1 (a predefined attribute with its values, and each agent's level). */
export async function giveProficiencies(fx: Fixture, name: string, values: string[], levels: Record<string, Record<string, number>>) {
  const attributeId = `${fx.instanceId}:attr:${name}`;
  await env.DB.prepare("INSERT INTO predefined_attributes (id, instance_id, name, \"values\") VALUES (?, ?, ?, ?)").bind(attributeId, fx.instanceId, name, JSON.stringify(values)).run();
  for (const [agent, byValue] of Object.entries(levels)) {
    for (const [value, level] of Object.entries(byValue)) {
      await env.DB.prepare("INSERT INTO user_proficiencies (instance_id, user_id, attribute_id, value, level) VALUES (?, ?, ?, ?, ?)")
        .bind(fx.instanceId, fx.agentId(agent), attributeId, value, level).run();
    }
  }
}

/** D1 that counts the statements of each batch; `loseNext` makes the next batch commit and then fail (its answer lost on the way back). */
export function batchCountingD1() {
  const batches: number[] = [];
  let lose = false;
  const d1 = {
    prepare: (q: string) => env.DB.prepare(q),
    batch: async (statements: D1PreparedStatement[]) => {
      batches.push(statements.length);
      const r = await env.DB.batch(statements);
      if (lose) {
        lose = false;
        throw new Error("D1: network connection lost (after commit)");
      }
      return r;
    },
  } as unknown as D1Database;
  return { d1, batches, loseNext: () => (lose = true) };
}
