import { describe, expect, it } from "vitest";
import { invokeExternal, MAX_RESPONSE_BYTES, type InvokeOptions } from "../../src/flows/io/invoke-external";
import { api, otherInstance } from "../helpers";

const effect = (url: string) => ({ type: "invoke_external" as const, url, payload: {}, timeoutSeconds: 2 });

/** A fetch that records the URLs it was asked for and answers with `answer`. */
function recordingFetch(answer: () => Response = () => Response.json({ ok: 1 })) {
  const urls: string[] = [];
  const f = (async (input: RequestInfo | URL) => {
    urls.push(String(input instanceof Request ? input.url : input));
    return answer();
  }) as typeof fetch;
  return { urls, fetch: f };
}

const call = (url: string, opts: Partial<InvokeOptions> & { fetch: typeof fetch }) =>
  invokeExternal(effect(url), { secret: "s", allowedEndpoints: [], ...opts });

describe("a flow's external call goes only where the admin allowed", () => {
  it("a URL under no registered endpoint is refused without a request; one under an endpoint is called", async () => {
    const f = recordingFetch();
    const allowedEndpoints = ["https://crm.example.com/connect/", "https://hooks.example.org"];
    for (const url of ["https://evil.example.net/x", "https://crm.example.com/admin", "https://crm.example.com/connectx", "http://crm.example.com/connect/a", "https://crm.example.com:8443/connect/a"]) {
      const r = await call(url, { allowedEndpoints, fetch: f.fetch });
      expect(r).toMatchObject({ type: "external_result", ok: false, error: expect.stringMatching(/^refused: .* is not one of this instance's registered endpoints$/) });
    }
    expect(f.urls).toEqual([]);
    expect(await call("https://crm.example.com/connect/lookup?x=1", { allowedEndpoints, fetch: f.fetch })).toEqual({ type: "external_result", ok: true, json: { ok: 1 } });
    expect(await call("https://hooks.example.org/any/path", { allowedEndpoints, fetch: f.fetch })).toMatchObject({ ok: true });
    expect(f.urls).toEqual(["https://crm.example.com/connect/lookup?x=1", "https://hooks.example.org/any/path"]);
  });

  it("deployed, loopback, private, link-local and local-name hosts are refused even when registered", async () => {
    const hosts = [
      "127.0.0.1", "2130706433", "0x7f.1", "10.0.0.5", "172.16.3.4", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
      "[::1]", "[::]", "[fe80::1]", "[fd12:3456::1]", "[::ffff:127.0.0.1]", "[::ffff:a9fe:a9fe]",
      "localhost", "localhost.", "api.localhost", "printer.local", "metadata.google.internal", "intranet",
    ];
    const f = recordingFetch();
    for (const host of hosts) {
      const url = `https://${host}/hook`;
      const r = await call(url, { allowedEndpoints: [url], fetch: f.fetch });
      expect(r, host).toMatchObject({ ok: false, error: expect.stringMatching(/^refused: /) });
    }
    expect(f.urls).toEqual([]);
    // Running locally (LOCAL_MODE=true) the simulator's and a developer's local endpoints work.
    expect(await call("http://localhost:9000/hook", { allowedEndpoints: ["http://localhost:9000"], allowPrivateHosts: true, fetch: f.fetch })).toMatchObject({ ok: true });
    expect(await call("https://[2606:4700::1111]/hook", { allowedEndpoints: ["https://[2606:4700::1111]"], fetch: f.fetch })).toMatchObject({ ok: true });
  });

  it("an answer larger than the cap is an error, and its stream is cancelled, not read to the end", async () => {
    let pulled = 0;
    let cancelled = false;
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    const endless = () =>
      new Response(new ReadableStream<Uint8Array>({
        pull(c) {
          pulled++;
          c.enqueue(chunk);
        },
        cancel() {
          cancelled = true;
        },
      }), { headers: { "content-type": "application/json" } });
    const r = await call("https://crm.example.com/big", { allowedEndpoints: ["https://crm.example.com"], fetch: recordingFetch(endless).fetch });
    expect(r).toEqual({ type: "external_result", ok: false, error: `the answer is larger than ${MAX_RESPONSE_BYTES / 1024} KiB` });
    expect(cancelled).toBe(true);
    expect(pulled).toBeLessThan(MAX_RESPONSE_BYTES / chunk.byteLength + 4);
    // Just under the cap is read.
    const json = `{"a":"${"x".repeat(MAX_RESPONSE_BYTES - 20)}"}`;
    expect(await call("https://crm.example.com/ok", { allowedEndpoints: ["https://crm.example.com"], fetch: recordingFetch(() => new Response(json)).fetch })).toMatchObject({ ok: true });
  });
});

describe("registered endpoints are instance settings", () => {
  it("an admin sets them (normalised, https only); bad entries answer 400 and change nothing", async () => {
    const { token } = await otherInstance();
    const patch = (body: unknown) => api("PATCH", "/instance", { token, body });
    expect((await api("GET", "/instance", { token })).body.externalEndpoints).toEqual([]);
    const ok = await patch({ externalEndpoints: ["https://CRM.example.com/", "https://crm.example.com/connect/", "https://crm.example.com"] });
    expect(ok.status).toBe(200);
    expect(ok.body.externalEndpoints).toEqual(["https://crm.example.com", "https://crm.example.com/connect/"]);
    for (const bad of ["http://crm.example.com", "https://crm.example.com/?token=1", "https://user:pw@crm.example.com", "ftp://x.example.com", "not a url"]) {
      const res = await patch({ externalEndpoints: [bad] });
      expect(res.status, bad).toBe(400);
      expect(res.body.error.code).toBe("validation_failed");
    }
    expect((await api("GET", "/instance", { token })).body.externalEndpoints).toEqual(["https://crm.example.com", "https://crm.example.com/connect/"]);
  });
});
