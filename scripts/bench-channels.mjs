#!/usr/bin/env node
/**
 * Channel benchmark (part of `npm run bench:routing`): the same load as the routing bench — by
 * default 200 agents and 2,000 contacts — through web chat, SMS and email, each from its real
 * front door: the public chat start (`POST /api/v1/chat/start`, then the customer's socket), the
 * number's Messaging webhook signed as Twilio signs it (the phone simulator sends it and serves
 * Twilio's REST API to the Worker), and raw MIME messages into the Worker's `email()` handler as
 * Cloudflare Email Routing delivers them (bench/channels/worker.ts). Each contact goes inbound →
 * flow (or the mailbox's queue) → queue → offer on an agent's socket → accept → the agent's reply
 * on the contact's chat socket → delivered (the customer's chat socket; the REST API's
 * `POST /Messages.json`; the local outbox, seen as the reply's `sent` delivery) → the agent ends it
 * and clears after-contact work. A few contacts of every channel first (uncounted), then per
 * channel, one after the other:
 *  - paced: --paced contacts, one arriving every --pace-ms, agents free: offer latency (inbound
 *    sent → offer on the agent's socket) and reply latency (reply sent → delivered), p50/p99;
 *  - saturated: the rest arrive 50 at a time as fast as they are answered: contacts routed
 *    (connected to an agent) per second, and workerd's CPU per contact.
 * Prints each channel and SMS's and email's ratio to chat (target ≤ 1.5: latencies x/chat,
 * throughput chat/x), and writes them under `channels` in bench/results/routing.json (its other
 * keys kept).
 * The load's figures (agents, contacts, pace) are bench:routing's own, read from one place
 * (scripts/bench-lib.mjs ROUTING_LOAD). A phase fails only once nothing has gone through for 2 min.
 * Usage: node scripts/bench-channels.mjs [--agents 200] [--contacts 2000] [--paced 500] [--pace-ms 20]
 *          [--channels chat,sms,email] [--out bench/results/routing.json] [--disk]
 */
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join, resolve } from "node:path";
import { ROOT, importTs, jsonClient, serveTwilioRest } from "./lib.mjs";
import { ROUTING_LOAD, freePort, openSocket, pct, startBenchWorker, workerdCpuSeconds } from "./bench-lib.mjs";

const arg = (name, def) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : def; };
// The routing bench's load (scripts/bench-lib.mjs ROUTING_LOAD), per channel.
const AGENTS = Number(arg("agents", ROUTING_LOAD.agents));
const CONTACTS = Number(arg("contacts", ROUTING_LOAD.contacts));
const PACED = Math.min(CONTACTS, Number(arg("paced", Math.min(500, Math.floor(CONTACTS / 4)))));
const PACE_MS = Number(arg("pace-ms", ROUTING_LOAD.paceMs));
/** A phase fails when no contact has gone through for this long (not after a fixed time: a loaded machine is slow, not stuck). */
const STALL_MS = 120_000;
const CHANNELS = arg("channels", "chat,sms,email").split(",");
const OUT = resolve(arg("out", join(ROOT, "bench/results/routing.json")));
const TARGET = 1.5;
for (const c of CHANNELS) if (!["chat", "sms", "email"].includes(c)) throw new Error(`--channels: chat, sms or email, not ${c}`);
const DEMO_BASE = "http://127.0.0.1:8787"; // the demo instance's public base URL (Twilio's signatures cover it)
const DEMO = { accountSid: "ACdeadbeefdeadbeefdeadbeefdeadbeef", authToken: "dev-only-auth-token-0123456789ab" };
const r2 = (x) => Math.round(x * 100) / 100;
const now = () => performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const stats = (xs) => ({ p50: r2(pct(xs, 50)), p99: r2(pct(xs, 99)), n: xs.length });
let retries = 0;
/** `fn`, tried again after a second while attempts are left (counted in `retries`, printed at the end). */
async function retried(attempts, fn) {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= attempts) throw err;
      retries++;
      await sleep(1000);
    }
  }
}

