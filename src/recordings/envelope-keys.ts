/**
 * The keys of an encrypted object (format: envelope.ts): a fresh data key per object, wrapped
 * under the instance's key-encryption key of the keyring's current version; opened again with the
 * version the header names, re-wrapped by key rotation; and one segment sealed or opened with it.
 */
import { keyringKey, type Keyring, UnknownKeyVersionError } from "../lib/crypto";
import {
  buildCore,
  ciphertextLength,
  concat,
  CORE_SIZE,
  HEADER_SIZE,
  type Header,
  IntegrityError,
  MAX_SEGMENT_SIZE,
  type ObjectContext,
  parseHeader,
  segmentAadPrefix,
  segmentCount,
  segmentParams,
  TAG,
  wrapAad,
} from "./envelope";

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

/** Encrypts the segments of one new object in order. */
export type Sealer = {
  header: Header;
  ciphertextLength: number;
  segments: number;
  /** Index of the next segment to seal. */
  next: number;
  /** Plaintext size of segment i (0 past the end). */
  sizeOf(i: number): number;
  seal(block: Uint8Array): Promise<Uint8Array>;
};

export async function newSealer(keys: Keyring, ctx: ObjectContext, plaintextLength: number, segmentSize: number): Promise<Sealer> {
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
