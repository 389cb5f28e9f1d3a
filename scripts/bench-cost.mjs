#!/usr/bin/env node
/**
 * Cost benchmark: what each kind of contact costs on Cloudflare, counted unit by unit, priced, and
 * set against Amazon Connect's service price for the same contacts (telephony excluded on both
 * sides: Twilio's is the same either way).
 *
 * The real Worker on local workerd (bench/cost/worker.ts counts every billable unit on its way),
 * the demo instance, the phone simulator playing Twilio (its REST API served to the Worker), and
 * Alice's workspace socket answering. Contact types, N of each, one at a time:
 *  - voice-answered: the demo IVR (press 2, Support), queued, offered to Alice, accepted, a
 *    5-minute talk on the simulator's clock, the caller hangs up, after-contact work cleared;
 *  - voice-abandoned: the same caller, no agent available, hangs up after a minute in the queue;
 *  - chat: the website chat flow, offered, accepted, 10 messages each way, the agent ends it.
 * Each type runs twice: once with the D1 shadow off (the counts and workerd's CPU), once with it
 * on (D1's rows, which the D1 binding does not report for `first()`/`raw()`; see the Worker).
 * Prints units per contact, $ per 1,000 contacts and the ratio to Amazon Connect; writes
 * bench/results/cost.json (the counts, not only dollars). Prices: bench/cost/prices.json.
 * D1 is counted in statements (`d1Queries`, as D1 counts queries: each statement of a batch is
 * one, and D1 runs one at a time) and in round trips (`d1RoundTrips`: a batch is one).
 * Usage: node scripts/bench-cost.mjs [--contacts 10] [--types voice-answered,chat] [--out bench/results/cost.json] [--disk]
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join, resolve } from "node:path";
import { ROOT, importTs, jsonClient, serveTwilioRest } from "./lib.mjs";
import { freePort, openSocket, startBenchWorker, workerdCpuSeconds } from "./bench-lib.mjs";

const arg = (name, def) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : def; };
const N = Number(arg("contacts", 10));
const OUT = resolve(arg("out", join(ROOT, "bench/results/cost.json")));
const PRICES = JSON.parse(readFileSync(join(ROOT, "bench/cost/prices.json"), "utf8"));
const DEMO_BASE = "http://127.0.0.1:8787"; // what the demo instance says Twilio calls (signatures cover it)
const DEMO = { number: "+15550100", accountSid: "ACdeadbeefdeadbeefdeadbeefdeadbeef", authToken: "dev-only-auth-token-0123456789ab" };
const PAGE_ORIGIN = "http://localhost:5173"; // a local page: the demo lets any loopback page chat
/** The scripted contacts' length in minutes, as Amazon Connect would bill them. */
const TALK_S = 300, IVR_S = 20, ABANDON_AFTER_S = 60;
const r2 = (x) => Math.round(x * 100) / 100;
const r4 = (x) => Math.round(x * 10000) / 10000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const apiPort = await freePort();
const bench = await startBenchWorker({
  name: "cost",
  main: join(ROOT, "bench/cost/worker.ts"),
  extraToml: '\n[[durable_objects.bindings]]\nname = "COST_D1_SHADOW"\nclass_name = "CostD1Shadow"\n\n[[migrations]]\ntag = "bench-cost-d1-shadow"\nnew_sqlite_classes = ["CostD1Shadow"]\n',
  vars: { SWITCHBOARD_SECRET: "bench-secret-not-for-production-0123456789", LOCAL_MODE: "true", TWILIO_API_BASE_URL: `http://127.0.0.1:${apiPort}` },
  disk: process.argv.includes("--disk"),
});
const { origin } = bench;
const wsOrigin = origin.replace(/^http/, "ws");
let server;
try {
  const json = jsonClient(origin);
  // The shadow of D1 gets the same migrations, then sees the seed's statements as D1 does.
  const migrations = readdirSync(join(ROOT, "migrations")).filter((f) => f.endsWith(".sql")).sort()
    .flatMap((f) => readFileSync(join(ROOT, "migrations", f), "utf8").split("--> statement-breakpoint").map((s) => s.trim()).filter(Boolean));
  await json("/bench/cost/migrate", { method: "POST", body: JSON.stringify(migrations) });
  await json("/bench/cost/shadow?on=1");
  await json("/dev/seed", { method: "POST", body: "{}" });

  // The demo IVR records its calls, as most contact centers' do: the admin adds Amazon Connect's
  // recording block at its start and publishes it.
  const admin = { authorization: `Bearer ${(await json("/api/v1/auth/sign-in", { method: "POST", body: JSON.stringify({ email: "admin@demo.test", password: "switchboard-admin" }) })).token}` };
  const ivr = await json("/api/v1/flows/demo:flow:ivr", { headers: admin });
  const content = structuredClone(ivr.content);
  content.Actions.unshift({
    Identifier: "bench-record", Type: "UpdateContactRecordingBehavior",
    Parameters: { RecordingBehavior: { RecordedParticipants: ["Agent", "Customer"] } },
    Transitions: { NextAction: content.StartAction },
  });
  content.StartAction = "bench-record";
  await json("/api/v1/flows/demo:flow:ivr", { method: "PATCH", headers: admin, body: JSON.stringify({ content }) });
  await json("/api/v1/flows/demo:flow:ivr/publish", { method: "POST", headers: admin, body: "{}" });

  // ── Twilio, played by the simulator: webhooks to the Worker, its REST API served to it ──────
  const { Phone, formatEvent } = await importTs("src/simulator/index.ts");
  const phone = new Phone({ baseUrl: DEMO_BASE, ...DEMO, apiBaseUrl: `http://127.0.0.1:${apiPort}`, transport: (url, init) => fetch(url.replace(DEMO_BASE, origin), init),
    onEvent: process.env.BENCH_DEBUG ? (e) => console.log(formatEvent(e)) : undefined });
  server = await serveTwilioRest(apiPort, () => phone);
  let settling = true;
  const settleLoop = (async () => { while (settling) { await phone.settle().catch((e) => console.error("simulator:", e.message)); await sleep(50); } })();

  // ── Alice's workspace ──────────────────────────────────────────────────────────────────────
  const { token } = await json("/api/v1/auth/sign-in", { method: "POST", body: JSON.stringify({ email: "alice@demo.test", password: "switchboard-agent" }) });
  const auth = { authorization: `Bearer ${token}` };
  const ticket = async () => (await json("/api/v1/auth/socket-tickets", { method: "POST", headers: auth })).ticket;
  const agentWs = await openSocket(`${wsOrigin}/api/v1/agent/socket?ticket=${await ticket()}`, { headers: { origin: DEMO_BASE } });
  let rid = 0;
  const send = (m) => agentWs.send(JSON.stringify({ ...m, requestId: String(++rid) }));
  const waiters = [];
  /** Resolves with the first agent message `match` accepts from now on. */
  const next = (match, what, ms = 20_000) => new Promise((ok, fail) => {
    const t = setTimeout(() => fail(new Error(`timed out waiting for ${what}`)), ms);
    waiters.push({ match, ok: (m) => { clearTimeout(t); ok(m); } });
  });
  agentWs.addEventListener("message", (e) => {
    const m = JSON.parse(e.data);
    if (m.type === "error") console.error("agent error", m);
    if (process.env.BENCH_DEBUG) console.log("agent ←", e.data.slice(0, 200));
    for (const w of [...waiters]) if (w.match(m)) { waiters.splice(waiters.indexOf(w), 1); w.ok(m); }
  });
  const setStatus = async (kind) => {
    const ack = next((m) => m.type === "ack" && m.command === "status.set", "status ack");
    send({ type: "status.set", status: { kind } });
    await ack;
  };
  const offered = () => next((m) => m.type === "offer", "an offer");
  const inState = (contactId, state) => next((m) => m.type === "contact.update" && m.contact.contactId === contactId && m.contact.state === state, `${state}`);

  /** Until workerd has been idle for 300 ms (the contact's writes and alarms after it are done), at most 20 s. */
  const settle = async () => {
    for (let quiet = 0, waited = 0; quiet < 3 && waited < 20_000; waited += 100) {
      const c0 = workerdCpuSeconds();
      await sleep(100);
      quiet = workerdCpuSeconds() - c0 <= 0.003 ? quiet + 1 : 0;
    }
  };

  let caller = 0;
  let chatsStarted = 0;
  const types = {
    "voice-answered": {
      connectMinutes: (IVR_S + TALK_S) / 60, connectMessages: 0,
      async run() {
        const offer = offered();
        const call = await phone.call({ from: `+1415555${String(1000 + ++caller).slice(-4)}`, to: DEMO.number });
        await call.press("2");
        const { contact } = await offer;
        const connected = inState(contact.contactId, "CONNECTED");
        send({ type: "contact.accept", contactId: contact.contactId });
        const recordings = phone.recordings.size;
        await connected;
        // The talk: the agent's recording starts once both legs are in the conference.
        for (let waited = 0; phone.recordings.size === recordings; waited += 50) {
          if (waited > 30_000) throw new Error("the call's recording did not start within 30 s");
          await sleep(50);
        }
        phone.advanceClock(TALK_S);
        const acw = inState(contact.contactId, "AFTER_CONTACT_WORK");
        const objects = (await json("/bench/cost/r2-objects")).objects;
        await call.hangup();
        await acw;
        send({ type: "contact.clear", contactId: contact.contactId });
        // The recording is fetched from Twilio, encrypted into R2 and deleted at Twilio after the call.
        for (let waited = 0; (await json("/bench/cost/r2-objects")).objects === objects; waited += 100) {
          if (waited > 30_000) throw new Error("the call's recording was not stored within 30 s");
          await sleep(100);
        }
      },
    },
    "voice-abandoned": {
      connectMinutes: (IVR_S + ABANDON_AFTER_S) / 60, connectMessages: 0,
      async before() { await setStatus("OFFLINE"); },
      async after() { await setStatus("AVAILABLE"); },
      async run() {
        const call = await phone.call({ from: `+1415555${String(1000 + ++caller).slice(-4)}`, to: DEMO.number });
        await call.press("2");
        await sleep(300);
        phone.advanceClock(ABANDON_AFTER_S);
        await call.hangup();
      },
    },
    chat: {
      connectMinutes: 0, connectMessages: 20,
      async run() {
        const offer = offered();
        // Each customer from an address of their own, as on a website (the start limit is per address).
        const started = await json("/api/v1/chat/start", { method: "POST", headers: { origin: PAGE_ORIGIN, "cf-connecting-ip": `203.0.113.${++chatsStarted % 250}` }, body: JSON.stringify({ instanceId: "demo", flowId: "demo:flow:chat", customerName: "Dana" }) });
        const customer = await openSocket(`${wsOrigin}/api/v1/chat/socket?instance=demo&chat=${started.chatId}&token=${encodeURIComponent(started.token)}`, { headers: { origin: PAGE_ORIGIN } });
        /** The next `ack` on a chat socket (its message stored), or a clear failure. */
        const acked = (ws) => new Promise((ok, fail) => {
          const t = setTimeout(() => fail(new Error("timed out waiting for a chat message's ack")), 20_000);
          ws.addEventListener("message", function on(e) {
            const m = JSON.parse(e.data);
            if (process.env.BENCH_DEBUG) console.log("chat ←", e.data.slice(0, 160));
            if (m.type === "error") { clearTimeout(t); fail(new Error(`chat: ${e.data}`)); }
            if (m.type === "ack") { clearTimeout(t); ws.removeEventListener("message", on); ok(); }
          });
        });
        // The flow asks "billing or support?" (uncounted by Amazon Connect's price below: it bills 20).
        let a = acked(customer);
        customer.send(JSON.stringify({ type: "message.send", clientId: "topic", text: "support" }));
        await a;
        const { contact } = await offer;
        const connected = inState(contact.contactId, "CONNECTED");
        send({ type: "contact.accept", contactId: contact.contactId });
        await connected;
        const agentChat = await openSocket(`${wsOrigin}/api/v1/contacts/${contact.contactId}/chat/socket?ticket=${await ticket()}`, { headers: { origin: DEMO_BASE } });
        for (let i = 0; i < 10; i++) {
          a = acked(customer);
          customer.send(JSON.stringify({ type: "message.send", clientId: `c${i}`, text: `Question ${i}: where is order 10${i}?` }));
          await a;
          await sleep(200); // people type: a chat allows a burst of 10, then one a second
          a = acked(agentChat);
          agentChat.send(JSON.stringify({ type: "message.send", clientId: `a${i}`, text: `Let me check order 10${i} for you.` }));
          await a;
        }
        const acw = inState(contact.contactId, "AFTER_CONTACT_WORK");
        agentChat.send(JSON.stringify({ type: "chat.end" }));
        await acw;
        send({ type: "contact.clear", contactId: contact.contactId });
        customer.close();
        agentChat.close();
      },
    },
  };

  await setStatus("AVAILABLE");
  const only = arg("types", null)?.split(",");
  const chosen = Object.entries(types).filter(([n]) => !only || only.includes(n));
  if (only && chosen.length !== only.length) throw new Error(`--types: known types are ${Object.keys(types).join(", ")}`);
  // Warm-up: one of each, uncounted (first objects, compilation).
  for (const [, t] of chosen) { await t.before?.(); await t.run(); await t.after?.(); }
  await settle();
  await json("/bench/cost/units");

  const results = {};
  for (const [name, t] of chosen) {
    // Pass 1: the counts and the CPU, no shadow. Pass 2: D1's rows, through the shadow.
    const passes = [];
    for (const shadow of [0, 1]) {
      await json(`/bench/cost/shadow?on=${shadow}`);
      await t.before?.();
      await settle();
      const storedBefore = (await json("/bench/cost/units")).r2BytesStored;
      const cpu0 = workerdCpuSeconds();
      for (let i = 0; i < N; i++) await t.run();
      await settle();
      const cpuMs = (workerdCpuSeconds() - cpu0) * 1000;
      const counted = await json("/bench/cost/units");
      passes.push({ units: { ...counted, r2BytesStored: counted.r2BytesStored - storedBefore }, cpuMs });
      await t.after?.();
    }
    const [a, b] = passes;
    const sum = (m) => Object.values(m).reduce((x, y) => x + y, 0);
    const per = (x) => x / N;
    const u = a.units;
    const perContact = {
      workerRequests: per(u.workerRequests),
      workerdCpuMs: per(a.cpuMs),
      doRequests: per(sum(u.doRequests)),
      doWsMessages: per(sum(u.doWsMessages)),
      doAlarms: per(sum(u.doAlarms)),
      doActiveSeconds: per(sum(u.doActiveMs)) / 1000,
      doRowsRead: per(sum(u.doRowsRead)),
      doRowsWritten: per(sum(u.doRowsWritten)),
      d1Queries: per(u.d1Queries),
      d1RoundTrips: per(u.d1RoundTrips),
      d1RowsRead: per(b.units.d1RowsRead),
      d1RowsWritten: per(b.units.d1RowsWritten),
      r2ClassA: per(u.r2ClassA),
      r2ClassB: per(u.r2ClassB),
      r2BytesStored: per(u.r2BytesStored),
    };
    const byClass = Object.fromEntries(["doRequests", "doWsMessages", "doAlarms", "doRowsRead", "doRowsWritten"].map((k) => [k, Object.fromEntries(Object.entries(u[k]).map(([c, n]) => [c, r2(per(n))]))]));
    const p = PRICES.cloudflare;
    const dollars = {
      workerRequests: perContact.workerRequests * p.workers.requestsPerMillion / 1e6,
      workerCpu: perContact.workerdCpuMs * p.workers.cpuMsPerMillion / 1e6,
      doRequests: (perContact.doRequests + perContact.doAlarms + perContact.doWsMessages / p.durableObjects.webSocketMessagesPerRequest) * p.durableObjects.requestsPerMillion / 1e6,
      doDuration: perContact.doActiveSeconds * p.durableObjects.memoryGb * p.durableObjects.gbSecondsPerMillion / 1e6,
      doRows: (perContact.doRowsRead * p.durableObjects.rowsReadPerMillion + perContact.doRowsWritten * p.durableObjects.rowsWrittenPerMillion) / 1e6,
      d1Rows: (perContact.d1RowsRead * p.d1.rowsReadPerMillion + perContact.d1RowsWritten * p.d1.rowsWrittenPerMillion) / 1e6,
      r2Operations: (perContact.r2ClassA * p.r2.classAPerMillion + perContact.r2ClassB * p.r2.classBPerMillion) / 1e6,
      r2Storage: (perContact.r2BytesStored / 1e9) * p.r2.storageGbMonth * PRICES.retentionMonths,
    };
    const total = Object.values(dollars).reduce((x, y) => x + y, 0);
    const connect = t.connectMinutes * PRICES.amazonConnect.voicePerMinute + t.connectMessages * PRICES.amazonConnect.chatPerMessage;
    results[name] = {
      perContact: Object.fromEntries(Object.entries(perContact).map(([k, v]) => [k, r4(v)])),
      byClass,
      // The busiest object of each class: what one queue (or agent…) takes per contact, the load model's figure.
      doRequestsBusiestObject: Object.fromEntries(Object.entries(Object.entries(u.doRequestsByObject).reduce((m, [k, n]) => {
        const [cls, name] = [k.slice(0, k.indexOf(" ")), k.slice(k.indexOf(" ") + 1)];
        if (!m[cls] || n > m[cls].n) m[cls] = { name, n };
        return m;
      }, {})).sort((x, y) => x[0].localeCompare(y[0])).map(([cls, { name, n }]) => [cls, { object: name, requests: r2(per(n)) }])),
      doRequestsByMethod: Object.fromEntries(Object.entries(u.doRequestsByMethod).sort((x, y) => x[0].localeCompare(y[0])).map(([k, n]) => [k, r2(per(n))])),
      d1QueriesByStatement: Object.fromEntries(Object.entries(u.d1ByStatement).sort((x, y) => y[1] - x[1]).map(([k, n]) => [k, r2(per(n))])),
      d1ShadowErrors: b.units.d1ShadowErrors,
      dollarsPer1000: Object.fromEntries(Object.entries(dollars).map(([k, v]) => [k, r4(v * 1000)])),
      totalPer1000: r4(total * 1000),
      amazonConnectPer1000: r2(connect * 1000),
      ratioToAmazonConnect: r4(total / connect),
      largest: Object.entries(dollars).sort((x, y) => y[1] - x[1])[0][0],
    };
  }
  settling = false;
  await settleLoop;

  const result = {
    at: new Date().toISOString(),
    machine: { cpus: cpus().length, node: process.version, state: bench.state },
    contactsPerType: N,
    script: { ivrSeconds: IVR_S, talkSeconds: TALK_S, abandonAfterSeconds: ABANDON_AFTER_S, chatMessages: 20 },
    prices: PRICES,
    types: results,
    target: { ratioToAmazonConnect: 0.05 },
  };
  mkdirSync(join(ROOT, "bench/results"), { recursive: true });
  writeFileSync(OUT, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`Cost per contact on Cloudflare (${N} of each, one at a time, local workerd; prices of ${PRICES.asOf})`);
  for (const [name, r] of Object.entries(results)) {
    const c = r.perContact;
    console.log(`  ${name}: $${r.totalPer1000} per 1,000 contacts; Amazon Connect $${r.amazonConnectPer1000}; ratio ${r.ratioToAmazonConnect} (target ≤ 0.05: ${r.ratioToAmazonConnect <= 0.05 ? "met" : "NOT met"}); largest: ${r.largest}`);
    console.log(`    Worker ${c.workerRequests} requests, ${c.workerdCpuMs} ms CPU (workerd, objects included); DO ${c.doRequests} requests, ${c.doWsMessages} socket messages, ${c.doAlarms} alarms, ${c.doActiveSeconds} s active, SQLite ${c.doRowsRead} rows read / ${c.doRowsWritten} written; D1 ${c.d1Queries} queries (${c.d1RoundTrips} round trips), ${c.d1RowsRead} rows read / ${c.d1RowsWritten} written; R2 ${c.r2ClassA} A / ${c.r2ClassB} B, ${c.r2BytesStored} bytes kept`);
    const q = r.doRequestsBusiestObject.QueueRoom;
    if (q) console.log(`    QueueRoom ${r.byClass.doRequests.QueueRoom} requests (busiest, ${q.object}: ${q.requests}): ${Object.entries(r.doRequestsByMethod).filter(([k]) => k.startsWith("QueueRoom.")).map(([k, n]) => `${k.slice(10)} ${n}`).join(", ")}`);
    console.log(`    $ per 1,000: ${Object.entries(r.dollarsPer1000).map(([k, v]) => `${k} ${v}`).join(", ")}`);
  }
  console.log(`  → ${OUT}`);
} finally {
  server?.close();
  bench.stop();
}
process.exit(0);
