// `npm run dev` as a new user runs it: migrations, server, demo seed, banner; then the
// health check and the demo admin's sign-in work.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { BIN, ROOT } from "../../scripts/lib.mjs";

test("npm run dev on any PORT: quiet start, /healthz, the demo admin signs in, the demo instance's public base URL is that port, a 2 MB webhook is refused with 413", { timeout: 150_000 }, async () => {
  const port = 8790 + Math.floor(Math.random() * 50);
  const state = mkdtempSync(join(tmpdir(), "switchboard-dev-state-"));
  const child = spawn(process.execPath, ["scripts/dev.mjs"], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), SWITCHBOARD_STATE_DIR: state, PATH: `${BIN}:${process.env.PATH}` },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const started = Date.now();
  try {
    await new Promise((resolve, reject) => {
      const timer = setInterval(() => {
        if (output.includes("admin@demo.test")) (clearInterval(timer), resolve());
        else if (Date.now() - started > 120_000) (clearInterval(timer), reject(new Error(`no banner after 120 s:\n${output}`)));
      }, 200);
      child.on("exit", (code) => (clearInterval(timer), reject(new Error(`dev exited with ${code}:\n${output}`))));
    });
    console.log(`npm run dev ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const base = `http://127.0.0.1:${port}`;
    assert.match(output, new RegExp(`running at ${base}`));
    assert.match(output, /\+15550100/);
    const health = await fetch(`${base}/healthz`);
    assert.equal(health.status, 200);
    const signIn = await fetch(`${base}/api/v1/auth/sign-in`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "admin@demo.test", password: "switchboard-admin" }),
    });
    assert.equal(signIn.status, 200);
    const { token } = await signIn.json();
    const queues = await fetch(`${base}/api/v1/queues`, { headers: { authorization: `Bearer ${token}` } });
    const names = (await queues.json()).items.map((q) => q.name).sort();
    assert.deepEqual(names, ["Billing", "Support"]);

    // Twilio signs against the instance's public base URL: it must be where this server answers.
    const instance = await (await fetch(`${base}/api/v1/instance`, { headers: { authorization: `Bearer ${token}` } })).json();
    assert.equal(instance.publicBaseUrl, base);

    // What a new user sees: one line for the migrations, no network lookups that fail.
    assert.match(output, /Local database: \d+ migrations? applied\.|Local database: up to date\./);
    assert.doesNotMatch(output, /Migrations to be applied|commands executed successfully/);
    assert.doesNotMatch(output, /getaddrinfo|ENOTFOUND|Request\.cf/);

    // A body far over the webhook limit is refused with 413 every time (Vite's dev server in front).
    const big = "a=" + "x".repeat(2_000_000);
    const statuses = await Promise.all(Array.from({ length: 8 }, async () => {
      const res = await fetch(`${base}/twilio/voice`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: big });
      await res.arrayBuffer();
      return res.status;
    }));
    assert.deepEqual(statuses, Array(8).fill(413));
  } finally {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {}
    await new Promise((r) => setTimeout(r, 1000));
    rmSync(state, { recursive: true, force: true });
  }
});
