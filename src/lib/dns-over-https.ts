/**
 * Resolves a host name before the Worker calls it on a flow's behalf, so a public-looking name
 * that points at a loopback, private or link-local address (a DNS entry an attacker controls,
 * say) is refused like that address would be (src/lib/outbound-url.ts judges the name itself).
 * Workers have no resolver API, so this asks a DNS-over-HTTPS service in its JSON form
 * (Cloudflare's 1.1.1.1: `GET <url>?name=<host>&type=A` with `accept: application/dns-json`),
 * for A and AAAA. Any answer that is not a public unicast address refuses the host; so does a
 * name with no address. A verdict is kept per host for DNS_VERDICT_TTL_MS in the isolate; a failed
 * lookup is not kept, and refuses this call (the guard fails closed).
 *
 * What this cannot stop: a name whose records change between this lookup and the fetch's own
 * (DNS rebinding within the TTL). Cloudflare's fetch does not reach private networks from a
 * deployed Worker in any case; this check keeps flows from being pointed at them by name.
 */
import ipaddr from "ipaddr.js";
import { TtlCache } from "./ttl-cache";

/** How long a host's verdict is kept. */
export const DNS_VERDICT_TTL_MS = 60_000;
/** How long one lookup may take. */
const LOOKUP_TIMEOUT_MS = 3_000;

const A = 1;
const AAAA = 28;

type DohAnswer = { Status?: number; Answer?: { type: number; data: string }[] };

const verdicts = new TtlCache<string | null>(DNS_VERDICT_TTL_MS, 500);

/** Forgets every kept verdict (tests). */
export function clearDnsVerdicts() {
  verdicts.clear();
}

/**
 * Why `host` (a name, not an address) must not be called: it resolves to a non-public address,
 * or to none, or could not be resolved. Null when every address it has is public.
 */
export function nonPublicResolution(host: string, opts: { dohUrl: string; fetch?: typeof fetch }): Promise<string | null> {
  const name = host.replace(/\.$/, "").toLowerCase();
  return verdicts.get(`${opts.dohUrl} ${name}`, () => judge(name, opts)).catch((err: unknown) => `${name} could not be resolved (${String((err as Error)?.message ?? err)})`);
}

async function judge(name: string, opts: { dohUrl: string; fetch?: typeof fetch }): Promise<string | null> {
  const [v4, v6] = await Promise.all([lookup(name, "A", opts), lookup(name, "AAAA", opts)]);
  const addresses = [...v4, ...v6];
  if (addresses.length === 0) return `${name} has no address`;
  for (const address of addresses) {
    if (!ipaddr.isValid(address)) return `${name} resolves to "${address}", not an address`;
    const range = ipaddr.process(address).range();
    if (range !== "unicast") return `${name} resolves to ${address}, a ${range} address, not a public one`;
  }
  return null;
}

/** The addresses of one record type (CNAMEs followed by the resolver); throws when the lookup fails. */
async function lookup(name: string, type: "A" | "AAAA", opts: { dohUrl: string; fetch?: typeof fetch }): Promise<string[]> {
  const url = new URL(opts.dohUrl);
  url.searchParams.set("name", name);
  url.searchParams.set("type", type);
  const res = await (opts.fetch ?? fetch)(url.toString(), { headers: { accept: "application/dns-json" }, signal: AbortSignal.timeout(LOOKUP_TIMEOUT_MS) });
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    throw new Error(`the DNS service answered HTTP ${res.status}`);
  }
  const body = (await res.json()) as DohAnswer;
  // 0 NOERROR, 3 NXDOMAIN (no such name: no addresses); anything else is a failed lookup.
  if (body.Status === 3) return [];
  if (body.Status !== 0) throw new Error(`the DNS service answered status ${body.Status}`);
  const want = type === "A" ? A : AAAA;
  return (body.Answer ?? []).filter((a) => a.type === want).map((a) => a.data);
}
