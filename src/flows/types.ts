/**
 * Types of the flow engine: the Amazon Connect flow language (what is imported and stored),
 * the contact's flow state (what the ContactSession keeps between webhooks), the events that
 * resume a flow, and the effects a channel carries out. Everything here is plain JSON.
 */
import type { DialogSession } from "../bots/dialog";
import type { View, ViewName } from "../shared/views";
import type { RoutingCriteria } from "../shared/routing-criteria";
import type { BotSentiment, LexState } from "./lex-types";
import type { CustomerProfileRequest, CustomerProfileView } from "./profile-types";
import type { ContactAnalytics } from "./analytics-types";
import type { MediaStreamEffect, MediaStreamTrack } from "./media-stream-types";

// ── The Amazon Connect flow language ─────────────────────────────────────────

export const FLOW_LANGUAGE_VERSION = "2019-10-30";
export const MAX_ACTIONS = 250;
export const MAX_IDENTIFIER_LENGTH = 50;

export type FlowType =
  | "CONTACT_FLOW"
  | "CUSTOMER_QUEUE"
  | "CUSTOMER_HOLD"
  | "CUSTOMER_WHISPER"
  | "AGENT_WHISPER"
  | "OUTBOUND_WHISPER"
  | "AGENT_TRANSFER"
  | "QUEUE_TRANSFER"
  | "AGENT_HOLD"
  /** A flow module: run from another flow by InvokeFlowModule (./modules.ts). */
  | "MODULE";

/** Every flow type, as Amazon Connect's API names them. */
export const FLOW_TYPES: readonly FlowType[] = [
  "CONTACT_FLOW", "CUSTOMER_QUEUE", "CUSTOMER_HOLD", "CUSTOMER_WHISPER", "AGENT_WHISPER", "OUTBOUND_WHISPER",
  "AGENT_TRANSFER", "QUEUE_TRANSFER", "AGENT_HOLD", "MODULE",
];

export const CONDITION_OPERATORS = [
  "Equals",
  "TextStartsWith",
  "TextEndsWith",
  "TextContains",
  "NumberGreaterThan",
  "NumberGreaterOrEqualTo",
  "NumberLessThan",
  "NumberLessOrEqualTo",
] as const;
export type ConditionOperator = (typeof CONDITION_OPERATORS)[number];

export type FlowCondition = { Operator: string; Operands: string[] };
export type FlowConditionTransition = { NextAction: string; Condition: FlowCondition };
export type FlowErrorTransition = { NextAction: string; ErrorType: string };

export type FlowTransitions = {
  NextAction?: string;
  Conditions?: FlowConditionTransition[];
  Errors?: FlowErrorTransition[];
};

export type FlowAction = {
  Identifier: string;
  Type: string;
  Parameters?: Record<string, unknown>;
  Transitions?: FlowTransitions;
};

/** A flow's content, as Amazon Connect exports it (`Content` of a contact flow). */
export type FlowContent = {
  Version: string;
  StartAction: string;
  Metadata?: Record<string, unknown>;
  Actions: FlowAction[];
  /** A module's declared inputs, outputs and branches (Amazon Connect's module export). */
  Settings?: Record<string, unknown>;
};

// ── Definitions the engine reads but does not own (passed in by the caller) ──

export type WeeklyRange = { day: string; start: string; end: string };
export type HoursOverride = { date: string; name: string; ranges: { start: string; end: string }[] };
export type HoursOfOperation = { id: string; name?: string; timezone: string; weekly: WeeklyRange[]; overrides: HoursOverride[] };
export type QueueInfo = {
  id: string;
  name: string;
  hoursOfOperationId?: string | null;
  outboundCallerId?: string | null;
  /** The queue's default whisper flows (a contact's UpdateContactEventHooks wins) and its outbound whisper flow. */
  agentWhisperFlowId?: string | null;
  customerWhisperFlowId?: string | null;
  outboundWhisperFlowId?: string | null;
  /** The CUSTOMER_QUEUE flow a contact waiting in this queue runs. */
  customerQueueFlowId?: string | null;
  /** The CUSTOMER_HOLD flow a caller from this queue hears on hold (a contact's CustomerHold hook wins). */
  customerHoldFlowId?: string | null;
  /** The flow a customer from this queue goes on to when the agent ends first (a survey; a contact's CustomerRemaining hook wins). */
  surveyFlowId?: string | null;
  /** The AGENT_HOLD flow the agent hears while holding a caller from this queue (a contact's AgentHold hook wins). */
  agentHoldFlowId?: string | null;
  offerCallback?: import("../shared/callback-offer").CallbackOffer | null; // its own callback offer (no CUSTOMER_QUEUE flow): src/durable/voice/queue-callback-offer.ts
};

