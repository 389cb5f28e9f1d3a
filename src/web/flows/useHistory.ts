/**
 * Undo and redo over one text value (the flow's JSON). Edits sharing a coalesce key that follow
 * each other within a moment make one step, so typing a prompt or in the JSON undoes as a whole.
 */
import { useCallback, useRef, useState } from "react";

const COALESCE_MS = 1500;
const LIMIT = 200;

export function useHistory(initial: string) {
  const [h, setH] = useState({ past: [] as string[], present: initial, future: [] as string[] });
  const last = useRef<{ key?: string; at: number }>({ at: 0 });
  const set = useCallback((value: string, coalesce?: string) => {
    const now = Date.now();
    const merge = !!coalesce && last.current.key === coalesce && now - last.current.at < COALESCE_MS;
    last.current = { key: coalesce, at: now };
    setH((s) => (value === s.present ? s : merge ? { ...s, present: value, future: [] } : { past: [...s.past, s.present].slice(-LIMIT), present: value, future: [] }));
  }, []);
  const undo = useCallback(() => {
    last.current = { at: 0 };
    setH((s) => (s.past.length ? { past: s.past.slice(0, -1), present: s.past[s.past.length - 1], future: [s.present, ...s.future] } : s));
  }, []);
  const redo = useCallback(() => {
    last.current = { at: 0 };
    setH((s) => (s.future.length ? { past: [...s.past, s.present], present: s.future[0], future: s.future.slice(1) } : s));
  }, []);
  return { value: h.present, set, undo, redo, canUndo: h.past.length > 0, canRedo: h.future.length > 0 };
}
