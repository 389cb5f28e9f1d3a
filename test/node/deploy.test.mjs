// Checks that run on Node rather than inside workerd: the deploy bundle builds, and how big it is.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { BIN, ROOT } from "../../scripts/lib.mjs";

const exec = promisify(execFile);

test("wrangler deploy --dry-run bundles the Worker with its bindings", { timeout: 180_000 }, async () => {
  const outdir = mkdtempSync(join(tmpdir(), "switchboard-dry-run-"));
  const { stdout } = await exec(join(BIN, "wrangler"), ["deploy", "--dry-run", "--outdir", outdir], {
    cwd: ROOT,
    env: { ...process.env, PATH: `${BIN}:${process.env.PATH}` },
    maxBuffer: 16 * 1024 * 1024,
  });
  assert.match(stdout, /env\.DB/);
  assert.match(stdout, /env\.RECORDINGS/);
  const bundle = readdirSync(outdir).find((f) => f.endsWith(".js"));
  assert.ok(bundle, "a JavaScript bundle was written");
  const code = readFileSync(join(outdir, bundle));
  const size = code.length;
  const gzipped = gzipSync(code, { level: 9 }).length;
  console.log(`worker bundle: ${(size / 1024).toFixed(0)} KiB, ${(gzipped / 1024).toFixed(0)} KiB gzipped (-9)`);
  // Cloudflare's limit for a Worker on the free plan is 3 MiB compressed; stay well under it uncompressed.
  assert.ok(size < 3 * 1024 * 1024, `bundle is ${size} bytes`);
  // About 620 KiB gzipped (-9) in December 2026 (the vite build `npm run deploy` ships), with the
  // bot engine and the analytics engines in the Worker: yaml 45, libphonenumber-js 39, sentiment
  // (AFINN) 31, postal-mime 37 (email), chrono-node 23 (en, es and fr only: its index bundles all
  // sixteen locales, +80); email, tasks, callbacks, profiles, knowledge, guides and supervision
  // added about 65 of our own.
  // The twilio package's TwiML builder (VoiceResponse with xmlbuilder) is not bundled:
  // src/twilio/twiml.ts writes every document (21 KiB less). The bound is there to catch a change
  // that pulls in something big, such as `import twilio from "twilio"` (the whole SDK: 8 MB, 534
  // KiB gzipped) or chrono-node's index, not to count kilobytes.
  assert.ok(gzipped < 700 * 1024, `bundle is ${gzipped} bytes gzipped`);
});
