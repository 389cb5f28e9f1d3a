/**
 * Contact actions that change the contact: attributes, working queue, recording, voice,
 * contact data.
 */
import { isObject, isReference } from "../values";
import { checkQueueOrAgent, fail, idFromArn, next, WHISPERS, type ActionHandler } from "./types";
import type { ContactAnalytics } from "../types";

const MAX_ATTRIBUTE_KEY = 127;
const MAX_ATTRIBUTES_BYTES = 32 * 1024;

export const UpdateContactAttributes: ActionHandler = {
  type: "UpdateContactAttributes",
  errors: ["NoMatchingError"],
  check(params, report) {
    if (!isObject(params.Attributes) || Object.keys(params.Attributes).length === 0) {
      report("Attributes", "must be an object with at least one attribute");
      return;
    }
    for (const [k, v] of Object.entries(params.Attributes)) {
      if (k.trim() === "" || k.length > MAX_ATTRIBUTE_KEY) report(`Attributes.${k}`, `a key must have 1 to ${MAX_ATTRIBUTE_KEY} characters`);
      if (typeof v !== "string") report(`Attributes.${k}`, "the value must be a string");
    }
  },
  run(r) {
    const attrs = (isObject(r.params.Attributes) ? r.params.Attributes : {}) as Record<string, unknown>;
    // All or none: work out every value before changing anything.
    const updates: Record<string, string> = {};
    for (const [k, v] of Object.entries(attrs)) {
      const key = r.value(k);
      if (!key || key.length > MAX_ATTRIBUTE_KEY) return fail("NoMatchingError", `attribute key "${key}" is empty or too long`);
      updates[key] = r.value(v);
    }
    const merged = { ...r.state.attributes, ...updates };
    if (new TextEncoder().encode(JSON.stringify(merged)).length > MAX_ATTRIBUTES_BYTES) {
      return fail("NoMatchingError", "contact attributes would exceed 32 KB");
    }
    r.state.attributes = merged;
    r.emit({ type: "set_attributes", attributes: updates });
    return next({ attributes: updates });
  },
};

export const UpdateContactTargetQueue: ActionHandler = {
  type: "UpdateContactTargetQueue",
  errors: ["NoMatchingError"],
  notIn: [...WHISPERS, "CUSTOMER_QUEUE"],
  check(params, report) {
    checkQueueOrAgent(params, report);
  },
  run(r) {
    if (r.params.AgentId !== undefined) {
      const agentId = idFromArn(r.value(r.params.AgentId));
      if (!agentId) return fail("NoMatchingError", "the agent reference is empty");
      r.state.targetAgentId = agentId;
      r.state.targetQueueId = null;
      return next({ agentId });
    }
    const queueId = idFromArn(r.value(r.params.QueueId));
    if (!queueId) return fail("NoMatchingError", "the queue reference is empty");
    const known = r.ctx.queues;
    if (known && !known[queueId]) return fail("NoMatchingError", `queue "${queueId}" does not exist`);
    r.state.targetQueueId = queueId;
    r.state.targetAgentId = null;
    return next({ queueId, queueName: known?.[queueId]?.name });
  },
};

const PARTICIPANTS = ["Agent", "Customer"] as const;
const ANALYTICS_MODES = ["RealTime", "PostContact"];
const REDACTION_RESULTS = ["RedactedOnly", "RedactedAndOriginal"];
const LANGUAGE = /^[a-z]{2,3}-[A-Z]{2}$/;

/**
 * `AnalyticsBehavior` (Contact Lens in Amazon Connect): for us, Twilio's real-time transcription
 * of the connected call, stored encrypted as the contact's transcript. Voice modes RealTime and
 * PostContact both give that transcript. `AnalyticsRedactionBehavior` Enabled masks personal data
 * in it even where the instance's redaction policy is off; Disabled leaves the instance's policy
 * in force (a flow cannot turn the instance's redaction off). `AnalyticsRedactionResults`
 * RedactedOnly keeps no copy as said; RedactedAndOriginal keeps one only where the instance keeps
 * unredacted copies.
 */
