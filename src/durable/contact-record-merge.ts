/**
 * Folding a run of one contact's transitions into the single row update that applying them one
 * after another would make (src/durable/contact-record.ts writes it as one UPDATE instead of one
 * per event). Pure: no I/O.
 *
 * One event's update, as contact-record.ts writes it: the "current" columns (state, queue, agent)
 * move only if `updated_at <= at`, and an event that moves any of them sets
 * `updated_at = max(updated_at, at)`; first-time columns are set once; hold seconds add up; the
 * attributes, tags and survey answer of the latest event that has them win.
 *
 * Applied in order from a row whose `updated_at` is U, event i moves its current columns iff
 * `max(U, M_i) <= at_i`, where M_i is the largest `at` of the earlier events that move a current
 * column. So an event with `at_i < M_i` moves nothing whatever U is (dropped here), and the ones
 * left have non-decreasing times: for each column only the last of them that sets it matters,
 * with the test `U <= at` of its own time (if that one fails, every earlier one fails too).
 */
/** What one transition changes in the contact's row (contact-record.ts stores it with the event). */
export type RowUpdate = {
  state?: string;
  /** undefined = leave as is; null = clear. */
  queueId?: string | null;
  agentId?: string | null;
  enqueuedAt?: number;
  connectedAt?: number;
  endedAt?: number;
  afterContactWorkEndedAt?: number;
  /** Added to hold_seconds. */
  addHoldSeconds?: number;
  disconnectReason?: string;
  attributes?: Record<string, string>;
  /** The contact's whole set of user-defined tags (TagContact / UnTagContact). */
  tags?: Record<string, string>;
  /** The customer's survey rating (1–5) and when it was given: the latest answer wins. */
  satisfaction?: number;
  satisfactionAt?: number;
};

/** The folded update: for each current column, the value and the time its test uses. */
export type MergedUpdate = {
  state?: { value: string; at: number };
  queueId?: { value: string | null; at: number };
  agentId?: { value: string | null; at: number };
  /** The latest time of an event that moves a current column: `updated_at` moves up to it. */
  movedAt?: number;
  enqueuedAt?: number;
  connectedAt?: number;
  endedAt?: number;
  afterContactWorkEndedAt?: number;
  addHoldSeconds: number;
  disconnectReason?: string;
  attributes?: Record<string, string>;
  tags?: Record<string, string>;
  satisfaction?: { value: number; at: number | null };
};

const moves = (u: RowUpdate) => u.state != null || u.queueId !== undefined || u.agentId !== undefined;

/** Folds one contact's updates, in the order they were recorded (each with its event's time). */
export function mergeUpdates(events: { at: number; update: RowUpdate }[]): MergedUpdate {
  const m: MergedUpdate = { addHoldSeconds: 0 };
  let high = -Infinity; // M_i
  for (const { at, update: u } of events) {
    if (moves(u)) {
      if (at >= high) {
        if (u.state != null) m.state = { value: u.state, at };
        if (u.queueId !== undefined) m.queueId = { value: u.queueId, at };
        if (u.agentId !== undefined) m.agentId = { value: u.agentId, at };
      }
      high = Math.max(high, at);
      m.movedAt = high;
    }
    m.enqueuedAt ??= u.enqueuedAt;
    m.connectedAt ??= u.connectedAt;
    m.endedAt ??= u.endedAt;
    m.afterContactWorkEndedAt ??= u.afterContactWorkEndedAt;
    m.disconnectReason ??= u.disconnectReason;
    m.addHoldSeconds += u.addHoldSeconds ?? 0;
    if (u.attributes) m.attributes = u.attributes;
    if (u.tags) m.tags = u.tags;
    if (u.satisfaction != null) m.satisfaction = { value: u.satisfaction, at: u.satisfactionAt ?? null };
  }
  return m;
}
