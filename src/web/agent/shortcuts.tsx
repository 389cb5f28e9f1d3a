/**
 * Keyboard shortcuts in the agent workspace: single keys, as in a mail client, that press the
 * button carrying the key in its `aria-keyshortcuts` (the first enabled one: the oldest offer, the
 * contact on screen), so a shortcut does exactly what the button does. They never fire while the
 * agent types (inputs, text areas, selects, editable text) or with Ctrl, Alt or Cmd held. `?`
 * shows the list.
 */
import { useEffect, useRef } from "react";

export const SHORTCUTS = [
  { key: "A", does: "Accept the incoming contact" },
  { key: "R", does: "Reject the incoming contact" },
  { key: "H", does: "Hold or resume the contact on screen" },
  { key: "M", does: "Mute or unmute yourself on the call" },
  { key: "E", does: "End the contact on screen (or cancel a call being placed)" },
  { key: "?", does: "Show these shortcuts" },
] as const;

export type ShortcutKey = (typeof SHORTCUTS)[number]["key"];

/** Props for a button a shortcut presses: its key for assistive technology, and in its tooltip. */
export function shortcutProps(key: ShortcutKey, label: string) {
  return { "aria-keyshortcuts": key, title: `${label} (${key})` };
}

function typingIn(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) return !["checkbox", "radio", "button", "submit", "reset", "range", "color"].includes(target.type);
  return false;
}

export function useWorkspaceShortcuts(onHelp: () => void) {
  const help = useRef(onHelp);
  help.current = onHelp;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing || e.repeat || typingIn(e.target)) return;
      if (document.querySelector("dialog[open]:not(.shortcuts-help)")) return;
      if (e.key === "?") {
        e.preventDefault();
        help.current();
        return;
      }
      const key = e.key.toUpperCase();
      if (!SHORTCUTS.some((s) => s.key === key)) return;
      const button = document.querySelector<HTMLButtonElement>(`[data-workspace] button[aria-keyshortcuts="${key}"]:not(:disabled)`);
      if (!button) return;
      e.preventDefault();
      button.click();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);
}

/** The list of shortcuts, as a modal dialog (Escape or Close closes it). */
export function ShortcutsHelp({ open, onClose }: { open: boolean; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    else if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} className="shortcuts-help card" aria-labelledby="shortcuts-title" onClose={onClose}>
      <h2 id="shortcuts-title">Keyboard shortcuts</h2>
      <p className="hint">They work anywhere in the workspace except while you type in a field.</p>
      <dl className="facts">
        {SHORTCUTS.map((s) => (
          <div key={s.key} className="fact">
            <dt>
              <kbd>{s.key === "?" ? "?" : s.key.toLowerCase()}</kbd>
            </dt>
            <dd>{s.does}</dd>
          </div>
        ))}
      </dl>
      <div className="form-actions">
        <button type="button" onClick={onClose} autoFocus>
          Close
        </button>
      </div>
    </dialog>
  );
}
