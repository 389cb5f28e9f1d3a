/**
 * The wire protocol of the routing engine: every message between the agent's browser and its
 * AgentRoom, and between a supervisor's browser and the MetricsRoom. One discriminated union
 * per direction, imported by both sides; whatever enters from a socket is parsed with the zod
 * schemas here (never `JSON.parse(msg) as Message`).
 *
 * Adding a message: add its schema to the union, then the compiler's exhaustive `switch`
 * (`assertNever`) in src/durable/agent-room.ts points at the place to handle it.
 */
import type { Supervisor } from "./supervision";
import type { Proficiency } from "./routing-criteria";
import { z } from "zod";
import type { ShownView } from "./views";

export const CHANNELS = ["VOICE", "CHAT", "TASK", "EMAIL"] as const;
export const channelSchema = z.enum(CHANNELS);
export type Channel = z.infer<typeof channelSchema>;

/** The agent's own status, as Amazon Connect's CCP shows it. MISSED is the error state after an unanswered offer. */
export const AGENT_STATUS_KINDS = ["OFFLINE", "AVAILABLE", "CUSTOM", "MISSED"] as const;
export type AgentStatusKind = (typeof AGENT_STATUS_KINDS)[number];
export type AgentStatus = {
  kind: AgentStatusKind;
  /** agent_statuses.id for AVAILABLE/CUSTOM/OFFLINE when chosen from the list; null otherwise. */
  statusId: string | null;
  name: string;
  since: number;
};

/**
 * A contact in one of the agent's slots. INCOMING = ringing (an offer). DIALLING and RINGING are
 * the agent's own outbound call before the customer answers: Twilio is placing it, then the
 * customer's phone rings; it is CONNECTED only once they answer.
 */
export const SLOT_STATES = ["INCOMING", "DIALLING", "RINGING", "CONNECTED", "ON_HOLD", "AFTER_CONTACT_WORK"] as const;
export type SlotState = (typeof SLOT_STATES)[number];
export type AgentContact = {
  contactId: string;
  channel: Channel;
  queueId: string;
  state: SlotState;
  initiationMethod: string;
  priority: number;
  attributes: Record<string, string>;
  enqueuedAt: number;
  offeredAt: number;
  /** When the ringing offer times out (INCOMING only). */
  offerExpiresAt: number | null;
  /** When the customer was connected (an outbound call: when they answered); null before. */
  connectedAt: number | null;
  endedAt: number | null;
  /**
   * Why the contact ended without being connected, for the agent to read in after contact work:
   * an outbound call that could not be placed ("The call could not be placed: Twilio answered 503")
   * or that the customer did not answer ("No answer", "Busy"). Null otherwise.
   */
  notice: string | null;
  /** When after contact work ends by itself; null while not in ACW or when the profile sets no timeout. */
  afterContactWorkEndsAt: number | null;
  holdSeconds: number;
  /** A call whose agent leg is muted (`contact.mute`): the customer hears nothing from the agent. */
  muted: boolean;
  /**
   * An outside number the agent consulted (`contact.consult`, a warm transfer): on the call with
   * the agent while the customer holds; Resume joins all three, End completes the transfer.
   */
  thirdParty: { phoneNumber: string; quickConnectId: string } | null;
  /**
   * A warm transfer to a queue or an agent (`contact.consult` with a queue or agent quick connect).
   * CONSULTING: this agent asked for it; the customer holds while the contact waits in `queueId`
   * (`agentId` null) or while this agent talks to the agent who accepted it. Resume joins all
   * three; End (Leave) hands the customer over, or, while nobody has accepted yet, leaves them
   * waiting in that queue. RECEIVING: this agent accepted it and `fromAgentId` is still on the
   * call; hold, mute and transfer are theirs until they leave.
   */
  consult:
    | { role: "CONSULTING"; quickConnectId: string; queueId: string; agentId: string | null; agentName: string | null }
    | { role: "RECEIVING"; fromAgentId: string; fromAgentName: string | null }
    | null;
  /**
   * Supervisors on the contact the agent is shown (src/shared/supervision.ts): coaching, barging
   * in or in the chat always; listening in or reading only where the instance says so.
   */
  supervisors: Supervisor[];
};

