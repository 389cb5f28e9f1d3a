/** The agent's alert preferences: the ring sound and browser notifications for offers (kept in this browser). */
import { useState } from "react";
import { askNotificationPermission, notificationsSupported } from "./alerts";
import { setPreferences, usePreferences } from "./preferences";

export function AlertPreferences({ onShowShortcuts }: { onShowShortcuts: () => void }) {
  const prefs = usePreferences();
  const [permission, setPermission] = useState(() => (notificationsSupported() ? Notification.permission : "unsupported"));
  return (
    <section className="card alert-preferences" aria-labelledby="alert-preferences-title">
      <h2 id="alert-preferences-title">Alerts</h2>
      <div className="field checkbox">
        <input id="pref-ring" type="checkbox" checked={prefs.ringSound} onChange={(e) => setPreferences({ ringSound: e.target.checked })} />
        <label htmlFor="pref-ring">Ring sound for incoming contacts</label>
      </div>
      <div className="field checkbox">
        <input
          id="pref-notify"
          type="checkbox"
          checked={prefs.notifications}
          onChange={(e) => {
            setPreferences({ notifications: e.target.checked });
            if (e.target.checked) void askNotificationPermission().then(setPermission);
          }}
        />
        <label htmlFor="pref-notify">Browser notification when this tab is hidden</label>
      </div>
      {prefs.notifications && permission === "default" && (
        <button type="button" onClick={() => void askNotificationPermission().then(setPermission)}>
          Allow notifications
        </button>
      )}
      {prefs.notifications && permission === "denied" && <p className="hint">This browser blocks Switchboard's notifications: allow them in the site's settings.</p>}
      {prefs.notifications && permission === "unsupported" && <p className="hint">This browser cannot show notifications.</p>}
      <p>
        <button type="button" className="link" onClick={onShowShortcuts} aria-keyshortcuts="?">
          Keyboard shortcuts (?)
        </button>
      </p>
    </section>
  );
}
