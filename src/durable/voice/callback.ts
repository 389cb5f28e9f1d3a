/**
 * A queued callback (Amazon Connect's CreateCallbackContact): its own VOICE contact, initiated
 * CALLBACK, linked to the caller's contact (`previous_contact_id`), made by the caller's flow
 * (src/flows/actions/callback.ts) and waiting in the queue in the caller's place
 * (../queue-callback.ts). Nobody is on the line while it waits; it is not offered to an agent
 * before its InitialCallDelaySeconds have passed (the queue's alarm offers it then). When an agent accepts it, it is
 * dialled as an agent's outbound call is (./outbound.ts, whose table it also keeps): Twilio calls
 * the agent's leg first, then the customer, from the queue's outbound caller id (else the number
 * the caller dialled), into the contact's conference.
 *
 * The customer busy, not answering or failing: while attempts are left, the agent's leg hangs up
 * and the customer is called again (with the agent's leg first) after the retry delay — a delayed
 * action, so the session's alarm does it, surviving a restart. The last attempt unanswered ends
 * the contact as an unanswered outbound call does (CUSTOMER_NOT_ANSWERED; the agent's slot to
 * after contact work saying why). The agent who accepted keeps the contact between attempts.
 */
import { and, eq } from "drizzle-orm";
import { createDb } from "../../db/client";
import { createContact } from "../../db/contacts";
import { contactEvents, contacts } from "../../db/schema";
import { newFlowState } from "../../flows";
import { keyringFromEnv } from "../../lib/crypto";
import { queueRoomName } from "../../lib/object-names";
import { awaitedEffect, resumeFlow, type FlowContent, type FlowContext, type FlowResult } from "../../flows";
import { createCallback, flowContext } from "../contact-flow";
import type { NotifyTarget } from "../types";
import type { VoiceHost } from "./host";

export type CallbackStart = {
  /** The caller's contact, whose place in the queue the callback takes. */
  previousContactId: string;
  queueId: string;
  /** The number to call (E.164, checked by the flow). */
  phoneNumber: string;
  /** The number the caller dialled: the callback calls from it when the queue has no outbound caller id. */
  systemNumber: string | null;
  /** InitialCallDelaySeconds: the callback is not offered to an agent before this long after it is made (it keeps its place meanwhile). */
  initialDelaySeconds: number;
  retryDelaySeconds: number;
  maxAttempts: number;
  attributes: Record<string, string>;
};

type CallbackRow = { max_attempts: number; retry_delay_ms: number; attempts: number };

export class CallbackCall {
  constructor(private readonly host: VoiceHost) {}

