/**
 * Amazon Connect actions Switchboard does not run yet. A flow holding them still imports (each is
 * listed as a warning naming the action and what a contact will do there), and a contact that
 * reaches one takes the branch Amazon Connect takes when the feature fails: the action's error
 * branch, else its NextAction (for actions whose only outcome is to go on). The flow log says why.
 */
import type { FlowAction } from "../types";
import type { Outcome } from "./types";

type NotAvailable = {
  /** What the feature is, for the warning: "Amazon Lex bots". */
  feature: string;
  /** The error the action takes when it fails, in preference order (NoMatchingError is always tried last). */
  errors?: string[];
};

/** Action type → the feature it needs. Actions with a handler in ACTIONS are never looked up here. */
export const NOT_AVAILABLE: Record<string, NotAvailable> = {
  UpdateContactMediaProcessing: { feature: "media processing" },
  UpdateContactRecordingAndAnalyticsBehavior: { feature: "Contact Lens recording and analytics settings" },
  CreateCase: { feature: "Amazon Connect Cases" },
  GetCase: { feature: "Amazon Connect Cases" },
  UpdateCase: { feature: "Amazon Connect Cases" },
  ResumeContact: { feature: "paused contacts" },
  CompleteOutboundCall: { feature: "outbound campaigns" },
  StartOutboundChatContact: { feature: "outbound chat" },
  CheckVoiceId: { feature: "Voice ID" },
  SetVoiceId: { feature: "Voice ID" },
  GetCalculatedAttributesForCustomerProfile: { feature: "Customer Profiles calculated attributes" },
};

export const isNotAvailable = (type: string) => Object.hasOwn(NOT_AVAILABLE, type);

/** The branch a contact takes at an action it cannot run: an error branch, else NextAction, else the flow ends. */
function branchFor(action: FlowAction): { errorType: string } | { next: true } | { end: true } {
  const given = (action.Transitions?.Errors ?? []).map((e) => e.ErrorType);
  const wanted = [...(NOT_AVAILABLE[action.Type]?.errors ?? []), "NoMatchingError"];
  const errorType = wanted.find((t) => given.includes(t)) ?? given[0];
  if (errorType) return { errorType };
  return action.Transitions?.NextAction ? { next: true } : { end: true };
}

/** What the import warning says about an action Switchboard cannot run. */
export function notAvailableWarning(action: FlowAction): string {
  const feature = NOT_AVAILABLE[action.Type]?.feature ?? "this feature";
  const branch = branchFor(action);
  const then = "errorType" in branch ? `takes its ${branch.errorType} branch` : "next" in branch ? "goes straight on to its next action" : "ends the flow";
  return `${action.Type} needs ${feature}, which Switchboard does not offer yet: the flow imports, and a contact reaching this action ${then}`;
}

/** A contact reached an action Switchboard cannot run. */
export function notAvailableOutcome(action: FlowAction): Outcome {
  const feature = NOT_AVAILABLE[action.Type]?.feature;
  const reason = feature ? `${action.Type} needs ${feature}, which Switchboard does not offer` : `action type ${action.Type} is not supported`;
  const branch = branchFor(action);
  if ("errorType" in branch) return { kind: "error", errorType: branch.errorType, reason };
  if ("next" in branch) return { kind: "next", data: { skipped: reason } };
  return { kind: "end", status: "ended", reason };
}
