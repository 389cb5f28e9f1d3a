/** Loading state for API reads, with reload. */
import { useCallback, useEffect, useRef, useState } from "react";
import { errorText, listAll } from "./api";

export type Loaded<T> = { data: T | undefined; error: string | null; loading: boolean; reload: () => Promise<void> };

export function useData<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const seq = useRef(0);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const run = useCallback(load, deps);
  const reload = useCallback(async () => {
    const mine = ++seq.current;
    setLoading(true);
    try {
      const value = await run();
      if (mine === seq.current) {
        setData(value);
        setError(null);
      }
    } catch (err) {
      if (mine === seq.current) setError(errorText(err));
    } finally {
      if (mine === seq.current) setLoading(false);
    }
  }, [run]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, error, loading, reload };
}

/** Every item of a collection; `enabled: false` skips loading (the user may not read it). */
export function useCollection<T>(path: string, enabled = true): Loaded<T[]> {
  return useData(() => (enabled ? listAll<T>(path) : Promise.resolve([])), [path, enabled]);
}
