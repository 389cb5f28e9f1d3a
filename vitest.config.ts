import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { chatWidget } from "./scripts/widget.mjs";

const migrations = await readD1Migrations(fileURLToPath(new URL("./migrations", import.meta.url)));

export default defineConfig({
  plugins: [
    chatWidget(),
    cloudflareTest({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        // Fixed values so a developer's .dev.vars (written by `npm run dev`) never leaks into tests.
        bindings: {
          LOCAL_MODE: "false",
          TWILIO_API_BASE_URL: "https://api.twilio.com",
          // A DNS-over-HTTPS stub (answered below): every name is public unless a test says otherwise.
          DNS_OVER_HTTPS_URL: "https://doh.test/dns-query",
          SWITCHBOARD_SECRET: "test-secret-not-for-production-0123456789",
          // Tests run as a deployment that has rotated once: version 1 objects must still play.
          SWITCHBOARD_KEY_VERSION: "2",
          TEST_MIGRATIONS: migrations,
        },
        // Tests never use the network: a request no test's simulator took (an action still
        // queued when its test ended, say) is answered here at once instead of trying DNS.
        outboundService: (request: Request) => {
          const url = new URL(request.url);
          if (url.host === "doh.test") {
            const type = url.searchParams.get("type") === "AAAA" ? 28 : 1;
            return Response.json({ Status: 0, Answer: [{ name: url.searchParams.get("name"), type, TTL: 60, data: type === 1 ? "93.184.215.14" : "2606:2800:21f:cb07:6820:80da:af6b:8b2c" }] });
          }
          return Response.json({ message: `tests do not reach the network (${url.host})` }, { status: 503 });
        },
      },
    }),
  ],
  test: {
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    setupFiles: ["./test/setup.ts"],
    testTimeout: 30_000,
    // On CI (a loaded 2-core machine), a test that fails is run once more and counts as its
    // second run; the reporter marks it "retry". Locally every failure counts at once.
    retry: process.env.CI ? 1 : 0,
  },
});
