/**
 * A lost status callback must not leave a ghost: a call that ended while its `completed`
 * callback never arrived would otherwise stay in its queue, or keep its agent busy, for ever.
 * While a voice contact is live, the session's alarm comes round every CALL_WATCH_MS; when no
 * webhook about the call arrived in that time, it asks Twilio's REST API for the call's status
 * (GET /Calls/{CallSid}.json), and a call Twilio says is over ends here as if its callback had
 * come (the customer's leg; the agent's leg while connected; a consulted number's or agent's
 * leg while on the call). Twilio's own later callback, should it still arrive, then changes
 * nothing (callbacks are idempotent).
 *
 * When the last webhook came is kept in memory only: webhooks come often while a caller waits
 * (the queue loop), and writing each would cost every webhook a storage write. An object that
 * was evicted meanwhile has forgotten it and simply asks Twilio (one REST request).
 */
import { loadInstance } from "../../db/twilio-instances";
import { keyringFromEnv } from "../../lib/crypto";
import { TwilioRest } from "../../twilio/rest";
import type { VoiceHost } from "./host";

/** A live call with no webhook for this long has its status fetched from Twilio. */
export const CALL_WATCH_MS = 5 * 60_000;
/** After a failed fetch (Twilio or D1 unreachable), the next try. */
export const CALL_WATCH_RETRY_MS = 60_000;

const FINAL = new Set(["completed", "busy", "failed", "no-answer", "canceled"]);

type Leg = "customer" | "agent" | "third" | "consult";

export class CallWatch {
  static schema(sql: SqlStorage) {
    sql.exec("CREATE TABLE IF NOT EXISTS call_watch (id INTEGER PRIMARY KEY CHECK (id = 1), check_at INTEGER NOT NULL)");
  }

  /** When this object last heard a webhook about the call (0: not since it started). */
  #heardAt = 0;

  constructor(
    private readonly host: Pick<VoiceHost, "env" | "sql" | "tables" | "instanceId" | "row">,
    /** Applies a final status as its callback would have (VoiceChannel.status). */
    private readonly ended: (leg: Leg, callSid: string, status: string) => Promise<void>,
    /** The legs someone consulted is on: a number's (warm transfer) and an agent's (consult). */
    private readonly consultedLegs: () => [Leg, string | null][] = () => [],
  ) {}

  /** A webhook about the call arrived: it is not lost, so no need to ask Twilio for a while. */
  heard() {
    this.#heardAt = Date.now();
  }

  /** Whether the contact is a call that still may end by a callback (so one may be lost). */
  private watching(): boolean {
    const r = this.host.row();
    return !!r && r.channel === "VOICE" && r.phase !== "ENDED" && !!r.call_sid;
  }

  /** When the session's alarm must come round for the watch (armed on first ask while the call is live), or null. */
  nextDue(): number | null {
    if (!this.watching()) return null;
    if (!this.host.tables.exists("callWatch")) {
      this.host.tables.ensure("callWatch");
      const at = Date.now() + CALL_WATCH_MS;
      this.host.sql.exec("INSERT OR IGNORE INTO call_watch (id, check_at) VALUES (1, ?)", at);
      return at;
    }
    return this.host.sql.exec<{ check_at: number }>("SELECT check_at FROM call_watch WHERE id = 1").toArray()[0]?.check_at ?? null;
  }

  /** From the alarm: when due, asks Twilio about a call nobody heard of for CALL_WATCH_MS. */
  async check(): Promise<void> {
    const due = this.nextDue();
    const now = Date.now();
    if (due === null || due > now) return;
    if (now - this.#heardAt < CALL_WATCH_MS) return this.setDue(this.#heardAt + CALL_WATCH_MS);
    try {
      await this.reconcile();
    } catch (err) {
      console.error(JSON.stringify({ event: "call_watch_failed", instanceId: this.host.instanceId, error: String(err) }));
      return this.setDue(Date.now() + CALL_WATCH_RETRY_MS);
    }
    if (this.watching()) this.setDue(Date.now() + CALL_WATCH_MS);
  }

  private async reconcile() {
    const r = this.host.row()!;
    const instance = await loadInstance(this.host.env.DB, keyringFromEnv(this.host.env), this.host.instanceId);
    if (!instance) throw new Error(`instance ${this.host.instanceId} has no Twilio credentials`);
    const twilio = new TwilioRest(this.host.env.TWILIO_API_BASE_URL, instance);
    // The agent's leg before the customer's: it ends at the agent without ending the customer's call.
    // The consulted ones before them: each ends alone, and the customer's end would wind them up anyway.
    const connected = r.phase === "CONNECTED";
    const legs: [Leg, string | null][] = [...(connected ? this.consultedLegs() : []), ["agent", connected ? r.agent_call_sid : null], ["customer", r.call_sid]];
    for (const [leg, sid] of legs) {
      if (!sid) continue;
      const call = await twilio.fetchCall(sid);
      if (!FINAL.has(call.status)) continue;
      console.warn(JSON.stringify({ event: "call_status_reconciled", instanceId: this.host.instanceId, leg, status: call.status }));
      await this.ended(leg, sid, call.status);
    }
  }

  private setDue(at: number) {
    this.host.sql.exec("UPDATE call_watch SET check_at = ? WHERE id = 1", at);
  }
}
