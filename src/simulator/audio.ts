/** Synthetic call audio: G.711 μ-law frames for Media Streams and samples in a WAV container for recordings. */

export const FRAME_BYTES = 160; // 20 ms of 8 kHz μ-law
export const FRAME_MS = 20;

/** G.711 μ-law encoding of one 16-bit linear sample. */
export function linearToMulaw(sample: number): number {
  const BIAS = 0x84;
  const sign = sample < 0 ? 0x80 : 0;
  let s = Math.min(Math.abs(sample), 32635) + BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

/** A WAV container (format 7, μ-law) around raw samples. */
export function wav(data: Uint8Array, channels: number, rate: number): Uint8Array {
  const header = new ArrayBuffer(44);
  const v = new DataView(header);
  const str = (off: number, s: string) => [...s].forEach((ch, i) => v.setUint8(off + i, ch.charCodeAt(0)));
  str(0, "RIFF");
  v.setUint32(4, 36 + data.length, true);
  str(8, "WAVE");
  str(12, "fmt ");
  v.setUint32(16, 16, true);
  v.setUint16(20, 7, true);
  v.setUint16(22, channels, true);
  v.setUint32(24, rate, true);
  v.setUint32(28, rate * channels, true);
  v.setUint16(32, channels, true);
  v.setUint16(34, 8, true);
  str(36, "data");
  v.setUint32(40, data.length, true);
  const out = new Uint8Array(44 + data.length);
  out.set(new Uint8Array(header), 0);
  out.set(data, 44);
  return out;
}

/** Synthetic speech: a tone, about 60 ms a character (at least 200 ms), as μ-law frames. */
export function speechFrames(text: string, track: "inbound" | "outbound"): Uint8Array[] {
  const ms = Math.max(200, Math.min(10_000, text.length * 60));
  const frames: Uint8Array[] = [];
  const hz = track === "inbound" ? 300 : 500;
  for (let f = 0; f < ms / FRAME_MS; f++) {
    const frame = new Uint8Array(FRAME_BYTES);
    for (let i = 0; i < FRAME_BYTES; i++) frame[i] = linearToMulaw(Math.round(6000 * Math.sin((2 * Math.PI * hz * (f * FRAME_BYTES + i)) / 8000)));
    frames.push(frame);
  }
  return frames;
}
