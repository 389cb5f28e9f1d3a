/** The API's resource shapes, as the web app reads them (see src/workers/api/resources). */
import type { Permission } from "../../shared/permissions";
import type { PiiType } from "../../shared/pii-types";
import type { TaskField } from "../../shared/tasks";
import type { Channel } from "./labels";

type Stamps = { createdAt: string; updatedAt: string };

export type TimeRange = { start: string; end: string };
export type Hours = Stamps & {
  id: string;
  name: string;
  description: string;
  timezone: string;
  weekly: (TimeRange & { day: string })[];
  overrides: { date: string; name: string; ranges: TimeRange[] }[];
};

export type Queue = Stamps & {
  id: string;
  name: string;
  description: string;
  hoursOfOperationId: string;
  maxContacts: number | null;
  ringTimeoutSeconds: number;
  outboundCallerId: string | null;
  customerQueueFlowId: string | null;
  /** Its own callback offer to callers waiting with no customer queue flow; null = none. */
  offerCallback: import("../../shared/callback-offer").CallbackOffer | null;
  customerHoldFlowId: string | null;
  /** The flow a customer goes on to when the agent ends first (a post-contact survey). */
  surveyFlowId: string | null;
  agentHoldFlowId: string | null;
  agentWhisperFlowId: string | null;
  customerWhisperFlowId: string | null;
  outboundWhisperFlowId: string | null;
  /** Wrap-up codes for after contact work; empty = every code. */
  wrapUpCodes: string[];
  enabled: boolean;
};

export type RoutingProfileQueue = { queueId: string; channel: Channel; priority: number; delaySeconds: number };
export type RoutingProfile = Stamps & {
  id: string;
  name: string;
  description: string;
  concurrency: Record<Channel, number>;
  crossChannelBehavior: "ROUTE_CURRENT_CHANNEL_ONLY" | "ROUTE_ANY_CHANNEL";
  afterContactWorkTimeoutSeconds: number;
  defaultOutboundQueueId: string | null;
  queues: RoutingProfileQueue[];
};

export type SecurityProfile = Stamps & { id: string; name: string; description: string; permissions: Permission[] };

export type User = Stamps & {
  id: string;
  email: string;
  name: string;
  securityProfileId: string;
  routingProfileId: string | null;
  phoneNumber: string | null;
  active: boolean;
  proficiencies: Proficiency[];
};

/** One of a user's proficiencies: a predefined attribute's value, at a level from 1 to 5. */
export type Proficiency = { attributeId: string; name: string; value: string; level: number };

/** A predefined attribute: a name and the values users can be proficient in (routing criteria ask for them). */
export type PredefinedAttribute = Stamps & { id: string; name: string; values: string[] };

export type AgentStatus = Stamps & { id: string; name: string; type: "ROUTABLE" | "CUSTOM" | "OFFLINE"; enabled: boolean; displayOrder: number };

/** An inbound email address: its mail waits in `queueId` as EMAIL contacts; replies leave from it as `displayName`. */
export type EmailAddress = Stamps & {
  id: string;
  address: string;
  displayName: string;
  queueId: string;
};

export type PhoneNumber = Stamps & {
  id: string;
  e164: string;
  description: string;
  flowId: string | null;
  /** The chat flow its SMS and WhatsApp messages run; null: the first flow in the chat settings. */
  messagingFlowId: string | null;
};

export type LambdaFunction = Stamps & { id: string; name: string; endpointUrl: string; description: string };

export type QuickConnect = Stamps & {
  id: string;
  name: string;
  description: string;
  type: "USER" | "QUEUE" | "PHONE_NUMBER";
  userId: string | null;
  queueId: string | null;
  phoneNumber: string | null;
  flowId: string | null;
};

export type FlowAction = {
  Identifier: string;
  Type: string;
  Parameters?: Record<string, unknown>;
  Transitions?: {
    NextAction?: string;
    Conditions?: { NextAction: string; Condition?: { Operator?: string; Operands?: unknown[] } }[];
    Errors?: { NextAction: string; ErrorType?: string }[];
  };
};
export type FlowContent = { Version: string; StartAction: string; Metadata?: Record<string, unknown>; Actions: FlowAction[] };
export type Flow = Stamps & { id: string; name: string; description: string; type: string; content: FlowContent; publishedVersion: number | null };
export type FlowVersion = { version: number; content: FlowContent; publishedBy: string | null; createdAt: string };