/** What a flow run may look at besides the contact itself. Pure data. */
export type FlowContext = {
  /** Epoch milliseconds: the time of this step (hours checks, log timestamps). */
  now: number;
  /** Instance time zone: used for hours that name none. */
  timezone?: string;
  /** Hours of operation by id (a queue's and named ones). */
  hours?: Record<string, HoursOfOperation>;
  /** Queues by id (names for `$.Queue.Name`, hours for CheckHoursOfOperation). */
  queues?: Record<string, QueueInfo>;
  /** Flows by id for TransferToFlow; absent = the caller loads it (status "transfer_flow"). */
  flows?: Record<string, { type?: FlowType; content: FlowContent }>;
  /** A number in [0, 1) for DistributeByPercentage; Math.random() when absent. */
  random?: number;
  /**
   * Flow modules by id (and by name) for InvokeFlowModule; a module not here is loaded by the
   * caller (effect "load_module", answered with "module_loaded").
   */
  modules?: Record<string, { id?: string; name?: string; version?: number; content: FlowContent }>;
  /** Maps an InvokeLambdaFunction `LambdaFunctionARN` (ARN or name) to the business's HTTPS endpoint. */
  externalEndpoints?: Record<string, string>;
  /** Where TransferParticipantToThirdParty may dial (country codes, E.164 prefixes: src/lib/destinations.ts);
   * a contact's session always sets them; absent (the flow tools' dry runs) = not checked. */
  outboundDestinations?: readonly string[];
  /** The flow runs for the agent's workspace (DefaultAgentUI: src/durable/agent-guide.ts): ShowView can show
   * the agent a view. Elsewhere (the customer's own flow) ShowView takes its error branch. */
  agentWorkspace?: boolean;
  /** The instance's wss:// URL for StartMediaStreaming (./actions/media-streaming.ts); none: its error branch. */
  mediaStreamUrl?: string | null;
  /** The instance's custom views by id, for ShowView (set where `agentWorkspace` is). */
  views?: Record<string, { template: ViewName; content: Record<string, unknown> }>;
};

// ── The contact's flow state ─────────────────────────────────────────────────

export type Channel = "VOICE" | "CHAT" | "TASK";

export type QueueStatus = {
  id: string;
  name: string;
  /** 1 = next to be offered. */
  position?: number;
  estimatedWaitSeconds?: number;
  contactsInQueue?: number;
  oldestContactAgeSeconds?: number;
  enqueuedAt?: number;
};

/** GetParticipantInput's InputEncryption: the customer's key id and RSA public key (PEM: a public key or a certificate). */
export type InputEncryption = { keyId: string; key: string };

