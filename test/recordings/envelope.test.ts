import { describe, expect, it } from "vitest";
import { ciphertextLength, HEADER_SIZE, IntegrityError, type ObjectContext, parseHeader, planRange } from "../../src/recordings/envelope";
import { openEnvelope, rewrapHeader } from "../../src/recordings/envelope-keys";
import { decryptingStream, decryptStream, encryptingStream, encryptStream } from "../../src/recordings/envelope-stream";
import { makeKeyring } from "../../src/lib/crypto";

const SECRET = "envelope-test-secret-0123456789";
const keysV1 = makeKeyring(SECRET, 1);
const keysV2 = makeKeyring(SECRET, 2);
const ctx: ObjectContext = { instanceId: "inst-a", objectKey: "inst-a/recordings/contact-1/rec-1" };
const SEG = 1024; // small segments so tests cross many boundaries quickly

export function pattern(n: number, seed = 7): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** Feeds bytes in awkward chunk sizes, like a network body. */
function chunked(bytes: Uint8Array, sizes = [1, 700, 3000, 17, 4096]): ReadableStream<Uint8Array> {
  let at = 0;
  let k = 0;
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.length) return c.close();
      const n = sizes[k++ % sizes.length];
      c.enqueue(bytes.slice(at, at + n));
      at += n;
    },
  });
}

/** The same, as a byte stream (what workerd's bodies are): read with a BYOB reader. */
function byteChunked(bytes: Uint8Array, sizes = [1, 700, 3000, 17, 4096]): ReadableStream<Uint8Array> {
  let at = 0;
  let k = 0;
  return new ReadableStream({
    type: "bytes",
    pull(c) {
      if (at >= bytes.length) return c.close();
      const n = sizes[k++ % sizes.length];
      c.enqueue(bytes.slice(at, at + n));
      at += n;
    },
  }) as ReadableStream<Uint8Array>;
}

