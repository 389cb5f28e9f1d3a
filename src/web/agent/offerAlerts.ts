/**
 * What an offer does to get the agent's attention while it is pending: rings (every 3 s) when the
 * agent's preferences allow the sound, and shows one browser notification per offer while the tab
 * is hidden when they allow notifications. Both stop when no offer is pending any more (accepted,
 * rejected, expired or withdrawn). The state is published (`useOfferAlertState`) so the offer card
 * can say that it is ringing: what a screen reader or a test can observe instead of sound.
 */
import { useEffect, useRef, useSyncExternalStore } from "react";
import type { AgentConnection, AgentState } from "./agentConnection";
import { notifyOffer, ringOnce } from "./alerts";
import { preferences, subscribePreferences } from "./preferences";

export type OfferAlertState = { ringing: boolean; notified: readonly string[] };

let published: OfferAlertState = { ringing: false, notified: [] };
const listeners = new Set<() => void>();
function publish(next: OfferAlertState) {
  if (next.ringing === published.ringing && next.notified.join() === published.notified.join()) return;
  published = next;
  for (const l of listeners) l();
}

export function useOfferAlertState(): OfferAlertState {
  return useSyncExternalStore(
    (l) => (listeners.add(l), () => listeners.delete(l)),
    () => published,
  );
}

/** Rings and notifies for `connection`'s offers while mounted. */
export function useOfferAlerts(connection: AgentConnection) {
  const seen = useRef(new Set<string>());
  useEffect(() => {
    let ringTimer: ReturnType<typeof setInterval> | null = null;
    const notifications = new Map<string, Notification>();
    const update = (s: AgentState) => {
      const prefs = preferences();
      const ringing = s.contacts.filter((c) => c.state === "INCOMING");
      for (const c of ringing) {
        if (seen.current.has(c.contactId)) continue;
        seen.current.add(c.contactId);
        if (!prefs.notifications) continue;
        const n = notifyOffer(`Incoming ${c.channel === "VOICE" ? "call" : c.channel.toLowerCase()}`, "Open Switchboard to accept or reject it.", c.contactId);
        if (n) notifications.set(c.contactId, n);
      }
      for (const [id, n] of notifications) {
        if (!ringing.some((c) => c.contactId === id) || !prefs.notifications) {
          n.close();
          notifications.delete(id);
        }
      }
      const ring = ringing.length > 0 && prefs.ringSound;
      if (ring && !ringTimer) {
        ringOnce();
        ringTimer = setInterval(ringOnce, 3000);
      } else if (!ring && ringTimer) {
        clearInterval(ringTimer);
        ringTimer = null;
      }
      publish({ ringing: ring, notified: [...notifications.keys()] });
    };
    const off = connection.subscribe(update);
    update(connection.state);
    const offPrefs = subscribePreferences(() => update(connection.state));
    return () => {
      off();
      offPrefs();
      if (ringTimer) clearInterval(ringTimer);
      for (const n of notifications.values()) n.close();
      publish({ ringing: false, notified: [] });
    };
  }, [connection]);
}