/** What the flow is waiting for, when it is waiting. */
export type Pending =
  | {
      kind: "input"; actionId: string; storeInput: boolean; maxDigits?: number; finishOnKey?: string; timeoutSeconds: number;
      /** InputEncryption: the key the keyed value is encrypted with before the flow keeps it. */
      encryption?: InputEncryption;
    }
  | { kind: "wait"; actionId: string; events: string[]; timeoutSeconds: number }
  | { kind: "external"; actionId: string }
  | { kind: "metric"; actionId: string; metric: MetricType }
  | { kind: "enqueue"; actionId: string; queueId: string }
  /** DequeueContactAndTransferToQueue: the waiting contact is being moved to `queueId` (effect `dequeue_transfer`). */
  | { kind: "dequeue"; actionId: string; queueId: string }
  | { kind: "third_party"; actionId: string; continueFlow: boolean }
  /** `loop`: MessageParticipantIteratively's place in its messages and when its loop began (for InterruptFrequencySeconds). */
  | { kind: "playback"; actionId: string; loop?: { index: number; startedAt: number } }
  | { kind: "module"; actionId: string; moduleId: string }
  /** CreateCallbackContact: the callback contact is being made (effect `create_callback`). */
  | { kind: "callback"; actionId: string }
  /** ConnectParticipantWithLexBot: the bot is answering the customer's last words (effect `bot_turn`). */
  | { kind: "bot"; actionId: string }
  | { kind: "view"; actionId: string; viewId: string; view: View; timeoutSeconds: number }
  /** CreateTask: the task is being created (effect `create_task`). */
  | { kind: "task"; actionId: string }
  /** Get/Create/UpdateCustomerProfile, AssociateContactToCustomerProfile: waiting for the profile (effect `customer_profile`). */
  | { kind: "profile"; actionId: string };

export type { ContactAnalytics } from "./analytics-types";

export type FlowState = {
  contactId: string;
  channel: Channel;
  flowId?: string;
  flowVersion?: number;
  flowType: FlowType;
  /** The action to run next, or the one waiting (see `pending`). Null once the flow ended. */
  currentActionId: string | null;
  pending: Pending | null;
  /** `$.Attributes`: set only by flows (and the Worker for trusted data such as a call's), never by a customer's request. */
  attributes: Record<string, string>;
  /**
   * `$.Visitor`: what the website visitor sent when starting a chat (untrusted; anyone can send
   * anything). A flow reads it explicitly and copies what it trusts into `$.Attributes`.
   */
  visitorAttributes?: Record<string, string>;
  /** `$.External`: the last external call's result (flat string map). */
  external: Record<string, string>;
  storedCustomerInput: string | null;
  /** Loop action identifier → times ContinueLooping was returned. */
  loopCounters: Record<string, number>;
  targetQueueId: string | null;
  targetAgentId: string | null;
  queue: QueueStatus | null;
  voice: { name: string; engine?: string; language: string };
  /**
   * What is recorded once an agent is connected; `ivr`: the call is recorded from here until the
   * agent joins too (IVRRecordingBehavior Enabled); `analytics`: the call is transcribed in real
   * time (Twilio), in this language, and `redaction` (AnalyticsRedactionBehavior Enabled) masks
   * personal data in it even where the instance's policy does not.
   */
  recording: { participants: ("Agent" | "Customer")[]; ivr?: boolean; analytics?: ContactAnalytics };
  loggingEnabled: boolean;
  contactData: { name?: string; description?: string; languageCode?: string };
  customerEndpoint: string | null;
  systemEndpoint: string | null;
  warmTransfer?: boolean; // a transfer flow on a warm transfer: the agent is still on the call, nobody keys input (src/durable/voice/consult-flow.ts)
  /** Actions run since the flow last waited for the customer or an effect. */
  actionsSinceWait: number;
  /** Set once the flow ended: why. */
  endReason: string | null;
  /** Flows to run on contact events (UpdateContactEventHooks): the whisper flows', the queue flow's ids. */
  eventHooks?: Partial<Record<EventHookName, string>>;
  /** `$.FlowAttributes`: set by UpdateFlowAttributes, kept only while this flow runs (not carried to the next flow). */
  flowAttributes?: Record<string, string>;
  /** The contact's priority in the queue it is placed in next (UpdateContactRoutingBehavior; 1 first, default 5). */
  queuePriority?: number;
  /** Seconds added to the contact's routing age in the queue it is placed in next (UpdateContactRoutingBehavior QueueTimeAdjustmentSeconds; older is routed first). */
  queueTimeAdjustmentSeconds?: number;
  /** The routing criteria (UpdateRoutingCriteria) the queue it is placed in next applies: its steps start then. */
  routingCriteria?: RoutingCriteria;
  /** User-defined contact tags (TagContact / UnTagContact), stored on the contact record. */
  tags?: Record<string, string>;
  /** `$.Metrics`: the queue metrics GetMetricData loaded last. */
  metrics?: { queueId: string; values: Partial<Record<MetricType, number>> };
  /** The flow modules being run, innermost last (InvokeFlowModule pushes, EndFlowModuleExecution pops). */
  modules?: ModuleFrame[];
  /** `$.Modules.Result`: what the last module returned (its ResultData). */
  moduleResult?: Record<string, string>;
  /** `$.Views.Action` and `$.Views.ViewResultData`: what the agent chose in the last view shown (ShowView). */
  views?: { action: string; resultData: Record<string, string> };
  /** ConnectParticipantWithLexBot: the conversation with the bot, and `$.Lex` once it closed (src/flows/actions/lex.ts). */
  lex?: LexState;
  /** The number a callback made from this contact calls (UpdateContactCallbackNumber; default: the customer's number). */
  callbackNumber?: string;
  /** `$.Customer`: the customer profile a Get/Create/UpdateCustomerProfile loaded last (personal: dropped when the contact ends). */
  customer?: CustomerProfileView;
  /**
   * The contact's knowledge session (CreateWisdomSession, or UpdateContactData's WisdomSessionArn):
   * the agent's workspace suggests knowledge articles from what the customer says. `$.Wisdom.SessionArn`.
   */
  knowledge?: { sessionArn: string };
  /** The customer's audio is being streamed (StartMediaStreaming), on this Twilio track. */
  mediaStream?: { track: MediaStreamTrack };
};

