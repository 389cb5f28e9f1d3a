/**
 * What a contact's flow needs from outside the pure engine: the instance's hours and queues
 * (read from D1), published flow versions, the queue objects (enqueue, metrics) and the
 * business's external endpoints. Channel-neutral: voice and chat use it alike.
 */
import { performProfileRequest } from "./customer-profile";
import { eq } from "drizzle-orm";
import { createDb } from "../db/client";
import { hoursOfOperation, instances, lambdaFunctions, queues } from "../db/schema";
import { invokeExternal } from "../flows/io/invoke-external";
import {
  inputToEncrypt,
  METRIC_TYPES,
  type Effect,
  type FlowContent,
  type FlowContext,
  type FlowEvent,
  type FlowLogEntry,
  type FlowState,
  type FlowType,
  type MetricType,
} from "../flows";
import { keyringFromEnv } from "../lib/crypto";
import { externalSigningSecret } from "../db/external-signing";
import { allowedDestinations, auditFlowDialRefused } from "../db/dialing";
import { encryptForKeyHolder } from "../lib/input-encryption";
import { TtlCache } from "../lib/ttl-cache";
import { nonPublicResolution } from "../lib/dns-over-https";
import { agentRoomName, contactRoomName, metricsRoomName, personalQueueId, personalQueueOwner, publishedFlowsName, queueRoomName } from "../lib/object-names";
import { agentQueueMetrics } from "./metrics";
import type { EnqueueInput, NotifyTarget } from "./types";
import { runBotTurn } from "./bot-turn";
import { startTask } from "./task/start";

export type PublishedFlow = { id: string; version: number; type: FlowType; content: FlowContent };

/**
 * Digits keyed for an input the flow encrypts (GetParticipantInput's InputEncryption) are
 * encrypted with the flow's key here, before the flow sees the event: the flow keeps only the
 * ciphertext (src/flows/actions/input.ts). A key that does not import leaves the event without
 * it, and the flow takes the error branch; the log line names the key, never the digits.
 */
export async function encryptKeyedInput(state: FlowState, event: FlowEvent, where: { instanceId: string; contactId: string }): Promise<FlowEvent> {
  const todo = inputToEncrypt(state.pending, event);
  if (!todo || event.type !== "input") return event;
  try {
    return { ...event, sealedInput: await encryptForKeyHolder(todo.encryption.key, todo.value) };
  } catch (err) {
    console.error(JSON.stringify({ event: "input_encryption_failed", ...where, keyId: todo.encryption.keyId, error: err instanceof Error ? err.name : "Error" }));
    return event;
  }
}

/**
 * Flow steps answer webhooks, so the instance's hours, queues and outbound destinations are cached in the isolate
 * briefly: changes reach running flows within CONTEXT_TTL_MS. Published flows come from the
 * instance's PublishedFlows object (./published-flows.ts), which drops a flow as soon as it is
 * published again: a contact runs the version published when it started.
 */
export const CONTEXT_TTL_MS = 15_000;
const contextCache = new TtlCache<Omit<FlowContext, "now">>(CONTEXT_TTL_MS, 200);
/**
 * The endpoints each instance's flows may call: the registered ones and those Lambda functions are
 * mapped to (the admin named them too); a change reaches running flows within CONTEXT_TTL_MS too.
 */
const endpointsCache = new TtlCache<string[]>(CONTEXT_TTL_MS, 200);

async function registeredEndpoints(d1: D1Database, instanceId: string): Promise<string[]> {
  return endpointsCache.get(instanceId, async () => {
    const [row, mapped] = await d1.batch<{ external_endpoints?: string; endpoint_url?: string }>([
      d1.prepare("SELECT external_endpoints FROM instances WHERE id = ?").bind(instanceId),
      d1.prepare("SELECT endpoint_url FROM lambda_functions WHERE instance_id = ?").bind(instanceId),
    ]);
    const registered = row.results[0]?.external_endpoints ? (JSON.parse(row.results[0].external_endpoints) as string[]) : [];
    return [...registered, ...mapped.results.map((r) => r.endpoint_url!)];
  });
}

