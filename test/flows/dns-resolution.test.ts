/**
 * External endpoints are resolved before they are called (src/lib/dns-over-https.ts): a public
 * name whose DNS answer is a loopback, private or link-local address is refused like the address
 * itself, and the endpoint is never called. Played against a DNS-over-HTTPS stub.
 */
import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { performEffect } from "../../src/durable/contact-flow";
import { invokeExternal } from "../../src/flows/io/invoke-external";
import { clearDnsVerdicts, nonPublicResolution } from "../../src/lib/dns-over-https";
import { makeInstance } from "../routing/helpers";

const DOH = "https://doh.stub/dns-query";

/** A DNS-over-HTTPS stub (Cloudflare's JSON API): `records[name]` are its A and AAAA answers; counts the queries. */
function dohStub(records: Record<string, { A?: string[]; AAAA?: string[] }>, opts: { failing?: boolean } = {}) {
  const queries: string[] = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(new Request(input, init).url);
    expect(new Request(input, init).headers.get("accept")).toBe("application/dns-json");
    const name = url.searchParams.get("name")!;
    const type = url.searchParams.get("type") as "A" | "AAAA";
    queries.push(`${name} ${type}`);
    if (opts.failing) return new Response("busy", { status: 502 });
    const rec = records[name];
    if (!rec) return Response.json({ Status: 3 });
    return Response.json({
      Status: 0,
      Answer: [{ name, type: 5, TTL: 60, data: "alias.example.net." }, ...(rec[type] ?? []).map((data) => ({ name, type: type === "A" ? 1 : 28, TTL: 60, data }))],
    });
  }) as typeof globalThis.fetch;
  return { fetch, queries };
}

/** The business's endpoint: answers `{ ok: 1 }` and counts the calls. */
function endpoint() {
  const calls: string[] = [];
  const fetch = (async (input: RequestInfo | URL) => {
    calls.push(String(input instanceof Request ? input.url : input));
    return Response.json({ ok: 1 });
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

const effect = (url: string) => ({ type: "invoke_external" as const, url, payload: {}, timeoutSeconds: 3 });

async function invoke(url: string, dns: ReturnType<typeof dohStub>, opts: { allowPrivateHosts?: boolean } = {}) {
  const ep = endpoint();
  const result = await invokeExternal(effect(url), {
    secret: "s", allowedEndpoints: [new URL(url).origin], fetch: ep.fetch, allowPrivateHosts: opts.allowPrivateHosts,
    resolveHost: (host) => nonPublicResolution(host, { dohUrl: DOH, fetch: dns.fetch }),
  });
  return { result, calls: ep.calls };
}

beforeEach(() => clearDnsVerdicts());

describe("external endpoints are resolved before they are called", () => {
  it("refuses a name whose A or AAAA answer is private, loopback or link-local; the endpoint is never called", async () => {
    const dns = dohStub({
      "crm.example.com": { A: ["10.0.0.7"] },
      "hooks.example.org": { A: ["93.184.215.14"], AAAA: ["::1"] },
      "meta.example.net": { A: ["169.254.169.254"] },
      "mapped.example.net": { AAAA: ["::ffff:127.0.0.1"] },
    });
    for (const [url, range] of [
      ["https://crm.example.com/lookup", "private"],
      ["https://hooks.example.org/x", "loopback"],
      ["https://meta.example.net/latest", "linkLocal"],
      ["https://mapped.example.net/", "loopback"],
    ]) {
      const { result, calls } = await invoke(url, dns);
      expect(result).toMatchObject({ type: "external_result", ok: false });
      expect((result as { error: string }).error).toMatch(new RegExp(`^refused: .*${range}`));
      expect(calls).toEqual([]);
    }
  });

  it("calls a name whose every address is public; a name with no address is refused", async () => {
    const dns = dohStub({ "crm.example.com": { A: ["93.184.215.14"], AAAA: ["2606:4700::1111"] } });
    expect(await invoke("https://crm.example.com/lookup", dns)).toMatchObject({ result: { ok: true, json: { ok: 1 } }, calls: ["https://crm.example.com/lookup"] });
    const nowhere = await invoke("https://nowhere.example.com/", dns);
    expect(nowhere.result).toMatchObject({ ok: false, error: expect.stringMatching(/nowhere\.example\.com has no address/) });
    expect(nowhere.calls).toEqual([]);
  });

  it("keeps a host's verdict briefly (one lookup for several calls); a failed lookup refuses the call and is not kept", async () => {
    const dns = dohStub({ "crm.example.com": { A: ["93.184.215.14"] } });
    await invoke("https://crm.example.com/a", dns);
    await invoke("https://crm.example.com/b", dns);
    expect(dns.queries).toEqual(["crm.example.com A", "crm.example.com AAAA"]);

    const down = dohStub({}, { failing: true });
    const failed = await invoke("https://other.example.com/", down);
    expect(failed.result).toMatchObject({ ok: false, error: expect.stringMatching(/could not be resolved/) });
    expect(failed.calls).toEqual([]);
    await invoke("https://other.example.com/", down);
    expect(down.queries).toHaveLength(4);
  });

  it("asks no DNS for an address (judged as it is) nor in local development", async () => {
    const dns = dohStub({ "localhost.example.com": { A: ["127.0.0.1"] } });
    expect((await invoke("https://[2606:4700::1111]/hook", dns)).result).toMatchObject({ ok: true });
    expect((await invoke("https://localhost.example.com/hook", dns, { allowPrivateHosts: true })).result).toMatchObject({ ok: true });
    expect(dns.queries).toEqual([]);
  });

  it("a contact's flow resolves through the deployment's DNS-over-HTTPS service (DNS_OVER_HTTPS_URL)", async () => {
    const fx = await makeInstance({ queues: [{ id: "q" }], profiles: [], agents: [] });
    await env.DB.prepare("UPDATE instances SET external_endpoints = ? WHERE id = ?").bind(JSON.stringify(["https://rebound.example.com"]), fx.instanceId).run();
    const realFetch = globalThis.fetch;
    const called: string[] = [];
    const spy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
      const req = new Request(input, init);
      if (req.url.startsWith(env.DNS_OVER_HTTPS_URL)) {
        const type = new URL(req.url).searchParams.get("type");
        return Response.json({ Status: 0, Answer: type === "A" ? [{ name: "rebound.example.com", type: 1, TTL: 60, data: "192.168.1.20" }] : [] });
      }
      called.push(req.url);
      return realFetch(input, init);
    });
    try {
      const result = await performEffect(env as unknown as Env, fx.instanceId, effect("https://rebound.example.com/hook"), {} as never, {} as never);
      expect(result).toMatchObject({ type: "external_result", ok: false, error: expect.stringMatching(/192\.168\.1\.20, a private address/) });
      expect(called).toEqual([]);
    } finally {
      spy.mockRestore();
    }
  });
});