export type RoutingProfileView = {
  id: string;
  name: string;
  concurrency: Record<Channel, number>;
  crossChannelBehavior: "ROUTE_CURRENT_CHANNEL_ONLY" | "ROUTE_ANY_CHANNEL";
  afterContactWorkTimeoutSeconds: number;
  queues: { queueId: string; channel: Channel; priority: number; delaySeconds: number }[];
  /** The user's proficiencies (predefined attribute values and levels), matched against contacts' routing criteria. */
  proficiencies?: Proficiency[];
};

export type AgentSnapshot = {
  instanceId: string;
  agentId: string;
  status: AgentStatus;
  contacts: AgentContact[];
  routingProfile: RoutingProfileView | null;
};

export const WITHDRAW_REASONS = ["CUSTOMER_DISCONNECTED", "TIMED_OUT", "REJECTED", "STATUS_CHANGED", "UNAVAILABLE", "TRANSFER_CANCELLED"] as const;
export type WithdrawReason = (typeof WITHDRAW_REASONS)[number];

// ─── server → agent ────────────────────────────────────────────────────────────────────────
export type ServerToAgent =
  /** Sent on connect and whenever the client asks (`sync`): everything the workspace shows. */
  | { type: "state.snapshot"; snapshot: AgentSnapshot }
  /** A contact is ringing for this agent until `contact.offerExpiresAt`. */
  | { type: "offer"; contact: AgentContact }
  /** The ringing offer is gone (customer hung up, timed out, rejected…). */
  | { type: "offer.withdrawn"; contactId: string; reason: WithdrawReason }
  /** A contact in a slot changed state (connected, on hold, in ACW…). */
  | { type: "contact.update"; contact: AgentContact }
  /** A slot is free again (ACW cleared or timed out, transferred away). */
  | { type: "contact.removed"; contactId: string }
  | { type: "state.change"; status: AgentStatus }
  /** A command was applied (or was already in effect: commands are idempotent). */
  /** A step-by-step guide's view for a contact of this agent's (ShowView: src/shared/views.ts); it replaces any view open for that contact. */
  | { type: "view.show"; view: ShownView }
  /** The contact's view is gone: answered, timed out, or the contact left the agent. */
  | { type: "view.closed"; contactId: string; viewId: string }
  | { type: "ack"; requestId: string | null; command: AgentCommand["type"] }
  /** `fields`: for a refused view answer, what is wrong with each form field. */
  | { type: "error"; requestId: string | null; code: string; message: string; fields?: Record<string, string> }
  /** The customer's live sentiment on a contact the agent holds (sent as it changes, and on connect). */
  | { type: "contact.sentiment"; contactId: string; sentiment: LiveSentiment };

// ─── agent → server ────────────────────────────────────────────────────────────────────────
const requestId = z.string().max(100).optional();
const contactId = z.string().min(1).max(200);

