/**
 * Encrypted objects as streams (format: envelope.ts; keys: envelope-keys.ts): a body encrypted
 * as it is read (pull-based, or as a TransformStream to pipe through), and stored bytes decrypted
 * segment by segment, a byte range without reading the rest. At most one segment is held, and
 * every byte emitted belongs to a segment that authenticated.
 */
import type { Keyring } from "../lib/crypto";
import { DEFAULT_SEGMENT_SIZE, type Header, IntegrityError, type ObjectContext, TAG } from "./envelope";
import { decryptSegment, newSealer, type OpenedEnvelope } from "./envelope-keys";
import { Blocker, blockReader } from "./stream-blocks";

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

type RangePlan = { firstSegment: number; lastSegment: number; skip: number; take: number };

/**
 * The plan's segments in order: the stored size of the next one, and each decrypted and cut to
 * the plaintext inside the range (`skip` bytes passed over, `take` bytes in all).
 */
function rangeCursor(opened: OpenedEnvelope, plan: RangePlan) {
  const S = opened.header.segmentSize;
  let index = plan.firstSegment;
  let skip = plan.skip;
  let remaining = plan.take;
  return {
    /** Every segment of the plan has been opened. */
    done: () => index > plan.lastSegment,
    /** Plaintext bytes of the range not emitted yet. */
    remaining: () => remaining,
    /** The next segment's stored size (with its tag); 0 once done. */
    nextSize: () => (index > plan.lastSegment ? 0 : (index === opened.segments - 1 ? opened.header.plaintextLength - index * S : S) + TAG),
    /** Decrypts the next segment (throws unless it authenticates); its bytes inside the range, maybe none. */
    async open(sealed: Uint8Array): Promise<Uint8Array> {
      const pt = await decryptSegment(opened, index, sealed);
      index++;
      const from = Math.min(skip, pt.length);
      skip -= from;
      const out = pt.subarray(from, from + Math.min(remaining, pt.length - from));
      remaining -= out.length;
      return out;
    },
  };
}

/**
 * Decrypts stored bytes that start at segment `firstSegment` (as `planRange` fetched them) and
 * emits exactly `take` plaintext bytes after skipping `skip`. Every byte emitted belongs to a
 * segment that authenticated; on any failure the stream errors instead of emitting more.
 */
export function decryptingStream(opened: OpenedEnvelope, plan: RangePlan): TransformStream<Uint8Array, Uint8Array> {
  const cursor = rangeCursor(opened, plan);
  const blocker = new Blocker(opened.header.segmentSize + TAG, () => new IntegrityError("More stored bytes than the object holds"));
  return new TransformStream<Uint8Array, Uint8Array>({
    async transform(chunk, controller) {
      await blocker.push(chunk, cursor.nextSize, async (sealed) => {
        const out = await cursor.open(sealed);
        if (out.length) controller.enqueue(out);
      });
    },
    flush() {
      if (!cursor.done() || blocker.buffered !== 0 || cursor.remaining() !== 0) {
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
export function decryptStream(opened: OpenedEnvelope, plan: RangePlan, source: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const cursor = rangeCursor(opened, plan);
  const input = blockReader(source, opened.header.segmentSize + TAG);
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        // Each pull must enqueue or close (a pull that does neither is not repeated).
        for (;;) {
          if (cursor.done()) {
            if (cursor.remaining() !== 0 || !(await input.atEnd())) throw new IntegrityError("More stored bytes than the object holds");
            controller.close();
            return;
          }
          const sealed = await input.take(cursor.nextSize());
          if (!sealed) throw new IntegrityError("The encrypted object ended early (truncated)");
          const out = await cursor.open(sealed);
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