/** The contact id the Worker derives from a first message (src/workers/twilio/messaging.ts, src/workers/email/inbound.ts). */
function derivedContactId(instanceId, kind, id, variant) {
  const h = createHash("sha256").update(`${instanceId}:${kind}:${id}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const apiPort = await freePort();
const bench = await startBenchWorker({
  name: "channels",
  main: join(ROOT, "bench/channels/worker.ts"),
  vars: { SWITCHBOARD_SECRET: "bench-secret-not-for-production-0123456789", LOCAL_MODE: "true", TWILIO_API_BASE_URL: `http://127.0.0.1:${apiPort}` },
  disk: process.argv.includes("--disk"),
});
const { origin } = bench;
const wsOrigin = origin.replace(/^http/, "ws");
let server;
let settling = true;
let exitCode = 0;
try {
  const json = jsonClient(origin);
  await json("/dev/seed", { method: "POST", body: "{}" });
  const setup = await json("/bench/channels/setup", { method: "POST", body: JSON.stringify({ agents: AGENTS }) });
  const { instanceId } = setup;

  /** contactId → the moment its delivery was seen, for whoever waits on it. */
  const deliveredWait = new Map();
  const delivered = (contactId) => { const t = now(); const w = deliveredWait.get(contactId); if (w) w(t); else deliveredWait.set(contactId, t); };
  const whenDelivered = (contactId) => {
    const seen = deliveredWait.get(contactId);
    return typeof seen === "number" ? Promise.resolve(seen) : new Promise((ok) => deliveredWait.set(contactId, ok));
  };

  // ── Twilio, played by the simulator: signed webhooks in, its REST API served to the Worker ───
  const { Phone } = await importTs("src/simulator/index.ts");
  const phone = new Phone({ baseUrl: DEMO_BASE, ...DEMO, apiBaseUrl: `http://127.0.0.1:${apiPort}`, transport: (url, init) => fetch(url.replace(DEMO_BASE, origin), init) });
  server = await serveTwilioRest(apiPort, () => phone, (req, body) => {
    if (req.method !== "POST" || !req.url.endsWith("/Messages.json")) return;
    const reply = /^reply (\S+)$/.exec(new URLSearchParams(body.toString()).get("Body") ?? "");
    if (reply) delivered(reply[1]);
  });
  // Twilio's status callbacks for the replies (sent, delivered) reach the Worker as they would.
  const settleLoop = (async () => { while (settling) { await phone.settle().catch((e) => console.error("simulator:", e.message)); await sleep(50); } })();

  // ── agents ──────────────────────────────────────────────────────────────────────────────
  const phase = { offers: new Map(), replies: [], connected: 0, target: Infinity, done: () => {}, lastConnectedAt: 0, errors: 0 };
  /** A chat's customer socket is open (get-or-create: the agent may be connected before the start's answer is read). */
  const customerReady = new Map();
  const customerGate = (contactId) => {
    if (!customerReady.has(contactId)) { let open; const p = new Promise((ok) => (open = ok)); p.open = open; customerReady.set(contactId, p); }
    return customerReady.get(contactId);
  };
  let current = null;
  const ticket = async (token) => (await json("/api/v1/auth/socket-tickets", { method: "POST", headers: { authorization: `Bearer ${token}` } })).ticket;
  const agents = await Promise.all(setup.tokens.map(async (token) => {
    const ws = await openSocket(`${wsOrigin}/api/v1/agent/socket?ticket=${await ticket(token)}`, { headers: { origin: DEMO_BASE } });
    let rid = 0;
    const send = (m) => ws.send(JSON.stringify({ ...m, requestId: String(++rid) }));
    const a = { ws, send };
    a.ready = new Promise((ok) => (a.onReady = ok));
    /** Connected: the agent answers on the contact's chat socket, waits for the reply's delivery, ends the contact. */
    const handle = async (contactId) => {
      // Under full load an upgrade is now and then refused or dropped: the workspace reconnects, so does the bench (a fresh ticket each time).
      const chat = await retried(3, async () => openSocket(`${wsOrigin}/api/v1/contacts/${contactId}/chat/socket?ticket=${await ticket(token)}`, { headers: { origin: DEMO_BASE } }));
      const channel = current;
      chat.addEventListener("message", (e) => {
        const m = JSON.parse(e.data);
        if (channel === "email" && m.type === "delivery" && m.delivery.status === "sent" && chat.replyId === m.id) delivered(contactId);
        else if (m.type === "ack" && m.clientId === "reply") chat.replyId = m.id;
        else if (m.type === "error") { phase.errors++; console.error("chat error", contactId, m); }
      });
      if (channel === "chat") await customerGate(contactId);
      const sentAt = now();
      chat.send(JSON.stringify({ type: "message.send", clientId: "reply", text: `reply ${contactId}` }));
      phase.replies.push((await whenDelivered(contactId)) - sentAt);
      chat.send(JSON.stringify({ type: "chat.end" }));
      setTimeout(() => chat.close(), 1000);
    };
    ws.addEventListener("message", (e) => {
      const m = JSON.parse(e.data);
      if (m.type === "ack" && m.command === "status.set") a.onReady();
      else if (m.type === "offer") {
        phase.offers.set(m.contact.contactId, now());
        send({ type: "contact.accept", contactId: m.contact.contactId });
      } else if (m.type === "contact.update" && m.contact.state === "CONNECTED") {
        phase.connected++;
        phase.lastConnectedAt = now();
        handle(m.contact.contactId).catch((err) => { phase.errors++; console.error("agent", err); });
      } else if (m.type === "contact.update" && m.contact.state === "AFTER_CONTACT_WORK") {
        send({ type: "contact.clear", contactId: m.contact.contactId });
        phase.cleared = (phase.cleared ?? 0) + 1;
        if (phase.cleared >= phase.target) phase.done();
      } else if (m.type === "error") { phase.errors++; console.error("agent error", m); }
    });
    return a;
  }));
  for (const a of agents) a.send({ type: "status.set", status: { kind: "AVAILABLE" } });
  await Promise.all(agents.map((a) => a.ready));

  // ── the channels' front doors: each sends contact i and answers its contact id ──────────────
  const run = randomBytes(3).toString("hex");
  const inbound = {
    async chat(i) {
      const started = await json("/api/v1/chat/start", {
        method: "POST",
        // Each customer is someone else (the chat start's per-address limit is 20 in 10 minutes).
        headers: { origin: DEMO_BASE, "cf-connecting-ip": `2001:db8::${(i + 1).toString(16)}` },
        body: JSON.stringify({ instanceId, flowId: setup.flow, customerName: `Customer ${i}` }),
      });
      const gate = customerGate(started.contactId);
      openSocket(`${wsOrigin}/api/v1/chat/socket?instance=${instanceId}&chat=${started.chatId}&token=${encodeURIComponent(started.token)}`, { headers: { origin: DEMO_BASE } })
        .then((ws) => {
          ws.addEventListener("message", (e) => {
            const m = JSON.parse(e.data);
            if (m.type === "message" && m.message.from === "AGENT") { delivered(started.contactId); setTimeout(() => ws.close(), 1000); }
          });
          gate.open();
        }, (err) => { phase.errors++; console.error("customer socket", err); });
      return started.contactId;
    },
    async sms(i) {
      const sid = `SM${randomBytes(16).toString("hex")}`;
      const contactId = derivedContactId(instanceId, "message", sid, "b");
      const sent = phone.messaging.send({ sid, from: `+1415${String(i).padStart(7, "0")}`, to: setup.number, text: `Hello, I need help (${i})` });
      return { contactId, done: sent.then(({ response }) => { if (!response.ok) throw new Error(`messaging webhook → ${response.status} ${response.body}`); }) };
    },
    async email(i) {
      const messageId = `bench-${run}-${i}@customer.example`;
      const raw = [
        `From: Customer ${i} <customer${i}@customer.example>`, `To: Bench <${setup.mailbox}>`, `Subject: Help with order ${i}`,
        `Message-ID: <${messageId}>`, `Date: ${new Date().toUTCString()}`, "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", "",
        `Hello, where is my order ${i}?`, "",
      ].join("\r\n");
      const contactId = derivedContactId(instanceId, "email", messageId, "a");
      const done = fetch(`${origin}/bench/channels/email?to=${encodeURIComponent(setup.mailbox)}`, { method: "POST", body: raw })
        .then(async (r) => { if (r.status !== 202) throw new Error(`email() → ${r.status} ${await r.text()}`); });
      return { contactId, done };
    },
  };

  const results = {};
  let next = 0;
  // Every channel's first contacts go through before any is measured (the objects' code, each
  // door's first requests): measured alone, whichever channel ran first was the slowest.
  const passes = [...CHANNELS.map((c) => ["warm-up", c]), ...CHANNELS.map((c) => ["measure", c])];
  for (const [pass, channel] of passes) {
    current = channel;
    const sentAt = new Map();
    /** Sends one contact; resolves once the Worker answered its inbound request. */
    const one = async () => {
      const i = next++;
      const t = now();
      if (channel === "chat") { sentAt.set(await inbound.chat(i), t); return; }
      const { contactId, done } = await inbound[channel](i);
      sentAt.set(contactId, t);
      await done;
    };
    const runPhase = async (n, send) => {
      phase.offers = new Map(); phase.replies = []; phase.connected = 0; phase.cleared = 0; phase.target = n;
      const finished = new Promise((ok) => (phase.done = ok));
      const t0 = now();
      const cpu0 = workerdCpuSeconds();
      await send();
      // Stuck, not slow: nothing went through for STALL_MS.
      let over = false;
      const stalled = (async () => {
        for (let seen = -1, at = now(); !over; await sleep(1000)) {
          if (phase.cleared !== seen) { seen = phase.cleared; at = now(); }
          if (now() - at > STALL_MS) return true;
        }
        return false;
      })();
      const timedOut = await Promise.race([finished.then(() => false), stalled]);
      over = true;
      if (timedOut) throw new Error(`${channel}: ${phase.cleared} of ${n} contacts went through, none in the last ${STALL_MS / 1000} s (offered ${phase.offers.size}, connected ${phase.connected})`);
      console.log(`  ${pass} ${channel}: ${n} contacts in ${r2((now() - t0) / 1000)} s`);
      return {
        seconds: (phase.lastConnectedAt - t0) / 1000, cpuMs: (workerdCpuSeconds() - cpu0) * 1000,
        offers: [...phase.offers].map(([id, t]) => t - sentAt.get(id)).filter((x) => Number.isFinite(x)), replies: phase.replies, routed: phase.connected,
      };
    };
    if (pass === "warm-up") {
      await runPhase(Math.min(5, AGENTS), async () => { await Promise.all(Array.from({ length: Math.min(5, AGENTS) }, one)); });
      continue;
    }
    const paced = await runPhase(PACED, async () => {
      const pending = [];
      for (let i = 0; i < PACED; i++) { pending.push(one()); await sleep(PACE_MS); }
      await Promise.all(pending);
    });
    const rest = CONTACTS - PACED;
    const saturated = rest > 0 ? await runPhase(rest, async () => {
      for (let i = 0; i < rest; i += 50) await Promise.all(Array.from({ length: Math.min(50, rest - i) }, one));
    }) : null;
    results[channel] = {
      contacts: PACED + rest, routed: paced.routed + (saturated?.routed ?? 0),
      paced: { everyMs: PACE_MS, offerLatencyMs: stats(paced.offers), replyLatencyMs: stats(paced.replies), workerdCpuMsPerContact: r2(paced.cpuMs / PACED) },
      saturated: saturated && { contacts: rest, offerLatencyMs: stats(saturated.offers), replyLatencyMs: stats(saturated.replies), workerdCpuMsPerContact: r2(saturated.cpuMs / rest) },
      contactsRoutedPerSecond: saturated ? r2(saturated.routed / saturated.seconds) : r2(paced.routed / paced.seconds),
    };
    await sleep(1000);
  }
  if (CHANNELS.includes("email")) {
    results.email.repliesInOutbox = (await json(`/bench/channels/outbox?instance=${instanceId}`)).replies;
  }

  const ratios = {};
  if (results.chat) {
    for (const ch of ["sms", "email"].filter((c) => results[c])) {
      const x = results[ch], c = results.chat;
      ratios[ch] = {
        offerP50: r2(x.paced.offerLatencyMs.p50 / c.paced.offerLatencyMs.p50), offerP99: r2(x.paced.offerLatencyMs.p99 / c.paced.offerLatencyMs.p99),
        replyP50: r2(x.paced.replyLatencyMs.p50 / c.paced.replyLatencyMs.p50), replyP99: r2(x.paced.replyLatencyMs.p99 / c.paced.replyLatencyMs.p99),
        routedPerSecond: r2(c.contactsRoutedPerSecond / x.contactsRoutedPerSecond),
      };
      ratios[ch].withinTarget = ratios[ch].offerP50 <= TARGET && ratios[ch].offerP99 <= TARGET && ratios[ch].routedPerSecond <= TARGET;
    }
  }
  const out = {
    at: new Date().toISOString(),
    machine: { cpus: cpus().length, node: process.version, state: bench.state },
    agents: AGENTS, contactsPerChannel: CONTACTS, paced: PACED, agentChatSocketRetries: retries,
    ...results,
    ratioToChat: { ...ratios, target: TARGET, note: "latencies: channel / chat; throughput: chat / channel (both: ≤ 1.5 is within the target)" },
  };
  const previous = existsSync(OUT) ? JSON.parse(readFileSync(OUT, "utf8")) : {};
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, JSON.stringify({ ...previous, channels: out }, null, 2) + "\n");

  console.log(`channel bench: ${AGENTS} agents, ${CONTACTS} contacts per channel (${PACED} paced, one every ${PACE_MS} ms; the rest 50 at a time); object state: ${bench.state}`);
  for (const [ch, r] of Object.entries(results)) {
    console.log(`  ${ch.padEnd(6)} routed ${r.routed}/${r.contacts}: ${r.contactsRoutedPerSecond} contacts/s;` +
      ` offer p50 ${r.paced.offerLatencyMs.p50} / p99 ${r.paced.offerLatencyMs.p99} ms; reply p50 ${r.paced.replyLatencyMs.p50} / p99 ${r.paced.replyLatencyMs.p99} ms;` +
      ` workerd ${r.paced.workerdCpuMsPerContact} ms CPU per paced contact${r.repliesInOutbox !== undefined ? `; outbox ${r.repliesInOutbox}` : ""}`);
  }
  for (const [ch, x] of Object.entries(ratios)) {
    console.log(`  ${ch}/chat   offer p50 ${x.offerP50} p99 ${x.offerP99}; reply p50 ${x.replyP50} p99 ${x.replyP99}; throughput ${x.routedPerSecond} (target ≤ ${TARGET}: ${x.withinTarget ? "met" : "NOT met"})`);
  }
  if (retries) console.log(`  ${retries} agent chat sockets opened at a second try or later`);
  console.log(`  → ${OUT} (channels)`);
  if (phase.errors) { console.error(`${phase.errors} errors`); exitCode = 1; }
} catch (err) {
  console.error(err);
  exitCode = 1;
} finally {
  settling = false;
  server?.close();
  bench.stop();
}
process.exit(exitCode);