const publishedFlows = (env: Env, instanceId: string) => env.PUBLISHED_FLOWS.getByName(publishedFlowsName(instanceId));

/** The latest published version of a flow of this instance, or null. */
export function loadPublishedFlow(env: Env, instanceId: string, flowId: string): Promise<PublishedFlow | null> {
  return publishedFlows(env, instanceId).latest(flowId);
}

/** Tells the instance's PublishedFlows that a flow changed in D1 (after the write has committed). */
export async function publishedFlowChanged(env: Env, instanceId: string, flowId: string): Promise<void> {
  try {
    await publishedFlows(env, instanceId).changed(flowId);
  } catch (err) {
    // New contacts may run the previous version until the object's backstop (MAX_AGE_MS) passes.
    console.error(JSON.stringify({ event: "published_flow_changed_failed", instanceId, flowId, error: String(err) }));
  }
}

/** The latest published version of a flow, read from D1 (PublishedFlows does this on first use). */
export async function readPublishedFlow(d1: D1Database, instanceId: string, flowId: string): Promise<PublishedFlow | null> {
  const row = await d1
    .prepare(
      `SELECT v.version AS version, v.content AS content, f.type AS type
         FROM flow_versions v JOIN flows f ON f.id = v.flow_id AND f.instance_id = v.instance_id
        WHERE v.instance_id = ? AND v.flow_id = ?
        ORDER BY v.version DESC LIMIT 1`,
    )
    .bind(instanceId, flowId)
    .first<{ version: number; content: string; type: string }>();
  return row ? { id: flowId, version: row.version, type: row.type as FlowType, content: JSON.parse(row.content) as FlowContent } : null;
}

/** Hours, queues and time zone of the instance, for one flow step. */
export async function flowContext(d1: D1Database, instanceId: string, now = Date.now()): Promise<FlowContext> {
  return { ...(await contextCache.get(instanceId, () => readContext(d1, instanceId))), now };
}

async function readContext(d1: D1Database, instanceId: string): Promise<Omit<FlowContext, "now">> {
  const db = createDb(d1);
  const [inst] = await db.select({ timezone: instances.timezone, mediaStreamUrl: instances.mediaStreamUrl }).from(instances).where(eq(instances.id, instanceId));
  const hours = await db.select().from(hoursOfOperation).where(eq(hoursOfOperation.instanceId, instanceId));
  const qs = await db.select().from(queues).where(eq(queues.instanceId, instanceId));
  const lambdas = await db.select({ name: lambdaFunctions.name, url: lambdaFunctions.endpointUrl }).from(lambdaFunctions).where(eq(lambdaFunctions.instanceId, instanceId));
  return {
    timezone: inst?.timezone ?? "UTC",
    externalEndpoints: Object.fromEntries(lambdas.map((l) => [l.name, l.url])),
    outboundDestinations: await allowedDestinations(d1, instanceId),
    mediaStreamUrl: inst?.mediaStreamUrl ?? null,
    hours: Object.fromEntries(hours.map((h) => [h.id, { id: h.id, name: h.name, timezone: h.timezone, weekly: h.weekly, overrides: h.overrides }])),
    queues: Object.fromEntries(
      qs.map((q) => [q.id, {
        id: q.id, name: q.name, hoursOfOperationId: q.hoursOfOperationId, outboundCallerId: q.outboundCallerId,
        agentWhisperFlowId: q.agentWhisperFlowId, customerWhisperFlowId: q.customerWhisperFlowId, outboundWhisperFlowId: q.outboundWhisperFlowId,
        customerQueueFlowId: q.customerQueueFlowId, customerHoldFlowId: q.customerHoldFlowId, surveyFlowId: q.surveyFlowId, agentHoldFlowId: q.agentHoldFlowId,
        offerCallback: q.offerCallback ?? null,
      }]),
    ),
  };
}

