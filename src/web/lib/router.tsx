/**
 * A small client-side router on the History API: the Worker serves index.html for every app
 * path (SPA fallback), and this maps the path to a screen. Links are real <a href> elements,
 * so they work with the keyboard, middle-click and "open in new tab".
 */
import { useEffect, useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from "react";

const listeners = new Set<() => void>();
const notify = () => listeners.forEach((l) => l());

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const snapshot = () => window.location.pathname + window.location.search;

/**
 * Screens holding unsaved work (useLeaveGuard): each gives the question to ask before the app
 * shows another screen. The browser asks its own question on reload or closing (beforeunload).
 */
const leaveGuards = new Set<() => string>();

/** Asks every guard; false when the user chose to stay. */
function confirmLeave(): boolean {
  for (const question of leaveGuards) if (!window.confirm(question())) return false;
  return true;
}

// The back and forward buttons have already moved the address when popstate arrives: if the
// user chooses to stay, the screen's own address is put back.
let shown = snapshot();
window.addEventListener("popstate", () => {
  if (snapshot() !== shown && leaveGuards.size && !confirmLeave()) {
    window.history.pushState(null, "", shown);
    return;
  }
  shown = snapshot();
  notify();
});

/** The current path and query, re-rendering on navigation. */
export function useLocation(): { path: string; search: URLSearchParams } {
  const loc = useSyncExternalStore(subscribe, snapshot);
  const [path, query = ""] = loc.split("?");
  return { path, search: new URLSearchParams(query) };
}

/** Shows another screen; asks first while a screen holds unsaved work, unless `force` (the work was just deleted). */
export function navigate(to: string, opts: { replace?: boolean; force?: boolean } = {}) {
  if (to === snapshot()) return;
  if (!opts.force && leaveGuards.size && !confirmLeave()) return;
  if (opts.replace) window.history.replaceState(null, "", to);
  else window.history.pushState(null, "", to);
  shown = snapshot();
  notify();
}

/**
 * While `unsaved` is true, leaving the screen asks first: in-app navigation (links, navigate,
 * back and forward) with `question`, reloading or closing the tab with the browser's own prompt.
 */
export function useLeaveGuard(unsaved: boolean, question = "You have unsaved changes. Leave this page and lose them?") {
  useEffect(() => {
    if (!unsaved) return;
    const guard = () => question;
    const beforeUnload = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = ""; // older browsers need it set to show the prompt
    };
    leaveGuards.add(guard);
    window.addEventListener("beforeunload", beforeUnload);
    return () => {
      leaveGuards.delete(guard);
      window.removeEventListener("beforeunload", beforeUnload);
    };
  }, [unsaved, question]);
}

export function Link({ href, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const handle = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href);
  };
  return <a href={href} onClick={handle} {...rest} />;
}

/** Matches "/queues/:id" against a path; returns the params or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split("/").filter(Boolean);
  const s = path.split("/").filter(Boolean);
  if (p.length !== s.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(":")) params[p[i].slice(1)] = decodeURIComponent(s[i]);
    else if (p[i] !== s[i]) return null;
  }
  return params;
}

/** Sets the document title for the current screen. */
export function useTitle(title: string) {
  useEffect(() => {
    document.title = `${title} · Switchboard`;
  }, [title]);
}
