/**
 * A new inbound call (POST /twilio/voice): the contact's session row and D1 record, then the
 * flow's first turn. A retry of the webhook gets the same answer; a retry after a first turn that
 * failed (D1 unreachable, say) runs that turn again; retries arriving while the turn is under way
 * wait for its answer.
 */
import type { FlowResult } from "../../flows";
import { loadPublishedFlow, type PublishedFlow } from "../contact-flow";
import type { SessionRow, VoiceStart } from "../session-row";
import type { VoiceHost } from "./host";
import { hangup, sayAndHangup } from "./twiml";

export class InboundCall {
  constructor(
    private readonly host: VoiceHost,
    /** The TwiML for a flow result (VoiceChannel.answer), kept as the answer to retries. */
    private readonly answer: (result: FlowResult) => Promise<string>,
    /** What a queued caller hears next (VoiceChannel.queueWait). */
    private readonly queueWait: () => Promise<string>,
  ) {}

  /** The first turn under way, so Twilio's retry of the call's first webhook waits for its answer. */
  #starting: Promise<string> | null = null;

  /**
   * A new inbound call (POST /twilio/voice). A retry for the same call gets the same answer; a
   * retry after a first turn that failed (D1 unreachable, say) runs that turn again.
   */
  async start(start: VoiceStart): Promise<string> {
    while (this.#starting) {
      const running = this.#starting;
      try {
        return await running;
      } catch {
        if (this.#starting === running) this.#starting = null; // it failed: this request tries again
      }
    }
    const starting = this.#start(start);
    this.#starting = starting;
    try {
      return await starting;
    } finally {
      if (this.#starting === starting) this.#starting = null;
    }
  }

  async #start(start: VoiceStart): Promise<string> {
    const existing = this.host.row();
    if (existing && !this.firstTurnOwed(existing)) {
      // Queued by a first turn whose answer was lost (it failed after the queue took the call): the queue loop.
      if (existing.last_twiml === null && existing.phase === "QUEUED") return this.queueWait();
      return existing.last_twiml ?? hangup();
    }
    if (!existing) {
      const now = Date.now();
      const flow = start.flowId ? await loadPublishedFlow(this.host.env, this.host.instanceId, start.flowId) : null;
      if (this.host.row()) return this.#start(start);
      this.host.sql.exec(
        `INSERT INTO session (id, instance_id, contact_id, channel, phase, step, flow, call_sid, from_number, to_number, public_base_url, created_at)
         VALUES (1, ?, ?, 'VOICE', 'FLOW', 0, ?, ?, ?, ?, ?, ?)`,
        this.host.instanceId, this.host.contactId, flow ? JSON.stringify(flow) : null, start.callSid, start.from, start.to, start.publicBaseUrl, now,
      );
      // The contact record is written off the webhook's path (first in line of the session's work).
      this.host.oweContact({
        id: this.host.contactId, instanceId: this.host.instanceId, channel: "VOICE", initiationMethod: "INBOUND",
        externalId: start.callSid, customerEndpoint: start.from, systemEndpoint: start.to,
        flowId: flow?.id ?? null, flowVersion: flow?.version ?? null, at: now,
      });
      if (!flow) {
        const twiml = sayAndHangup("Sorry, this number is not set up to take calls yet. Goodbye.");
        this.host.set({ last_twiml: twiml, phase: "ENDED", ended_at: now });
        this.host.record({ contactId: this.host.contactId, type: "DISCONNECTED", at: now, data: { reason: "NO_FLOW" }, update: { state: "ENDED", endedAt: now, disconnectReason: "NO_FLOW" } });
        this.host.kick();
        return twiml;
      }
    }
    const r = this.host.require();
    const flow = JSON.parse(r.flow!) as PublishedFlow;
    const result = await this.host.turn(flow, {
      init: {
        contactId: this.host.contactId, channel: "VOICE", flowId: flow.id, flowVersion: flow.version, flowType: flow.type,
        customerEndpoint: r.from_number ?? start.from, systemEndpoint: r.to_number ?? start.to,
      },
    });
    return this.answer(result);
  }

  /** The call's first turn failed before it answered anything: the contact exists, its flow has not run. */
  private firstTurnOwed(r: SessionRow): boolean {
    return r.last_twiml === null && r.phase === "FLOW" && r.step === 0 && r.flow !== null;
  }
}
