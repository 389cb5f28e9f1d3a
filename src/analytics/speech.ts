// Speech to text for a call's stored recording (post-call transcription, where real-time
// transcription was off). Two engines, the same answer — speaker turns with times:
// - Workers AI's Whisper (@cf/openai/whisper) on Cloudflare, through the `AI` binding: each
//   channel of the recording (a dual-channel agent recording holds the agent on the first and
//   the customer on the second) is sent in 30-second pieces as 16-bit PCM, silent pieces skipped,
//   and the words it hears are grouped into turns at pauses;
// - in local mode (no `AI` binding), the words the phone simulator spoke into the recording,
//   which it writes into the file beside its tones (a `swtx` chunk): the stand-in the local
//   engine reads, so a developer's calls have a post-call transcript too. A real recording has
//   no such chunk, and without the binding no transcript is made.
// The text that comes back is redacted by the caller before anything of it is kept.
import { z } from "zod";
import { pcmWav, readWav } from "./wav";

export const SPEECH_MODEL = "@cf/openai/whisper";

export type Speaker = "AGENT" | "CUSTOMER";

/** One turn heard in a recording: `at`/`end` in seconds from the recording's start. */
export type HeardTurn = { speaker: Speaker; text: string; at: number; end: number };

/** The part of the `AI` binding Whisper is called through. */
export interface SpeechRunner {
  run(model: string, input: { audio: number[] }): Promise<unknown>;
}

export type SpeechEngine =
  | { kind: "audio"; name: string; transcribe(wav: Uint8Array): Promise<{ text: string; words: { word: string; start: number; end: number }[] | null }> }
  | { kind: "simulator"; name: string };

const WhisperAnswer = z.object({
  text: z.string().default(""),
  words: z.array(z.object({ word: z.string(), start: z.number(), end: z.number() })).optional(),
});

export function workersAiSpeech(ai: SpeechRunner): SpeechEngine {
  return {
    kind: "audio",
    name: `Workers AI (${SPEECH_MODEL})`,
    async transcribe(wav) {
      const answer = WhisperAnswer.parse(await ai.run(SPEECH_MODEL, { audio: [...wav] }));
      return { text: answer.text.trim(), words: answer.words ?? null };
    },
  };
}

export const SIMULATOR_WORDS: SpeechEngine = { kind: "simulator", name: "the phone simulator's spoken words (local mode)" };

/** The chunk the phone simulator writes its spoken words into (src/simulator/recording.ts). */
export const SIMULATOR_WORDS_CHUNK = "swtx";
const SimulatorWords = z.object({ turns: z.array(z.object({ channel: z.number().int().min(0), text: z.string(), at: z.number(), end: z.number() })) });

export function chooseSpeechEngine(ai: SpeechRunner | undefined): SpeechEngine {
  return ai ? workersAiSpeech(ai) : SIMULATOR_WORDS;
}

/** A pause this long (seconds) between words starts a new turn. */
const TURN_PAUSE_S = 1.2;
/** Pieces sent to the model, in seconds (Whisper's window). */
const PIECE_S = 30;
/** A piece whose loudest sample stays under this is silence, not sent. */
const SILENCE = 400;

/**
 * The turns heard in a WAV recording, in order. `speakers` names who is on each channel (one
 * entry for a mono recording). Reads the file as a stream, a piece at a time.
 */
export async function transcribeRecording(body: ReadableStream<Uint8Array>, speakers: Speaker[], engine: SpeechEngine): Promise<HeardTurn[]> {
  const wav = await readWav(body);
  const { format } = wav;
  if (engine.kind === "simulator") {
    await wav.cancel();
    const chunk = format.chunks.get(SIMULATOR_WORDS_CHUNK);
    if (!chunk) return [];
    const said = SimulatorWords.parse(JSON.parse(new TextDecoder().decode(chunk)));
    return said.turns
      .filter((t) => t.channel < speakers.length && t.text.trim())
      .map((t) => ({ speaker: speakers[t.channel], text: t.text.trim(), at: t.at, end: t.end }))
      .sort((a, b) => a.at - b.at);
  }
  const pieceFrames = PIECE_S * format.sampleRate;
  const channels = Math.min(format.channels, speakers.length);
  const pending: Int16Array[][] = Array.from({ length: channels }, () => []);
  const filled = Array.from({ length: channels }, () => 0);
  const startFrame = Array.from({ length: channels }, () => 0);
  const turns: HeardTurn[] = [];
  const flush = async (c: number) => {
    const parts = pending[c];
    const samples = new Int16Array(filled[c]);
    let o = 0;
    for (const p of parts) {
      samples.set(p, o);
      o += p.length;
    }
    const offset = startFrame[c] / format.sampleRate;
    startFrame[c] += filled[c];
    pending[c] = [];
    filled[c] = 0;
    let loudest = 0;
    for (let i = 0; i < samples.length; i++) loudest = Math.max(loudest, Math.abs(samples[i]));
    if (loudest < SILENCE) return;
    const heard = await engine.transcribe(pcmWav(samples, format.sampleRate));
    turns.push(...groupTurns(speakers[c], heard, offset, samples.length / format.sampleRate));
  };
  for await (const block of wav.blocks) {
    for (let c = 0; c < channels; c++) {
      let from = 0;
      while (from < block[c].length) {
        const take = Math.min(block[c].length - from, pieceFrames - filled[c]);
        pending[c].push(block[c].subarray(from, from + take));
        filled[c] += take;
        from += take;
        if (filled[c] === pieceFrames) await flush(c);
      }
    }
  }
  for (let c = 0; c < channels; c++) if (filled[c] > 0) await flush(c);
  return turns.sort((a, b) => a.at - b.at);
}

/** Words into turns, split at pauses; without word times, the piece's text is one turn. */
export function groupTurns(speaker: Speaker, heard: { text: string; words: { word: string; start: number; end: number }[] | null }, offset: number, length: number): HeardTurn[] {
  const words = (heard.words ?? []).filter((w) => w.word.trim());
  if (!words.length) return heard.text ? [{ speaker, text: heard.text, at: offset, end: offset + length }] : [];
  const turns: HeardTurn[] = [];
  let current: HeardTurn | null = null;
  for (const w of words) {
    if (current && offset + w.start - current.end <= TURN_PAUSE_S) {
      current.text += ` ${w.word.trim()}`;
      current.end = offset + w.end;
      continue;
    }
    if (current) turns.push(current);
    current = { speaker, text: w.word.trim(), at: offset + w.start, end: offset + w.end };
  }
  if (current) turns.push(current);
  return turns.map((t) => ({ ...t, text: t.text.replace(/\s+/g, " ").trim() }));
}
