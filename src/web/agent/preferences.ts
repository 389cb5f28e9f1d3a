/**
 * The agent's own workspace preferences, kept in this browser (localStorage): whether an offer
 * rings and whether it shows a browser notification while the tab is hidden. Read with
 * `usePreferences()`; a change in another tab applies here too (the storage event).
 */
import { useSyncExternalStore } from "react";

export type AgentPreferences = { ringSound: boolean; notifications: boolean };

const KEY = "switchboard:agent-preferences";
const DEFAULTS: AgentPreferences = { ringSound: true, notifications: true };
const listeners = new Set<() => void>();
let current: AgentPreferences | null = null;

function read(): AgentPreferences {
  try {
    const raw = localStorage.getItem(KEY);
    const stored = raw ? (JSON.parse(raw) as Partial<AgentPreferences>) : {};
    return {
      ringSound: typeof stored.ringSound === "boolean" ? stored.ringSound : DEFAULTS.ringSound,
      notifications: typeof stored.notifications === "boolean" ? stored.notifications : DEFAULTS.notifications,
    };
  } catch {
    return DEFAULTS;
  }
}

export function preferences(): AgentPreferences {
  current ??= read();
  return current;
}

export function setPreferences(change: Partial<AgentPreferences>) {
  current = { ...preferences(), ...change };
  try {
    localStorage.setItem(KEY, JSON.stringify(current));
  } catch {
    // Storage disabled: the choice holds until the page is reloaded.
  }
  for (const l of listeners) l();
}

export function subscribePreferences(listener: () => void): () => void {
  listeners.add(listener);
  const onStorage = (e: StorageEvent) => {
    if (e.key !== KEY) return;
    current = read();
    listener();
  };
  window.addEventListener("storage", onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("storage", onStorage);
  };
}

export function usePreferences(): AgentPreferences {
  return useSyncExternalStore(subscribePreferences, preferences);
}
