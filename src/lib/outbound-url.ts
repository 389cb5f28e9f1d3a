/**
 * Where the Worker may send a request on a flow's behalf (InvokeLambdaFunction's HTTPS call).
 * Two checks, both needed: the URL is under one of the endpoints the instance's admin
 * registered, and — when deployed — its host is not a loopback, private, link-local or other
 * non-public address, nor a name that only means something inside a network (`localhost`,
 * `.local`, `.internal`). IP literals are judged by ipaddr.js's ranges, after the URL parser
 * has normalised them (`http://2130706433/` is 127.0.0.1, `[::ffff:7f00:1]` is too).
 */
import ipaddr from "ipaddr.js";

/** Names that resolve only inside a machine or a private network. */
const LOCAL_NAME = /(^|\.)(localhost|local|internal|localdomain|home\.arpa|lan|intranet)$/i;

/** Why the URL's host is not a public one, or null when it is. */
export function nonPublicHost(url: URL): string | null {
  const host = url.hostname.replace(/^\[|\]$/g, "").replace(/\.$/, "").toLowerCase();
  if (ipaddr.isValid(host)) {
    // process(): an IPv4-mapped IPv6 address is judged as the IPv4 address it carries.
    const range = ipaddr.process(host).range();
    return range === "unicast" ? null : `${host} is a ${range} address, not a public one`;
  }
  if (LOCAL_NAME.test(host)) return `${host} is a local network name`;
  if (!host.includes(".")) return `${host} is not a public host name`;
  return null;
}

/**
 * An admin's endpoint entry, normalised: `https://host[:port]` (the whole site) or a URL whose
 * path is a prefix (`https://api.example.com/connect/`). No query, fragment or credentials.
 */
export function normalEndpoint(entry: string): string | null {
  let u: URL;
  try {
    u = new URL(entry.trim());
  } catch {
    return null;
  }
  if ((u.protocol !== "https:" && u.protocol !== "http:") || u.search || u.hash || u.username || u.password) return null;
  return u.pathname === "/" ? u.origin : `${u.origin}${u.pathname}`;
}

/** Whether `url` is at one of the registered endpoints: same scheme, host and port, and under its path. */
export function endpointRegistered(url: URL, registered: readonly string[]): boolean {
  for (const entry of registered) {
    const e = normalEndpoint(entry);
    if (!e) continue;
    const base = new URL(e);
    if (base.origin !== url.origin) continue;
    if (base.pathname === "/" || url.pathname === base.pathname) return true;
    const prefix = base.pathname.endsWith("/") ? base.pathname : `${base.pathname}/`;
    if (url.pathname.startsWith(prefix)) return true;
  }
  return false;
}
