/**
 * An outbound call placed by an agent from the app (Amazon Connect's "outbound call"): the
 * contact is initiated OUTBOUND and takes the agent's voice slot at once, DIALLING, while the
 * session dials both legs through Twilio's REST API — the agent's leg (softphone or own phone)
 * and the customer, from the queue's outbound caller id — into the contact's conference. The
 * customer's status callbacks move the slot to RINGING, and their answer to CONNECTED (the
 * record's CONNECTED, the agent's timer). From then on it is a connected call like any other:
 * hold, transfer, recording, end and after contact work work the same way.
 *
 * Never connected — Twilio refused or could not be reached (after a few quick retries), or the
 * customer was busy, did not answer, or the number failed — the agent's slot goes to after
 * contact work saying why (`outboundFailed`), and the record ends with a disconnect reason and
 * no CONNECTED: it is not a handled contact. Answered, the customer hanging up ends the contact
 * at the agent like any call.
 */
import { and, eq } from "drizzle-orm";
import { createDb } from "../../db/client";
import { createContact } from "../../db/contacts";
import { keyringFromEnv } from "../../lib/crypto";
import { contactEvents, contacts } from "../../db/schema";
import { newFlowState } from "../../flows";
import type { SessionRow } from "../session-row";
import { agentRoomName } from "../../lib/object-names";
import type { NotifyTarget } from "../types";
import type { VoiceHost } from "./host";
import { type DialFailure, notAnsweredFailure } from "./dial-failure";

export type OutboundStart = {
  agentId: string;
  queueId: string;
  queueName: string;
  /** The queue's outbound caller id: what the customer sees, and the contact's system endpoint. */
  callerId: string;
  /** The customer's number (E.164). */
  customerNumber: string;
  publicBaseUrl: string;
};

type OutboundRow = { answered_at: number | null; result: string | null };

export class OutboundCall {
  constructor(private readonly host: VoiceHost) {}

