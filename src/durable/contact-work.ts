/**
 * What a ContactSession owes, worked through: actions on the live call (carried out at once,
 * retried from the alarm), the contact's D1 row, its flow logs and contact events (written a
 * moment after the change that owed them, several changes in one run), the chat's and the
 * transcript's jobs, and the contact's end (the caller's details dropped, later the storage
 * emptied). Keeps the session's one alarm. The owed rows themselves: ./contact-store.ts.
 */
import type { Supervision } from "./supervision";
import { createDb } from "../db/client";
import { createContact, type NewContact } from "../db/contacts";
import { sealFlowLogData } from "../db/flow-logs";
import type { FlowLogEntry } from "../flows";
import { keyringFromEnv } from "../lib/crypto";
import { withoutPhoneNumbers } from "../lib/errors";
import type { ChatChannel } from "./chat/channel";
/** What the contact's live analysis owes others (rules' categories and alerts, the customer's live sentiment), delivered by the work. */
export type LiveAnalysis = { owed(): number; deliver(): Promise<void> };
import type { TaskChannel } from "./task/channel";
import type { ContactOutbox, LogRider } from "./contact-record";
import type { ContactStore } from "./contact-store";
import { OneAlarm } from "./one-alarm";
import type { AgentGuide } from "./agent-guide";
import { NotYet, retryAfterFailure, runVoiceAction, type VoiceAction } from "./voice/actions";
import { ConferenceNotReady } from "./voice/waits";
import type { VoiceChannel } from "./voice/channel";
import { recordingWanted } from "./voice/recording";

const RETRY_MS = 2_000;
/**
 * Bookkeeping (the contact's D1 row, flow logs, contact events) is written this long after the
 * change that owed it, not in the instant the webhook's answer is on its way out; changes made
 * meanwhile are written in the same run. Actions on the live call do not wait.
 */
export const WRITE_BEHIND_MS = 20;
/**
 * Flow logs alone (no row, event or action owed with them) wait for company: they go with the
 * contact's next write, or this long after the oldest was logged, or when the contact ends. A
 * caller's menu turns and the turn that queues them cost one D1 write, not one each.
 */
export const LOGS_WRITE_BEHIND_MS = 10_000;
/**
 * How long a finished contact's object keeps anything: late callbacks (recording, transcription,
 * a duplicate status) still find their contact, and its real-time transcript fragments stay the
 * 24 hours Contact Lens keeps them. Then the object's storage is emptied (`deleteAll`). At the end
 * itself the caller's and the dialled numbers and the last TwiML are dropped at once.
 */
export const FINISHED_CONTACT_KEEP_MS = 24 * 60 * 60 * 1000;

/** What the work uses of its ContactSession (the parts a storage emptied and made again are asked for each time). */
export type WorkHost = {
  readonly env: Env;
  ctx: DurableObjectState;
  instanceId: string;
  contactId: string;
  store(): ContactStore;
  outbox(): ContactOutbox;
  voice(): VoiceChannel;
  /** The chat channel, its tables made on first use. */
  chat(): ChatChannel;
  /** The task channel (a TASK contact's start and expiry). */
  task(): TaskChannel;
  /** Live analytics rules' matches, owed to D1 and the dashboards. */
  live(): LiveAnalysis;
  /** Supervisors on the contact (./supervision.ts). */
  supervision(): Supervision;
  /** The step-by-step guide run for the agent's workspace: its view's time limit is due here. */
  guide(): AgentGuide;
  /** Empties the object's storage (its alarm too). */
  empty(): Promise<void>;
};

export class ContactWork {
  /**
   * The alarm as this object last set it (unknown at start: no read on a call's first webhook), so
   * a re-arm to the time already set writes nothing, as when a turn and the queue's first turn
   * after it both re-arm in one webhook.
   */
  #alarm!: OneAlarm;
  #running: Promise<void> | null = null;
  /** Ends a write-behind wait early (something urgent was kicked meanwhile). */
  #wake: (() => void) | null = null;
  /** Kicked while a run was past its wait: it goes round once more. */
  #again = false;
  /** Tests settling the session: flow logs are written now, not kept for company. */
  #logsNow = false;
  /** The run the alarm started: the logs' wait (LOGS_WRITE_BEHIND_MS) is what it is for, or a run died. */
  #alarmRun = false;

  constructor(private readonly host: WorkHost) {
    this.alarmUnknown();
  }

