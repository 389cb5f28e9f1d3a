/** What a test reads of a contact's stored recordings: the rows, their decrypted WAV, and which tracks (tones) each channel holds. */
import { parseWavHeader } from "../../src/analytics/wav";
import { env } from "cloudflare:test";
import { and, asc, eq } from "drizzle-orm";
import { recordings } from "../../src/db/schema";
import { contactRoomName } from "../../src/lib/object-names";
import { openRecordingMedia } from "../../src/recordings/store";
import type { Phone, Recording } from "../../src/simulator";
import { TRACK_HZ } from "../../src/simulator/recording";
import { db } from "../helpers";
import { until } from "./helpers";

/** The contact's stored recordings, oldest first. */
export function storedRecordings(instanceId: string, contactId: string) {
  return db().select().from(recordings)
    .where(and(eq(recordings.instanceId, instanceId), eq(recordings.contactId, contactId), eq(recordings.kind, "recording")))
    .orderBy(asc(recordings.createdAt));
}

/** Settles Twilio and the contact's session until `n` recordings are stored; then checks no more arrive. */
export async function untilStored(phone: Phone, instanceId: string, contactId: string, n: number) {
  const session = env.CONTACT_SESSION.getByName(contactRoomName(instanceId, contactId));
  await until(phone, async () => (await session.settle(), (await storedRecordings(instanceId, contactId)).length >= n), `${n} recordings stored`);
  await phone.settle();
  await session.settle();
  return storedRecordings(instanceId, contactId);
}

/**
 * The tracks each channel of a stored recording holds, told by their tone (the simulator
 * records a leg's inbound track as 440 Hz, its outbound track as 660 Hz, both mixed in mono):
 * per channel, the tone's frequency (0 for silence).
 */
export async function channelTones(row: typeof recordings.$inferSelect): Promise<number[]> {
  const media = await openRecordingMedia(env, row);
  const wav = new Uint8Array(await new Response(media.body).arrayBuffer());
  const { format, dataOffset } = parseWavHeader(wav)!;
  const { channels, sampleRate: rate } = format;
  const data = wav.subarray(dataOffset, dataOffset + format.dataBytes);
  const frames = data.length / channels;
  return Array.from({ length: channels }, (_, ch) => {
    let crossings = 0;
    // μ-law: the top bit set is a positive sample.
    for (let i = 1; i < frames; i++) if ((data[i * channels + ch] & 0x80) !== (data[(i - 1) * channels + ch] & 0x80)) crossings++;
    return Math.round(crossings / 2 / (frames / rate));
  });
}

export const TONE = TRACK_HZ;

/** What a recording caught, as "track text" lines. */
export const caught = (rec: Recording) => rec.heard.map((h) => `${h.track} ${h.text}`);

/** The REST requests that started a recording of `callSid`. */
export const recordingStarts = (phone: Phone, callSid: string) =>
  phone.restLog.filter((r) => r.method === "POST" && r.path === `/Calls/${callSid}/Recordings.json`);
