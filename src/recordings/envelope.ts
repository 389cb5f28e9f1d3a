/**
 * The encrypted object format for recordings and transcripts ("SBRE", version 1): envelope
 * encryption with a fresh data key per object, media encrypted in fixed-size segments so it
 * streams both ways and a byte range decrypts without reading the rest.
 *
 * Layout (all integers big-endian):
 *
 *   offset size  header core (immutable; bound into every segment)
 *        0    4  magic "SBRE"
 *        4    1  format version = 1
 *        5    1  suite = 1: AES-256-GCM segments, AES-256-GCM key wrap, HKDF-SHA256 KEK
 *        6    2  reserved, 0
 *        8    4  segment size S (plaintext bytes per segment)
 *       12    8  plaintext length L
 *       20    7  nonce prefix (random per object)
 *       27    1  reserved, 0
 *               key block (the only part a re-wrap changes)
 *       28    4  key version of the instance's key-encryption key (KEK)
 *       32   12  wrap IV
 *       44   48  wrapped data key: AES-GCM(KEK, 32-byte data key) with its 16-byte tag
 *       92       segments: n = max(1, ceil(L / S)); segment i is AES-GCM(data key) of plaintext
 *                bytes [i*S, min(L, (i+1)*S)) followed by its 16-byte tag
 *
 * Nonce of segment i: nonce prefix (7) ‖ i (4) ‖ final flag (1: 1 on the last segment, else 0).
 * Segment additional data: "switchboard/recording/v1" ‖ instance id ‖ object key (each
 * length-prefixed) ‖ header core ‖ i (4) ‖ final flag (1). So a segment moved, reordered,
 * truncated away (the new last one was not sealed as final), a changed length or segment size,
 * or an object copied to another tenant or key fails to decrypt.
 * Key-wrap additional data: "switchboard/recording-key/v1" ‖ instance id ‖ object key ‖ header
 * core ‖ key version (4): a key block swapped in from another object, or a changed key version,
 * fails to unwrap.
 *
 * The KEK is `instanceKey(secret of version v, instanceId, "recording-kek", v)` (src/lib/crypto.ts).
 */
import { keyringKey, type Keyring, UnknownKeyVersionError } from "../lib/crypto";

export const MAGIC = new Uint8Array([0x53, 0x42, 0x52, 0x45]); // "SBRE"
export const FORMAT_VERSION = 1;
export const SUITE = 1;
/** How the algorithm is named in R2 custom metadata. */
export const ALGORITHM = "SBRE1/AES-256-GCM-SEGMENTED/AES-256-GCM-WRAP/HKDF-SHA256";
export const DEFAULT_SEGMENT_SIZE = 64 * 1024;
export const HEADER_SIZE = 92;
const CORE_SIZE = 28;
const TAG = 16;
const MAX_SEGMENT_SIZE = 16 * 1024 * 1024;

const enc = new TextEncoder();

/** Where an object lives: both are bound into its ciphertext. */
export type ObjectContext = { instanceId: string; objectKey: string };

/** The ciphertext does not authenticate (tampered, truncated, moved, or the wrong key). */
export class IntegrityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "IntegrityError";
  }
}

export type Header = {
  segmentSize: number;
  plaintextLength: number;
  keyVersion: number;
  noncePrefix: Uint8Array;
  /** The 28 immutable bytes. */
  core: Uint8Array;
  /** The full 92 bytes. */
  bytes: Uint8Array;
};

export const segmentCount = (plaintextLength: number, segmentSize = DEFAULT_SEGMENT_SIZE) =>
  Math.max(1, Math.ceil(plaintextLength / segmentSize));

/** Stored size of an object with `plaintextLength` bytes. */
export const ciphertextLength = (plaintextLength: number, segmentSize = DEFAULT_SEGMENT_SIZE) =>
  HEADER_SIZE + plaintextLength + TAG * segmentCount(plaintextLength, segmentSize);

/** Byte offset of segment `i` in the stored object. */
export const segmentOffset = (i: number, segmentSize: number) => HEADER_SIZE + i * (segmentSize + TAG);

