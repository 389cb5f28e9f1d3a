/**
 * What the agent last asked of the call's legs, kept per conference (one per connection): the
 * caller held or not, the agent's own leg muted or not.
 *
 * The actions that carry a wish out through Twilio's REST API ("hold" and "muteAgent" in
 * ./actions.ts) read it when they run, not when they were queued. So a retried action cannot
 * undo a later one, and a leg that reaches the conference late still gets the wish as it stands:
 * the agent's leg joins muted (./twiml.ts agentBridge), and the caller is held as soon as the
 * conference says they joined (the session then runs the waiting actions again).
 */
import type { VoiceHost } from "./channel";

/** Where each wish is kept: its table group (../channel.ts VOICE_TABLES), table and column. */
const KEPT = {
  hold: { table: "caller_hold", column: "held" },
  mute: { table: "agent_mute", column: "muted" },
} as const;

export class LegControls {
  constructor(private readonly host: VoiceHost) {}

  static muteSchema(sql: SqlStorage) {
    sql.exec("CREATE TABLE IF NOT EXISTS agent_mute (conference TEXT PRIMARY KEY, muted INTEGER NOT NULL)");
  }

  static holdSchema(sql: SqlStorage) {
    sql.exec("CREATE TABLE IF NOT EXISTS caller_hold (conference TEXT PRIMARY KEY, held INTEGER NOT NULL)");
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
  wanted(what: keyof typeof KEPT): boolean | null {
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
