/**
 * A small per-isolate cache with a time to live, for configuration read on hot paths (Twilio
 * webhooks, flow steps). It keeps promises, so concurrent misses share one load, and forgets
 * failed loads at once. Bounded: the oldest entries go first past `max`.
 */
export class TtlCache<V> {
  #entries = new Map<string, { at: number; value: Promise<V> }>();

  constructor(
    private readonly ttlMs: number,
    private readonly max = 1000,
  ) {}

  get(key: string, load: () => Promise<V>, now = Date.now()): Promise<V> {
    const hit = this.#entries.get(key);
    if (hit && now - hit.at < this.ttlMs) return hit.value;
    const value = load();
    this.#entries.delete(key);
    this.#entries.set(key, { at: now, value });
    value.catch(() => {
      if (this.#entries.get(key)?.value === value) this.#entries.delete(key);
    });
    while (this.#entries.size > this.max) this.#entries.delete(this.#entries.keys().next().value!);
    return value;
  }

  /** Forgets one key, so its next `get` loads afresh. */
  delete(key: string) {
    this.#entries.delete(key);
  }

  clear() {
    this.#entries.clear();
  }
}
