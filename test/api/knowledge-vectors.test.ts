/**
 * Knowledge search by meaning (src/workers/knowledge-vectors.ts) with the deployment's `AI` and
 * `KNOWLEDGE_VECTORS` bindings, played here by an embedder that maps words to a few concepts and
 * an in-memory index that answers by cosine similarity as Vectorize does: publishing stores the
 * article's vector under its instance, a search fuses the nearest articles with the FTS ranking,
 * unpublishing and deleting remove the vector, another instance's articles never come back, and
 * a failing model leaves the FTS answer as it was.
 */
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../../src/workers/index";
import { KNOWLEDGE_EMBEDDING_MODEL, type Embedder, type VectorIndex } from "../../src/workers/knowledge-vectors";
import { api, otherInstance } from "../helpers";

const CONCEPTS: Record<string, number> = {
  parcel: 0, package: 0, delivery: 0, arrive: 0, arrived: 0, came: 0, shipment: 0, tracking: 0,
  password: 1, login: 1, sign: 1, reset: 1,
  refund: 2, money: 2, reimburse: 2,
};
const DIMS = 8;

/** Words to concept weights (unknown words spread thinly over the rest), normalised. */
function embedText(text: string): number[] {
  const v = new Array<number>(DIMS).fill(0);
  for (const w of text.toLowerCase().match(/[a-z]+/g) ?? []) {
    if (w in CONCEPTS) v[CONCEPTS[w]!] += 1;
    else v[3 + (w.length % (DIMS - 3))] += 0.05;
  }
  const n = Math.hypot(...v) || 1;
  return v.map((x) => x / n);
}

function fakeAi(opts: { fail?: boolean } = {}) {
  const calls: string[] = [];
  const ai: Embedder = {
    async run(model, input) {
      calls.push(model);
      if (opts.fail) throw new Error("model unavailable");
      return { shape: [input.text.length, DIMS], data: input.text.map(embedText) };
    },
  };
  return { ai, calls };
}

function fakeIndex() {
  const vectors = new Map<string, { values: number[]; metadata?: Record<string, string> }>();
  const index: VectorIndex = {
    async upsert(list) {
      for (const v of list) vectors.set(v.id, { values: v.values, metadata: v.metadata });
      return { count: list.length };
    },
    async deleteByIds(ids) {
      for (const id of ids) vectors.delete(id);
      return { count: ids.length };
    },
    async query(vector, options) {
      const cosine = (a: number[]) => a.reduce((s, x, i) => s + x * vector[i]!, 0);
      const matches = [...vectors.entries()]
        .filter(([, v]) => Object.entries(options.filter ?? {}).every(([k, want]) => v.metadata?.[k] === want))
        .map(([id, v]) => ({ id, score: cosine(v.values) }))
        .sort((a, b) => b.score - a.score)
        .slice(0, options.topK);
      return { matches, count: matches.length };
    },
  };
  return { index, vectors };
}

