/**
 * Supervisors on a live contact (src/shared/supervision.ts): who listens in, coaches or barges in
 * on its call, who reads or joined its chat. Kept in the contact's SQLite storage, so a restart
 * loses nothing: what a supervisor asked is the wish; the `supervise` action
 * (./voice/supervise-leg.ts) carries it out on the call and reads it when it runs, so a retried
 * action never undoes a later wish. The agent is told (the `supervisionNotice` action) what the
 * instance lets them see.
 */
import type { LazyTables } from "./lazy-tables";
import type { SessionRow } from "./session-row";
import type { VoiceAction } from "./voice/actions";
import type { SupervisorRow } from "./voice/supervise-leg";

export type { SupervisorRow } from "./voice/supervise-leg";
import { CHAT_SUPERVISION_MODES, shownToAgent, type Supervisor, type SupervisionMode } from "../shared/supervision";

export type SupervisionHost = {
  sql: SqlStorage;
  tables: Pick<LazyTables<"supervision">, "ensure" | "exists">;
  row(): SessionRow | null;
  enqueueAction(action: VoiceAction): void;
  kick(): void;
};

export type SupervisionAsk = { supervisorId: string; name: string; address: string | null; notifyAgentOnMonitor: boolean };

export type SupervisionResult =
  | { ok: true; mode: SupervisionMode | null; previous: SupervisionMode | null; agentId: string | null }
  | { ok: false; reason: "NOT_CONNECTED" | "WRONG_CHANNEL" | "NOT_SUPERVISING" };

export class Supervision {
  constructor(private readonly host: SupervisionHost) {}

  static schema(sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS supervision (
      supervisor_id TEXT PRIMARY KEY, name TEXT NOT NULL, mode TEXT NOT NULL, address TEXT, call_sid TEXT,
      notify_agent INTEGER NOT NULL, since INTEGER NOT NULL)`);
  }

  /**
   * A supervisor asks for `mode` (or to leave). Only while the contact is connected to an agent
   * (a call: its conference); a call's modes on a call, a chat's on a chat.
   */
  ask(who: SupervisionAsk, mode: SupervisionMode | "LEAVE", now = Date.now()): SupervisionResult {
    const r = this.host.row();
    const current = this.get(who.supervisorId);
    const previous = current && current.mode !== "LEFT" ? current.mode : null;
    if (!r) return { ok: false, reason: "NOT_CONNECTED" };
    const voice = r.channel === "VOICE";
    if (mode === "LEAVE") {
      if (!previous) return { ok: false, reason: "NOT_SUPERVISING" };
      // A call leg still to hang up stays until the action has (./voice/supervise-leg.ts).
      if (voice && current?.call_sid) this.host.sql.exec("UPDATE supervision SET mode = 'LEFT' WHERE supervisor_id = ?", who.supervisorId);
      else this.host.sql.exec("DELETE FROM supervision WHERE supervisor_id = ?", who.supervisorId);
      this.changed(voice, who.supervisorId, r);
      return { ok: true, mode: null, previous, agentId: r.agent_id };
    }
    if (voice === (CHAT_SUPERVISION_MODES as readonly string[]).includes(mode)) return { ok: false, reason: "WRONG_CHANNEL" };
    if (r.phase !== "CONNECTED" || !r.agent_id || (voice && !r.conference)) return { ok: false, reason: "NOT_CONNECTED" };
    if (previous === mode) return { ok: true, mode, previous, agentId: r.agent_id };
    this.host.tables.ensure("supervision");
    this.host.sql.exec(
      `INSERT INTO supervision (supervisor_id, name, mode, address, call_sid, notify_agent, since) VALUES (?, ?, ?, ?, NULL, ?, ?)
       ON CONFLICT (supervisor_id) DO UPDATE SET mode = excluded.mode, name = excluded.name, address = COALESCE(supervision.address, excluded.address),
         notify_agent = excluded.notify_agent, since = excluded.since`,
      who.supervisorId, who.name, mode, who.address, who.notifyAgentOnMonitor ? 1 : 0, now,
    );
    this.changed(voice, who.supervisorId, r);
    return { ok: true, mode, previous, agentId: r.agent_id };
  }

  /** A supervisor's wish as it stands (for the action carrying it out), or null. */
  get(supervisorId: string): SupervisorRow | null {
    if (!this.host.tables.exists("supervision")) return null;
    return this.host.sql.exec<SupervisorRow>("SELECT * FROM supervision WHERE supervisor_id = ?", supervisorId).toArray()[0] ?? null;
  }

  /** The supervisor's leg joined (its CallSid), or is gone (null); a leg hung up after LEAVE ends their row. */
  setCall(supervisorId: string, callSid: string | null) {
    if (!this.host.tables.exists("supervision")) return;
    if (callSid === null) this.host.sql.exec("DELETE FROM supervision WHERE supervisor_id = ? AND mode = 'LEFT'", supervisorId);
    this.host.sql.exec("UPDATE supervision SET call_sid = ? WHERE supervisor_id = ?", callSid, supervisorId);
  }

  /** Supervisors on the contact now (not those leaving). */
  list(): Supervisor[] {
    if (!this.host.tables.exists("supervision")) return [];
    return this.host.sql
      .exec<SupervisorRow>("SELECT * FROM supervision WHERE mode != 'LEFT' ORDER BY since, supervisor_id")
      .toArray()
      .map((s) => ({ supervisorId: s.supervisor_id, name: s.name, mode: s.mode as SupervisionMode, since: s.since }));
  }

  /** What the agent is shown: the supervisors the instance lets them see (src/shared/supervision.ts shownToAgent). */
  shown(): Supervisor[] {
    if (!this.host.tables.exists("supervision")) return [];
    const notify = new Map(this.host.sql.exec<{ supervisor_id: string; notify_agent: number }>("SELECT supervisor_id, notify_agent FROM supervision").toArray().map((s) => [s.supervisor_id, s.notify_agent === 1]));
    return this.list().filter((s) => shownToAgent(s.mode, notify.get(s.supervisorId) ?? true));
  }

  /** The mode a chat supervisor has now (their socket's access), or null. */
  chatMode(supervisorId: string): SupervisionMode | null {
    const s = this.get(supervisorId);
    return s && s.mode !== "LEFT" ? s.mode : null;
  }

  private changed(voice: boolean, supervisorId: string, r: SessionRow) {
    // Both in the same step as the wish: the leg follows it, and the agent is told.
    if (voice) this.host.enqueueAction({ kind: "supervise", supervisorId });
    if (r.agent_id) this.host.enqueueAction({ kind: "supervisionNotice", agentId: r.agent_id });
    this.host.kick();
  }
}
