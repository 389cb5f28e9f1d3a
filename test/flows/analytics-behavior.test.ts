import { describe, expect, it } from "vitest";
import { startFlow, validateFlow, type FlowAction } from "../../src/flows";
import { bye, demoCtx, flowOf } from "./helpers";

const record = (participants: string[], analytics?: unknown): FlowAction => ({
  Identifier: "rec", Type: "UpdateContactRecordingBehavior",
  Parameters: { RecordingBehavior: { RecordedParticipants: participants }, ...(analytics === undefined ? {} : { AnalyticsBehavior: analytics }) },
  Transitions: { NextAction: "bye" },
});
const voice = { contactId: "c1", channel: "VOICE" as const };

describe("UpdateContactRecordingBehavior AnalyticsBehavior (real-time transcription)", () => {
  it("enabled analytics turns on the call's transcription in the analytics language; disabled or absent leaves it off", () => {
    const on = startFlow(flowOf(record(["Agent", "Customer"], { Enabled: "True", AnalyticsLanguage: "fr-FR", ChannelConfiguration: { Voice: { AnalyticsModes: ["RealTime"] } } }), bye), voice, demoCtx());
    expect(on.state.recording).toEqual({ participants: ["Agent", "Customer"], analytics: { language: "fr-FR" } });
    expect(on.effects).toContainEqual({ type: "set_recording", participants: ["Agent", "Customer"], analytics: { language: "fr-FR" } });
    const defaultLanguage = startFlow(flowOf(record(["Agent", "Customer"], { Enabled: "True" }), bye), voice, demoCtx());
    expect(defaultLanguage.state.recording.analytics).toEqual({ language: "en-US" });
    for (const off of [undefined, { Enabled: "False" }]) {
      expect(startFlow(flowOf(record(["Agent", "Customer"], off), bye), voice, demoCtx()).state.recording).toEqual({ participants: ["Agent", "Customer"] });
    }
  });

  it("AnalyticsRedactionBehavior Enabled asks for redaction, keeping the text as said only with RedactedAndOriginal (static or from an attribute)", () => {
    const run = (extra: Record<string, unknown>, attributes: Record<string, string> = {}) =>
      startFlow(flowOf(record(["Agent", "Customer"], { Enabled: "True", ...extra }), bye), { ...voice, attributes }, demoCtx());
    const redacted = run({ AnalyticsRedactionBehavior: "Enabled", AnalyticsRedactionResults: "RedactedOnly" });
    expect(redacted.state.recording.analytics).toEqual({ language: "en-US", redaction: { keepOriginal: false } });
    expect(redacted.effects).toContainEqual({ type: "set_recording", participants: ["Agent", "Customer"], analytics: { language: "en-US", redaction: { keepOriginal: false } } });
    expect(run({ AnalyticsRedactionBehavior: "Enabled" }).state.recording.analytics).toEqual({ language: "en-US", redaction: { keepOriginal: false } });
    expect(run({ AnalyticsRedactionBehavior: "Enabled", AnalyticsRedactionResults: "$.Attributes.results" }, { results: "RedactedAndOriginal" }).state.recording.analytics)
      .toEqual({ language: "en-US", redaction: { keepOriginal: true } });
    expect(run({ AnalyticsRedactionBehavior: "Disabled", AnalyticsRedactionResults: "RedactedAndOriginal" }).state.recording.analytics).toEqual({ language: "en-US" });
  });

  it("is checked at import: both participants recorded, a language code, a known redaction behaviour, known voice modes", () => {
    const problems = (participants: string[], analytics: unknown) => validateFlow(flowOf(record(participants, analytics), bye)).errors.map((e) => `${e.field}: ${e.message}`);
    expect(problems(["Agent", "Customer"], { Enabled: "True", AnalyticsLanguage: "en-US", AnalyticsRedactionBehavior: "Disabled" })).toEqual([]);
    expect(problems(["Customer"], { Enabled: "True" })).toEqual(["Parameters.AnalyticsBehavior: can only be enabled when both Agent and Customer are recorded"]);
    expect(problems(["Agent", "Customer"], { Enabled: "yes" })).toEqual(['Parameters.AnalyticsBehavior.Enabled: must be "True" or "False"']);
    expect(problems(["Agent", "Customer"], { Enabled: "True", AnalyticsLanguage: "english" })).toEqual(["Parameters.AnalyticsBehavior.AnalyticsLanguage: must be a language code such as en-US"]);
    expect(problems(["Agent", "Customer"], { Enabled: "True", AnalyticsRedactionBehavior: "Enabled", AnalyticsRedactionResults: "RedactedAndOriginal" })).toEqual([]);
    expect(problems(["Agent", "Customer"], { Enabled: "True", AnalyticsRedactionBehavior: "Always" })).toEqual([
      'Parameters.AnalyticsBehavior.AnalyticsRedactionBehavior: must be "Enabled" or "Disabled", not "Always"',
    ]);
    expect(problems(["Agent", "Customer"], { Enabled: "True", AnalyticsRedactionBehavior: "Enabled", AnalyticsRedactionResults: "Both" })).toEqual([
      'Parameters.AnalyticsBehavior.AnalyticsRedactionResults: must be "RedactedOnly" or "RedactedAndOriginal", not "Both"',
    ]);
    expect(problems(["Agent", "Customer"], { Enabled: "True", ChannelConfiguration: { Voice: { AnalyticsModes: ["Sentiment"] } } })).toEqual([
      "Parameters.AnalyticsBehavior.ChannelConfiguration.Voice.AnalyticsModes: must be a list chosen from RealTime and PostContact",
    ]);
  });
});
