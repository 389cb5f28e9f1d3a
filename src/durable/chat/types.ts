/**
 * The chat channel's contract with the rest of the house: what it needs from its ContactSession
 * (`ChatHost`, over the session's row), who a chat socket is (set by the Worker on the upgrade),
 * and how a chat starts. The chat's parts (channel.ts, queue.ts, sockets.ts, transcript.ts) all
 * import these from here, never from each other's coordinator.
 */
import type { Connection } from "partyserver";
import type { FlowLogEntry, FlowResult, TurnInput } from "../../flows";
import type { ChatMessageView, ChatRole, ChatServerMessage } from "../../shared/chat-protocol";
import type { PublishedFlow } from "../contact-flow";
import type { Transition } from "../contact-record";
import type { Phase, SessionRow } from "../session-row";
import type { RemainingFlow } from "../remaining-flow";
import type { SupervisionMode } from "../../shared/supervision";

export type ChatPhase = Phase;

/** The session columns the chat reads and writes (ContactSession's `session` row). */
export type ChatSessionRow = Pick<
  SessionRow,
  "channel" | "phase" | "step" | "flow" | "flow_state" | "queue_flow" | "queue_flow_state" | "queue_id" | "agent_id" | "ended_at" | "created_at"
  | "from_number" | "to_number" | "public_base_url"
>;

/** What the chat needs from its ContactSession. */
export interface ChatHost {
  readonly env: Env;
  readonly sql: SqlStorage;
  readonly instanceId: string;
  readonly contactId: string;
  row(): ChatSessionRow | null;
  set(values: Partial<ChatSessionRow>): void;
  /** One flow turn: keeps the state and logs, records attribute changes, moves to QUEUED when queued. */
  turn(flow: PublishedFlow, input: TurnInput): Promise<FlowResult>;
  keepLogs(logs: FlowLogEntry[]): void;
  /** The contact waits in `queueId` now: its customer queue flow is loaded (a queue flow moved it there). */
  loadQueueFlow(queueId: string): Promise<void>;
  /** Appends a contact-record transition to the outbox. */
  record(t: Transition): void;
  /** Runs owed work (outbox, logs, chat jobs) now; the alarm covers failures. */
  kick(): void;
  connections(tag?: string): Iterable<Connection>;
  /** The customer or agent wrote a message (stored): live analytics rules hear it. */
  said(from: "CUSTOMER" | "AGENT", text: string, at: number): Promise<void>;
  /** The disconnect flow (a survey) the customer goes on to when the agent ends the chat (../remaining-flow.ts). */
  readonly remaining: RemainingFlow;
  /** What a supervisor asked of this chat (MONITOR, JOIN), or null (../supervision.ts). */
  supervisorMode(userId: string): SupervisionMode | null;
}

/** Who a chat socket is: set by the Worker (the only caller that can reach the object) on the upgrade. */
export const CHAT_HEADERS = {
  role: "x-switchboard-chat-role",
  user: "x-switchboard-chat-user",
  name: "x-switchboard-chat-name",
  key: "x-switchboard-chat-key",
  /** "1": an AGENT socket of a supervisor monitoring or in the chat (not its agent). */
  supervisor: "x-switchboard-chat-supervisor",
} as const;

/** `supervisor`: a supervisor's socket (role AGENT): reads while monitoring, writes once they joined (../supervision.ts). */
export type ChatIdentity = { role: ChatRole; userId: string | null; name: string | null; keyHash: string | null; supervisor?: boolean };
export type ChatAccess = "live" | "read" | null;

export type ChatStartInput = {
  /** SHA-256 (hex) of the chat id; the contact's external id is derived from it. */
  chatKeyHash: string;
  flowId: string;
  origin: string | null;
  customerName: string | null;
  /** What the visitor's page sent: `$.Visitor` to the flow, never contact attributes. */
  visitorAttributes: Record<string, string>;
  /** The customer's silence that ends the chat (the instance's chatIdleTimeoutMinutes, or messagingIdleMinutes). */
  idleTimeoutMs: number;
  /** A chat that came by Twilio Messaging: its first message starts it (./messaging.ts). */
  messaging?: MessagingStart;
};

/** An SMS or WhatsApp conversation's first message, as Twilio addressed it. */
export type MessagingStart = {
  kind: "sms" | "whatsapp";
  /** The customer's and our address as Twilio writes them (`+1555…` or `whatsapp:+1555…`). */
  customer: string;
  ours: string;
  publicBaseUrl: string;
  message: InboundMessage;
};

/** A message from an SMS or WhatsApp customer (Twilio's MessageSid makes a retry idempotent). */
export type InboundMessage = { sid: string; text: string; media?: InboundMedia[] };
/** A MediaUrlN Twilio gave, with its MediaContentTypeN. */
export type InboundMedia = { url: string; contentType: string };
export type ChatStartResult = { ok: true } | { ok: false; reason: "NO_FLOW" };

export const chatExternalId = (chatKeyHash: string) => `chat:${chatKeyHash}`;

/** What an SMS or WhatsApp chat's link to Twilio (./messaging.ts, ./messaging-media.ts) needs from the chat. */
export type MessagingHost = Pick<ChatHost, "env" | "sql" | "instanceId" | "contactId"> & {
  /** The session row's numbers and public base URL. */
  numbers(): { customer: string | null; ours: string | null; publicBaseUrl: string } | null;
  broadcast(msg: ChatServerMessage): void;
  /** A stored message, as the chat shows it. */
  message(id: string): ChatMessageView | null;
};
