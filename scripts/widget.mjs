// The chat widget build (src/widget → one minified IIFE, served by the Worker as /widget.js).
// `chatWidget()` is a Vite plugin: the Worker imports the bundle as the virtual module
// "virtual:switchboard-chat-widget", so `vite dev`, `vite build` (npm run build) and the
// workerd tests (vitest) all serve the widget built fresh from its sources.
// `node scripts/widget.mjs` builds it and prints its size (raw and gzipped).
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const ENTRY = fileURLToPath(new URL("../src/widget/index.ts", import.meta.url));
const ID = "virtual:switchboard-chat-widget";
export const WIDGET_GZIP_BUDGET = 40 * 1024;

/** Builds the widget; resolves with its code and the files it was built from. */
export async function buildWidget() {
  const out = await build({
    entryPoints: [ENTRY],
    bundle: true,
    minify: true,
    format: "iife",
    target: ["es2020"],
    platform: "browser",
    write: false,
    metafile: true,
    legalComments: "none",
    logLevel: "silent",
  });
  const code = out.outputFiles[0].text;
  return { code, inputs: Object.keys(out.metafile.inputs).map((f) => fileURLToPath(new URL(`../${f}`, import.meta.url))) };
}

/** @returns {import("vite").Plugin} */
export function chatWidget() {
  return {
    name: "switchboard-chat-widget",
    resolveId(id) {
      return id === ID ? `\0${ID}` : undefined;
    },
    async load(id) {
      if (id !== `\0${ID}`) return undefined;
      const { code, inputs } = await buildWidget();
      for (const f of inputs) this.addWatchFile(f);
      return `export default ${JSON.stringify(code)};`;
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { code } = await buildWidget();
  const gz = gzipSync(code, { level: 9 }).length;
  console.log(`widget.js: ${(code.length / 1024).toFixed(1)} KB, ${(gz / 1024).toFixed(1)} KB gzipped (budget ${WIDGET_GZIP_BUDGET / 1024} KB)`);
  if (gz > WIDGET_GZIP_BUDGET) process.exit(1);
}
