/**
 * A ContactSession's flow turns, shared by its channels: runs one turn of the contact's flow
 * (src/flows) with its effects carried out here (./contact-flow.ts), keeps the new state, the
 * flow logs and the attribute and tag changes, and when the turn queues the contact, loads the
 * queue's CUSTOMER_QUEUE flow the caller hears while waiting.
 */
import { runTurn, type FlowResult, type FlowState } from "../flows";
import { auditRefusedDials, encryptKeyedInput, enqueueTarget, flowContext, loadPublishedFlow, performEffect, type PublishedFlow } from "./contact-flow";
import type { Transition } from "./contact-record";
import type { ContactStore } from "./contact-store";
import type { NotifyTarget } from "./types";
import { SURVEY_RATING_ATTRIBUTE, surveyRating } from "../shared/survey";

/** What the turns use of their ContactSession. */
export type TurnHost = {
  readonly env: Env;
  instanceId: string;
  contactId: string;
  store(): ContactStore;
  record(t: Transition): void;
  kick(): void;
  /** Writes the contact's D1 row if still owed (routing is asked to enqueue only once it is there). */
  ensureContactRecord(): Promise<void>;
  notifyTarget(): NotifyTarget;
};

export class ContactTurns {
  constructor(private readonly host: TurnHost) {}

  /** Runs one flow turn, keeping the state and the flow logs. */
  async turn(flow: PublishedFlow, input: Parameters<typeof runTurn>[1]): Promise<FlowResult> {
    const { env, instanceId, contactId } = this.host;
    const ctx = await flowContext(env.DB, instanceId);
    if ("event" in input) input = { ...input, event: await encryptKeyedInput(input.state, input.event, { instanceId, contactId }) };
    /** The queue's CUSTOMER_QUEUE flow, asked for alongside the enqueue rather than after it. */
    let queueFlow = null as { queueId: string; flow: Promise<PublishedFlow | null> } | null;
    const result = await runTurn(
      flow.content, input, ctx,
      async (effect, state) => {
        if (effect.type === "enqueue") {
          await this.host.ensureContactRecord();
          const queueId = enqueueTarget(effect);
          if (queueId) {
            queueFlow = { queueId, flow: this.customerQueueFlow(queueId, state.eventHooks?.CustomerQueue) };
            queueFlow.flow.catch(() => {}); // awaited below if the contact was queued there
          }
        }
        return performEffect(this.host.env, instanceId, effect, state, this.host.notifyTarget(), { transfer: flow.type === "QUEUE_TRANSFER" || flow.type === "AGENT_TRANSFER" });
      },
      (flowId) => loadPublishedFlow(this.host.env, instanceId, flowId),
    );
    const store = this.host.store();
    const before = store.row()!;
    const prevState = before.flow_state ? (JSON.parse(before.flow_state) as FlowState) : null;
    const prevAttrs = prevState?.attributes ?? {};
    const prevTags = prevState?.tags;
    const queueId = result.status === "queued" ? (result.state.queue?.id ?? result.state.targetQueueId) : undefined;
    store.set({
      flow_state: JSON.stringify(result.state), step: before.step + 1,
      ...(result.status === "queued" ? { phase: "QUEUED" as const, queue_id: queueId ?? null } : {}),
    });
    store.keepLogs(result.logs);
    await auditRefusedDials(this.host.env, instanceId, contactId, result.logs);
    if (JSON.stringify(prevAttrs) !== JSON.stringify(result.state.attributes)) {
      this.host.record({ contactId, type: "ATTRIBUTES_UPDATED", at: Date.now(), update: { attributes: result.state.attributes } });
      // A survey's answer (src/shared/survey.ts): a valid rating becomes the contact's satisfaction.
      const answer = result.state.attributes[SURVEY_RATING_ATTRIBUTE];
      const rating = answer !== prevAttrs[SURVEY_RATING_ATTRIBUTE] ? surveyRating(answer) : null;
      if (rating !== null) {
        const at = Date.now();
        this.host.record({ contactId, type: "SURVEY_ANSWERED", at, data: { rating }, update: { satisfaction: rating, satisfactionAt: at } });
      }
    }
    if (JSON.stringify(prevTags ?? {}) !== JSON.stringify(result.state.tags ?? {})) {
      this.host.record({ contactId, type: "TAGS_UPDATED", at: Date.now(), update: { tags: result.state.tags ?? {} } });
    }
    if (queueId) await this.loadQueueFlow(queueId, queueFlow?.queueId === queueId ? queueFlow.flow : this.customerQueueFlow(queueId, result.state.eventHooks?.CustomerQueue));
    this.host.kick();
    return result;
  }

  async loadQueueFlow(queueId: string, fetched?: Promise<PublishedFlow | null>) {
    const flow = await (fetched ?? this.customerQueueFlow(queueId));
    const store = this.host.store();
    const r = store.row();
    if (flow || r?.queue_flow != null || r?.queue_flow_state != null) store.set({ queue_flow: flow ? JSON.stringify(flow) : null, queue_flow_state: null });
  }

  /** The CUSTOMER_QUEUE flow a contact waiting in `queueId` runs: the one the contact's flow set (UpdateContactEventHooks), else the queue's. */
  private async customerQueueFlow(queueId: string, hookFlowId?: string): Promise<PublishedFlow | null> {
    const hooked = hookFlowId ? await loadPublishedFlow(this.host.env, this.host.instanceId, hookFlowId) : null;
    if (hooked) return hooked;
    const flowId = await this.customerQueueFlowId(queueId);
    return flowId ? loadPublishedFlow(this.host.env, this.host.instanceId, flowId) : null;
  }

  /** The queue's CUSTOMER_QUEUE flow id, from the instance's cached queues (src/durable/contact-flow.ts), else from D1. */
  private async customerQueueFlowId(queueId: string): Promise<string | null> {
    const cached = (await flowContext(this.host.env.DB, this.host.instanceId)).queues?.[queueId];
    if (cached && cached.customerQueueFlowId !== undefined) return cached.customerQueueFlowId;
    const row = await this.host.env.DB.prepare("SELECT customer_queue_flow_id AS id FROM queues WHERE instance_id = ? AND id = ?")
      .bind(this.host.instanceId, queueId)
      .first<{ id: string | null }>();
    return row?.id ?? null;
  }
}