function checkAnalytics(a: unknown, participants: unknown[], report: (field: string, message: string) => void) {
  if (a === undefined) return;
  if (!isObject(a)) return report("AnalyticsBehavior", "must be an object");
  if (a.Enabled !== "True" && a.Enabled !== "False") report("AnalyticsBehavior.Enabled", 'must be "True" or "False"');
  if (a.Enabled !== "True") return;
  if (!participants.includes("Agent") || !participants.includes("Customer")) {
    report("AnalyticsBehavior", "can only be enabled when both Agent and Customer are recorded");
  }
  if (a.AnalyticsLanguage !== undefined && (typeof a.AnalyticsLanguage !== "string" || !LANGUAGE.test(a.AnalyticsLanguage))) {
    report("AnalyticsBehavior.AnalyticsLanguage", "must be a language code such as en-US");
  }
  const redaction = a.AnalyticsRedactionBehavior;
  if (redaction !== undefined && redaction !== "Enabled" && redaction !== "Disabled") {
    report("AnalyticsBehavior.AnalyticsRedactionBehavior", isReference(redaction) ? "must be set statically: Enabled or Disabled" : `must be "Enabled" or "Disabled", not ${JSON.stringify(redaction)}`);
  }
  const results = a.AnalyticsRedactionResults;
  if (redaction === "Enabled" && results !== undefined && !isReference(results) && !REDACTION_RESULTS.includes(results as string)) {
    report("AnalyticsBehavior.AnalyticsRedactionResults", `must be "RedactedOnly" or "RedactedAndOriginal", not ${JSON.stringify(results)}`);
  }
  const modes = isObject(a.ChannelConfiguration) && isObject(a.ChannelConfiguration.Voice) ? a.ChannelConfiguration.Voice.AnalyticsModes : undefined;
  if (modes !== undefined && (!Array.isArray(modes) || modes.some((m) => !ANALYTICS_MODES.includes(m as string)))) {
    report("AnalyticsBehavior.ChannelConfiguration.Voice.AnalyticsModes", "must be a list chosen from RealTime and PostContact");
  }
}

const RECORDING_BEHAVIOR_KEYS = ["RecordedParticipants", "IVRRecordingBehavior", "ScreenRecordedParticipants"];

/**
 * Amazon Connect's "Set recording and analytics behavior" block. `RecordedParticipants` (Agent,
 * Customer, both or none): what is recorded while an agent is on the call. `IVRRecordingBehavior`
 * Enabled: the call is recorded from this block on, through the IVR and the queue, until an agent
 * joins (then the agent's recording goes on from there). Both must be set statically, as in
 * Connect. The block sets the whole behaviour: one without IVRRecordingBehavior turns it off.
 */
