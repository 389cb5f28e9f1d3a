// The channel bench in a tiny mode: every contact of each channel (web chat, SMS through the
// signed Messaging webhook, email into the email() handler) is routed to an agent and answered,
// and the results land under `channels` in the output file beside the keys already there.
// Timings are not asserted (this machine is shared); the routing itself is.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

test("bench-channels: 3 agents, 6 contacts per channel, all routed and answered; routing.json keeps its keys", { timeout: 600_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "sb-bench-channels-test-"));
  const out = join(dir, "routing.json");
  writeFileSync(out, JSON.stringify({ contactsRoutedPerSecond: 224, agents: 200 }));
  try {
    const child = spawn(process.execPath, ["scripts/bench-channels.mjs", "--agents", "3", "--contacts", "6", "--paced", "3", "--pace-ms", "50", "--out", out],
      { stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    child.stdout.on("data", (d) => (log += d));
    child.stderr.on("data", (d) => (log += d));
    const code = await new Promise((ok) => child.on("exit", ok));
    assert.equal(code, 0, log);
    const result = JSON.parse(readFileSync(out, "utf8"));
    assert.equal(result.contactsRoutedPerSecond, 224, "the routing bench's own keys stay");
    assert.equal(result.agents, 200);
    const ch = result.channels;
    for (const channel of ["chat", "sms", "email"]) {
      assert.equal(ch[channel].contacts, 6, channel);
      assert.equal(ch[channel].routed, 6, `${channel}: every contact connected to an agent\n${log}`);
      assert.equal(ch[channel].paced.offerLatencyMs.n, 3, `${channel}: an offer for each paced contact`);
      assert.equal(ch[channel].paced.replyLatencyMs.n, 3, `${channel}: each paced contact's reply delivered`);
      assert.equal(ch[channel].saturated.replyLatencyMs.n, 3, `${channel}: each saturated contact's reply delivered`);
      for (const key of ["p50", "p99"]) assert.equal(typeof ch[channel].paced.offerLatencyMs[key], "number");
      assert.equal(typeof ch[channel].contactsRoutedPerSecond, "number");
    }
    // The warm-up's 3 emails and the 6 measured: every reply reached the local outbox.
    assert.equal(ch.email.repliesInOutbox, 9);
    for (const channel of ["sms", "email"]) {
      for (const key of ["offerP50", "offerP99", "replyP50", "replyP99", "routedPerSecond"]) assert.equal(typeof ch.ratioToChat[channel][key], "number", `${channel} ${key}`);
    }
    assert.equal(ch.ratioToChat.target, 1.5);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
