/**
 * Runs an async job at most once at a time; calls made while it runs fold into one more run.
 * Used for off-the-hot-path pushes (metrics) so a burst of changes costs two calls, not N.
 */
export class Coalescer {
  #running: Promise<void> | null = null;
  #dirty = false;

  constructor(private readonly job: () => Promise<void>) {}

  trigger(): Promise<void> {
    if (this.#running) {
      this.#dirty = true;
      return this.#running;
    }
    this.#running = (async () => {
      await null; // let `#running` be set before this can finish
      try {
        do {
          this.#dirty = false;
          try {
            await this.job();
          } catch (err) {
            console.error(JSON.stringify({ event: "coalesced_job_failed", message: String(err) }));
          }
        } while (this.#dirty);
      } finally {
        this.#running = null;
      }
    })();
    return this.#running;
  }
}

const THROTTLE_STALE_MS = 5_000;

/**
 * Runs an async job at most once per `intervalMs`: the first trigger after a quiet period runs it
 * at once (leading edge; or after `intervalMs` with `leading: false`, to gather the burst that
 * usually follows), triggers while it is pending or within the interval fold into one trailing run. For follow-up work off the hot path (metrics pushes, the outbox flush), so a burst
 * of N changes costs about (burst length / interval) runs, not N.
 *
 * A run whose timer or I/O was cancelled with the event that started it (it never settles) is
 * given up after THROTTLE_STALE_MS, and the next trigger starts a new one.
 */
export class Throttle {
  #pending: Promise<void> | null = null;
  #pendingSince = 0;
  #lastRun = Number.NEGATIVE_INFINITY;
  #dirty = false;

  constructor(
    private readonly job: () => Promise<void>,
    private readonly intervalMs: number,
    private readonly options: { leading: boolean } = { leading: true },
  ) {}

  trigger(): Promise<void> {
    this.#dirty = true;
    const now = Date.now();
    if (this.#pending && now - this.#pendingSince < THROTTLE_STALE_MS) return this.#pending;
    this.#pendingSince = now;
    if (!this.options.leading && now - this.#lastRun >= this.intervalMs) this.#lastRun = now;
    let run: Promise<void> | null = null;
    run = (async () => {
      try {
        while (this.#dirty) {
          const wait = this.#lastRun + this.intervalMs - Date.now();
          if (wait > 0) await new Promise((ok) => setTimeout(ok, wait));
          else await null; // let `#pending` be set before this can finish
          this.#dirty = false;
          this.#lastRun = Date.now();
          this.#pendingSince = this.#lastRun;
          try {
            await this.job();
          } catch (err) {
            console.error(JSON.stringify({ event: "throttled_job_failed", message: String(err) }));
          }
        }
      } finally {
        if (this.#pending === run) this.#pending = null;
      }
    })();
    this.#pending = run;
    return run;
  }
}