export const UpdateContactRecordingBehavior: ActionHandler = {
  type: "UpdateContactRecordingBehavior",
  errors: [],
  notIn: ["CUSTOMER_WHISPER", "AGENT_WHISPER", "CUSTOMER_HOLD", "AGENT_HOLD"],
  check(params, report) {
    const b = params.RecordingBehavior;
    if (!isObject(b) || !Array.isArray(b.RecordedParticipants)) {
      report("RecordingBehavior.RecordedParticipants", "must be a list chosen from Agent and Customer (empty = no recording)");
      return;
    }
    for (const p of b.RecordedParticipants) {
      if (isReference(p)) report("RecordingBehavior.RecordedParticipants", `must be set statically (Agent or Customer), not "${String(p)}"`);
      else if (!(PARTICIPANTS as readonly unknown[]).includes(p)) report("RecordingBehavior.RecordedParticipants", `"${String(p)}" is not Agent or Customer`);
    }
    if (new Set(b.RecordedParticipants).size !== b.RecordedParticipants.length) report("RecordingBehavior.RecordedParticipants", "lists a participant twice");
    const ivr = b.IVRRecordingBehavior;
    if (ivr !== undefined && ivr !== "Enabled" && ivr !== "Disabled") {
      report("RecordingBehavior.IVRRecordingBehavior", isReference(ivr) ? "must be set statically: Enabled or Disabled" : `must be "Enabled" or "Disabled", not ${JSON.stringify(ivr)}`);
    }
    const screen = b.ScreenRecordedParticipants;
    if (screen !== undefined && (!Array.isArray(screen) || screen.length > 0)) report("RecordingBehavior.ScreenRecordedParticipants", "screen recording is not offered: the flow imports and only the call is recorded", "warning");
    for (const k of Object.keys(b)) if (!RECORDING_BEHAVIOR_KEYS.includes(k)) report(`RecordingBehavior.${k}`, "is not a parameter of UpdateContactRecordingBehavior: ignored", "warning");
    checkAnalytics(params.AnalyticsBehavior, b.RecordedParticipants, report);
  },
  run(r) {
    const b = r.params.RecordingBehavior as { RecordedParticipants?: unknown[]; IVRRecordingBehavior?: unknown } | undefined;
    const participants = [...new Set((b?.RecordedParticipants ?? []).filter((p): p is "Agent" | "Customer" => (PARTICIPANTS as readonly unknown[]).includes(p)))];
    const ivr = b?.IVRRecordingBehavior === "Enabled";
    const wasIvr = r.state.recording.ivr === true;
    const a = isObject(r.params.AnalyticsBehavior) ? r.params.AnalyticsBehavior : undefined;
    const analytics: ContactAnalytics | undefined = a?.Enabled === "True" && participants.length === 2
      ? {
          language: typeof a.AnalyticsLanguage === "string" ? a.AnalyticsLanguage : "en-US",
          ...(a.AnalyticsRedactionBehavior === "Enabled" ? { redaction: { keepOriginal: r.value(a.AnalyticsRedactionResults ?? "RedactedOnly") === "RedactedAndOriginal" } } : {}),
        }
      : undefined;
    r.state.recording = { participants, ...(ivr ? { ivr } : {}), ...(analytics ? { analytics } : {}) };
    // The IVR recording's switch is only said when it is on or turned off (the session acts on it).
    r.emit({ type: "set_recording", participants, ...(ivr || wasIvr ? { ivr } : {}), ...(analytics ? { analytics } : {}) });
    return next({ participants, ...(ivr ? { ivrRecording: "Enabled" } : {}), ...(analytics ? { analytics: analytics.language } : {}), ...(analytics?.redaction ? { redaction: analytics.redaction.keepOriginal ? "RedactedAndOriginal" : "RedactedOnly" } : {}) });
  },
};

/** Amazon Polly voices a flow is likely to name, with their language. */
export const POLLY_VOICES: Record<string, string> = {
  Joanna: "en-US", Matthew: "en-US", Ivy: "en-US", Justin: "en-US", Kendra: "en-US", Kimberly: "en-US", Salli: "en-US", Joey: "en-US",
  Kevin: "en-US", Ruth: "en-US", Stephen: "en-US", Danielle: "en-US", Gregory: "en-US",
  Amy: "en-GB", Brian: "en-GB", Emma: "en-GB", Arthur: "en-GB", Olivia: "en-AU", Nicole: "en-AU", Russell: "en-AU",
  Aditi: "en-IN", Raveena: "en-IN", Kajal: "en-IN", Geraint: "en-GB-WLS", Aria: "en-NZ", Ayanda: "en-ZA",
  Lupe: "es-US", Penelope: "es-US", Miguel: "es-US", Pedro: "es-US", Conchita: "es-ES", Lucia: "es-ES", Enrique: "es-ES", Sergio: "es-ES", Mia: "es-MX", Andres: "es-MX",
  Celine: "fr-FR", Lea: "fr-FR", Mathieu: "fr-FR", Remi: "fr-FR", Chantal: "fr-CA", Gabrielle: "fr-CA", Liam: "fr-CA",
  Hans: "de-DE", Marlene: "de-DE", Vicki: "de-DE", Daniel: "de-DE", Carla: "it-IT", Bianca: "it-IT", Giorgio: "it-IT", Adriano: "it-IT",
  Camila: "pt-BR", Vitoria: "pt-BR", Ricardo: "pt-BR", Thiago: "pt-BR", Ines: "pt-PT", Cristiano: "pt-PT",
  Mizuki: "ja-JP", Takumi: "ja-JP", Kazuha: "ja-JP", Seoyeon: "ko-KR", Zhiyu: "cmn-CN", Lotte: "nl-NL", Ruben: "nl-NL", Laura: "nl-NL",
};