  static schema(sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS callback (
      id INTEGER PRIMARY KEY CHECK (id = 1), max_attempts INTEGER NOT NULL, retry_delay_ms INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
      recorded INTEGER NOT NULL DEFAULT 0)`);
  }

  /** Whether this contact is a queued callback. */
  is(): boolean {
    return this.state() !== null;
  }

  private state(): CallbackRow | null {
    if (!this.host.tables.exists("callback")) return null;
    return this.host.sql.exec<CallbackRow>("SELECT max_attempts, retry_delay_ms, attempts FROM callback WHERE id = 1").toArray()[0] ?? null;
  }

  /**
   * Keeps the callback's session row (waiting, before routing can tell it anything), records the
   * contact in D1 (INITIATED, CALLBACK, linked to the caller's), then puts it in the queue in the
   * caller's place. Refused (the caller is being offered to an agent, or the queue is full or
   * gone): nothing is kept. Safe to repeat: a retried start (the caller's webhook retried, or this
   * object restarted part-way) carries on from the step it reached; the queue's enqueue is
   * idempotent.
   */
  async start(o: CallbackStart, notify: NotifyTarget): Promise<{ ok: true } | { ok: false; message: string }> {
    const { env, instanceId, contactId } = this.host;
    let r = this.host.row();
    if (r && r.phase !== "QUEUED") return { ok: true }; // offered and dialled already, or over
    if (!r) {
      const ctx = await flowContext(env.DB, instanceId);
      const queue = ctx.queues?.[o.queueId];
      if (!queue) return { ok: false, message: `queue ${o.queueId} not found` };
      const callerId = queue.outboundCallerId || o.systemNumber;
      if (!callerId) return { ok: false, message: `no number to call from: give queue ${queue.name} an outbound caller id` };
      const instance = await env.DB.prepare("SELECT public_base_url AS url FROM instances WHERE id = ?").bind(instanceId).first<{ url: string }>();
      if (!instance) return { ok: false, message: "the instance no longer exists" };
      const state = newFlowState({
        contactId, channel: "VOICE", flowType: "CONTACT_FLOW", attributes: o.attributes,
        customerEndpoint: o.phoneNumber, systemEndpoint: callerId, queue: { id: o.queueId, name: queue.name },
      });
      state.endReason = "queued callback";
      this.host.sql.exec(
        `INSERT OR IGNORE INTO session (id, instance_id, contact_id, channel, phase, step, flow_state, queue_id, connections, from_number, to_number, public_base_url, created_at)
         VALUES (1, ?, ?, 'VOICE', 'QUEUED', 0, ?, ?, 0, ?, ?, ?, ?)`,
        instanceId, contactId, JSON.stringify(state), o.queueId, o.phoneNumber, callerId, instance.url, Date.now(),
      );
      this.host.tables.ensure("outbound");
      this.host.sql.exec("INSERT OR IGNORE INTO outbound_call (id) VALUES (1)");
      this.host.tables.ensure("callback");
      this.host.sql.exec("INSERT OR IGNORE INTO callback (id, max_attempts, retry_delay_ms) VALUES (1, ?, ?)", Math.max(1, o.maxAttempts), o.retryDelaySeconds * 1000);
      r = this.host.require();
    }
    const db = createDb(env.DB);
    if (!this.host.sql.exec<{ recorded: number }>("SELECT recorded FROM callback WHERE id = 1").one().recorded) {
      await createContact(db, keyringFromEnv(env), {
        id: contactId, instanceId, channel: "VOICE", initiationMethod: "CALLBACK", previousContactId: o.previousContactId,
        customerEndpoint: r.from_number, systemEndpoint: r.to_number, attributes: o.attributes, at: r.created_at,
      }).catch((err: unknown) => {
        if (!/UNIQUE/i.test(String(err))) throw err; // written by a start whose answer was lost
      });
      this.host.sql.exec("UPDATE callback SET recorded = 1 WHERE id = 1");
    }
    const queued = await env.QUEUE_ROOM.getByName(queueRoomName(instanceId, r.queue_id ?? o.queueId)).enqueue({
      contactId, channel: "VOICE", initiationMethod: "CALLBACK", callbackFor: o.previousContactId, attributes: o.attributes, notify,
      // From when it was made (kept in the session row), so a retried start asks for the same time.
      ...(o.initialDelaySeconds > 0 ? { offerAfter: r.created_at + o.initialDelaySeconds * 1000 } : {}),
    });
    if (queued.status === "QUEUED") return { ok: true };
    this.host.sql.exec("DELETE FROM callback");
    this.host.sql.exec("DELETE FROM outbound_call");
    this.host.sql.exec("DELETE FROM session");
    await db.batch([
      db.delete(contactEvents).where(and(eq(contactEvents.instanceId, instanceId), eq(contactEvents.contactId, contactId))),
      db.delete(contacts).where(and(eq(contacts.instanceId, instanceId), eq(contacts.id, contactId))),
    ]);
    const why = { AT_CAPACITY: "the queue is full", NOT_FOUND: "the queue no longer exists", NOT_WAITING: "the caller is being offered to an agent" } as const;
    return { ok: false, message: why[queued.status] };
  }

  /**
   * The customer's leg ended unanswered (busy, no answer, failed) with attempts left: the agent's
   * leg hangs up and both are called again after the retry delay, into a new conference (so late
   * callbacks of this attempt's legs change nothing). False: not a callback, answered, or the last
   * attempt — the call ends as an unanswered outbound call does.
   */
  retry(status: string): boolean {
    const c = this.state();
    const r = this.host.row();
    if (!c || !r || r.phase !== "CONNECTED" || !r.agent_id || status === "completed") return false;
    const answered = this.host.sql.exec<{ answered_at: number | null }>("SELECT answered_at FROM outbound_call WHERE id = 1").toArray()[0]?.answered_at;
    if (answered) return false;
    const attempts = c.attempts + 1;
    this.host.sql.exec("UPDATE callback SET attempts = ? WHERE id = 1", attempts);
    if (attempts >= c.max_attempts) return false;
    const now = Date.now();
    const retryAt = now + c.retry_delay_ms;
    this.host.record({
      contactId: this.host.contactId, type: "CALLBACK_ATTEMPT_FAILED", at: now, agentId: r.agent_id, queueId: r.queue_id,
      data: { attempt: attempts, of: c.max_attempts, status, retryAt },
    });
    this.host.set({ call_sid: null, agent_call_sid: null, conference: `${this.host.contactId}-${r.connections + 1}`, connections: r.connections + 1 });
    if (r.agent_call_sid) this.host.enqueueAction({ kind: "hangupCall", callSid: r.agent_call_sid });
    this.host.enqueueAction({ kind: "dialOutbound", agentId: r.agent_id }, retryAt);
    this.host.kick();
    return true;
  }

  /**
   * A caller's CUSTOMER_QUEUE flow reached CreateCallbackContact: the callback is made (taking the
   * caller's place) and the flow goes on — its confirmation is what the caller hears last. Once
   * a callback is made, the caller's contact ends (CONTACT_FLOW_DISCONNECT, naming the callback),
   * and their call ends after that TwiML (the next webhook finds the contact ended).
   */
  async fromQueueFlow(content: FlowContent, result: FlowResult, ctx: FlowContext): Promise<FlowResult> {
    let made: string | null = null;
    for (let i = 0; i < 3 && result.status === "waiting_effect"; i++) {
      const effect = awaitedEffect(result);
      if (effect?.type !== "create_callback") break;
      const event = await createCallback(this.host.env, this.host.instanceId, effect, result.state);
      if (event.type === "callback_result" && event.ok) made = event.contactId;
      const next = resumeFlow(content, result.state, event, ctx);
      result = { ...next, effects: [...result.effects, ...next.effects], logs: [...result.logs, ...next.logs] };
    }
    if (made) {
      const now = Date.now();
      this.host.set({ phase: "ENDED", ended_at: now });
      this.host.record({
        contactId: this.host.contactId, type: "DISCONNECTED", at: now, data: { by: "FLOW", callbackContactId: made },
        update: { state: "ENDED", endedAt: now, disconnectReason: "CONTACT_FLOW_DISCONNECT" },
      });
      this.host.kick();
    }
    return result;
  }
}
