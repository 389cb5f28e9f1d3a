/**
 * How an incoming contact gets the agent's attention when the page is not in front: a short
 * two-tone ring made with WebAudio (no sound file), and a browser notification when the agent
 * has allowed them. Browsers allow audio only after the user has interacted with the page,
 * which an agent signing in and choosing Available has done.
 */
let audio: AudioContext | null = null;

export function ringOnce() {
  try {
    audio ??= new AudioContext();
    if (audio.state === "suspended") void audio.resume();
    const t0 = audio.currentTime;
    for (const [i, freq] of [440, 480, 440, 480].entries()) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.type = "sine";
      osc.frequency.value = freq;
      const start = t0 + i * 0.25;
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.2, start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.22);
      osc.connect(gain).connect(audio.destination);
      osc.start(start);
      osc.stop(start + 0.24);
    }
  } catch {
    // No audio device or not allowed yet: the visual offer is still there.
  }
}

export function notificationsSupported(): boolean {
  return typeof window !== "undefined" && "Notification" in window;
}

export function notifyOffer(title: string, body: string, tag: string): Notification | null {
  if (!notificationsSupported() || Notification.permission !== "granted" || document.visibilityState === "visible") return null;
  try {
    const n = new Notification(title, { body, tag, requireInteraction: true });
    n.onclick = () => {
      window.focus();
      n.close();
    };
    return n;
  } catch {
    return null;
  }
}

/**
 * Asks for permission to notify, if it has not been asked yet; call it from a user gesture (the
 * agent choosing Available, or the preferences' button), as browsers require.
 */
export async function askNotificationPermission(): Promise<NotificationPermission | "unsupported"> {
  if (!notificationsSupported()) return "unsupported";
  if (Notification.permission !== "default") return Notification.permission;
  try {
    return await Notification.requestPermission();
  } catch {
    return Notification.permission;
  }
}