function lengthPrefixed(parts: Uint8Array[]): Uint8Array {
  const total = parts.reduce((n, p) => n + 4 + p.length, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const p of parts) {
    view.setUint32(at, p.length);
    out.set(p, at + 4);
    at += 4 + p.length;
  }
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function buildCore(segmentSize: number, plaintextLength: number, noncePrefix: Uint8Array): Uint8Array {
  const core = new Uint8Array(CORE_SIZE);
  const view = new DataView(core.buffer);
  core.set(MAGIC, 0);
  core[4] = FORMAT_VERSION;
  core[5] = SUITE;
  view.setUint32(8, segmentSize);
  view.setBigUint64(12, BigInt(plaintextLength));
  core.set(noncePrefix, 20);
  return core;
}

function wrapAad(ctx: ObjectContext, core: Uint8Array, keyVersion: number): Uint8Array<ArrayBuffer> {
  const v = new Uint8Array(4);
  new DataView(v.buffer).setUint32(0, keyVersion);
  return concat(
    lengthPrefixed([enc.encode("switchboard/recording-key/v1"), enc.encode(ctx.instanceId), enc.encode(ctx.objectKey)]),
    core,
    v,
  );
}

/** The per-object prefix of every segment's additional data (the segment index and flag follow). */
function segmentAadPrefix(ctx: ObjectContext, core: Uint8Array): Uint8Array {
  return concat(
    lengthPrefixed([enc.encode("switchboard/recording/v1"), enc.encode(ctx.instanceId), enc.encode(ctx.objectKey)]),
    core,
  );
}

/** Parses and checks the 92-byte header (format only; authenticity comes with the key). */
export function parseHeader(bytes: Uint8Array): Header {
  if (bytes.length < HEADER_SIZE) throw new IntegrityError("Encrypted object is shorter than its header");
  const b = bytes.subarray(0, HEADER_SIZE);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (!MAGIC.every((m, i) => b[i] === m)) throw new IntegrityError("Not an encrypted Switchboard object");
  if (b[4] !== FORMAT_VERSION || b[5] !== SUITE) throw new IntegrityError(`Unsupported object format ${b[4]}/${b[5]}`);
  const segmentSize = view.getUint32(8);
  const length = view.getBigUint64(12);
  if (segmentSize < 1024 || segmentSize > MAX_SEGMENT_SIZE || length > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new IntegrityError("Header fields out of range");
  }
  return {
    segmentSize,
    plaintextLength: Number(length),
    keyVersion: view.getUint32(28),
    noncePrefix: b.slice(20, 27),
    core: b.slice(0, CORE_SIZE),
    bytes: b.slice(),
  };
}

async function kek(keys: Keyring, instanceId: string, version: number): Promise<CryptoKey> {
  try {
    return await keyringKey(keys, instanceId, "recording-kek", version);
  } catch (err) {
    if (err instanceof UnknownKeyVersionError) throw new IntegrityError(`Encrypted with key version ${version}, which this deployment does not have`);
    throw err;
  }
}

async function sealKeyBlock(keys: Keyring, ctx: ObjectContext, core: Uint8Array, rawDataKey: Uint8Array<ArrayBuffer>) {
  const version = keys.current;
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const wrapped = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: wrapAad(ctx, core, version) },
      await kek(keys, ctx.instanceId, version),
      rawDataKey,
    ),
  );
  const block = new Uint8Array(HEADER_SIZE - CORE_SIZE);
  new DataView(block.buffer).setUint32(0, version);
  block.set(iv, 4);
  block.set(wrapped, 16);
  return concat(core, block);
}

async function unwrapRaw(keys: Keyring, ctx: ObjectContext, header: Header): Promise<Uint8Array<ArrayBuffer>> {
  const key = await kek(keys, ctx.instanceId, header.keyVersion);
  try {
    return new Uint8Array(
      await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: header.bytes.slice(32, 44), additionalData: wrapAad(ctx, header.core, header.keyVersion) },
        key,
        header.bytes.slice(44, HEADER_SIZE),
      ),
    );
  } catch {
    throw new IntegrityError("The data key does not unwrap for this instance and object (tampered, moved, or wrong key version)");
  }
}

