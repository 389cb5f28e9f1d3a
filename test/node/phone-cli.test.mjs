// `npm run phone -- serve --no-answer NUMBER:TIMES`: the customer does not pick up the next TIMES
// calls the Worker places to them (a queued callback's first attempt, say), then answers.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { test } from "node:test";

const ACCOUNT = "ACdeadbeefdeadbeefdeadbeefdeadbeef";
const TOKEN = "dev-only-auth-token-0123456789ab";
const CUSTOMER = "+14155550123";

test("serve --no-answer NUMBER:1: the first call to the number is not answered, the next one is", async () => {
  const port = 41000 + Math.floor(Math.random() * 2000);
  const child = spawn(process.execPath, ["scripts/phone.mjs", "serve", "--api-port", String(port), "--no-answer", `${CUSTOMER}:1`, "--url", "http://127.0.0.1:9"], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  try {
    const base = `http://127.0.0.1:${port}/2010-04-01/Accounts/${ACCOUNT}`;
    const auth = { authorization: `Basic ${Buffer.from(`${ACCOUNT}:${TOKEN}`).toString("base64")}` };
    for (let i = 0; i < 200 && !out.includes("Serving"); i++) await new Promise((r) => setTimeout(r, 50));
    const place = async () => {
      const res = await fetch(`${base}/Calls.json`, {
        method: "POST", headers: { ...auth, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ To: CUSTOMER, From: "+15550009999", Url: "http://127.0.0.1:9/twiml" }),
      });
      assert.equal(res.status, 201);
      return (await res.json()).sid;
    };
    const status = async (sid) => (await (await fetch(`${base}/Calls/${sid}.json`, { headers: auth })).json()).status;
    const first = await place();
    let s = "";
    for (let i = 0; i < 100 && s !== "no-answer"; i++) {
      await new Promise((r) => setTimeout(r, 50));
      s = await status(first);
    }
    assert.equal(s, "no-answer", out);
    const second = await place();
    let t = "queued";
    for (let i = 0; i < 100 && ["queued", "ringing"].includes(t); i++) {
      await new Promise((r) => setTimeout(r, 50));
      t = await status(second);
    }
    assert.notEqual(t, "no-answer", out);
    assert.notEqual(t, "queued", out);
  } finally {
    child.kill();
  }
});

test("serve --no-answer refuses a number that is not E.164", async () => {
  const child = spawn(process.execPath, ["scripts/phone.mjs", "serve", "--api-port", "9", "--no-answer", "4155550123"], { stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  child.stderr.on("data", (d) => (err += d));
  const code = await new Promise((r) => child.on("exit", r));
  assert.equal(code, 2);
  assert.match(err, /--no-answer takes an E\.164 number/);
});