export type { CustomerProfileFields, CustomerProfileRequest, CustomerProfileView } from "./profile-types";

export type { BotSentiment, LexState } from "./lex-types";

/** A flow module being run: its content (the version it started with), its inputs, and where its caller goes on. */
export type ModuleFrame = {
  moduleId: string;
  moduleVersion?: number;
  /** The module's FlowContent as JSON text (the state stays plain, typed data that Durable Object RPC can carry). */
  content: string;
  /** `$.Modules.Input`: the values InvokeFlowModule passed. */
  inputs: Record<string, string>;
  caller: { flowId?: string; flowVersion?: number; flowType: FlowType; actionId: string; loopCounters: Record<string, number> };
};

/** Contact events a flow can name a flow for (UpdateContactEventHooks). */
export type EventHookName = "AgentWhisper" | "CustomerWhisper" | "CustomerQueue" | "CustomerRemaining" | "CustomerHold" | "AgentHold" | "DefaultAgentUI";

export type StartInit = {
  contactId: string;
  channel: Channel;
  flowId?: string;
  flowVersion?: number;
  flowType?: FlowType;
  attributes?: Record<string, string>;
  /** `$.Visitor`: values the chat's visitor supplied (see FlowState). */
  visitorAttributes?: Record<string, string>;
  customerEndpoint?: string | null;
  systemEndpoint?: string | null;
  queue?: QueueStatus | null;
  targetQueueId?: string | null;
};

// ── Events that resume a flow ────────────────────────────────────────────────

