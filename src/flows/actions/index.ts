/** Every supported action type, by name. Add a handler here to support a new action. */
import { CheckHoursOfOperation, CheckMetricData, Compare, DistributeByPercentage, EndFlowExecution, Loop, UpdateFlowLoggingBehavior, Wait } from "./control";
import { UpdateContactAttributes, UpdateContactData, UpdateContactRecordingBehavior, UpdateContactTargetQueue, UpdateContactTextToSpeechVoice } from "./contact";
import { UpdateContactEventHooks } from "./event-hooks";
import { InvokeLambdaFunction } from "./external";
import { GetParticipantInput } from "./input";
import { ConnectParticipantWithLexBot } from "./lex";
import { DisconnectParticipant, MessageParticipant } from "./participant";
import { TransferContactToAgent, TransferContactToQueue, TransferParticipantToThirdParty, TransferToFlow } from "./transfer";
import type { ActionHandler } from "./types";

export const ACTIONS: Record<string, ActionHandler> = Object.fromEntries(
  [
    MessageParticipant, GetParticipantInput, DisconnectParticipant,
    UpdateContactAttributes, UpdateContactTargetQueue, UpdateContactRecordingBehavior, UpdateContactTextToSpeechVoice, UpdateContactData, UpdateContactEventHooks,
    TransferContactToQueue, TransferContactToAgent, TransferParticipantToThirdParty, TransferToFlow,
    Compare, CheckHoursOfOperation, CheckMetricData, DistributeByPercentage, Loop, Wait, EndFlowExecution, UpdateFlowLoggingBehavior,
    InvokeLambdaFunction, ConnectParticipantWithLexBot,
  ].map((h) => [h.type, h]),
);

/** Amazon Connect action types we know of but do not run (reported by name at import). */
export const UNSUPPORTED_ACTIONS = [
  "CreateTask", "CreateCallbackContact", "InvokeFlowModule", "EndFlowModuleExecution",
  "UpdateContactRecordingAndAnalyticsBehavior", "UpdateContactRoutingBehavior", "UpdateContactCallbackNumber",
  "UpdateContactMediaStreamingBehavior", "UpdateContactMediaProcessing", "UpdatePreviousContactParticipantState", "DequeueContactAndTransferToQueue",
  "MessageParticipantIteratively", "GetMetricData", "UpdateFlowAttributes", "TagContact", "UnTagContact", "CreateCase", "GetCase", "UpdateCase",
  "CreateWisdomSession", "ShowView", "ResumeContact", "CompleteOutboundCall", "StartOutboundChatContact", "UpdateRoutingCriteria",
  "UpdateCustomerProfile", "AssociateContactToCustomerProfile", "GetCustomerProfile", "CreateCustomerProfile",
];

export type { ActionHandler } from "./types";
