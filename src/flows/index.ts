/** The flow engine's public interface. Pure (no I/O) except `io/`. */
export * from "./types";
export type { MediaStreamEffect, MediaStreamTrack } from "./media-stream-types";
export { startFlow, resumeFlow, enterFlow, entryState, statusOf, newFlowState, MAX_ACTIONS_WITHOUT_WAIT, DEFAULT_VOICE } from "./engine";
export { runTurn, awaitedEffect, type EffectPerformer, type FlowLoader, type TurnInput } from "./driver";
export { validateFlow, type Validation, type Problem } from "./validate";
export { importFlow, unwrapExport, canonicalFlowType, type ImportResult, type ReferenceResolver, type ReferenceKind, type Unresolved } from "./import";
export { renderVoice, twilioVoice, type VoiceUrls } from "./render/voice";
export { chatChoices, renderChat, type ChatMessage } from "./render/chat";
export { simulateFlow, formatPath, SIMULATOR_URLS, type Simulation, type SimulationOptions, type TranscriptLine } from "./simulate";
export { isOpen } from "./hours";
export { localTime } from "../lib/time-zone";
export { interpolate, resolveReference } from "./values";
export { ACTIONS, UNSUPPORTED_ACTIONS } from "./actions";
export { actionCatalogue } from "./catalogue";
export { inputToEncrypt, keyedValue } from "./actions/input";
export { METRIC_TYPES } from "./actions/control";
