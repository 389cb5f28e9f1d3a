import { env, SELF } from "cloudflare:test";
import { createDb } from "../src/db/client";
import { provisionInstance } from "../src/db/provision";
import { DEMO, seedDemo } from "../src/db/seed";

export const db = () => createDb(env.DB);
export { DEMO };

export type ApiResult<T = any> = { status: number; body: T; headers: Headers };

/** Calls the Worker's API like a client would. */
export async function api<T = any>(
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string>; rawBody?: string } = {},
): Promise<ApiResult<T>> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined = opts.rawBody;
  if (opts.body !== undefined) {
    headers["content-type"] ??= "application/json";
    body = JSON.stringify(opts.body);
  }
  const res = await SELF.fetch(`https://switchboard.test/api/v1${path}`, { method, headers, body });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

let seeded: Promise<unknown> | undefined;
export function seed() {
  seeded ??= seedDemo(db(), env.SWITCHBOARD_SECRET);
  return seeded;
}

const tokens = new Map<string, Promise<string>>();
/** A session token for a user (signed in once per test file). */
export function tokenFor(email: string, password: string): Promise<string> {
  let t = tokens.get(email);
  if (!t) {
    t = (async () => {
      const res = await api("POST", "/auth/sign-in", { body: { email, password }, headers: { "cf-connecting-ip": `10.0.0.${tokens.size + 1}` } });
      if (res.status !== 200) throw new Error(`sign-in of ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.token as string;
    })();
    tokens.set(email, t);
  }
  return t;
}

export const demoAdmin = async () => (await seed(), tokenFor(DEMO.admin.email, DEMO.admin.password));
export const demoAgent = async () => (await seed(), tokenFor("alice@demo.test", DEMO.agentPassword));
export const demoSupervisor = async () => (await seed(), tokenFor("carol@demo.test", DEMO.agentPassword));

/** A second, unrelated instance with its own admin. */
export async function otherInstance(name = "Other Co") {
  const slug = crypto.randomUUID().slice(0, 8);
  const admin = { email: `admin-${slug}@other.test`, name: "Other Admin", password: "other-admin-password" };
  const { instanceId } = await provisionInstance(db(), env.SWITCHBOARD_SECRET, {
    name, timezone: "Europe/Paris", publicBaseUrl: "https://other.example.com", admin,
  });
  return { instanceId, token: await tokenFor(admin.email, admin.password) };
}