export const agentCommandSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("status.set"),
    requestId,
    /** AVAILABLE, OFFLINE, or a custom (non-routable) status by its agent_statuses id. */
    status: z.discriminatedUnion("kind", [
      z.object({ kind: z.literal("AVAILABLE") }),
      z.object({ kind: z.literal("OFFLINE") }),
      z.object({ kind: z.literal("CUSTOM"), statusId: z.string().min(1).max(200) }),
    ]),
  }),
  z.object({ type: z.literal("contact.accept"), requestId, contactId }),
  z.object({ type: z.literal("contact.reject"), requestId, contactId }),
  z.object({ type: z.literal("contact.hold"), requestId, contactId }),
  z.object({ type: z.literal("contact.resume"), requestId, contactId }),
  z.object({ type: z.literal("contact.end"), requestId, contactId }),
  /** Mutes or unmutes the agent's own leg of a connected call (softphone, own phone or simulated alike). */
  z.object({ type: z.literal("contact.mute"), requestId, contactId, muted: z.boolean() }),
  z.object({ type: z.literal("contact.clear"), requestId, contactId }),
  z.object({
    type: z.literal("contact.transfer"),
    requestId,
    contactId,
    target: z.discriminatedUnion("type", [
      /**
       * `quickConnectId`: the quick connect the agent chose; when it names a transfer flow
       * (QUEUE_TRANSFER / AGENT_TRANSFER), a call runs that flow, which decides where it goes.
       */
      z.object({ type: z.literal("QUEUE"), queueId: z.string().min(1).max(200), quickConnectId: z.string().min(1).max(200).optional() }),
      z.object({ type: z.literal("AGENT"), userId: z.string().min(1).max(200), quickConnectId: z.string().min(1).max(200).optional() }),
      /** A call to an outside number, through one of the instance's phone-number quick connects (never a free-typed number). */
      z.object({ type: z.literal("PHONE_NUMBER"), quickConnectId: z.string().min(1).max(200) }),
    ]),
  }),
  /**
   * Warm transfer of a call through a quick connect: the customer is held and the agent talks to
   * the other side first. An outside number is dialled into the call (`thirdParty`); a queue or an
   * agent gets the contact offered as a transfer, and the agent who accepts joins the call
   * (`consult`). Resume joins all three; End leaves the customer with them.
   */
  z.object({ type: z.literal("contact.consult"), requestId, contactId, quickConnectId: z.string().min(1).max(200) }),
  /** Hangs up the consulted number or agent, or cancels a consult still waiting; the customer stays on hold until resumed. */
  z.object({ type: z.literal("contact.dropThirdParty"), requestId, contactId }),
  /** The agent's answer to a view (`view.show`): the action they chose and, for a form, its values by field name. */
  z.object({
    type: z.literal("view.submit"), requestId, contactId, viewId: z.string().min(1).max(300), action: z.string().min(1).max(200),
    data: z.record(z.string().max(100), z.string().max(2_000)).refine((d) => Object.keys(d).length <= 100, "at most 100 values").default({}),
  }),
  /** Asks for a fresh `state.snapshot`. */
  z.object({ type: z.literal("sync"), requestId }),
]);
export type AgentCommand = z.infer<typeof agentCommandSchema>;
export type TransferTarget = Extract<AgentCommand, { type: "contact.transfer" }>["target"];

/** Parses one text frame from the agent's browser; a readable error instead of a throw. */
export function parseAgentCommand(raw: unknown): { ok: true; command: AgentCommand } | { ok: false; message: string; requestId: string | null } {
  if (typeof raw !== "string") return { ok: false, message: "Send text frames of JSON", requestId: null };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, message: "The frame is not valid JSON", requestId: null };
  }
  const result = agentCommandSchema.safeParse(json);
  if (result.success) return { ok: true, command: result.data };
  const rid = (json as { requestId?: unknown } | null)?.requestId;
  return {
    ok: false,
    message: result.error.issues.map((i) => `${i.path.join(".") || "(message)"}: ${i.message}`).join("; "),
    requestId: typeof rid === "string" ? rid : null,
  };
}

// ─── real-time metrics (supervisor sockets, GET /api/v1/metrics/current) ───────────────────
/**
 * Amazon Connect's real-time metric names (GetCurrentMetricData). OLDEST_CONTACT_AGE is in seconds.
 * SERVICE_LEVEL_20 is a percentage (0–100, one decimal), null when no contact counts in its
 * window; definition in src/durable/metrics.ts.
 */