/** Audits the numbers a turn's TransferParticipantToThirdParty refused to dial (outside the destinations). */
export async function auditRefusedDials(env: Env, instanceId: string, contactId: string, logs: readonly FlowLogEntry[]): Promise<void> {
  for (const log of logs) {
    const phoneNumber = log.data?.phoneNumber;
    if (log.data?.refused !== "destination_not_allowed" || typeof phoneNumber !== "string") continue;
    await auditFlowDialRefused(env.DB, { instanceId, contactId, phoneNumber });
  }
}

/**
 * The routing a flow set on the contact (UpdateContactRoutingBehavior, UpdateRoutingCriteria), as
 * an enqueue into `queueId` carries it: the criteria are the contact's, activated (their first step
 * starting) by each queue it is placed in, but not in an agent's queue, where Amazon Connect does
 * not apply them.
 */
export function queueRoutingOf(state: FlowState, queueId: string): Pick<EnqueueInput, "priority" | "ageAdjustSeconds" | "routingCriteria"> {
  return {
    ...(state.queuePriority ? { priority: state.queuePriority } : {}),
    ...(state.queueTimeAdjustmentSeconds ? { ageAdjustSeconds: state.queueTimeAdjustmentSeconds } : {}),
    ...(state.routingCriteria && !personalQueueOwner(queueId) ? { routingCriteria: state.routingCriteria } : {}),
  };
}

/** The queue an enqueue (or a dequeue-and-transfer) effect names: the flow's queue, or the agent's personal queue. */
export function enqueueTarget(effect: Extract<Effect, { type: "enqueue" | "dequeue_transfer" }>): string | null {
  return effect.queueId ?? (effect.agentId ? personalQueueId(effect.agentId) : null);
}

/**
 * Carries out an effect the flow waits on and answers with the event that resumes it, or
 * null if the answer comes later (a dialled third party answers through a Twilio callback).
 */
