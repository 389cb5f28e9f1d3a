// `npm run deploy` refuses a wrangler.toml that would deploy LOCAL_MODE on, and makes setup tokens.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { hasSecret, localModeOf, localModeRefusal, newSetupToken } from "../../scripts/deploy-checks.mjs";
import { ROOT } from "../../scripts/lib.mjs";

const exec = promisify(execFile);
const toml = (vars) => `name = "switchboard"\nmain = "src/workers/index.ts"\n\n[vars]\n${vars}\nSWITCHBOARD_KEY_VERSION = "1"\n\n[assets]\nnot_found_handling = "single-page-application"\n`;

test("the project's own wrangler.toml may be deployed: LOCAL_MODE is \"false\"", () => {
  const config = readFileSync(join(ROOT, "wrangler.toml"), "utf8");
  assert.equal(localModeOf(config), "false");
  assert.equal(localModeRefusal(config), null);
});

test("deploy refuses LOCAL_MODE true, any other value, or none", () => {
  for (const vars of ['LOCAL_MODE = "true"', "LOCAL_MODE = 'true'", "LOCAL_MODE = true", 'LOCAL_MODE = "yes"', "", '  LOCAL_MODE="TRUE" # on']) {
    const refusal = localModeRefusal(toml(vars));
    assert.ok(refusal, `refused: ${vars || "(unset)"}`);
    assert.match(refusal, /Refusing to deploy: LOCAL_MODE/);
  }
  assert.equal(localModeRefusal(toml('LOCAL_MODE = "false"')), null);
  // Only the top-level [vars] counts: a LOCAL_MODE elsewhere does not make the deploy safe.
  assert.ok(localModeRefusal(`[env.test.vars]\nLOCAL_MODE = "false"\n\n[vars]\nLOCAL_MODE = "true"\n`));
  assert.ok(localModeRefusal(`[vars]\nOTHER = "x"\n\n[env.test.vars]\nLOCAL_MODE = "false"\n`));
});

test("npm run deploy stops before touching any account when wrangler.toml has LOCAL_MODE on", { timeout: 60_000 }, async () => {
  // Runs deploy.mjs in a copy of the scripts beside a wrangler.toml that says "true", with no
  // node_modules (so no wrangler to run even if the check were gone): it must exit 1 with the refusal.
  const { mkdtempSync, cpSync, writeFileSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const dir = mkdtempSync(join(tmpdir(), "switchboard-deploy-"));
  try {
    cpSync(join(ROOT, "scripts"), join(dir, "scripts"), { recursive: true });
    writeFileSync(join(dir, "wrangler.toml"), readFileSync(join(ROOT, "wrangler.toml"), "utf8").replace('LOCAL_MODE = "false"', 'LOCAL_MODE = "true"'));
    const failed = await exec(process.execPath, [join(dir, "scripts", "deploy.mjs")], { cwd: dir, env: { ...process.env, PATH: "/nonexistent" } }).then(
      () => null,
      (err) => err,
    );
    assert.ok(failed, "deploy.mjs exited 0");
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /Refusing to deploy: LOCAL_MODE in wrangler\.toml's \[vars\] is "true"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a setup token is 32 random bytes, new each time", () => {
  const a = newSetupToken();
  assert.equal(Buffer.from(a, "base64url").length, 32);
  assert.notEqual(a, newSetupToken());
});

test("secrets are found in wrangler secret list's JSON", () => {
  const list = JSON.stringify([{ name: "SWITCHBOARD_SECRET", type: "secret_text" }]);
  assert.equal(hasSecret(list, "SWITCHBOARD_SECRET"), true);
  assert.equal(hasSecret(list, "SWITCHBOARD_SETUP_TOKEN"), false);
});
