/** Chat renderer: a flow result → the messages the customer reads, and what happens next. */
import { ssmlToText } from "../actions/participant";
import type { FlowContent, FlowResult, FlowState } from "../types";

export type ChatMessage =
  | { type: "text"; text: string }
  /** Waiting for the customer to type (GetParticipantInput) or to come back (Wait). */
  | { type: "wait"; timeoutSeconds: number; reason: "input" | "wait" }
  | { type: "queued"; queueId: string | null; text: string }
  | { type: "transfer"; text: string }
  | { type: "ended"; text: string };

export function renderChat(result: Pick<FlowResult, "effects" | "status" | "state">): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const e of result.effects) {
    switch (e.type) {
      case "message":
      case "gather": {
        const p = e.prompt;
        const text = p ? (p.text ?? (p.ssml !== undefined ? ssmlToText(p.ssml) : "")) : "";
        if (text) out.push({ type: "text", text });
        if (e.type === "gather") out.push({ type: "wait", timeoutSeconds: e.timeoutSeconds, reason: "input" });
        break;
      }
      case "wait":
        out.push({ type: "wait", timeoutSeconds: e.timeoutSeconds, reason: "wait" });
        break;
      case "enqueue":
        out.push({ type: "queued", queueId: e.queueId, text: `Waiting for an agent${e.queueName ? ` (${e.queueName})` : ""}.` });
        break;
      case "transfer_to_agent":
        out.push({ type: "transfer", text: "Connecting you to an agent." });
        break;
      case "disconnect":
        out.push({ type: "ended", text: "The chat has ended." });
        break;
      default:
        break;
    }
  }
  if (result.status === "ended" && result.state.flowType === "CONTACT_FLOW" && out[out.length - 1]?.type !== "ended") {
    out.push({ type: "ended", text: "The chat has ended." });
  }
  return out;
}

/**
 * The answers a chat customer can pick as buttons now: while the flow waits in a
 * GetParticipantInput whose branches are all `Equals` conditions (a menu, a 1–5 survey), their
 * operands in order; otherwise none (free text). The customer may still type instead.
 */
export function chatChoices(flow: FlowContent, state: FlowState): string[] {
  if (state.pending?.kind !== "input" || state.modules?.length) return [];
  const actionId = state.pending.actionId;
  const action = flow.Actions.find((a) => a.Identifier === actionId);
  const conditions = action?.Type === "GetParticipantInput" ? (action.Transitions?.Conditions ?? []) : [];
  if (!conditions.length || conditions.some((c) => c.Condition?.Operator !== "Equals")) return [];
  return [...new Set(conditions.flatMap((c) => c.Condition.Operands).filter((o): o is string => typeof o === "string" && o.trim() !== ""))].slice(0, 10);
}