export async function performEffect(
  env: Env,
  instanceId: string,
  effect: Effect,
  state: FlowState,
  notify: NotifyTarget,
  /** The flow running is a quick connect's transfer flow: a contact it queues is queued as transferred. */
  opts: { transfer?: boolean } = {},
): Promise<FlowEvent | null> {
  switch (effect.type) {
    case "bot_turn":
      return runBotTurn(env, instanceId, effect, state);
    case "customer_profile":
      return performProfileRequest(env, instanceId, state.contactId, effect.request);
    case "invoke_external": {
      const secret = await externalSigningSecret(createDb(env.DB), keyringFromEnv(env), instanceId);
      if (!secret) return { type: "external_result", ok: false, error: "the instance no longer exists" };
      return invokeExternal(effect, {
        secret,
        allowedEndpoints: await registeredEndpoints(env.DB, instanceId),
        allowPrivateHosts: env.LOCAL_MODE === "true",
        resolveHost: (host) => nonPublicResolution(host, { dohUrl: env.DNS_OVER_HTTPS_URL }),
      });
    }
    case "fetch_queue_metric": {
      // An agent queue (the flow gave an AgentId): its agent must be one of this instance's users; its agent metrics are theirs.
      const owner = personalQueueOwner(effect.queueId);
      if (owner && !(await env.DB.prepare("SELECT 1 FROM users WHERE instance_id = ? AND id = ?").bind(instanceId, owner).first())) {
        return { type: "queue_metrics", value: Number.NaN, ...(effect.all ? { values: { NumberOfContactsInQueue: Number.NaN } } : {}) };
      }
      const snap = await env.QUEUE_ROOM.getByName(queueRoomName(instanceId, effect.queueId)).snapshot();
      const metrics = await env.METRICS_ROOM.getByName(metricsRoomName(instanceId)).current();
      const m = owner ? agentQueueMetrics(metrics.agents.find((a) => a.agentId === owner)) : metrics.queues.find((q) => q.queueId === effect.queueId);
      const read = (metric: MetricType) => {
        switch (metric) {
          case "NumberOfContactsInQueue":
            return snap.contactsInQueue;
          case "OldestContactInQueueAgeSeconds":
            return snap.oldestEnqueuedAt ? Math.floor((Date.now() - snap.oldestEnqueuedAt) / 1000) : 0;
          case "NumberOfAgentsAvailable":
            return m?.AGENTS_AVAILABLE ?? 0;
          case "NumberOfAgentsOnline":
            return m?.AGENTS_ONLINE ?? 0;
          case "NumberOfAgentsStaffed":
            // Staffed = online and not in a custom (non-productive) status.
            return m ? m.AGENTS_ONLINE - m.AGENTS_NON_PRODUCTIVE : 0;
        }
      };
      const value = read(effect.metric);
      if (!effect.all) return { type: "queue_metrics", value };
      return { type: "queue_metrics", value, values: Object.fromEntries(METRIC_TYPES.map((t) => [t, read(t)])) };
    }
    case "create_callback":
      return createCallback(env, instanceId, effect, state);
    case "enqueue": {
      const queueId = enqueueTarget(effect);
      if (!queueId) return { type: "enqueue_result", ok: false, reason: "error", message: "No queue set" };
      if (effect.direct && effect.agentId) {
        // Transfer to agent: only to an agent who can take the contact now (out of after contact work if need be).
        const ready = await env.AGENT_ROOM.getByName(agentRoomName(instanceId, effect.agentId)).readyForTransfer(state.channel);
        if (!ready.ok) return { type: "enqueue_result", ok: false, reason: "agentUnavailable", message: ready.why };
      }
      const result = await env.QUEUE_ROOM.getByName(queueRoomName(instanceId, queueId)).enqueue({
        contactId: state.contactId,
        channel: state.channel,
        attributes: state.attributes,
        // A task is started by the API or a flow, as Amazon Connect records it.
        ...(state.channel === "TASK" ? { initiationMethod: "API" as const } : opts.transfer ? { initiationMethod: "TRANSFER" as const } : {}),
        ...queueRoutingOf(state, queueId),
        notify,
      });
      if (result.status === "AT_CAPACITY") return { type: "enqueue_result", ok: false, reason: "atCapacity" };
      if (result.status !== "QUEUED") return { type: "enqueue_result", ok: false, reason: "error", message: `Queue ${queueId} not found` };
      return {
        type: "enqueue_result",
        ok: true,
        queue: {
          id: queueId,
          name: effect.queueName ?? queueId,
          position: result.position,
          estimatedWaitSeconds: result.estimatedWaitSeconds ?? undefined,
        },
      };
    }
    case "create_task": {
      // The task is its own contact; this one names it as its previous contact.
      const { type: _, ...task } = effect;
      const started = await startTask(env, instanceId, { ...task, previousContactId: state.contactId });
      return started.ok ? { type: "task_result", ok: true, contactId: started.contactId } : { type: "task_result", ok: false, error: `${started.field}: ${started.message}` };
    }
    default:
      return null;
  }
}

/** The id of the callback a caller's CreateCallbackContact block makes: a UUID derived from both, so a retry makes no second one. */
export async function callbackContactId(callerContactId: string, actionId: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`callback:${callerContactId}:${actionId}`)));
  digest[6] = (digest[6] & 0x0f) | 0x40; // version 4 layout, variant 10: any UUID check accepts it
  digest[8] = (digest[8] & 0x3f) | 0x80;
  const hex = [...digest.slice(0, 16)].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** CreateCallbackContact's effect: the callback contact, made and waiting in its queue (./voice/callback.ts), or why not. */
export async function createCallback(env: Env, instanceId: string, effect: Extract<Effect, { type: "create_callback" }>, state: FlowState): Promise<FlowEvent> {
  // One callback per caller and block: a retried turn finds the same contact.
  const contactId = await callbackContactId(state.contactId, state.pending?.actionId ?? state.currentActionId ?? "");
  const made = await env.CONTACT_SESSION.getByName(contactRoomName(instanceId, contactId)).callbackStart({
    previousContactId: state.contactId, queueId: effect.queueId, phoneNumber: effect.phoneNumber, systemNumber: state.systemEndpoint,
    initialDelaySeconds: effect.initialDelaySeconds, retryDelaySeconds: effect.retryDelaySeconds, maxAttempts: effect.maxAttempts, attributes: state.attributes,
  });
  return made.ok ? { type: "callback_result", ok: true, contactId } : { type: "callback_result", ok: false, error: made.message };
}