export type FlowEvent =
  | {
      type: "input"; digits?: string; text?: string; speech?: string;
      /**
       * For an input the flow encrypts (GetParticipantInput's InputEncryption): the keyed value
       * (`keyedValue`) already encrypted with the flow's key by whoever ran the turn. The flow
       * checks the clear digits and keeps only this.
       */
      sealedInput?: string;
    }
  | { type: "input_timeout" }
  | { type: "external_result"; ok: true; json: unknown }
  | { type: "external_result"; ok: false; error: string }
  /** `values`: every metric, when the effect asked for all of them. */
  | { type: "queue_metrics"; value: number; values?: Partial<Record<MetricType, number>> }
  | { type: "enqueue_result"; ok: true; queue?: QueueStatus }
  /** `agentUnavailable`: a transfer flow's TransferContactToAgent found the agent with another contact or not Available. */
  | { type: "enqueue_result"; ok: false; reason: "atCapacity" | "error" | "agentUnavailable"; message?: string }
  | { type: "third_party_result"; outcome: "completed" | "failed" | "timeout" }
  /** The callback contact a "create_callback" effect asked for: made and waiting in its queue, or refused (why). */
  | { type: "callback_result"; ok: true; contactId: string }
  | { type: "callback_result"; ok: false; error: string }
  | { type: "wait_elapsed" }
  | { type: "customer_returned" }
  | { type: "playback_done"; queue?: QueueStatus }
  | { type: "agent_connected" }
  | { type: "customer_disconnected" }
  /** The flow module a "load_module" effect asked for: its published version, or null when there is none. */
  | { type: "module_loaded"; module: { id: string; version?: number; type?: FlowType; content: FlowContent } | null }
  | {
      type: "bot_result"; ok: true; ended: boolean; messages: string[]; session: DialogSession;
      intentName: string | null; intentState: string | null; slots: Record<string, string>; sessionAttributes: Record<string, string>;
      /** The customer's words' sentiment, when analytics is on for the contact (`$.Lex.SentimentResponse`). */
      sentiment?: BotSentiment;
    }
  | { type: "bot_result"; ok: false; error: string }
  /** The agent's answer to the view shown (ShowView): the action chosen and the form's values. */
  | { type: "view_result"; viewId: string; action: string; data: Record<string, string> }
  /** The view's InvocationTimeLimitSeconds ran out. */
  | { type: "view_timeout"; viewId: string }
  /** CreateTask's answer: the new task's contact id, or why it was not created. */
  | { type: "task_result"; ok: true; contactId: string }
  | { type: "task_result"; ok: false; error: string }
  /** The answer to a `customer_profile` effect: the profile, or why there is none (`none`: nothing matched; `multiple`: more than one did). */
  | { type: "profile_result"; ok: true; profile: CustomerProfileView }
  | { type: "profile_result"; ok: false; error: "none" | "multiple" | "failed"; message: string };

// ── Effects the channel carries out ──────────────────────────────────────────

export type MetricType =
  | "NumberOfAgentsAvailable"
  | "NumberOfAgentsStaffed"
  | "NumberOfAgentsOnline"
  | "OldestContactInQueueAgeSeconds"
  | "NumberOfContactsInQueue";

export type Prompt = { text?: string; ssml?: string; audioUrl?: string };
export type Voice = FlowState["voice"];

