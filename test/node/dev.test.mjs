// `npm run dev` as a new user runs it: migrations, server, demo seed, banner; then the
// health check and the demo admin's sign-in work.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { test } from "node:test";
import { BIN, ROOT } from "../../scripts/lib.mjs";

test("npm run dev serves /healthz and signs the demo admin in", { timeout: 150_000 }, async () => {
  const port = 8790 + Math.floor(Math.random() * 50);
  const child = spawn(process.execPath, ["scripts/dev.mjs"], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), PATH: `${BIN}:${process.env.PATH}` },
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
  } finally {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {}
  }
});