/** The Worker's own fetch, with the two bindings added to its env. */
async function call(bindings: { AI: Embedder; KNOWLEDGE_VECTORS: VectorIndex }, token: string, method: string, path: string, body?: unknown) {
  const ctx = createExecutionContext();
  const res = await worker.fetch!(
    new Request(`https://switchboard.test/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    }) as Request<unknown, IncomingRequestCfProperties>,
    { ...env, ...bindings } as Env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

describe("knowledge search by meaning (Workers AI embeddings in a Vectorize index)", () => {
  const store = fakeIndex();
  const model = fakeAi();
  const bindings = { AI: model.ai, KNOWLEDGE_VECTORS: store.index };
  let token: string;
  let instanceId: string;
  let parcel: string;
  let password: string;
  let foreign: string;

  const publish = async (as: string, title: string, text: string) => {
    const made = await call(bindings, as, "POST", "/knowledge/articles", { title, body: text, tags: [] });
    expect(made.status).toBe(201);
    expect((await call(bindings, as, "POST", `/knowledge/articles/${made.body.id}/publish`)).status).toBe(200);
    return made.body.id as string;
  };

  beforeAll(async () => {
    ({ token, instanceId } = await otherInstance("Vectors Co"));
    parcel = await publish(token, "Where is my parcel?", "Follow the tracking link in your delivery email; a shipment takes three to five days.");
    password = await publish(token, "Resetting your password", "Choose Forgot password on the sign-in page and follow the email.");
    const other = await otherInstance("Vectors Elsewhere");
    foreign = await publish(other.token, "Parcel delivery times", "Every parcel arrives within a week of the shipment.");
  });

  it("publishing stores each article's vector with its instance, embedded by the named model", () => {
    expect(store.vectors.get(parcel)?.metadata).toEqual({ instanceId });
    expect(store.vectors.get(password)?.metadata).toEqual({ instanceId });
    expect(store.vectors.get(foreign)?.metadata?.instanceId).not.toBe(instanceId);
    expect(new Set(model.calls)).toEqual(new Set([KNOWLEDGE_EMBEDDING_MODEL]));
  });

  it("a question in other words finds the article by meaning, which FTS alone does not; another instance's never comes back", async () => {
    const q = encodeURIComponent("my package never came");
    const plain = await api("GET", `/knowledge/search?q=${q}`, { token });
    expect(plain.status).toBe(200);
    expect(plain.body.items.map((h: { articleId: string }) => h.articleId)).not.toContain(parcel);

    const res = await call(bindings, token, "GET", `/knowledge/search?q=${q}`);
    expect(res.status).toBe(200);
    const ids = res.body.items.map((h: { articleId: string }) => h.articleId);
    expect(ids[0]).toBe(parcel);
    expect(ids).not.toContain(foreign);
    expect(ids).not.toContain(password); // not near enough to count as a match
    expect(res.body.items[0]).toMatchObject({ title: "Where is my parcel?", snippet: expect.stringContaining("tracking link") });
  });

  it("an article FTS finds keeps its place, and one found both ways ranks first", async () => {
    const res = await call(bindings, token, "GET", `/knowledge/search?q=${encodeURIComponent("parcel tracking")}`);
    expect(res.body.items[0].articleId).toBe(parcel);
    const pw = await call(bindings, token, "GET", `/knowledge/search?q=${encodeURIComponent("forgot password")}`);
    expect(pw.body.items.map((h: { articleId: string }) => h.articleId)).toEqual([password]);
  });

  it("a failing model leaves the FTS answer as it was", async () => {
    const broken = { AI: fakeAi({ fail: true }).ai, KNOWLEDGE_VECTORS: store.index };
    const res = await call(broken, token, "GET", `/knowledge/search?q=${encodeURIComponent("forgot password")}`);
    expect(res.status).toBe(200);
    expect(res.body.items.map((h: { articleId: string }) => h.articleId)).toEqual([password]);
    const none = await call(broken, token, "GET", `/knowledge/search?q=${encodeURIComponent("my package never came")}`);
    expect(none.status).toBe(200);
    expect(none.body.items.map((h: { articleId: string }) => h.articleId)).not.toContain(parcel);
  });

  it("unpublishing and deleting take the vector away, and an unpublished article is not found by meaning", async () => {
    expect((await call(bindings, token, "POST", `/knowledge/articles/${parcel}/unpublish`)).status).toBe(200);
    expect(store.vectors.has(parcel)).toBe(false);
    const res = await call(bindings, token, "GET", `/knowledge/search?q=${encodeURIComponent("my package never came")}`);
    expect(res.body.items.map((h: { articleId: string }) => h.articleId)).not.toContain(parcel);
    expect((await call(bindings, token, "DELETE", `/knowledge/articles/${password}`)).status).toBe(204);
    expect(store.vectors.has(password)).toBe(false);
  });
});
