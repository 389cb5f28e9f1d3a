/**
 * The knowledge benchmark's Worker: the real Switchboard Worker, plus one bench-only route that
 * writes published knowledge articles into the demo instance (`POST /bench/knowledge/articles?
 * from=&n=`): the article, its version and its search-index row, as publishing writes them, in D1
 * batches, so the bench times the searches, not the loading.
 *
 * The text is made up but shaped like a help centre's: a vocabulary of 6,000 words (150 everyday
 * support words, the rest made of syllables) drawn with a Zipf-like skew, so a few words are in
 * thousands of articles and most in a handful; titles of 4–9 words, bodies of 120–400 words, two tags.
 * The same seed gives the same articles, so runs compare.
 */
import { DEMO } from "../../src/db/seed";
import worker from "../../src/workers/index";

export * from "../../src/workers/index";

const COMMON = (
  "refund order parcel delivery shipping return account password login payment card invoice billing subscription " +
  "cancel upgrade plan price discount coupon warranty repair replacement damaged broken missing late tracking address " +
  "phone email contact support agent hours store pickup exchange size color stock availability gift voucher loyalty points " +
  "member profile settings notification privacy data delete export security verification code device app update install " +
  "error crash slow network wifi battery charger screen camera printer ink paper scanner router modem cable internet " +
  "outage speed bill charge fee tax receipt statement balance credit debit bank transfer paypal checkout cart basket " +
  "product item quantity catalogue brochure manual guide setup configuration reset restart backup restore sync cloud " +
  "storage upload download file photo video music license key activation trial renewal expiry deadline appointment booking " +
  "reservation schedule change reschedule callback complaint feedback survey rating review escalation manager supervisor"
).split(" ");

const SYLLABLES = "ka lo mi ne ru sa te vo pi da fe go hu ji ke la ma no pe qu ri so tu vi wa xe yo zu ba ce di fo gu".split(" ");

/** mulberry32: a small seeded generator with a full 2^32 period (integer maths only, so exact in JS). */
function seeded(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function vocabulary(size: number): string[] {
  const words = [...COMMON];
  const seen = new Set(words);
  const rand = seeded(12345);
  for (let tries = 0; words.length < size && tries < size * 20; tries++) {
    const n = 2 + Math.floor(rand() * 3);
    let w = "";
    for (let i = 0; i < n; i++) w += SYLLABLES[Math.floor(rand() * SYLLABLES.length)];
    if (!seen.has(w)) (seen.add(w), words.push(w));
  }
  return words;
}

const VOCAB = vocabulary(6000);

/** A small seeded generator per article, so any range of articles is the same every run. */
function articleText(i: number) {
  const rand = seeded(Math.imul(i + 1, 2654435761));
  // Zipf-like: small indexes (the everyday words first) far more often.
  const word = () => VOCAB[Math.floor(VOCAB.length * rand() ** 2.5)]!;
  const words = (n: number) => Array.from({ length: n }, word);
  const title = words(4 + Math.floor(rand() * 6)).join(" ");
  const body = Array.from({ length: 4 + Math.floor(rand() * 6) }, () => `${words(30 + Math.floor(rand() * 40)).join(" ")}.`).join("\n\n");
  const tags = [word(), word()];
  return { title: title[0]!.toUpperCase() + title.slice(1), body, tags };
}

export default {
  ...worker,
  async fetch(request: Request, env: Env, ctx: ExecutionContext) {
    const url = new URL(request.url);
    if (url.pathname !== "/bench/knowledge/articles" || request.method !== "POST") return worker.fetch(request, env, ctx);
    const from = Number(url.searchParams.get("from") ?? 0);
    const n = Number(url.searchParams.get("n") ?? 1000);
    const at = Date.now();
    const article = env.DB.prepare(
      "INSERT INTO knowledge_articles (id, instance_id, title, latest_version, published_version, published_at, created_at, updated_at) VALUES (?1, ?2, ?3, 1, 1, ?4, ?4, ?4)",
    );
    const version = env.DB.prepare(
      "INSERT INTO knowledge_article_versions (id, instance_id, article_id, version, title, body, tags, published_at, created_at, updated_at) VALUES (?1, ?2, ?3, 1, ?4, ?5, ?6, ?7, ?7, ?7)",
    );
    const indexed = env.DB.prepare("INSERT INTO knowledge_fts (instance_id, article_id, title, body, tags) VALUES (?1, ?2, ?3, ?4, ?5)");
    const statements: D1PreparedStatement[] = [];
    for (let i = from; i < from + n; i++) {
      const { title, body, tags } = articleText(i);
      const id = `bench-article-${i}`;
      statements.push(
        article.bind(id, DEMO.instanceId, title, at),
        version.bind(`${id}-v1`, DEMO.instanceId, id, title, body, JSON.stringify(tags), at),
        indexed.bind(DEMO.instanceId, id, title, body, tags.join(" ")),
      );
    }
    for (let i = 0; i < statements.length; i += 300) await env.DB.batch(statements.slice(i, i + 300));
    const { count } = (await env.DB.prepare("SELECT count(*) AS count FROM knowledge_fts WHERE instance_id = ?").bind(DEMO.instanceId).first<{ count: number }>())!;
    return Response.json({ articles: count });
  },
} satisfies ExportedHandler<Env>;