  /** At start, and after the storage (and its alarm) was emptied: the alarm is not known until set. */
  alarmUnknown() {
    this.#alarm = new OneAlarm(this.host.ctx.storage).unknown();
  }

  private get store() {
    return this.host.store();
  }

  /**
   * Starts working through what is owed; the alarm covers failures. Actions due on the live call
   * (and a chat's jobs) start now; bookkeeping alone waits WRITE_BEHIND_MS.
   */
  kick() {
    const urgent = this.isChat() || this.host.live().owed() > 0 || (this.store.owed.actions > 0 && this.store.sql.exec("SELECT 1 FROM actions WHERE next_at <= ? LIMIT 1", Date.now()).toArray().length > 0);
    // Only flow logs owed, and no run under way: the alarm writes them (LOGS_WRITE_BEHIND_MS).
    if (!urgent && !this.#running && this.logsMayWait()) this.host.ctx.waitUntil(this.rearm());
    else this.host.ctx.waitUntil(this.work(urgent ? 0 : WRITE_BEHIND_MS));
  }

  /** Whether flow logs owed may wait for company: a live contact owes nothing else to D1 (LOGS_WRITE_BEHIND_MS). */
  private logsMayWait(): boolean {
    return !this.store.owed.contact && this.host.outbox().pending() === 0 && this.store.row()?.phase !== "ENDED";
  }

  work(delayMs = 0): Promise<void> {
    if (this.#running) {
      if (delayMs === 0) this.#wake?.();
      if (!this.#wake) this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      try {
        // Should this run die, the alarm takes over (one already due by then serves).
        await this.#alarm.by(Date.now() + RETRY_MS);
        if (delayMs > 0) await new Promise<void>((ok) => { this.#wake = ok; setTimeout(ok, delayMs); });
        for (let round = 0; round === 0 || (this.#again && round < 5); round++) {
          this.#wake = null;
          this.#again = false;
          await this.ensureContactRecord({ withLogs: true });
          await this.runActions();
          if (this.isChat()) await this.host.chat().runDue();
          if (this.isTask()) await this.host.task().runDue();
          await this.host.voice().transcript.runDue();
          await this.host.guide().runDue();
          await this.host.live().deliver();
          // The contact's events and its flow logs, in one statement (the logs ride: `logsRider`).
          await this.host.outbox().flush();
        }
        if (this.finishedAndSettled()) {
          this.store.dropCallerDetails();
          // Read from storage, not the mirror: a test moves the end back behind the object's back.
          const { ended_at } = this.store.sql.exec<{ ended_at: number }>("SELECT ended_at FROM session WHERE id = 1").one();
          if (Date.now() >= ended_at + FINISHED_CONTACT_KEEP_MS) return await this.host.empty();
        }
        await this.rearm();
      } finally {
        this.#wake = null;
        this.#running = null;
        this.#alarmRun = false;
      }
    })();
    return this.#running;
  }

  private async runActions() {
    for (let i = 0; i < 50 && this.store.owed.actions > 0; i++) {
      const next = this.store.sql
        .exec<{ seq: number; action: string; attempts: number }>("SELECT seq, action, attempts FROM actions WHERE next_at <= ? ORDER BY seq LIMIT 1", Date.now())
        .toArray()[0];
      if (!next) return;
      const voice = this.host.voice();
      try {
        const r = this.store.row();
        if (!r) throw new Error(`contact ${this.host.contactId} has no session`);
        await runVoiceAction(this.host.env, this.host.instanceId, this.host.contactId, r, JSON.parse(next.action) as VoiceAction, {
          setAgentCall: (sid) => this.store.set({ agent_call_sid: sid }),
          // A leg learnt from its marked callback meanwhile stays the call's; this second one is hung up.
          setCustomerCall: (sid) => {
            const known = this.store.row()?.call_sid;
            if (known && known !== sid) this.store.enqueueAction({ kind: "hangupCall", callSid: sid });
            else this.store.set({ call_sid: sid });
          },
          thirdPartyCall: () => voice.thirdPartyCall(),
          setThirdPartyCall: (sid) => voice.setThirdPartyCall(sid),
          thirdPartyRefused: () => voice.thirdPartyGone(),
          consultLegToDial: (agentId) => voice.consult.legToDial(agentId),
          consultDialled: (agentId, sid) => voice.consult.dialled(agentId, sid),
          wanted: (what) => voice.legs.wanted(what),
          agentLegHeld: () => voice.legs.agentLegHeld(),
          setAgentLegHeld: (held) => voice.legs.setAgentLegHeld(held),
          consultOnCall: () => voice.consult.active()?.state === "CONNECTED" || voice.consult.flow.announcing(),
          callerInConference: () => voice.legs.callerInConference(),
          recordingWanted: () => recordingWanted(this.store.row()?.flow_state ?? null),
          dialFailed: (failure) => voice.outboundDialFailed(failure),
          transcribeRecordings: () => voice.transcribeRecordings(),
          supervisor: (id) => this.host.supervision().get(id),
          setSupervisorCall: (id, sid) => this.host.supervision().setCall(id, sid),
          supervisionShown: () => this.host.supervision().shown(),
        });
        this.store.actionDone(next.seq);
      } catch (err) {
        if (err instanceof NotYet) {
          this.store.sql.exec("UPDATE actions SET next_at = ? WHERE seq = ?", err.at, next.seq);
          return;
        }
        const attempts = next.attempts + 1;
        // The log line names the action and the error without the numbers either may carry. An
        // action waiting for the conference (the agent's leg on its way in) is not a failure.
        const line = JSON.stringify({ event: err instanceof ConferenceNotReady ? "contact_action_waiting" : "contact_action_failed", contactId: this.host.contactId, action: withoutPhoneNumbers(next.action), attempts, error: withoutPhoneNumbers(String(err)) });
        if (err instanceof ConferenceNotReady) console.log(line);
        else console.error(line);
        const action = JSON.parse(next.action) as VoiceAction;
        const at = await retryAfterFailure(this.host.env, this.host.instanceId, this.host.contactId, action, attempts, String(err));
        if (at === null) {
          this.store.actionDone(next.seq);
          await voice.gaveUp(action, err);
        } else this.store.sql.exec("UPDATE actions SET attempts = ?, next_at = ?, last_error = ? WHERE seq = ?", attempts, at, String(err), next.seq);
        return;
      }
    }
  }

  /**
   * Writes the contact's D1 row if it is still owed. Everything else about the contact (its
   * events, routing's updates) comes after it, so routing is only asked to enqueue once it is there.
   */
  async ensureContactRecord(opts: { withLogs?: boolean } = {}) {
    const store = this.store;
    if (!store.owed.contact) return;
    const pending = store.sql.exec<{ contact: string }>("SELECT contact FROM pending_contact WHERE id = 1").toArray()[0];
    if (!pending) {
      store.owed.contact = false;
      return;
    }
    // From work() (which writes logs one batch at a time), the first turn's flow logs go in the
    // contact's own statement: one D1 statement for the row, its INITIATED event and the logs.
    const logs = opts.withLogs ? store.pendingLogs() : [];
    try {
      await createContact(createDb(this.host.env.DB), keyringFromEnv(this.host.env), JSON.parse(pending.contact) as NewContact,
        { flowLogs: logs.length ? JSON.stringify(await this.sealedEntries(logs)) : null });
      store.logsWritten(logs);
    } catch (err) {
      // Written before a restart that lost our note of it: the row is there, which is all we need
      // (the logs were not written with it; they ride with the next batch, once: migration 0038).
      if (!String((err as Error)?.message ?? err).includes("UNIQUE constraint failed")) throw err;
    }
    store.sql.exec("DELETE FROM pending_contact WHERE id = 1");
    store.owed.contact = false;
  }

  /**
   * The session's outbox takes the flow logs owed, up to 100 entries, into the statement of its
   * next batch, or a statement of their own (src/durable/contact-record.ts, migration 0038). Each
   * entry's payload is personal data (what the caller keyed, attribute values, numbers dialled): it
   * leaves for D1 sealed with the instance's field key (src/db/flow-logs.ts).
   */
  logsRider(): LogRider {
    return {
      take: async (alongside) => {
        const rows = this.store.pendingLogs();
        if (!rows.length) return null;
        // Alone, a live contact's logs wait for company (an event of its own or relayed by routing) until due.
        if (!alongside && !this.#logsNow && !this.#alarmRun && this.logsMayWait() && JSON.parse(rows[0].entry).at + LOGS_WRITE_BEHIND_MS > Date.now()) return null;
        return { contactId: this.host.contactId, entries: await this.sealedEntries(rows), written: () => this.store.logsWritten(rows) };
      },
    };
  }

  /** The entries, each with its number in the session (`seq`: flow_logs' `log_seq`) and its data sealed (src/db/flow-logs.ts). */
  private async sealedEntries(rows: { seq: number; entry: string }[]): Promise<unknown[]> {
    const { env, instanceId, contactId } = this.host;
    const keys = keyringFromEnv(env);
    return Promise.all(rows.map(async (r) => {
      const { data, ...entry } = JSON.parse(r.entry) as FlowLogEntry;
      return data ? { ...entry, seq: r.seq, data: await sealFlowLogData(keys, instanceId, contactId, data) } : { ...entry, seq: r.seq };
    }));
  }

  async rearm() {
    const store = this.store;
    const actionsAt = store.owed.actions > 0
      ? store.sql.exec<{ at: number | null }>("SELECT min(next_at) AS at FROM actions").one().at
      : null;
    // Flow logs with nothing else owed wait for company, up to LOGS_WRITE_BEHIND_MS after the oldest (see kick).
    const logsWait = store.owed.logs > 0 && this.logsMayWait();
    const loggedAt = logsWait
      ? (store.sql.exec<{ at: number | null }>("SELECT json_extract(entry, '$.at') AS at FROM pending_logs ORDER BY seq LIMIT 1").toArray()[0]?.at ?? Date.now())
      : null;
    const endedAt = store.row()?.phase === "ENDED" ? store.row()!.ended_at : null;
    const voice = this.host.voice();
    const times = [actionsAt, this.isChat() ? this.host.chat().nextDue() : null, this.isTask() ? this.host.task().nextDue() : null, voice.transcript.nextDue(), this.host.guide().nextDue(),
      loggedAt === null ? null : loggedAt + LOGS_WRITE_BEHIND_MS,
      endedAt === null ? null : endedAt + FINISHED_CONTACT_KEEP_MS].filter((t): t is number => t !== null);
    const due = times.length ? Math.min(...times) : null;
    const more = this.host.outbox().pending() > 0 || this.host.live().owed() > 0 || store.owed.contact || (store.owed.logs > 0 && !logsWait);
    const soon = due !== null ? Math.max(due, Date.now() + 10) : more ? Date.now() + RETRY_MS : null;
    // A live call's watch for a lost status callback (./voice/call-watch.ts) keeps the alarm set while nothing else does.
    const watchAt = voice.watch.nextDue();
    await this.#alarm.set([soon, watchAt === null ? null : Math.max(watchAt, Date.now() + 10)]);
  }

  /** The contact ended and owes nothing more: no action, no record, log, chat or transcript job left. */
  finishedAndSettled(): boolean {
    const store = this.store;
    const r = store.row();
    if (!r || r.phase !== "ENDED" || r.ended_at === null) return false;
    if (store.owed.actions > 0 || store.owed.logs > 0 || store.owed.contact || this.host.outbox().pending() > 0 || this.host.live().owed() > 0) return false;
    if (this.isChat() && this.host.chat().pendingJobs() > 0) return false;
    const transcriptDue = this.host.voice().transcript.nextDue();
    return transcriptDue === null || transcriptDue > Date.now();
  }

  /** Whether the chat channel has anything to do here: not for a call or a task (its chat tables stay empty). */
  isChat(): boolean {
    const channel = this.store.row()?.channel;
    return channel !== "VOICE" && channel !== "TASK";
  }

  isTask(): boolean {
    return this.store.row()?.channel === "TASK";
  }

  /** The alarm went off: it consumes itself, and the run re-arms. */
  alarmFired() {
    this.#alarm.fired();
    this.#alarmRun = true;
  }

  /** For tests: everything owed is done (actions run, logs and contact events in D1). */
  async settle() {
    this.#logsNow = true;
    try {
      for (let i = 0; i < 20; i++) {
        await this.work();
        const store = this.store;
        const left = store.owed.actions > 0 ? store.sql.exec<{ n: number }>("SELECT count(*) AS n FROM actions WHERE next_at <= ?", Date.now()).one().n : 0;
        if (left === 0 && this.host.outbox().pending() === 0 && store.owed.logs === 0 && (!this.isChat() || this.host.chat().pendingJobs() === 0)) return;
      }
    } finally {
      this.#logsNow = false;
    }
  }
}
