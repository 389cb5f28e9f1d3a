/**
 * Tells a channel what happened to its contact: the object named by `NotifyTarget` (a Durable
 * Object binding of this Worker, e.g. the voice/chat ContactSession) gets `onRoutingEvent`.
 * `checkNotifyTarget` runs at enqueue so a wrong binding fails loudly there, not silently later.
 *
 * Delivery is durable: a routing object appends the event to its `notices` table in the same
 * synchronous step as the change it reports (`NoticeOutbox.add`), then delivers in order, one
 * contact's events never overtaking each other; a failed delivery stays and the owner's alarm
 * retries it (`retryAt`). Each event carries an id (`<object name>#<seq>`), so the receiver can
 * ignore a delivery it already applied (at-least-once delivery, applied once).
 *
 * An owner that passes its `ContactOutbox` relays with each event its record rows for that
 * contact not yet in D1 (`takeForRelay`): a ContactSession keeps them in its own outbox and
 * writes them with its flow logs in one statement (issue #29: the logs then cost D1 no statement
 * of their own). Rows the receiver did not say it kept (`recordsKept`), or a failed delivery's,
 * go back to the owner's outbox; event keys make a row written by both land once.
 */
import { Throttle } from "./coalesce";
import type { ContactOutbox } from "./contact-record";
import type { NotifyTarget, RoutingEvent, RoutingEventAnswer, RoutingEventSink } from "./types";

type SinkNamespace = { getByName(name: string): RoutingEventSink };

function namespaceOf(env: Env, binding: string): SinkNamespace | null {
  const ns = (env as unknown as Record<string, unknown>)[binding];
  return ns && typeof (ns as SinkNamespace).getByName === "function" ? (ns as SinkNamespace) : null;
}

export function checkNotifyTarget(env: Env, target: NotifyTarget | null | undefined): string | null {
  if (!target) return null;
  return namespaceOf(env, target.binding) ? null : `No Durable Object binding named ${target.binding}`;
}

export async function notifyChannel(env: Env, target: NotifyTarget | null | undefined, event: RoutingEvent): Promise<RoutingEventAnswer> {
  if (!target) return;
  const ns = namespaceOf(env, target.binding);
  if (!ns) throw new Error(`No Durable Object binding named ${target.binding}`);
  return ns.getByName(target.name).onRoutingEvent(event);
}

type NoticeRow = { seq: number; target: string; event: string };

export class NoticeOutbox {
  #rows: NoticeRow[];
  #failedAt = 0;
  /** One delivery pass at a time; calls meanwhile fold into one more (a pass whose I/O never settles is given up). */
  #sender = new Throttle(() => this.pass(), 0);

  constructor(
    private readonly sql: SqlStorage,
    private readonly env: Env,
    /** The owner's object name: with the row's seq, the event's id. */
    private readonly source: string,
    /** The owner's contact records, relayed with each event to its contact (see the top of this file). */
    private readonly records?: ContactOutbox,
  ) {
    sql.exec("CREATE TABLE IF NOT EXISTS notices (seq INTEGER PRIMARY KEY AUTOINCREMENT, target TEXT NOT NULL, event TEXT NOT NULL)");
    this.#rows = sql.exec<NoticeRow>("SELECT * FROM notices ORDER BY seq").toArray();
    if (this.#rows.length) this.#failedAt = Date.now(); // left over from before a restart: deliver at once, then by alarm
  }

  /** Appends an event for the channel; call in the same synchronous step as the change it reports. */
  add(target: NotifyTarget, event: Omit<RoutingEvent, "id">) {
    const row = { target: JSON.stringify(target), event: JSON.stringify(event) };
    const { seq } = this.sql.exec<{ seq: number }>(
      "INSERT INTO notices (target, event) VALUES (?, ?) RETURNING seq", row.target, row.event).one();
    this.#rows.push({ seq, ...row });
  }

  pending(): number {
    return this.#rows.length;
  }

  /** When the owner's alarm must retry, or null if nothing failed. */
  retryAt(delayMs: number): number | null {
    return this.#rows.length && this.#failedAt ? this.#failedAt + delayMs : null;
  }

  /** Delivers what is pending, in order. */
  deliver(): Promise<void> {
    return this.#sender.trigger();
  }

  /** One pass over the pending rows; a contact whose event failed gets none of its later ones this time. */
  private async pass() {
    const blocked = new Set<string>();
    let failed = false;
    for (const row of [...this.#rows]) {
      const event: RoutingEvent = { ...(JSON.parse(row.event) as RoutingEvent), id: `${this.source}#${row.seq}` };
      if (blocked.has(event.contactId)) continue;
      const relay = this.records?.takeForRelay(undefined, event.contactId) ?? null;
      try {
        const answer = await notifyChannel(this.env, JSON.parse(row.target) as NotifyTarget, relay ? { ...event, records: relay.records } : event);
        if (relay) this.records!.relayed(relay.seqs, answer?.recordsKept === true);
      } catch (err) {
        if (relay) this.records!.relayed(relay.seqs, false);
        console.error(JSON.stringify({ event: "notify_channel_failed", id: event.id, type: event.type, message: String(err) }));
        blocked.add(event.contactId);
        failed = true;
        continue;
      }
      this.sql.exec("DELETE FROM notices WHERE seq = ?", row.seq);
      const i = this.#rows.indexOf(row);
      if (i >= 0) this.#rows.splice(i, 1);
    }
    this.#failedAt = failed ? Date.now() : 0;
  }
}
