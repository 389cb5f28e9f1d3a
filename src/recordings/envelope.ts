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
 *
 * This file is the format: its constants, the header, the additional data and nonces, and which
 * stored bytes hold a plaintext range. The keys are in envelope-keys.ts (the data key wrapped,
 * a segment sealed or opened), the streams in envelope-stream.ts.
 */
export const MAGIC = new Uint8Array([0x53, 0x42, 0x52, 0x45]); // "SBRE"
export const FORMAT_VERSION = 1;
export const SUITE = 1;
/** How the algorithm is named in R2 custom metadata. */
export const ALGORITHM = "SBRE1/AES-256-GCM-SEGMENTED/AES-256-GCM-WRAP/HKDF-SHA256";
export const DEFAULT_SEGMENT_SIZE = 64 * 1024;
export const HEADER_SIZE = 92;
export const CORE_SIZE = 28;
export const TAG = 16;
export const MAX_SEGMENT_SIZE = 16 * 1024 * 1024;

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

export function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function buildCore(segmentSize: number, plaintextLength: number, noncePrefix: Uint8Array): Uint8Array {
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

export function wrapAad(ctx: ObjectContext, core: Uint8Array, keyVersion: number): Uint8Array<ArrayBuffer> {
  const v = new Uint8Array(4);
  new DataView(v.buffer).setUint32(0, keyVersion);
  return concat(
    lengthPrefixed([enc.encode("switchboard/recording-key/v1"), enc.encode(ctx.instanceId), enc.encode(ctx.objectKey)]),
    core,
    v,
  );
}

/** The per-object prefix of every segment's additional data (the segment index and flag follow). */
export function segmentAadPrefix(ctx: ObjectContext, core: Uint8Array): Uint8Array {
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

/** The AES-GCM parameters of segment `index`: its nonce and additional data. */
export function segmentParams(prefix: Uint8Array, noncePrefix: Uint8Array, index: number, final: boolean) {
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
