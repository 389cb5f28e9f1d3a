/** Every supported action type, by name. Add a handler here to support a new action. */
import { CheckHoursOfOperation, CheckMetricData, Compare, DistributeByPercentage, EndFlowExecution, Loop, UpdateFlowLoggingBehavior, Wait } from "./control";
import { UpdateContactAttributes, UpdateContactData, UpdateContactRecordingBehavior, UpdateContactTargetQueue, UpdateContactTextToSpeechVoice } from "./contact";
import { AssociateContactToCustomerProfile, CreateCustomerProfile, GetCustomerProfile, UpdateCustomerProfile } from "./customer-profiles";
import { UpdateContactEventHooks } from "./event-hooks";
import { InvokeLambdaFunction } from "./external";
import { CreateCallbackContact, UpdateContactCallbackNumber } from "./callback";
import { CreateWisdomSession } from "./knowledge";
import { StartMediaStreaming, StopMediaStreaming, UpdateContactMediaStreamingBehavior } from "./media-streaming";
import { EndFlowModuleExecution, InvokeFlowModule } from "./modules";
import { GetMetricData, UpdateFlowAttributes } from "./flow-data";
import { GetParticipantInput } from "./input";
import { MessageParticipantIteratively } from "./iterative";
import { ConnectParticipantWithLexBot } from "./lex";
import { DisconnectParticipant, MessageParticipant } from "./participant";
import { UpdatePreviousContactParticipantState } from "./previous-participant";
import { TransferContactToAgent, TransferContactToQueue, TransferParticipantToThirdParty, TransferToFlow } from "./transfer";
import { UpdateContactRoutingBehavior } from "./routing";
import { DequeueContactAndTransferToQueue } from "./dequeue";
import { UpdateRoutingCriteria } from "./routing-criteria";
import { TagContact, UnTagContact } from "./tags";
import { CreateTask } from "./task";
import type { ActionHandler } from "./types";
import { ShowView } from "./views";
import { NOT_AVAILABLE } from "./unsupported";

export const ACTIONS: Record<string, ActionHandler> = Object.fromEntries(
  [
    MessageParticipant, MessageParticipantIteratively, GetParticipantInput, DisconnectParticipant,
    UpdateContactAttributes, UpdateContactTargetQueue, UpdateContactRecordingBehavior, UpdateContactTextToSpeechVoice, UpdateContactData, UpdateContactEventHooks,
    TransferContactToQueue, TransferContactToAgent, TransferParticipantToThirdParty, TransferToFlow, DequeueContactAndTransferToQueue, UpdatePreviousContactParticipantState,
    Compare, CheckHoursOfOperation, CheckMetricData, DistributeByPercentage, Loop, Wait, EndFlowExecution, UpdateFlowLoggingBehavior,
    InvokeLambdaFunction, InvokeFlowModule, EndFlowModuleExecution, UpdateFlowAttributes, GetMetricData, TagContact, UnTagContact, UpdateContactRoutingBehavior, UpdateRoutingCriteria,
    ConnectParticipantWithLexBot, ShowView, CreateCallbackContact, UpdateContactCallbackNumber, CreateTask,
    GetCustomerProfile, CreateCustomerProfile, UpdateCustomerProfile, AssociateContactToCustomerProfile,
    CreateWisdomSession, UpdateContactMediaStreamingBehavior, StartMediaStreaming, StopMediaStreaming,
  ].map((h) => [h.type, h]),
);

/** Amazon Connect action types we know of but do not run (they import with a warning: ./unsupported.ts). */
export const UNSUPPORTED_ACTIONS = Object.keys(NOT_AVAILABLE).filter((t) => !ACTIONS[t]);

export type { ActionHandler } from "./types";
