/** The phone simulator's public interface (used by `npm run phone` and the voice tests). */
export { Phone, type PhoneOptions, type Transport, type Recording } from "./phone";
export { Call, type Wait } from "./call";
export { formatEvent, type PhoneEvent } from "./events";
export { MediaStreams, type SocketOpener, type Stream, type StreamSocket } from "./media-stream";
export { runScript, type ScriptOptions, type ScriptStep } from "./script";
export { twilioSignature } from "./signature";
export { parseTwiml, type TwimlElement } from "./twiml";
export { Messaging, type SimMessage } from "./messaging";