export const UpdateContactTextToSpeechVoice: ActionHandler = {
  type: "UpdateContactTextToSpeechVoice",
  // The designer's "Set voice" block has an Error branch; we take it for a reference naming no voice we know.
  errors: ["NoMatchingError"],
  check(params, report) {
    if (typeof params.TextToSpeechVoice !== "string" || !params.TextToSpeechVoice.trim()) report("TextToSpeechVoice", "must name an Amazon Polly voice");
    else if (!isReference(params.TextToSpeechVoice) && !POLLY_VOICES[params.TextToSpeechVoice]) report("TextToSpeechVoice", `unknown voice "${params.TextToSpeechVoice}"`);
    if (params.TextToSpeechEngine !== undefined && !["standard", "neural", "generative", "long-form"].includes(String(params.TextToSpeechEngine).toLowerCase())) {
      report("TextToSpeechEngine", "must be standard, neural, generative or long-form");
    }
    if (params.TextToSpeechStyle !== undefined && !["None", ""].includes(String(params.TextToSpeechStyle))) {
      report("TextToSpeechStyle", `the ${String(params.TextToSpeechStyle)} speaking style is not available: the voice speaks in its normal style`, "warning");
    }
  },
  run(r) {
    const name = r.value(r.params.TextToSpeechVoice);
    if (isReference(r.params.TextToSpeechVoice) && !POLLY_VOICES[name]) return fail("NoMatchingError", `"${name}" is not a voice Switchboard knows`);
    const engine = r.params.TextToSpeechEngine ? String(r.params.TextToSpeechEngine).toLowerCase() : undefined;
    const language = typeof r.params.LanguageCode === "string" ? r.value(r.params.LanguageCode) : (POLLY_VOICES[name] ?? r.state.voice.language);
    r.state.voice = { name, language, ...(engine ? { engine } : {}) };
    return next({ voice: name, engine, language });
  },
};

export const UpdateContactData: ActionHandler = {
  type: "UpdateContactData",
  errors: ["NoMatchingError"],
  check(params, report) {
    const kept = ["Name", "Description", "LanguageCode", "WisdomSessionArn"];
    // Amazon Connect's other contact data (references, customer id, routing criteria…): not kept here.
    for (const k of Object.keys(params)) {
      if (!kept.includes(k) && k !== "TargetContact") report(k, `${k} is not kept by Switchboard: the action goes on without it`, "warning");
    }
    if (!kept.some((k) => params[k] !== undefined)) report(undefined, "sets nothing Switchboard keeps (Name, Description, LanguageCode or WisdomSessionArn): the action just goes on", "warning");
    for (const k of kept) if (params[k] !== undefined && typeof params[k] !== "string") report(k, "must be a string");
    if (typeof params.Name === "string" && params.Name.length > 512) report("Name", "must be at most 512 characters");
    if (typeof params.Description === "string" && params.Description.length > 4096) report("Description", "must be at most 4096 characters");
  },
  run(r) {
    const update: { name?: string; description?: string; languageCode?: string } = {};
    if (r.params.Name !== undefined) update.name = r.value(r.params.Name).slice(0, 512);
    if (r.params.Description !== undefined) update.description = r.value(r.params.Description).slice(0, 4096);
    if (r.params.LanguageCode !== undefined) {
      const code = r.value(r.params.LanguageCode);
      if (!/^[a-z]{2,3}-[A-Z]{2}$/.test(code)) return fail("NoMatchingError", `"${code}" is not a language code such as en-US`);
      update.languageCode = code;
      r.state.voice = { ...r.state.voice, language: code };
    }
    if (r.params.WisdomSessionArn !== undefined) {
      // The contact's knowledge session (an ARN a Lambda or CreateWisdomSession made): suggestions follow it.
      const arn = r.value(r.params.WisdomSessionArn).trim().slice(0, 2048);
      if (arn) r.state.knowledge = { sessionArn: arn };
      if (Object.keys(update).length === 0) return next(arn ? { wisdomSessionArn: arn } : { ignored: ["WisdomSessionArn"] });
    }
    if (Object.keys(update).length === 0) return next({ ignored: Object.keys(r.params) });
    r.state.contactData = { ...r.state.contactData, ...update };
    r.emit({ type: "update_contact", ...update });
    return next(update);
  },
};
