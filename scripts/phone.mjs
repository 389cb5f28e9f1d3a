#!/usr/bin/env node
// `npm run phone`: the phone simulator. Plays Twilio's part against a running Worker:
//   npm run phone -- call +15550100 --from +14155550123 --press 1 --say "billing" --hangup-after 30
// Without --press/--say on a terminal it asks at each prompt (digits, "say …", "hangup").
// It also serves the part of Twilio's REST API the Worker calls on --api-port (default 8788),
// which is where `npm run dev` points the Worker's TWILIO_API_BASE_URL.
//   npm run phone -- serve
// serves only that REST API, until stopped: the customers of the agents' outbound calls answer at
// once (and stay on until the agent ends the call), unless named with --no-answer or --busy
// (NUMBER, or NUMBER:TIMES for only the next TIMES calls to it: a queued callback's retry then
// gets through). Run one of the two at a time: both use the port.
//   npm run phone -- sms +15550100 --from +14155550123 --text "Hi" --text "sales" [--whatsapp] [--wait 10]
// texts the number (a signed Messaging webhook per --text, in order) and prints the replies the
// Worker sends through the REST API and their delivery, for --wait seconds after the last text
// (on a terminal without --text it asks for each line instead, until "quit").
import { createServer } from "node:http";
import { createInterface } from "node:readline/promises";
import { parseArgs } from "node:util";
import { importTs } from "./lib.mjs";

const USAGE = `Usage: npm run phone -- serve [--api-port 8788] [--no-answer NUMBER[:TIMES]]… [--busy NUMBER[:TIMES]]… [--json]
       npm run phone -- call <number> [--from +14155550123] [--press DIGITS]… [--say TEXT]…
         [--hangup-after SECONDS] [--url http://127.0.0.1:8787] [--account-sid AC…] [--auth-token …]
         [--api-port 8788] [--hold-round 5] [--json]
       npm run phone -- sms <number> [--from +14155550123] [--text TEXT]… [--whatsapp] [--wait 5]
         [--url …] [--account-sid AC…] [--auth-token …] [--api-port 8788] [--json]
Defaults are the demo instance's dev-only Twilio credentials (see README).`;

