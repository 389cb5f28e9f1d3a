#!/usr/bin/env node
// `npm run email`: mail for a local Switchboard (`npm run dev`), which takes it on its dev-only
// routes as Cloudflare Email Routing's mail would come to the Worker's email() handler:
//   npm run email -- send scripts/demo-email.eml [--to support@demo.test]
// sends the .eml file to the address (--to, else the file's To header): it becomes an EMAIL
// contact in that address's queue, or continues the contact its thread headers name.
//   npm run email -- outbox [--instance demo]
// prints the replies agents sent, which local mode keeps in a local outbox instead of sending.
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";

const USAGE = `Usage: npm run email -- send FILE.eml [--to ADDRESS] [--url http://127.0.0.1:8787] [--json]
       npm run email -- outbox [--instance demo] [--url …] [--json]`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    to: { type: "string" },
    instance: { type: "string", default: "demo" },
    url: { type: "string", default: process.env.SWITCHBOARD_URL ?? "http://127.0.0.1:8787" },
    json: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});

const [command, file] = positionals;
if (values.help || !((command === "send" && file) || command === "outbox")) {
  console.log(USAGE);
  process.exit(values.help ? 0 : 2);
}
const base = values.url.replace(/\/$/, "");

async function call(path, init) {
  let res;
  try {
    res = await fetch(`${base}${path}`, init);
  } catch (err) {
    console.error(`Cannot reach ${base} (${err.cause?.code ?? err.message}): is \`npm run dev\` running?`);
    process.exit(1);
  }
  const body = await res.json().catch(() => null);
  if (!res.ok) {
    console.error(`${res.status} ${body?.error?.code ?? ""}: ${body?.error?.message ?? "no answer"}`);
    process.exit(1);
  }
  return body;
}

if (command === "send") {
  const raw = await readFile(file);
  const header = /^To:\s*(.+)$/im.exec(raw.toString("utf8").split(/\r?\n\r?\n/)[0] ?? "")?.[1] ?? "";
  const to = values.to ?? /<([^>]+)>/.exec(header)?.[1] ?? header.trim();
  if (!to) {
    console.error("No --to and no To header in the file");
    process.exit(2);
  }
  const body = await call(`/dev/email?to=${encodeURIComponent(to)}`, { method: "POST", headers: { "content-type": "message/rfc822" }, body: raw });
  if (values.json) console.log(JSON.stringify(body));
  else console.log(`${body.result === "started" ? "New" : "Continued"} email contact ${body.contactId} (${body.result}).`);
} else {
  const { items } = await call(`/dev/email/outbox?instance=${encodeURIComponent(values.instance)}`);
  if (values.json) console.log(JSON.stringify(items, null, 2));
  else if (items.length === 0) console.log("The local outbox is empty.");
  else {
    for (const m of items) {
      const from = typeof m.from === "string" ? m.from : `${m.from.name} <${m.from.email}>`;
      console.log(`── ${m.at}  Message-ID: <${m.messageId}>`);
      console.log(`From: ${from}\nTo: ${m.to}\nSubject: ${m.subject}`);
      for (const [k, v] of Object.entries(m.headers ?? {})) console.log(`${k}: ${v}`);
      console.log(`\n${m.text}\n`);
    }
  }
}
