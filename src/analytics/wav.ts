// WAV recordings as Twilio makes them (8 kHz, μ-law or 16-bit PCM, one or two channels), read as
// a stream: the header and any chunks before the samples first, then the samples a block at a
// time, split by channel into 16-bit linear samples. Enough to hand a call's recording to a
// speech-to-text model channel by channel without holding the whole file in memory.

export type WavFormat = {
  /** 1: linear PCM (16-bit), 7: G.711 μ-law (8-bit). */
  encoding: 1 | 7;
  channels: number;
  sampleRate: number;
  /** Chunks met before the samples, by id (e.g. "LIST"), each as its bytes. */
  chunks: Map<string, Uint8Array>;
  /** The sample data's length in bytes as the header says it. */
  dataBytes: number;
};

export class WavError extends Error {}

/** Most a header (with its chunks before the samples) may take before the reader gives up. */
const MAX_HEADER_BYTES = 1 << 20;

/** G.711 μ-law byte → 16-bit linear sample. */
export function mulawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const exponent = (u >> 4) & 0x07;
  const magnitude = ((((u & 0x0f) << 3) + 0x84) << exponent) - 0x84;
  return u & 0x80 ? -magnitude : magnitude;
}

const ascii = (b: Uint8Array, at: number) => String.fromCharCode(b[at], b[at + 1], b[at + 2], b[at + 3]);

/** Reads the header from `head` (the file's first bytes): the format and where the samples begin, or null if more bytes are needed. */
export function parseWavHeader(head: Uint8Array): { format: WavFormat; dataOffset: number } | null {
  if (head.length < 12) return null;
  if (ascii(head, 0) !== "RIFF" || ascii(head, 8) !== "WAVE") throw new WavError("not a WAV file (no RIFF/WAVE header)");
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const chunks = new Map<string, Uint8Array>();
  let fmt: { encoding: number; channels: number; sampleRate: number; bits: number } | null = null;
  let at = 12;
  while (true) {
    if (at + 8 > head.length) return null;
    const id = ascii(head, at);
    const size = view.getUint32(at + 4, true);
    if (id === "data") {
      if (!fmt) throw new WavError("the WAV file has no fmt chunk before its samples");
      if (fmt.encoding !== 1 && fmt.encoding !== 7) throw new WavError(`WAV encoding ${fmt.encoding} is not read (only PCM and μ-law)`);
      if (fmt.encoding === 1 && fmt.bits !== 16) throw new WavError(`PCM with ${fmt.bits} bits a sample is not read (only 16)`);
      if (fmt.channels < 1 || fmt.channels > 2) throw new WavError(`a WAV file of ${fmt.channels} channels is not read (one or two)`);
      return { format: { encoding: fmt.encoding, channels: fmt.channels, sampleRate: fmt.sampleRate, chunks, dataBytes: size }, dataOffset: at + 8 };
    }
    const end = at + 8 + size + (size & 1);
    if (end > MAX_HEADER_BYTES) throw new WavError("the WAV header is too long");
    if (end > head.length) return null;
    const body = head.subarray(at + 8, at + 8 + size);
    if (id === "fmt ") {
      const f = new DataView(body.buffer, body.byteOffset, body.byteLength);
      if (size < 16) throw new WavError("the WAV fmt chunk is too short");
      fmt = { encoding: f.getUint16(0, true), channels: f.getUint16(2, true), sampleRate: f.getUint32(4, true), bits: f.getUint16(14, true) };
    } else {
      chunks.set(id, body.slice());
    }
    at = end;
  }
}

export type WavStream = {
  format: WavFormat;
  /** The samples, channel by channel, a block at a time (16-bit linear). */
  blocks: AsyncGenerator<Int16Array[]>;
  /** Stop reading (the rest of the file is not wanted). */
  cancel(): Promise<void>;
};

/** Opens a WAV stream: reads until the samples begin, then yields them per channel. */
export async function readWav(body: ReadableStream<Uint8Array>): Promise<WavStream> {
  const reader = body.getReader();
  let head = new Uint8Array(0);
  let parsed: ReturnType<typeof parseWavHeader> = null;
  while (!parsed) {
    const { done, value } = await reader.read();
    if (done) throw new WavError("the WAV file ends before its samples");
    const joined = new Uint8Array(head.length + value.length);
    joined.set(head);
    joined.set(value, head.length);
    head = joined;
    parsed = parseWavHeader(head);
    if (!parsed && head.length > MAX_HEADER_BYTES) throw new WavError("the WAV header is too long");
  }
  const { format, dataOffset } = parsed;
  const frameBytes = (format.encoding === 7 ? 1 : 2) * format.channels;
  async function* blocks(): AsyncGenerator<Int16Array[]> {
    let left = format.dataBytes;
    let carry = head.subarray(dataOffset);
    while (true) {
      const usable = Math.min(carry.length - (carry.length % frameBytes), left - (left % frameBytes));
      if (usable > 0) {
        yield split(carry.subarray(0, usable), format);
        left -= usable;
        carry = carry.subarray(usable);
      }
      if (left < frameBytes) break;
      const { done, value } = await reader.read();
      if (done) break; // a recording cut short: what arrived is read
      const joined = new Uint8Array(carry.length + value.length);
      joined.set(carry);
      joined.set(value, carry.length);
      carry = joined;
    }
    await reader.cancel().catch(() => {});
  }
  return { format, blocks: blocks(), cancel: () => reader.cancel().catch(() => {}) };
}

function split(bytes: Uint8Array, format: WavFormat): Int16Array[] {
  const { channels } = format;
  const frames = bytes.length / ((format.encoding === 7 ? 1 : 2) * channels);
  const out = Array.from({ length: channels }, () => new Int16Array(frames));
  if (format.encoding === 7) {
    for (let i = 0; i < frames; i++) for (let c = 0; c < channels; c++) out[c][i] = mulawToLinear(bytes[i * channels + c]);
  } else {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < frames; i++) for (let c = 0; c < channels; c++) out[c][i] = view.getInt16((i * channels + c) * 2, true);
  }
  return out;
}

/** A mono 16-bit PCM WAV file around `samples` (what speech-to-text models take). */
export function pcmWav(samples: Int16Array, sampleRate: number): Uint8Array {
  const out = new Uint8Array(44 + samples.length * 2);
  const v = new DataView(out.buffer);
  const str = (off: number, s: string) => [...s].forEach((ch, i) => v.setUint8(off + i, ch.charCodeAt(0)));
  str(0, "RIFF");
  v.setUint32(4, 36 + samples.length * 2, true);
  str(8, "WAVE");
  str(12, "fmt ");
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true);
  v.setUint16(22, 1, true);
  v.setUint32(24, sampleRate, true);
  v.setUint32(28, sampleRate * 2, true);
  v.setUint16(32, 2, true);
  v.setUint16(34, 16, true);
  str(36, "data");
  v.setUint32(40, samples.length * 2, true);
  for (let i = 0; i < samples.length; i++) v.setInt16(44 + i * 2, samples[i], true);
  return out;
}