const { values, positionals, tokens } = parseArgs({
  allowPositionals: true,
  tokens: true,
  options: {
    from: { type: "string", default: "+14155550123" },
    press: { type: "string", multiple: true },
    say: { type: "string", multiple: true },
    "hangup-after": { type: "string" },
    url: { type: "string", default: process.env.SWITCHBOARD_URL ?? "http://127.0.0.1:8787" },
    "account-sid": { type: "string", default: "ACdeadbeefdeadbeefdeadbeefdeadbeef" },
    "auth-token": { type: "string", default: "dev-only-auth-token-0123456789ab" },
    "api-port": { type: "string", default: "8788" },
    "hold-round": { type: "string", default: "5" },
    text: { type: "string", multiple: true },
    whatsapp: { type: "boolean", default: false },
    wait: { type: "string", default: "5" },
    "no-answer": { type: "string", multiple: true },
    busy: { type: "string", multiple: true },
    json: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});

const serving = positionals[0] === "serve";
const texting = positionals[0] === "sms";
if (values.help || !(serving || ((positionals[0] === "call" || texting) && positionals[1]))) {
  console.log(USAGE);
  process.exit(values.help ? 0 : 2);
}
const to = positionals[1];
if (!serving && (!/^\+[1-9]\d{1,14}$/.test(to) || !/^\+[1-9]\d{1,14}$/.test(values.from))) {
  console.error("Phone numbers must be E.164, e.g. +15550100");
  process.exit(2);
}
// --press and --say in the order given on the command line.
const steps = tokens.filter((t) => t.kind === "option" && (t.name === "press" || t.name === "say")).map((t) => ({ [t.name]: t.value }));

const { Phone, runScript, formatEvent } = await importTs("src/simulator/index.ts");
const apiPort = Number(values["api-port"]);
const phone = new Phone({
  baseUrl: values.url,
  accountSid: values["account-sid"],
  authToken: values["auth-token"],
  apiBaseUrl: `http://127.0.0.1:${apiPort}`,
  onEvent: (e) => {
    // A number refused only so many times answers again after them.
    const left = e.type === "call-created" ? refusals.get(e.to) : undefined;
    if (left !== undefined && left.times !== null && --left.times <= 0) phone.unanswered.delete(e.to);
    console.log(values.json ? JSON.stringify({ at: new Date().toISOString(), ...e }) : formatEvent(e));
  },
});
// --no-answer / --busy: the customers that do not pick up the calls the Worker places (all of them, or the next TIMES).
const refusals = new Map();
for (const [flag, status] of [["no-answer", "no-answer"], ["busy", "busy"]]) {
  for (const v of values[flag] ?? []) {
    const m = /^(\+[1-9]\d{1,14})(?::([1-9]\d*))?$/.exec(v);
    if (!m) {
      console.error(`--${flag} takes an E.164 number, optionally :TIMES (e.g. +14155550123:1), not "${v}"`);
      process.exit(2);
    }
    refusals.set(m[1], { times: m[2] ? Number(m[2]) : null });
    phone.unanswered.set(m[1], status);
  }
}

const server = createServer(async (req, res) => {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const request = new Request(`http://127.0.0.1:${apiPort}${req.url}`, {
    method: req.method,
    headers: req.headers,
    body: ["GET", "HEAD"].includes(req.method) ? undefined : Buffer.concat(chunks),
  });
  const answer = await phone.rest(request);
  res.writeHead(answer.status, Object.fromEntries(answer.headers));
  res.end(Buffer.from(await answer.arrayBuffer()));
});
await new Promise((resolve, reject) => server.listen(apiPort, "127.0.0.1", resolve).on("error", reject)).catch((err) => {
  console.error(`Cannot serve the simulated Twilio API on port ${apiPort}: ${err.message}`);
  process.exit(1);
});

if (serving) {
  // Twilio acts on what its API accepted (places calls, posts callbacks) a moment later: so do we.
  console.log(`Serving the simulated Twilio API on http://127.0.0.1:${apiPort} for ${values.url} (Ctrl-C stops it)`);
  const stop = () => {
    server.close();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  for (;;) {
    await phone.settle().catch((err) => console.error(err.message));
    await new Promise((r) => setTimeout(r, 200));
  }
}

if (texting) {
  // The conversation: each text a signed webhook; the Worker's replies arrive on the REST API above.
  const address = (n) => (values.whatsapp ? `whatsapp:${n}` : n);
  const settle = async (seconds) => {
    for (let t = 0; t < seconds * 5; t++) {
      await phone.settle().catch((err) => console.error(err.message));
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const send = async (text) => {
    const { response } = await phone.messaging.send({ from: address(values.from), to: address(to), text });
    if (!response.ok) console.error(`The Worker answered ${response.status}: ${response.body.slice(0, 200)}`);
    return response.ok;
  };
  let ok = true;
  if (values.text?.length) {
    for (const text of values.text) {
      ok = (await send(text)) && ok;
      await settle(1);
    }
    await settle(Number(values.wait));
  } else if (process.stdin.isTTY) {
    const ask = createInterface({ input: process.stdin, output: process.stdout });
    for (;;) {
      const line = (await ask.question("text (or quit)> ")).trim();
      if (line === "quit") break;
      if (line) ok = (await send(line)) && ok;
      await settle(1);
    }
    ask.close();
  } else {
    console.error("Give --text (one or more)");
    ok = false;
  }
  server.close();
  process.exit(ok ? 0 : 1);
}

const interactive = steps.length === 0 && process.stdin.isTTY;
const rl = interactive ? createInterface({ input: process.stdin, output: process.stdout }) : null;
const started = Date.now();
let code = 0;
try {
  const call = await phone.call({ from: values.from, to });
  await runScript(phone, call, {
    steps,
    hangupAfterSeconds: values["hangup-after"] ? Number(values["hangup-after"]) : undefined,
    holdRoundSeconds: Number(values["hold-round"]),
    sleep: (s) => new Promise((r) => setTimeout(r, s * 1000)),
    elapsed: () => (Date.now() - started) / 1000,
    ask: rl
      ? async () => {
          const line = (await rl.question("keys, say <words>, hangup, or Enter for silence> ")).trim();
          if (line === "hangup") return "hangup";
          if (line.startsWith("say ")) return { say: line.slice(4) };
          return line ? { press: line } : null;
        }
      : undefined,
  });
  if (phone.events.some((e) => e.type === "error")) code = 1;
} catch (err) {
  console.error(err.message);
  code = 1;
} finally {
  rl?.close();
  server.close();
}
process.exit(code);
