/**
 * What the agent last asked of the call's legs, kept per conference (one per connection): the
 * caller held or not, the agent's own leg muted or not. And whether the caller has been put
 * through to the conference: their bridge webhook was answered, so a retried bridge action does
 * not redirect them a second time (which would take them out of the conference again).
 *
 * The actions that carry a wish out through Twilio's REST API ("hold" and "muteAgent" in
 * ./actions.ts) read it when they run, not when they were queued. So a retried action cannot
 * undo a later one, and a leg that reaches the conference late still gets the wish as it stands:
 * the agent's leg joins muted (./twiml.ts agentBridge), and the caller is held as soon as the
 * conference says they joined (the session then runs the waiting actions again).
 */
import type { VoiceHost } from "./host";

/** Where each wish is kept: its table group (../channel.ts VOICE_TABLES), table and column. */
const KEPT = {
  hold: { table: "caller_hold", column: "held" },
  mute: { table: "agent_mute", column: "muted" },
  joined: { table: "caller_joined", column: "joined" },
  agentHeld: { table: "agent_hold", column: "held" },
} as const;

export class LegControls {
  constructor(private readonly host: VoiceHost) {}

  static muteSchema(sql: SqlStorage) {
    sql.exec("CREATE TABLE IF NOT EXISTS agent_mute (conference TEXT PRIMARY KEY, muted INTEGER NOT NULL)");
  }

  static holdSchema(sql: SqlStorage) {
    sql.exec("CREATE TABLE IF NOT EXISTS caller_hold (conference TEXT PRIMARY KEY, held INTEGER NOT NULL)");
  }

  static agentHeldSchema(sql: SqlStorage) {
    sql.exec("CREATE TABLE IF NOT EXISTS agent_hold (conference TEXT PRIMARY KEY, held INTEGER NOT NULL)");
  }

  static joinedSchema(sql: SqlStorage) {
    sql.exec("CREATE TABLE IF NOT EXISTS caller_joined (conference TEXT PRIMARY KEY, joined INTEGER NOT NULL)");
  }

  /** The caller was handed the TwiML that joins `conference` (their bridge webhook). */
  callerJoined(conference: string) {
    if (!this.read("joined", conference)) this.write("joined", conference, true);
  }

  /** Whether the caller was already put through to the call's current conference. */
  callerInConference(): boolean {
    const conference = this.host.row()?.conference;
    return !!conference && this.read("joined", conference);
  }

  /** Whether the agent's leg on the call's conference is held, hearing the agent hold flow (./hold-flow.ts holdAgentLeg). */
  agentLegHeld(): boolean {
    const conference = this.host.row()?.conference;
    return !!conference && this.read("agentHeld", conference);
  }

  setAgentLegHeld(held: boolean) {
    const conference = this.host.row()?.conference;
    if (conference && (held || this.host.tables.exists("agentHeld"))) this.write("agentHeld", conference, held);
  }

  /** Whether the agent on `conference` asked to be muted. */
  agentMuted(conference: string): boolean {
    return this.read("mute", conference);
  }

  /**
   * What is asked for the call's conference now (the caller held, the agent muted), for the
   * action about to carry it out. Null where this session never kept it (an action queued before
   * these were kept goes by what it carries).
   */
  wanted(what: "hold" | "mute"): boolean | null {
    const conference = this.host.row()?.conference;
    if (!conference || !this.host.tables.exists(what)) return null;
    return this.read(what, conference);
  }

  /** The agent holds or resumes the caller (routing's HELD / RESUMED, or a consult handed over). */
  hold(held: boolean) {
    const conference = this.host.row()?.conference;
    if (!conference) return;
    this.write("hold", conference, held);
    this.host.enqueueAction({ kind: "hold", onHold: held });
  }

  /**
   * The one the agent consulted (a number, another agent) left the call: while the caller is still
   * held, the agent's leg goes back to hearing the agent hold flow, as it did before the consult.
   */
  consultedLeft() {
    if (this.wanted("hold")) this.host.enqueueAction({ kind: "holdAgentLeg" });
  }

  /** The connected agent mutes or unmutes their own leg. */
  mute(conference: string, muted: boolean) {
    this.write("mute", conference, muted);
    this.host.enqueueAction({ kind: "muteAgent", muted });
  }

  /** The agent's mute was theirs: whoever has the call next starts unmuted. */
  forgetMute() {
    if (this.host.tables.exists("mute")) this.host.sql.exec("DELETE FROM agent_mute");
  }

  private read(what: keyof typeof KEPT, conference: string): boolean {
    if (!this.host.tables.exists(what)) return false;
    const { table, column } = KEPT[what];
    return this.host.sql.exec<{ flag: number }>(`SELECT ${column} AS flag FROM ${table} WHERE conference = ?`, conference).toArray()[0]?.flag === 1;
  }

  private write(what: keyof typeof KEPT, conference: string, on: boolean) {
    this.host.tables.ensure(what);
    const { table, column } = KEPT[what];
    this.host.sql.exec(`INSERT OR REPLACE INTO ${table} (conference, ${column}) VALUES (?, ?)`, conference, on ? 1 : 0);
  }
}
