/**
 * Types of the RPC calls between the routing objects, and of the surface the channels (voice,
 * chat) call. Browser-facing messages live in src/shared/wire.ts.
 */
import type { LiveContactRef } from "../shared/wire";
import type { AgentContact, Channel, WithdrawReason } from "../shared/wire";
import type { Proficiency, RoutingCriteria } from "../shared/routing-criteria";
import type { RelayedRecord } from "./contact-record";

export type InitiationMethod = "INBOUND" | "OUTBOUND" | "TRANSFER" | "CALLBACK" | "API";

/** Where routing reports a contact's progress: a Durable Object binding + object name with `onRoutingEvent`. */
export type NotifyTarget = { binding: string; name: string };

/** What a channel (or a transfer) hands to `QueueRoom.enqueue`. */
export type EnqueueInput = {
  contactId: string;
  channel: Channel;
  /** 1 highest … 9 lowest; default 5. */
  priority?: number;
  /** Seconds added to the contact's routing age (QueueTimeAdjustmentSeconds): routed as if enqueued that much earlier (later if negative). */
  ageAdjustSeconds?: number;
  attributes?: Record<string, string>;
  /** Defaults to now. A transfer enqueues with the time it arrives in the new queue. */
  enqueuedAt?: number;
  initiationMethod?: InitiationMethod;
  /** How long an offer rings before the agent goes Missed (default: the queue's ring timeout, 20 s unless set). */
  ringTimeoutSeconds?: number;
  notify?: NotifyTarget | null;
  /** Set by transfers: where the contact came from (kept in the ENQUEUED event). */
  transferredFrom?: { queueId: string | null; agentId: string | null } | null;
  /**
   * A warm transfer's consult: the contact stays connected to `transferredFrom.agentId` while it
   * waits here, so its ENQUEUED event does not move the contact's row (the CONNECTED does).
   */
  consult?: boolean;
  /** A queued callback: the caller it calls back, whose place in this queue it takes (./queue-callback.ts). */
  callbackFor?: string;
  /** Not offered before this time (epoch ms; a callback's InitialCallDelaySeconds): it waits in its place meanwhile. */
  offerAfter?: number;
  /** Routing criteria (UpdateRoutingCriteria): offered only to agents matching the step in force, steps starting now. */
  routingCriteria?: RoutingCriteria;
};

/** A waiting contact's routing as its queue flow changed it (`QueueRoom.updateRouting`): totals, not changes. */
export type RoutingUpdate = {
  /** 1 highest … 9 lowest. */
  priority?: number;
  /** Seconds added to the contact's routing age (QueueTimeAdjustmentSeconds), in all. */
  ageAdjustSeconds?: number;
  /** New routing criteria (UpdateRoutingCriteria): their steps start now, unless they are the ones the contact has. */
  criteria?: RoutingCriteria;
};

export type EnqueueResult =
  | { status: "QUEUED"; queueId: string; position: number; estimatedWaitSeconds: number | null }
  /** The queue holds its maximum number of contacts: the flow takes its `QueueAtCapacity` branch. */
  | { status: "AT_CAPACITY"; queueId: string }
  | { status: "NOT_FOUND"; queueId: string }
  /** A callback whose caller is being offered to an agent: the caller keeps their call. */
  | { status: "NOT_WAITING"; queueId: string };

export type QueuePosition =
  | { status: "WAITING"; position: number; estimatedWaitSeconds: number | null; enqueuedAt: number }
  | { status: "OFFERED"; agentId: string; enqueuedAt: number }
  | { status: "CONNECTED"; agentId: string }
  | { status: "NOT_IN_QUEUE" };

/** An agent's availability in one queue: the channels it can take now, with its profile's priority/delay. */
export type Registration = {
  agentId: string;
  /** Monotonic per agent: a queue ignores a registration older than the one it holds. */
  seq: number;
  availableSince: number;
  channels: { channel: Channel; priority: number; delaySeconds: number }[];
  /** The agent's proficiencies, for contacts with routing criteria (none when absent). */
  proficiencies?: Proficiency[];
};