async function collect(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

async function seal(plain: Uint8Array, keys = keysV1, c = ctx): Promise<Uint8Array> {
  const e = await encryptingStream(keys, c, plain.length, SEG);
  const out = await collect(chunked(plain).pipeThrough(e.stream));
  expect(out.length).toBe(e.ciphertextLength);
  return out;
}

async function unseal(stored: Uint8Array, range?: [number, number], keys = keysV1, c = ctx): Promise<Uint8Array> {
  const opened = await openEnvelope(keys, c, stored.subarray(0, HEADER_SIZE));
  const L = opened.header.plaintextLength;
  const [start, end] = range ?? [0, Math.max(0, L - 1)];
  const plan = planRange(opened.header, start, end);
  return collect(chunked(stored.slice(plan.offset, plan.offset + plan.length), [5000, 3, 999]).pipeThrough(decryptingStream(opened, plan)));
}

describe("recording envelope", () => {
  it("round-trips objects of every shape: empty, under one segment, exact multiples, ragged", async () => {
    for (const n of [0, 1, SEG - 1, SEG, SEG + 1, 3 * SEG, 5 * SEG + 123]) {
      const plain = pattern(n, n + 1);
      const stored = await seal(plain);
      expect(stored.length).toBe(ciphertextLength(n, SEG));
      expect(await unseal(stored)).toEqual(plain);
    }
  });

  // Pull-based streams read a JavaScript stream chunk by chunk, and a byte stream (R2 and fetch
  // bodies are) a whole segment at a time with a BYOB reader: both must give the same results.
  const sources = {
    "a stream of awkward chunks": (b: Uint8Array, sizes?: number[]) => chunked(b, sizes),
    "a byte stream of awkward chunks": (b: Uint8Array, sizes?: number[]) => byteChunked(b, sizes),
    "a runtime body": (b: Uint8Array) => new Response(b).body as ReadableStream<Uint8Array>,
  };

  it.each(Object.entries(sources))("the pull-based streams (used for R2) produce the same format and decrypt the same ranges, from %s", async (_, source) => {
    for (const n of [0, 5, SEG, 4 * SEG + 77]) {
      const plain = pattern(n, 3);
      const e = await encryptStream(keysV1, ctx, source(plain), n, SEG);
      const stored = await collect(e.stream);
      expect(stored.length).toBe(ciphertextLength(n, SEG));
      expect(await unseal(stored)).toEqual(plain); // the TransformStream decrypts it
      const opened = await openEnvelope(keysV1, ctx, stored);
      for (const [s, t] of n ? [[0, n - 1], [n >> 1, n - 1], [Math.max(0, n - 3), n - 1]] : [[0, 0]]) {
        const plan = planRange(opened.header, s, t);
        const got = await collect(decryptStream(opened, plan, source(stored.slice(plan.offset, plan.offset + plan.length), [7, 5000])));
        expect(got).toEqual(plain.slice(s, n ? t + 1 : 0));
      }
      // …and a TransformStream-encrypted object decrypts with the pull-based stream.
      const viaTransform = await seal(plain);
      const o2 = await openEnvelope(keysV1, ctx, viaTransform);
      const p2 = planRange(o2.header, 0, Math.max(0, n - 1));
      expect(await collect(decryptStream(o2, p2, source(viaTransform.slice(p2.offset))))).toEqual(plain);
    }
  });

  it.each(Object.entries(sources))("pull-based encryption refuses a source longer or shorter than declared; decryption refuses truncation and extra bytes, from %s", async (_, source) => {
    await expect(collect((await encryptStream(keysV1, ctx, source(pattern(101)), 100, SEG)).stream)).rejects.toThrow(/longer/);
    await expect(collect((await encryptStream(keysV1, ctx, source(pattern(2999)), 3000, SEG)).stream)).rejects.toThrow(/shorter/);
    const stored = await seal(pattern(3000));
    const opened = await openEnvelope(keysV1, ctx, stored);
    const plan = planRange(opened.header, 0, 2999);
    await expect(collect(decryptStream(opened, plan, source(stored.slice(plan.offset, stored.length - 1))))).rejects.toBeInstanceOf(IntegrityError);
    await expect(collect(decryptStream(opened, plan, source(concatBytes(stored.slice(plan.offset), new Uint8Array(1)))))).rejects.toBeInstanceOf(IntegrityError);
  });

  it("never stores the plaintext and uses a fresh data key and nonce per object", async () => {
    const plain = new Uint8Array(4 * SEG).fill(0x7f);
    const a = await seal(plain);
    const b = await seal(plain);
    expect(a.subarray(HEADER_SIZE)).not.toEqual(b.subarray(HEADER_SIZE));
    // No run of the plaintext survives.
    const run = new Uint8Array(32).fill(0x7f);
    const hex = (u: Uint8Array) => Array.from(u, (x) => x.toString(16).padStart(2, "0")).join("");
    expect(hex(a).includes(hex(run))).toBe(false);
  });

  it("decrypts any byte range from only the segments that hold it", async () => {
    const plain = pattern(7 * SEG + 321);
    const stored = await seal(plain);
    const header = parseHeader(stored);
    for (const [s, e] of [[0, 0], [0, SEG - 1], [SEG - 1, SEG], [1500, 5000], [7 * SEG, 7 * SEG + 320], [123, 7 * SEG + 320]]) {
      expect(await unseal(stored, [s, e])).toEqual(plain.slice(s, e + 1));
      const plan = planRange(header, s, e);
      expect(plan.length).toBeLessThanOrEqual((plan.lastSegment - plan.firstSegment + 1) * (SEG + 16));
    }
  });

  it("streams a large object in flat memory: output is produced segment by segment", async () => {
    const n = 300 * SEG;
    const e = await encryptingStream(keysV1, ctx, n, SEG);
    let produced = 0;
    let chunks = 0;
    await chunked(pattern(n)).pipeThrough(e.stream).pipeTo(new WritableStream({ write(c) { produced += c.length; chunks++; } }));
    expect(produced).toBe(e.ciphertextLength);
    expect(chunks).toBe(1 + 300); // header + one chunk per segment: nothing accumulates
  });

  it("refuses a body longer or shorter than declared", async () => {
    const e1 = await encryptingStream(keysV1, ctx, 100, SEG);
    await expect(collect(chunked(pattern(101)).pipeThrough(e1.stream))).rejects.toThrow(/longer/);
    const e2 = await encryptingStream(keysV1, ctx, 3000, SEG);
    await expect(collect(chunked(pattern(2999)).pipeThrough(e2.stream))).rejects.toThrow(/shorter/);
  });

  describe("fails closed", () => {
    const plain = pattern(4 * SEG + 10);
    let stored: Uint8Array;
    const fresh = async () => (stored ??= await seal(plain)).slice();

    it("on a flipped byte in any segment, and emits nothing from that segment on", async () => {
      const s = await fresh();
      s[HEADER_SIZE + 2 * (SEG + 16) + 5] ^= 1; // inside segment 2
      const opened = await openEnvelope(keysV1, ctx, s);
      const plan = planRange(opened.header, 0, plain.length - 1);
      const got: Uint8Array[] = [];
      await expect(
        chunked(s.slice(plan.offset), [SEG + 16]).pipeThrough(decryptingStream(opened, plan)).pipeTo(new WritableStream({ write(c) { got.push(c.slice()); } })),
      ).rejects.toBeInstanceOf(IntegrityError);
      // Only the segments before the damaged one came out, and they are authentic.
      const emitted = new Uint8Array(got.reduce((n, c) => n + c.length, 0));
      let at = 0;
      for (const c of got) { emitted.set(c, at); at += c.length; }
      expect(emitted.length).toBe(2 * SEG);
      expect(emitted).toEqual(plain.slice(0, 2 * SEG));
    });

    it("on a flipped byte anywhere in the header", async () => {
      for (const at of [0, 4, 5, 9, 13, 19, 22, 30, 35, 50, 91]) {
        const s = await fresh();
        s[at] ^= 0x10;
        await expect(unseal(s)).rejects.toBeInstanceOf(IntegrityError);
      }
    });

    it("on a header swapped in from another contact's or another tenant's object", async () => {
      const otherContact = { instanceId: "inst-a", objectKey: "inst-a/recordings/contact-2/rec-9" };
      const otherTenant = { instanceId: "inst-b", objectKey: "inst-b/recordings/contact-1/rec-1" };
      const mine = await fresh();
      for (const other of [otherContact, otherTenant]) {
        const theirs = await seal(plain, keysV1, other);
        const franken = mine.slice();
        franken.set(theirs.subarray(0, HEADER_SIZE), 0);
        await expect(unseal(franken)).rejects.toBeInstanceOf(IntegrityError);
        // Just the key block (same core) is not enough either.
        const keyBlock = mine.slice();
        keyBlock.set(theirs.subarray(28, HEADER_SIZE), 28);
        await expect(unseal(keyBlock)).rejects.toBeInstanceOf(IntegrityError);
      }
    });

    it("on a whole object copied to another tenant or another key", async () => {
      const s = await fresh();
      await expect(unseal(s, undefined, keysV1, { instanceId: "inst-b", objectKey: ctx.objectKey })).rejects.toBeInstanceOf(IntegrityError);
      await expect(unseal(s, undefined, keysV1, { instanceId: "inst-a", objectKey: "inst-a/recordings/contact-2/rec-1" })).rejects.toBeInstanceOf(IntegrityError);
    });

    it("on a truncated last segment, a dropped last segment, or swapped segments", async () => {
      const s = await fresh();
      await expect(unseal(s.slice(0, s.length - 1))).rejects.toBeInstanceOf(IntegrityError);
      // Drop the last segment and claim a shorter length: the header no longer authenticates.
      const dropped = s.slice(0, HEADER_SIZE + 4 * (SEG + 16));
      new DataView(dropped.buffer).setBigUint64(12, BigInt(4 * SEG));
      await expect(unseal(dropped)).rejects.toBeInstanceOf(IntegrityError);
      const swapped = s.slice();
      const seg = (i: number) => s.slice(HEADER_SIZE + i * (SEG + 16), HEADER_SIZE + (i + 1) * (SEG + 16));
      swapped.set(seg(1), HEADER_SIZE);
      swapped.set(seg(0), HEADER_SIZE + SEG + 16);
      await expect(unseal(swapped)).rejects.toBeInstanceOf(IntegrityError);
    });

    it("on the wrong key version: a changed version field, or a version this deployment lacks", async () => {
      const s = await fresh();
      const bumped = s.slice();
      new DataView(bumped.buffer).setUint32(28, 2);
      await expect(unseal(bumped, undefined, keysV2)).rejects.toBeInstanceOf(IntegrityError);
      const v2 = await seal(plain, keysV2);
      await expect(unseal(v2, undefined, keysV1)).rejects.toThrow(/key version 2/);
      // A different master secret for version 1 cannot open it.
      await expect(unseal(s, undefined, makeKeyring("another-secret-0123456789", 1))).rejects.toBeInstanceOf(IntegrityError);
    });
  });

  describe("key rotation", () => {
    it("re-wrap changes only the key block: core and every segment stay byte-identical", async () => {
      const plain = pattern(3 * SEG + 5);
      const v1 = await seal(plain, keysV1);
      const newHeader = await rewrapHeader(keysV2, ctx, v1.subarray(0, HEADER_SIZE));
      expect(parseHeader(newHeader).keyVersion).toBe(2);
      expect(newHeader.subarray(0, 28)).toEqual(v1.subarray(0, 28));
      const v2 = v1.slice();
      v2.set(newHeader, 0);
      expect(await unseal(v2, undefined, keysV2)).toEqual(plain);
      // The old header still opens with a keyring that knows version 1; the new one needs version 2.
      expect(await unseal(v1, undefined, keysV2)).toEqual(plain);
      await expect(unseal(v2, undefined, keysV1)).rejects.toBeInstanceOf(IntegrityError);
    });

    it("a rotated master secret: old versions decrypt with the listed previous secret only", async () => {
      const old = makeKeyring("old-master-secret-0123456789", 1);
      const v1 = await seal(pattern(2000), old);
      const rotated = makeKeyring("new-master-secret-0123456789", 2, { 1: "old-master-secret-0123456789" });
      expect(await unseal(v1, undefined, rotated)).toEqual(pattern(2000));
      const forgot = makeKeyring("new-master-secret-0123456789", 2);
      await expect(unseal(v1, undefined, forgot)).rejects.toBeInstanceOf(IntegrityError);
    });
  });
});