const importDataKey = (raw: Uint8Array<ArrayBuffer>) =>
  crypto.subtle.importKey("raw", raw, { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);

/** An object's header with its data key unwrapped: ready to decrypt segments. */
export type OpenedEnvelope = {
  header: Header;
  ctx: ObjectContext;
  dataKey: CryptoKey;
  aadPrefix: Uint8Array;
  segments: number;
};

export async function openEnvelope(keys: Keyring, ctx: ObjectContext, headerBytes: Uint8Array): Promise<OpenedEnvelope> {
  const header = parseHeader(headerBytes);
  const raw = await unwrapRaw(keys, ctx, header);
  const dataKey = await importDataKey(raw);
  raw.fill(0);
  return {
    header, ctx, dataKey,
    aadPrefix: segmentAadPrefix(ctx, header.core),
    segments: segmentCount(header.plaintextLength, header.segmentSize),
  };
}

/**
 * Re-wraps an object's data key with the keyring's current key version. Returns the new
 * 92-byte header; the header core and every segment stay byte-for-byte the same.
 */
export async function rewrapHeader(keys: Keyring, ctx: ObjectContext, headerBytes: Uint8Array): Promise<Uint8Array> {
  const header = parseHeader(headerBytes);
  const raw = await unwrapRaw(keys, ctx, header);
  try {
    return await sealKeyBlock(keys, ctx, header.core, raw);
  } finally {
    raw.fill(0);
  }
}

function segmentParams(prefix: Uint8Array, noncePrefix: Uint8Array, index: number, final: boolean) {
  const iv = new Uint8Array(12);
  iv.set(noncePrefix, 0);
  const ivView = new DataView(iv.buffer);
  ivView.setUint32(7, index);
  iv[11] = final ? 1 : 0;
  const aad = new Uint8Array(prefix.length + 5);
  aad.set(prefix, 0);
  new DataView(aad.buffer).setUint32(prefix.length, index);
  aad[prefix.length + 4] = final ? 1 : 0;
  return { name: "AES-GCM", iv, additionalData: aad } as const;
}

/**
 * Collects bytes into fixed-size blocks without holding more than one block: calls `onBlock`
 * with each full block (a view that is only valid during the call) and returns what is left.
 */
class Blocker {
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

/** Encrypts the segments of one new object in order. */
type Sealer = {
  header: Header;
  ciphertextLength: number;
  segments: number;
  /** Index of the next segment to seal. */
  next: number;
  /** Plaintext size of segment i (0 past the end). */
  sizeOf(i: number): number;
  seal(block: Uint8Array): Promise<Uint8Array>;
};

async function newSealer(keys: Keyring, ctx: ObjectContext, plaintextLength: number, segmentSize: number): Promise<Sealer> {
  if (!Number.isSafeInteger(plaintextLength) || plaintextLength < 0) throw new Error("Plaintext length must be a non-negative integer");
  if (segmentSize < 1024 || segmentSize > MAX_SEGMENT_SIZE) throw new Error("Segment size out of range");
  const noncePrefix = crypto.getRandomValues(new Uint8Array(7));
  const core = buildCore(segmentSize, plaintextLength, noncePrefix);
  const raw = crypto.getRandomValues(new Uint8Array(32));
  const headerBytes = await sealKeyBlock(keys, ctx, core, raw);
  const dataKey = await importDataKey(raw);
  raw.fill(0);
  const prefix = segmentAadPrefix(ctx, core);
  const n = segmentCount(plaintextLength, segmentSize);
  const sealer: Sealer = {
    header: parseHeader(headerBytes),
    ciphertextLength: ciphertextLength(plaintextLength, segmentSize),
    segments: n,
    next: 0,
    sizeOf: (i) => (i >= n ? 0 : i === n - 1 ? plaintextLength - i * segmentSize : segmentSize),
    async seal(block) {
      const i = sealer.next++;
      const ct = await crypto.subtle.encrypt(segmentParams(prefix, noncePrefix, i, i === n - 1), dataKey, block as Uint8Array<ArrayBuffer>);
      return new Uint8Array(ct);
    },
  };
  return sealer;
}

const longer = () => new Error("The body is longer than its declared length");
const shorter = () => new Error("The body is shorter than its declared length");

export type EncryptedObject = {
  /** The whole stored object (header first), produced as it is read. */
  stream: ReadableStream<Uint8Array>;
  header: Header;
  ciphertextLength: number;
};

/**
 * Encrypts `source`, which must hold exactly `plaintextLength` bytes, under the keyring's current
 * key version. Pull-based: a segment is read and sealed only when the consumer (an R2 put, a
 * response) asks for more, so at most one segment of plaintext is held. The stream errors if the
 * source holds more or fewer bytes.
 */
export async function encryptStream(
  keys: Keyring,
  ctx: ObjectContext,
  source: ReadableStream<Uint8Array>,
  plaintextLength: number,
  segmentSize = DEFAULT_SEGMENT_SIZE,
): Promise<EncryptedObject> {
  const sealer = await newSealer(keys, ctx, plaintextLength, segmentSize);
  const input = blockReader(source, segmentSize);
  let headerSent = false;
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!headerSent) {
          headerSent = true;
          controller.enqueue(sealer.header.bytes);
          return;
        }
        if (sealer.next === sealer.segments) {
          if (!(await input.atEnd())) throw longer();
          controller.close();
          return;
        }
        const block = await input.take(sealer.sizeOf(sealer.next));
        if (!block) throw shorter();
        controller.enqueue(await sealer.seal(block));
      },
      cancel(reason) {
        return input.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, header: sealer.header, ciphertextLength: sealer.ciphertextLength };
}