/** Phase one of an offer: the queue has reserved `contact` for the agent and asks the agent to ring. */
export type Reservation = {
  queueId: string;
  reservationId: string;
  /** The agent's registration seq the queue acted on. */
  seq: number;
  queuePriority: number;
  expiresAt: number;
  notify: NotifyTarget | null;
  /** When routing takes the contact to have been enqueued (its enqueue time moved by its routing age adjustment), for comparing across queues. */
  routingAt?: number;
  contact: Pick<AgentContact, "contactId" | "channel" | "priority" | "attributes" | "enqueuedAt" | "initiationMethod">;
};

export type ReserveResult =
  /** Ringing. `registration`: the agent's registration for this queue now (it rings one offer at a time). */
  | { ok: true; registration: Registration }
  /** The agent has another offer pending: the queue pauses it until it re-registers. */
  | { ok: false; reason: "BUSY" }
  /** A better contact waits in another of the agent's queues: same as BUSY for this queue. */
  | { ok: false; reason: "BETTER_ELSEWHERE" }
  /** The agent cannot take this channel: here is its current registration for the queue. */
  | { ok: false; reason: "UNAVAILABLE"; registration: Registration };

/** The best waiting contact a queue holds for an agent, for comparing across queues. */
export type PeekResult = { contactId: string; priority: number; enqueuedAt: number; routingAt?: number } | null;

export type ConfirmResult = { ok: true } | { ok: false; reason: "GONE" };

export type ReleaseReason = "REJECTED" | "TIMED_OUT" | "UNAVAILABLE";

export type OfferEndedReason = Extract<WithdrawReason, "CUSTOMER_DISCONNECTED" | "TIMED_OUT" | "TRANSFER_CANCELLED">;

/** What a channel learns about its contact (delivered to `NotifyTarget`). */
export type RoutingEvent = {
  /** Unique per event (`<sending object>#<seq>`): a receiver ignores one it has applied. Absent on events made locally. */
  id?: string;
  instanceId: string;
  contactId: string;
  type: "CONNECTED" | "ENDED" | "TRANSFERRED" | "MISSED" | "HELD" | "RESUMED" | "THIRD_PARTY";
  queueId: string | null;
  agentId: string | null;
  at: number;
  data?: Record<string, unknown>;
  /**
   * The sender's contact-record rows for this contact not yet in D1, relayed (a QueueRoom's, see
   * notify.ts): a receiver that keeps them in its own outbox answers `recordsKept`.
   */
  records?: RelayedRecord[];
};

/** What a receiver answers: whether it kept the relayed records (absent: they stay with the sender). */
export type RoutingEventAnswer = { recordsKept?: boolean } | void;

/** The method a NotifyTarget's object implements. */
export interface RoutingEventSink {
  onRoutingEvent(event: RoutingEvent): Promise<RoutingEventAnswer> | RoutingEventAnswer;
}

/** A snapshot the AgentRoom pushes to the instance's MetricsRoom. */
export type AgentMetricsSnapshot = {
  agentId: string;
  status: "OFFLINE" | "AVAILABLE" | "CUSTOM" | "MISSED";
  /** The status as the agent sees it ("Available", "Lunch"…) and since when (epoch ms); absent in snapshots stored before these existed. */
  statusName?: string;
  statusSince?: number;
  /** Slots in use per state. */
  incoming: number;
  active: number;
  afterContactWork: number;
  /** Free slots the agent can take now (0 unless Available). */
  slotsAvailable: number;
  /** The agent's browser has been gone longer than the instance's grace period: not routable (absent in older snapshots). */
  disconnected?: boolean;
  queueIds: string[];
  /** The contacts connected to the agent (or held), for a supervisor to monitor (absent in older snapshots). */
  contacts?: LiveContactRef[];
  at: number;
};

export type QueueMetricsSnapshot = {
  queueId: string;
  contactsInQueue: number;
  /** Of those, queued callbacks (absent in older snapshots). */
  callbacksInQueue?: number;
  oldestEnqueuedAt: number | null;
  at: number;
  /**
   * Contacts counted for the service level over its window, in SERVICE_LEVEL_BUCKET_MS buckets:
   * [bucket (at / SERVICE_LEVEL_BUCKET_MS), answered in time, counted]. The MetricsRoom drops
   * buckets as they leave the window. Absent in snapshots stored before the metric existed.
   */
  serviceLevel?: [bucket: number, met: number, counted: number][];
};
