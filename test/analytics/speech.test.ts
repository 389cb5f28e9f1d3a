/**
 * Post-call speech to text (src/analytics/speech.ts, src/analytics/wav.ts): a call recording read
 * as a stream, split by channel into the pieces the model hears, the words grouped into turns;
 * and the local engine reading the words the phone simulator put in its recordings.
 */
import { describe, expect, it } from "vitest";
import { groupTurns, SIMULATOR_WORDS, transcribeRecording, type SpeechEngine } from "../../src/analytics/speech";
import { mulawToLinear, parseWavHeader, pcmWav, WavError } from "../../src/analytics/wav";
import { linearToMulaw, wav } from "../../src/simulator/audio";
import { recordingMedia } from "../../src/simulator/recording";

/** A stream that hands `bytes` over in small pieces (as R2 does), to exercise the reader's joins. */
function trickle(bytes: Uint8Array, piece = 1000): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.slice(at, at + piece));
      at += piece;
    },
  });
}

/** Dual μ-law: a tone on channel 0 for `seconds`, silence on channel 1. */
function dualToneOnFirst(seconds: number): Uint8Array {
  const frames = 8000 * seconds;
  const data = new Uint8Array(frames * 2);
  for (let i = 0; i < frames; i++) {
    data[i * 2] = linearToMulaw(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000)));
    data[i * 2 + 1] = linearToMulaw(0);
  }
  return wav(data, 2, 8000);
}

describe("WAV reading", () => {
  it("decodes μ-law as G.711 does (the encoder's samples come back within its step)", () => {
    for (const x of [0, 100, -100, 1000, -5000, 20000, -32000]) expect(Math.abs(mulawToLinear(linearToMulaw(x)) - x)).toBeLessThanOrEqual(Math.max(8, Math.abs(x) / 16));
  });

  it("refuses what is not a WAV it reads, with the reason", () => {
    expect(() => parseWavHeader(new TextEncoder().encode("ID3\u0004 this is an mp3 file"))).toThrow(WavError);
    const eightBitPcm = wav(new Uint8Array(16), 1, 8000);
    new DataView(eightBitPcm.buffer).setUint16(20, 1, true); // PCM, but 8 bits a sample
    expect(() => parseWavHeader(eightBitPcm)).toThrow("PCM with 8 bits a sample is not read (only 16)");
    expect(parseWavHeader(eightBitPcm.subarray(0, 30))).toBeNull(); // not enough bytes yet
  });
});

describe("transcribeRecording", () => {
  it("sends each channel with sound in 30-second 16-bit pieces, skips silence, and places the words it hears in time", async () => {
    const sent: { bytes: number; format: ReturnType<typeof parseWavHeader> }[] = [];
    const engine: SpeechEngine = {
      kind: "audio",
      name: "recorded answers",
      async transcribe(piece) {
        sent.push({ bytes: piece.length, format: parseWavHeader(piece) });
        return sent.length === 1
          ? { text: "hello I need a refund", words: [{ word: "hello", start: 0.5, end: 0.9 }, { word: "I", start: 1.0, end: 1.1 }, { word: "need", start: 1.2, end: 1.4 }, { word: "a", start: 1.5, end: 1.6 }, { word: "refund", start: 4.0, end: 4.5 }] }
          : { text: "for order 12", words: null };
      },
    };
    const turns = await transcribeRecording(trickle(dualToneOnFirst(45), 4096), ["CUSTOMER", "AGENT"], engine);
    // Channel 0 in two pieces (30 s + 15 s); channel 1 is silent and never sent.
    expect(sent.map((s) => [s.bytes, s.format!.format.encoding, s.format!.format.channels, s.format!.format.sampleRate])).toEqual([
      [44 + 30 * 8000 * 2, 1, 1, 8000],
      [44 + 15 * 8000 * 2, 1, 1, 8000],
    ]);
    expect(turns).toEqual([
      { speaker: "CUSTOMER", text: "hello I need a", at: 0.5, end: 1.6 },
      { speaker: "CUSTOMER", text: "refund", at: 4.0, end: 4.5 },
      { speaker: "CUSTOMER", text: "for order 12", at: 30, end: 45 },
    ]);
  });

  it("groups words into turns at pauses longer than 1.2 s, offset by the piece's start", () => {
    const words = [{ word: " yes", start: 0, end: 0.3 }, { word: "please ", start: 1.4, end: 1.8 }, { word: "thanks", start: 3.1, end: 3.5 }];
    expect(groupTurns("AGENT", { text: "", words }, 60, 30)).toEqual([
      { speaker: "AGENT", text: "yes please", at: 60, end: 61.8 },
      { speaker: "AGENT", text: "thanks", at: 63.1, end: 63.5 },
    ]);
    expect(groupTurns("AGENT", { text: "", words: [] }, 0, 30)).toEqual([]);
  });

  it("the local engine reads the words the phone simulator said into a dual recording, channel by channel; a file without them gives nothing", async () => {
    const rec = {
      sid: "RE1", callSid: "CA1", status: "completed" as const, channels: 2, track: "both" as const, source: "StartCallRecordingAPI" as const,
      statusCallback: null, startedAt: 1_000_000, endedAt: 1_010_000, duration: 10,
      heard: [
        { track: "outbound" as const, text: "+15550100: My order never came", words: "My order never came", at: 1_002_000 },
        { track: "inbound" as const, text: "client:alice: Sorry to hear that", words: "Sorry to hear that", at: 1_004_000 },
        { track: "inbound" as const, text: "client:alice keys 1", at: 1_005_000 },
      ],
    };
    const file = recordingMedia(rec);
    expect(parseWavHeader(file)!.format.dataBytes).toBe(8000 * 2 * 10); // the samples are untouched
    const turns = await transcribeRecording(trickle(file), ["AGENT", "CUSTOMER"], SIMULATOR_WORDS);
    expect(turns.map((t) => [t.speaker, t.text, t.at])).toEqual([
      ["CUSTOMER", "My order never came", 2],
      ["AGENT", "Sorry to hear that", 4],
    ]);
    expect(await transcribeRecording(trickle(wav(new Uint8Array(800), 1, 8000)), ["AGENT"], SIMULATOR_WORDS)).toEqual([]);
  });

  it("pcmWav writes a mono 16-bit file the reader reads back", () => {
    const file = pcmWav(new Int16Array([1, -2, 300]), 16000);
    expect(parseWavHeader(file)).toMatchObject({ format: { encoding: 1, channels: 1, sampleRate: 16000, dataBytes: 6 }, dataOffset: 44 });
  });
});