export type Effect =
  | { type: "message"; prompt: Prompt; voice: Voice }
  | {
      type: "gather";
      prompt: Prompt | null;
      voice: Voice;
      /** Voice: `dtmf` (digits) or `dtmf speech`; chat: text. */
      input: "dtmf" | "dtmf speech" | "text";
      numDigits?: number;
      finishOnKey?: string;
      timeoutSeconds: number;
    }
  | { type: "invoke_external"; url: string; payload: Record<string, unknown>; timeoutSeconds: number }
  /** `all`: read every MetricType of the queue (GetMetricData), answered in the event's `values`. */
  | { type: "fetch_queue_metric"; queueId: string; metric: MetricType; all?: boolean }
  /** Place the contact in a queue (or an agent's personal queue when `agentId` is set). */
  /** `direct`: TransferContactToAgent in a transfer flow, which puts the contact through to the agent only if they can take it now. */
  | { type: "enqueue"; queueId: string | null; agentId: string | null; queueName?: string; direct?: true }
  /** Move the waiting contact out of its queue into another (or an agent's queue), keeping its place in time; answered by an `enqueue_result`. */
  | { type: "dequeue_transfer"; queueId: string | null; agentId: string | null; queueName?: string }
  | { type: "transfer_to_agent"; agentId: string | null }
  | {
      type: "dial_third_party";
      phoneNumber: string;
      timeoutSeconds: number;
      continueFlow: boolean;
      callerId?: { number?: string; name?: string };
      dtmfDigits?: string;
    }
  | { type: "wait"; timeoutSeconds: number; events: string[] }
  /** `ivr`: given when the IVR recording is turned on, or off after it was on (the session starts or stops it). */
  | { type: "set_recording"; participants: ("Agent" | "Customer")[]; ivr?: boolean; analytics?: ContactAnalytics }
  | { type: "update_contact"; name?: string; description?: string; languageCode?: string }
  | { type: "set_attributes"; attributes: Record<string, string> }
  | { type: "set_event_hook"; hook: EventHookName; flowId: string }
  /** UpdateContactRoutingBehavior in a CUSTOMER_QUEUE flow: the waiting contact is re-ranked now (with its totals), as in Amazon Connect. */
  | { type: "update_routing"; priority?: number; ageAdjustSeconds?: number; criteria?: RoutingCriteria }
  | { type: "transfer_flow"; flowId: string }
  /** Load a flow module's published version (InvokeFlowModule), answered with "module_loaded". */
  | { type: "load_module"; moduleId: string }
  /** Run one turn of a bot (ConnectParticipantWithLexBot): answered with a `bot_result` event. */
  | { type: "bot_turn"; bot: string; localeId: string; text: string; inputMode: "Text" | "Speech" | "DTMF"; session: DialogSession | null; sessionAttributes: Record<string, string>; /** analytics is on: score the words' sentiment */ sentiment?: true }
  /** Show the agent a view (ShowView), answered by `view_result` or `view_timeout`. */
  | { type: "show_view"; viewId: string; view: View; timeoutSeconds: number }
  /**
   * CreateCallbackContact: a new VOICE contact, initiated CALLBACK and linked to this one, waits in
   * `queueId` (keeping this contact's place there if it is waiting) to call `phoneNumber` back
   * once an agent accepts; answered with a "callback_result" event.
   */
  | { type: "create_callback"; queueId: string; phoneNumber: string; initialDelaySeconds: number; retryDelaySeconds: number; maxAttempts: number }
  /** Create a task contact (CreateTask), answered with a `task_result` event. */
  | {
      type: "create_task"; name: string; description: string; flowId: string | null; templateId: string | null;
      references: { name: string; url: string }[]; attributes: Record<string, string>; scheduledAt: number | null;
    }
  /** Find, create, update a customer profile or link the contact to one (answered with "profile_result"). */
  | { type: "customer_profile"; request: CustomerProfileRequest }
  | MediaStreamEffect
  /** UpdatePreviousContactParticipantState on a warm transfer: who of the agent and customer left behind is held. */
  | { type: "previous_participant_state"; state: "AgentOnHold" | "CustomerOnHold" | "OffHold" }
  | { type: "disconnect" };

export type FlowLogEntry = {
  at: number;
  flowId?: string;
  flowVersion?: number;
  actionId: string;
  actionType: string;
  /** What happened: "NextAction", "Condition: Equals 1", "Error: InputTimeLimitExceeded", "Waiting", "End"… */
  branch: string;
  nextActionId: string | null;
  data?: Record<string, unknown>;
};

export type FlowStatus =
  /** Waiting for the customer: digits, speech, chat text (or its timeout). */
  | "waiting_input"
  /** Waiting for an effect's result (external call, metrics, enqueue, dial). */
  | "waiting_effect"
  /** CUSTOMER_QUEUE: waiting for the prompt just sent to finish playing. */
  | "waiting_playback"
  /** Contact placed in a queue: the contact flow is done, routing takes over. */
  | "queued"
  /** Handed to an agent or an external number; the flow is done. */
  | "transferred"
  /** Continue in another flow that the caller must load (`transferFlowId`). */
  | "transfer_flow"
  | "disconnected"
  | "ended";

export type FlowResult = {
  state: FlowState;
  effects: Effect[];
  logs: FlowLogEntry[];
  status: FlowStatus;
  /** For status "transfer_flow". */
  transferFlowId?: string;
};