  static schema(sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS outbound_call (
      id INTEGER PRIMARY KEY CHECK (id = 1), answered_at INTEGER, result TEXT)`);
  }

  /** Whether this contact is an outbound call. */
  is(): boolean {
    return this.state() !== null;
  }

  private state(): OutboundRow | null {
    if (!this.host.tables.exists("outbound")) return null;
    return this.host.sql.exec<OutboundRow>("SELECT answered_at, result FROM outbound_call WHERE id = 1").toArray()[0] ?? null;
  }

  /**
   * Records the contact (INITIATED, OUTBOUND: in D1 before routing records anything about it),
   * asks the agent's AgentRoom for their voice slot, then dials both legs. Refused (the agent
   * took another call meanwhile): the contact record is removed and nothing is kept.
   */
  async start(o: OutboundStart, notify: NotifyTarget): Promise<{ ok: true } | { ok: false; message: string }> {
    if (this.host.row()) return { ok: true };
    const now = Date.now();
    const db = createDb(this.host.env.DB);
    await createContact(db, keyringFromEnv(this.host.env), {
      id: this.host.contactId, instanceId: this.host.instanceId, channel: "VOICE", initiationMethod: "OUTBOUND",
      customerEndpoint: o.customerNumber, systemEndpoint: o.callerId, at: now,
    });
    const slot = await this.host.env.AGENT_ROOM.getByName(agentRoomName(this.host.instanceId, o.agentId))
      .startOutbound({ contactId: this.host.contactId, queueId: o.queueId, notify });
    if (!slot.ok) {
      await db.batch([
        db.delete(contactEvents).where(and(eq(contactEvents.instanceId, this.host.instanceId), eq(contactEvents.contactId, this.host.contactId))),
        db.delete(contacts).where(and(eq(contacts.instanceId, this.host.instanceId), eq(contacts.id, this.host.contactId))),
      ]);
      return { ok: false, message: slot.message };
    }
    if (this.host.row()) return { ok: true };
    const state = newFlowState({
      contactId: this.host.contactId, channel: "VOICE", flowType: "CONTACT_FLOW",
      customerEndpoint: o.customerNumber, systemEndpoint: o.callerId, queue: { id: o.queueId, name: o.queueName },
    });
    state.endReason = "outbound call";
    this.host.sql.exec(
      `INSERT INTO session (id, instance_id, contact_id, channel, phase, step, flow_state, queue_id, agent_id, conference, connections,
         from_number, to_number, public_base_url, created_at)
       VALUES (1, ?, ?, 'VOICE', 'CONNECTED', 0, ?, ?, ?, ?, 1, ?, ?, ?, ?)`,
      this.host.instanceId, this.host.contactId, JSON.stringify(state), o.queueId, o.agentId, `${this.host.contactId}-1`,
      o.customerNumber, o.callerId, o.publicBaseUrl, now,
    );
    this.host.tables.ensure("outbound");
    this.host.sql.exec("INSERT INTO outbound_call (id) VALUES (1)");
    this.host.enqueueAction({ kind: "dialOutbound", agentId: o.agentId });
    this.host.kick();
    return { ok: true };
  }

  /**
   * A status callback of a customer leg this call dialled (marked with the conference it was
   * dialled for). Twilio's REST API has no idempotency key: should the answer to the dial be lost,
   * the leg's callback (`initiated` first) tells the session its CallSid, so the dial's retry does
   * not call the customer again, and the leg's end ends the contact. A second leg (dialled
   * before the first one's callback came) is hung up. Returns whether the callback is about the
   * call's customer leg (and goes on to be handled as such).
   */
  legSeen(r: SessionRow, callSid: string, attempt: string, final: boolean): boolean {
    if (r.call_sid === callSid) return true;
    if (!r.call_sid && r.phase === "CONNECTED" && r.conference === attempt) {
      this.host.set({ call_sid: callSid });
      return true;
    }
    if (!final) {
      this.host.enqueueAction({ kind: "hangupCall", callSid });
      this.host.kick();
    }
    return false;
  }

  /** The customer's phone rings (their leg's status callback): the agent's workspace says so. */
  ringing(r: SessionRow) {
    const s = this.state();
    if (!s || s.answered_at || s.result || r.phase !== "CONNECTED" || !r.agent_id) return;
    this.host.enqueueAction({ kind: "outboundProgress", agentId: r.agent_id, state: "RINGING", at: Date.now() });
    this.host.kick();
  }

  /** The customer picked up (Twilio fetched their leg's TwiML, or said in-progress): connected to the agent from now. */
  answered(r: SessionRow) {
    const s = this.state();
    if (!s || s.answered_at || s.result) return;
    const now = Date.now();
    this.host.sql.exec("UPDATE outbound_call SET answered_at = ? WHERE id = 1", now);
    this.host.record({ contactId: this.host.contactId, type: "CUSTOMER_ANSWERED", at: now, agentId: r.agent_id, queueId: r.queue_id, data: { callSid: r.call_sid } });
    if (r.agent_id) this.host.enqueueAction({ kind: "outboundProgress", agentId: r.agent_id, state: "CONNECTED", at: now });
    this.host.kick();
  }

  /**
   * The call could not be placed (Twilio refused it, or could not be reached): the contact ends
   * unconnected, any agent leg already dialled hangs up, and the agent is told why.
   */
  dialFailed(failure: DialFailure) {
    const r = this.host.row();
    const s = this.state();
    if (!r || !s || s.answered_at || s.result || r.phase === "ENDED") return;
    this.host.set({ phase: "ENDED", ended_at: Date.now() });
    this.fail(r, failure);
    if (r.agent_call_sid) this.host.enqueueAction({ kind: "hangupCall", callSid: r.agent_call_sid });
    this.host.kick();
  }

  private fail(r: SessionRow, f: DialFailure) {
    this.host.sql.exec("UPDATE outbound_call SET result = ? WHERE id = 1", f.reason);
    this.host.record({
      contactId: this.host.contactId, type: "CUSTOMER_NOT_ANSWERED", at: Date.now(), agentId: r.agent_id, queueId: r.queue_id,
      data: { reason: f.reason, message: f.message, ...(f.status ? { status: f.status } : {}), ...(r.call_sid ? { callSid: r.call_sid } : {}) },
    });
    if (r.agent_id) this.host.enqueueAction({ kind: "outboundFailed", agentId: r.agent_id, reason: f.reason, message: f.message });
  }

  /**
   * The customer's leg ended. Answered (they hung up): the contact ends at the agent, who goes
   * to after contact work. Never answered (busy, no answer, failed, canceled): the agent is told
   * why. The session drops the agent's leg either way.
   */
  customerEnded(r: SessionRow, status: string) {
    const s = this.state();
    if (!s || s.result) return;
    // Twilio calls a leg completed only once it was answered (its TwiML fetch may not have reached us).
    if (s.answered_at === null && status === "completed") this.answered(r);
    if (s.answered_at !== null || status === "completed") {
      this.host.sql.exec("UPDATE outbound_call SET result = 'completed' WHERE id = 1");
      if (r.agent_id) this.host.enqueueAction({ kind: "endAtAgent", agentId: r.agent_id });
      return;
    }
    this.fail(r, notAnsweredFailure(status));
  }
}