export const REALTIME_METRICS = [
  "AGENTS_ONLINE",
  "AGENTS_AVAILABLE",
  "AGENTS_ON_CONTACT",
  "AGENTS_AFTER_CONTACT_WORK",
  "AGENTS_NON_PRODUCTIVE",
  "AGENTS_ERROR",
  "CONTACTS_IN_QUEUE",
  /** Of the contacts in queue, the queued callbacks (nobody on the line: initiated CALLBACK). */
  "CALLBACKS_IN_QUEUE",
  "OLDEST_CONTACT_AGE",
  "SLOTS_ACTIVE",
  "SLOTS_AVAILABLE",
  "SERVICE_LEVEL_20",
] as const;
export type RealtimeMetric = (typeof REALTIME_METRICS)[number];
export type MetricValues = Record<Exclude<RealtimeMetric, "SERVICE_LEVEL_20">, number> & { SERVICE_LEVEL_20: number | null };
export type CurrentMetrics = {
  instanceId: string;
  at: number;
  instance: MetricValues;
  queues: ({ queueId: string } & MetricValues)[];
  /** Each agent's state and time in state, for the supervisor's dashboard (online agents and agents with work only). */
  agents: AgentMetricsRow[];
};
export type AgentMetricsRow = {
  agentId: string;
  status: AgentStatusKind;
  statusName: string;
  /** When the agent entered its status (epoch ms); 0 when unknown. */
  statusSince: number;
  /** Slots ringing, connected or on hold, in after contact work. */
  incoming: number;
  active: number;
  afterContactWork: number;
  /** No browser of the agent's has been connected for longer than the instance's grace period: offered nothing until one is. */
  disconnected: boolean;
  queueIds: string[];
  /** The contacts connected to the agent (or held): the dashboard's Listen, Coach, Barge / Monitor, Join. */
  contacts: LiveContactRef[];
};

/** A contact connected to an agent, as the live dashboard lists it. */
export type LiveContactRef = { contactId: string; channel: Channel; state: "CONNECTED" | "ON_HOLD" };

/**
 * A live analytics rule matched on a contact (issue 26): the dashboard shows it as an alert. The
 * MetricsRoom keeps the latest (ALERTS_KEPT, for a day) and sends them to a dashboard on connect.
 */
export type CategoryAlert = {
  contactId: string;
  channel: string;
  queueId: string | null;
  agentId: string | null;
  category: string;
  ruleId: string;
  /** When the rule matched (epoch ms). */
  at: number;
};

/**
 * The customer's sentiment while a contact goes on (issue 26): of their last few turns, and the
 * trend since the start (src/analytics/analyze.ts liveSentiment). Kept a day, as Contact Lens
 * keeps live analysis.
 */
export type LiveSentiment = {
  sentiment: "POSITIVE" | "NEGATIVE" | "NEUTRAL" | "MIXED";
  score: number;
  trend: "IMPROVED" | "DECLINED" | "STEADY" | null;
  /** The customer's turns it was taken over. */
  turns: number;
  at: number;
};

/** A live contact's sentiment as the dashboard shows it, by the agent and queue it is with. */
export type ContactSentiment = { contactId: string; channel: string; agentId: string | null; queueId: string | null; sentiment: LiveSentiment };

export type ServerToSupervisor =
  | { type: "metrics"; metrics: CurrentMetrics }
  | { type: "contactSentiment"; contact: ContactSentiment }
  | { type: "contactSentiments"; contacts: ContactSentiment[] }
  | { type: "categoryAlert"; alert: CategoryAlert }
  | { type: "categoryAlerts"; alerts: CategoryAlert[] };

export function assertNever(x: never): never {
  throw new Error(`Unhandled case: ${JSON.stringify(x)}`);
}

// ─── chat (customer widget / agent workspace ↔ ContactSession) ─────────────────────────────
export * from "./chat-protocol";
export { chatClientMessageSchema, parseChatClientMessage, type ChatParseResult } from "./chat-wire";
