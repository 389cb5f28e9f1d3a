/**
 * Sentence embeddings from Workers AI (the `AI` binding), for the bots' intent matching and for
 * knowledge search by meaning: one model, one client. BAAI bge-small-en-v1.5 gives 384
 * dimensions and reads English.
 */

/** The embedding model, named in one place. */
export const EMBEDDING_MODEL = "@cf/baai/bge-small-en-v1.5";
/** How many texts one call to the model may carry. */
const BATCH = 100;

/** What is needed of the `AI` binding: Ai.run for a text-embeddings model. */
export type EmbeddingBinding = { run(model: string, input: { text: string[] }): Promise<unknown> };

function isVector(v: unknown): v is number[] {
  return Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "number");
}

/** One vector per text, in order, asked in batches of 100; throws when the model answers anything else. */
export async function embedTexts(ai: EmbeddingBinding, texts: string[]): Promise<number[][]> {
  const out: number[][] = [];
  for (let i = 0; i < texts.length; i += BATCH) {
    const batch = texts.slice(i, i + BATCH);
    const answer = (await ai.run(EMBEDDING_MODEL, { text: batch })) as { data?: unknown };
    const data = answer?.data;
    if (!Array.isArray(data) || data.length !== batch.length || !data.every(isVector)) throw new Error("the embedding model answered without a vector for every text");
    out.push(...data);
  }
  return out;
}

/** Cosine similarity of two vectors of the same length (0 when either is all zeros). */
export function cosine(a: number[], b: number[]): number {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}
