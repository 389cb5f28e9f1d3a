/**
 * A routing object's one alarm, set to the earliest of the times its parts ask for. The alarm as
 * last set is remembered, so a re-arm after every change costs no storage read and no write when
 * nothing moved; the write it does issue commits with the change that called it.
 */
export class OneAlarm {
  /** As last set by this object; undefined until read once at start (`load`), NaN when unknown. */
  #at: number | null | undefined = undefined;

  constructor(private readonly storage: DurableObjectStorage) {}

  /** Reads the alarm once (in the object's constructor, under blockConcurrencyWhile). */
  async load() {
    this.#at = await this.storage.getAlarm();
  }

  /**
   * Starts without reading the alarm: it is taken as unknown, so the first `set` or `by` writes
   * (for an object whose start must not wait on a read, like a call's ContactSession).
   */
  unknown(): this {
    this.#at = Number.NaN;
    return this;
  }

  /**
   * Makes sure the alarm goes off by `at`: an alarm already set for then or earlier is left as
   * it is (it serves), otherwise it is set to `at`.
   */
  by(at: number): Promise<void> {
    if (this.#at !== undefined && this.#at !== null && this.#at <= at) return Promise.resolve();
    return this.set([at]);
  }

  /** The alarm is running: it consumes itself; the handler's last re-arm sets the next one. */
  fired() {
    this.#at = null;
  }

  /** Sets the alarm to the earliest of `times` (null entries ignored), or deletes it if there is none. */
  set(times: (number | null)[]): Promise<void> {
    if (this.#at === undefined) return Promise.resolve(); // `load` re-arms
    let next: number | null = null;
    for (const t of times) if (t !== null && (next === null || t < next)) next = t;
    if (next === this.#at) return Promise.resolve();
    this.#at = next;
    const write = next === null ? this.storage.deleteAlarm() : this.storage.setAlarm(next);
    return write.catch((err) => {
      this.#at = Number.NaN; // unknown now: the next re-arm sets it again
      console.error(JSON.stringify({ event: "rearm", message: String(err) }));
    });
  }
}
