// Checks that run on Node rather than inside workerd: the deploy bundle builds.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
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
  const size = statSync(join(outdir, bundle)).size;
  console.log(`worker bundle: ${(size / 1024).toFixed(0)} KiB`);
  // Cloudflare's limit for a Worker on the free plan is 3 MiB compressed; stay well under it uncompressed.
  assert.ok(size < 3 * 1024 * 1024, `bundle is ${size} bytes`);
});
