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