export type Instance = Stamps & {
  id: string;
  name: string;
  timezone: string;
  publicBaseUrl: string | null;
  twilioAccountSid: string | null;
  twilioAuthTokenSet: boolean;
  twilioApiKeySid: string | null;
  twilioApiKeySecretSet: boolean;
  twilioTwimlAppSid: string | null;
  recordingRetentionDays: number;
  contactRetentionDays: number;
  transcriptRetentionDays: number;
  agentDisconnectGraceSeconds: number;
  /** Where agents may call: ISO country codes and E.164 prefixes; null: the countries of the instance's own numbers. */
  outboundDestinations: string[] | null;
  /** https origins or URL prefixes flows may call (InvokeLambdaFunction). */
  externalEndpoints: string[];
  /** wss:// URL flows stream the caller's audio to (StartMediaStreaming); null: streaming is off. */
  mediaStreamUrl: string | null;
  maxOpenChats: number;
  chatIdleTimeoutMinutes: number;
  /** An SMS or WhatsApp conversation quiet this long ends; the next message starts a new contact. */
  messagingIdleMinutes: number;
  /** Redaction of transcripts before they are stored; types null: all. */
  redactionEnabled: boolean;
  redactionTypes: PiiType[] | null;
  keepUnredactedTranscripts: boolean;
  /** Agents are shown a supervisor listening in or reading their chat (coaching and barging in always are). */
  notifyAgentOnMonitor: boolean;
};

export type Contact = {
  id: string;
  /** Categories analytics rules gave the contact (search results list their names). */
  categories?: string[];
  channel: Channel;
  /** "sms" or "whatsapp": a chat that came by Twilio Messaging. */
  channelSubtype?: "sms" | "whatsapp" | null;
  initiationMethod: string;
  state: string;
  customerEndpoint: string | null;
  systemEndpoint: string | null;
  queueId: string | null;
  agentId: string | null;
  flowId: string | null;
  flowVersion: number | null;
  previousContactId: string | null;
  initiatedAt: string | null;
  enqueuedAt: string | null;
  connectedAt: string | null;
  endedAt: string | null;
  afterContactWorkEndedAt: string | null;
  holdSeconds: number | null;
  disconnectReason: string | null;
  attributes: Record<string, string> | null;
  /** The customer's post-contact survey rating (1–5) and when it was given; null when none. */
  satisfaction: number | null;
  satisfactionAt: string | null;
  disposition: string | null;
  notes: string | null;
};
export type ContactEvent = { type: string; at: string; agentId: string | null; queueId: string | null; data: unknown };
/** Where storing one of a contact's recordings or transcripts stands (`GET /contacts/:id` → `recordingStatus`). */
export type RecordingStatus = {
  kind: "recording" | "transcript";
  status: "pending" | "stored" | "failed";
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string | null;
  recordingId: string | null;
  updatedAt: string;
};
/** A stored recording or transcript (`GET /contacts/:id/recordings`). */
export type RecordingItem = { id: string; kind: "recording" | "transcript" | "unredacted_transcript"; contentType: string; durationSeconds: number | null; createdAt: string; mediaUrl: string };
export type TranscriptLine = { at: string; who: string; text: string };

export type AuditEntry = {
  id: number;
  at: string;
  userId: string | null;
  action: string;
  resourceType: string;
  resourceId: string | null;
  ip: string | null;
  userAgent: string | null;
  details: unknown;
};

/** A canned chat reply (`GET /agent/quick-replies`, `GET/PUT /instance/chat/quick-replies`). */
export type QuickReply = { id: string; text: string };

/** Queue and user names for the metrics screens (`GET /metrics/directory`). */
export type MetricsDirectory = { queues: { id: string; name: string }[]; agents: { id: string; name: string }[] };

/** A task template (src/workers/api/resources/task-templates.ts). */
export type TaskTemplate = Stamps & {
  id: string;
  name: string;
  description: string;
  fields: TaskField[];
  flowId: string | null;
  queueId: string | null;
};
