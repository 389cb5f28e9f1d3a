/**
 * Exact-size blocks out of streams of arbitrary chunks, holding at most one block: what the
 * encrypted object's streams (envelope-stream.ts) seal and open segment by segment.
 */

/**
 * Collects bytes into fixed-size blocks without holding more than one block: calls `onBlock`
 * with each full block (a view that is only valid during the call) and returns what is left.
 */
export class Blocker {
  #buf: Uint8Array;
  #fill = 0;
  constructor(
    size: number,
    private readonly overflow: () => Error,
  ) {
    this.#buf = new Uint8Array(size);
  }
  get buffered() {
    return this.#fill;
  }
  /** Feeds a chunk, giving each completed block of `sizeOf(nextIndex)` bytes to `onBlock`. */
  async push(chunk: Uint8Array, sizeOf: () => number, onBlock: (block: Uint8Array) => Promise<void>) {
    let at = 0;
    while (at < chunk.length) {
      const want = sizeOf();
      if (want === 0) throw this.overflow();
      if (this.#fill === 0 && chunk.length - at >= want) {
        // Whole block inside the chunk: no copy.
        await onBlock(chunk.subarray(at, at + want));
        at += want;
        continue;
      }
      const n = Math.min(want - this.#fill, chunk.length - at);
      this.#buf.set(chunk.subarray(at, at + n), this.#fill);
      this.#fill += n;
      at += n;
      if (this.#fill === want) {
        this.#fill = 0;
        await onBlock(this.#buf.subarray(0, want));
      }
    }
  }
}

/** Reads exact-size blocks from a stream; a returned block is valid until the next `take`. */
export type BlockReader = {
  /** Exactly `want` bytes, or undefined if the stream ends first. */
  take(want: number): Promise<Uint8Array | undefined>;
  /** Whether the stream has ended (a byte read to find out is not given back: callers treat more as an error). */
  atEnd(): Promise<boolean>;
  cancel(reason?: unknown): Promise<void>;
};

/**
 * The fastest exact-block reader `source` allows. Byte streams — every body workerd gives us: a
 * fetch response, an R2 object, a request — are read with a BYOB reader straight into one
 * reusable block buffer (`readAtLeast`, a workerd extension, fills a whole block in one call
 * where the runtime can); other streams are gathered chunk by chunk.
 */
export function blockReader(source: ReadableStream<Uint8Array>, maxBlock: number): BlockReader {
  let byob: ReadableStreamBYOBReader | undefined;
  try {
    byob = source.getReader({ mode: "byob" });
  } catch {
    // Not a byte stream.
  }
  return byob ? new ByobBlocks(byob, maxBlock) : new Gatherer(source.getReader(), maxBlock);
}

class ByobBlocks implements BlockReader {
  #buffer: ArrayBuffer;
  constructor(
    private readonly reader: ReadableStreamBYOBReader,
    maxBlock: number,
  ) {
    this.#buffer = new ArrayBuffer(Math.max(1, maxBlock));
  }

  async #fill(want: number): Promise<number> {
    let fill = 0;
    while (fill < want) {
      const view = new Uint8Array(this.#buffer, fill, want - fill);
      const { done, value } = this.reader.readAtLeast ? await this.reader.readAtLeast(view.length, view) : await this.reader.read(view);
      // The read transfers the buffer; the bytes come back in `value`'s (the same memory).
      if (value) {
        this.#buffer = value.buffer as ArrayBuffer;
        fill += value.byteLength;
      }
      if (done) break;
    }
    return fill;
  }

  async take(want: number) {
    if (want === 0) return new Uint8Array(0);
    const got = await this.#fill(want);
    return got < want ? undefined : new Uint8Array(this.#buffer, 0, want);
  }

  async atEnd() {
    return (await this.#fill(1)) === 0;
  }

  cancel(reason?: unknown) {
    return this.reader.cancel(reason);
  }
}

/**
 * Reads exact-size blocks from a stream of arbitrary chunks, holding at most one block: a block
 * inside one chunk is returned as a view (no copy), one spanning chunks is assembled in a buffer.
 */
class Gatherer implements BlockReader {
  #pending: Uint8Array | undefined;
  #buf: Uint8Array;
  constructor(
    private readonly reader: ReadableStreamDefaultReader<Uint8Array>,
    maxBlock: number,
  ) {
    this.#buf = new Uint8Array(maxBlock);
  }

  async #next(): Promise<Uint8Array | undefined> {
    if (this.#pending) {
      const p = this.#pending;
      this.#pending = undefined;
      return p;
    }
    for (;;) {
      const { done, value } = await this.reader.read();
      if (done) return undefined;
      if (value.length) return value;
    }
  }

  async take(want: number): Promise<Uint8Array | undefined> {
    let fill = 0;
    while (fill < want) {
      const chunk = await this.#next();
      if (!chunk) return undefined;
      if (fill === 0 && chunk.length >= want) {
        if (chunk.length > want) this.#pending = chunk.subarray(want);
        return chunk.subarray(0, want);
      }
      const k = Math.min(want - fill, chunk.length);
      this.#buf.set(chunk.subarray(0, k), fill);
      fill += k;
      if (k < chunk.length) this.#pending = chunk.subarray(k);
    }
    return this.#buf.subarray(0, want);
  }

  async atEnd(): Promise<boolean> {
    const chunk = await this.#next();
    if (!chunk) return true;
    this.#pending = chunk;
    return false;
  }

  cancel(reason?: unknown) {
    return this.reader.cancel(reason);
  }
}
