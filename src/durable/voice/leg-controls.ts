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
    if (!this.host.tables.exists("mute")) return false;
    return this.host.sql.exec<{ muted: number }>("SELECT muted FROM agent_mute WHERE conference = ?", conference).toArray()[0]?.muted === 1;
  }

  /** Whether the caller on `conference` is to be held. */
  callerHeld(conference: string): boolean {
    if (!this.host.tables.exists("hold")) return false;
    return this.host.sql.exec<{ held: number }>("SELECT held FROM caller_hold WHERE conference = ?", conference).toArray()[0]?.held === 1;
  }

  /**
   * What is asked for the call's conference now (the caller held, the agent muted), for the
   * action about to carry it out. Null where this session never kept it (an action queued before
   * these were kept goes by what it carries).
   */
  wanted(what: "hold" | "mute"): boolean | null {
    const conference = this.host.row()?.conference;
    if (!conference || !this.host.tables.exists(what)) return null;
    return what === "hold" ? this.callerHeld(conference) : this.agentMuted(conference);
  }

  /** The agent holds or resumes the caller (routing's HELD / RESUMED, or a consult handed over). */
  hold(held: boolean) {
    const conference = this.host.row()?.conference;
    if (!conference) return;
    this.host.tables.ensure("hold");
    this.host.sql.exec("INSERT OR REPLACE INTO caller_hold (conference, held) VALUES (?, ?)", conference, held ? 1 : 0);
    this.host.enqueueAction({ kind: "hold", onHold: held });
  }

  /** The connected agent mutes or unmutes their own leg. */
  mute(conference: string, muted: boolean) {
    this.host.tables.ensure("mute");
    this.host.sql.exec("INSERT OR REPLACE INTO agent_mute (conference, muted) VALUES (?, ?)", conference, muted ? 1 : 0);
    this.host.enqueueAction({ kind: "muteAgent", muted });
  }

  /** The agent's mute was theirs: whoever has the call next starts unmuted. */
  forgetMute() {
    if (this.host.tables.exists("mute")) this.host.sql.exec("DELETE FROM agent_mute");
  }

}
