/** Twilio's Media Stream tracks: what the customer says (inbound), hears (outbound), or both. */
export type MediaStreamTrack = "inbound_track" | "outbound_track" | "both_tracks";

/** Start or stop streaming the call's audio to `url` as a Twilio Media Stream named `name` (StartMediaStreaming: ./actions/media-streaming.ts). */
export type MediaStreamEffect =
  | { type: "media_stream"; action: "start"; name: string; url: string; track: MediaStreamTrack }
  | { type: "media_stream"; action: "stop"; name: string };