/** Reads exact-size blocks from a stream; a returned block is valid until the next `take`. */
type BlockReader = {
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
function blockReader(source: ReadableStream<Uint8Array>, maxBlock: number): BlockReader {
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

export type EncryptingStream = {
  /** Plaintext in, the whole stored object out (header first). */
  stream: TransformStream<Uint8Array, Uint8Array>;
  header: Header;
  ciphertextLength: number;
};

/**
 * The same encryption as a TransformStream, for `body.pipeThrough(...)`: starts an object of
 * exactly `plaintextLength` bytes; the stream errors if it receives more or fewer.
 */
export async function encryptingStream(
  keys: Keyring,
  ctx: ObjectContext,
  plaintextLength: number,
  segmentSize = DEFAULT_SEGMENT_SIZE,
): Promise<EncryptingStream> {
  const sealer = await newSealer(keys, ctx, plaintextLength, segmentSize);
  const blocker = new Blocker(segmentSize, longer);
  const stream = new TransformStream<Uint8Array, Uint8Array>({
    start(controller) {
      controller.enqueue(sealer.header.bytes);
    },
    async transform(chunk, controller) {
      if (chunk.length > 0 && sealer.sizeOf(sealer.next) === 0) throw longer();
      await blocker.push(chunk, () => sealer.sizeOf(sealer.next), async (block) => controller.enqueue(await sealer.seal(block)));
    },
    async flush(controller) {
      // An empty object is one empty final segment.
      if (plaintextLength === 0 && sealer.next === 0) controller.enqueue(await sealer.seal(new Uint8Array(0)));
      if (sealer.next !== sealer.segments || blocker.buffered !== 0) throw shorter();
    },
  });
  return { stream, header: sealer.header, ciphertextLength: sealer.ciphertextLength };
}

/** The segments and stored byte range that hold plaintext bytes [start, end] (inclusive). */
export function planRange(header: Pick<Header, "segmentSize" | "plaintextLength">, start: number, end: number) {
  const S = header.segmentSize;
  const n = segmentCount(header.plaintextLength, S);
  if (header.plaintextLength === 0) {
    return { firstSegment: 0, lastSegment: 0, offset: HEADER_SIZE, length: TAG, skip: 0, take: 0 };
  }
  if (start < 0 || end < start || end >= header.plaintextLength) throw new RangeError("Range outside the object");
  const firstSegment = Math.floor(start / S);
  const lastSegment = Math.min(n - 1, Math.floor(end / S));
  const offset = segmentOffset(firstSegment, S);
  const stop = lastSegment === n - 1 ? ciphertextLength(header.plaintextLength, S) : segmentOffset(lastSegment + 1, S);
  return { firstSegment, lastSegment, offset, length: stop - offset, skip: start - firstSegment * S, take: end - start + 1 };
}

/** Decrypts one whole sealed segment (its ciphertext and tag). */
export async function decryptSegment(opened: OpenedEnvelope, index: number, sealed: Uint8Array): Promise<Uint8Array> {
  const { header } = opened;
  const expected = (index === opened.segments - 1 ? header.plaintextLength - index * header.segmentSize : header.segmentSize) + TAG;
  if (index >= opened.segments || sealed.length !== expected) throw new IntegrityError(`Segment ${index} has the wrong length`);
  try {
    return new Uint8Array(
      await crypto.subtle.decrypt(
        segmentParams(opened.aadPrefix, header.noncePrefix, index, index === opened.segments - 1),
        opened.dataKey,
        sealed as Uint8Array<ArrayBuffer>,
      ),
    );
  } catch {
    throw new IntegrityError(`Segment ${index} does not authenticate`);
  }
}

/**
 * Decrypts stored bytes that start at segment `firstSegment` (as `planRange` fetched them) and
 * emits exactly `take` plaintext bytes after skipping `skip`. Every byte emitted belongs to a
 * segment that authenticated; on any failure the stream errors instead of emitting more.
 */
export function decryptingStream(
  opened: OpenedEnvelope,
  plan: { firstSegment: number; lastSegment: number; skip: number; take: number },
): TransformStream<Uint8Array, Uint8Array> {
  const S = opened.header.segmentSize;
  let index = plan.firstSegment;
  let skip = plan.skip;
  let remaining = plan.take;
  const blocker = new Blocker(S + TAG, () => new IntegrityError("More stored bytes than the object holds"));
  const sizeOf = () => {
    if (index > plan.lastSegment) return 0;
    return (index === opened.segments - 1 ? opened.header.plaintextLength - index * S : S) + TAG;
  };
  return new TransformStream<Uint8Array, Uint8Array>({
    async transform(chunk, controller) {
      await blocker.push(chunk, sizeOf, async (sealed) => {
        const pt = await decryptSegment(opened, index, sealed);
        index++;
        const from = Math.min(skip, pt.length);
        skip -= from;
        const out = pt.subarray(from, from + Math.min(remaining, pt.length - from));
        remaining -= out.length;
        if (out.length) controller.enqueue(out);
      });
    },
    flush() {
      if (index !== plan.lastSegment + 1 || blocker.buffered !== 0 || remaining !== 0) {
        throw new IntegrityError("The encrypted object ended early (truncated)");
      }
    },
  });
}

/**
 * Pull-based decryption of stored bytes that start at segment `plan.firstSegment` (as
 * `planRange` fetched them): emits exactly `plan.take` plaintext bytes after skipping
 * `plan.skip`. A segment is decrypted only when the consumer asks for more; every byte emitted
 * belongs to a segment that authenticated, and on any failure the stream errors instead.
 */
export function decryptStream(
  opened: OpenedEnvelope,
  plan: { firstSegment: number; lastSegment: number; skip: number; take: number },
  source: ReadableStream<Uint8Array>,
): ReadableStream<Uint8Array> {
  const S = opened.header.segmentSize;
  const input = blockReader(source, S + TAG);
  let index = plan.firstSegment;
  let skip = plan.skip;
  let remaining = plan.take;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        // Each pull must enqueue or close (a pull that does neither is not repeated).
        for (;;) {
          if (index > plan.lastSegment) {
            if (remaining !== 0 || !(await input.atEnd())) throw new IntegrityError("More stored bytes than the object holds");
            controller.close();
            return;
          }
          const want = (index === opened.segments - 1 ? opened.header.plaintextLength - index * S : S) + TAG;
          const sealed = await input.take(want);
          if (!sealed) throw new IntegrityError("The encrypted object ended early (truncated)");
          const pt = await decryptSegment(opened, index, sealed);
          index++;
          const from = Math.min(skip, pt.length);
          skip -= from;
          const out = pt.subarray(from, from + Math.min(remaining, pt.length - from));
          remaining -= out.length;
          if (out.length) {
            controller.enqueue(out);
            return;
          }
        }
      },
      cancel(reason) {
        return input.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
