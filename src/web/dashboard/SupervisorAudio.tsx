/**
 * The supervisor's audio on the live dashboard: where their leg into a call they listen to, coach
 * or barge in on is carried, as `GET /api/v1/agent/softphone` says for them — the phone simulator
 * (local mode), their own phone, or this browser. In the browser, the same softphone the agent
 * workspace uses (the Twilio Voice SDK, loaded on demand) is started and registered before the
 * first ask, and answers only the supervisor legs of calls this page asked for
 * (`supervisorLegChoice`): the Worker has Twilio ring `client:<userId>?supervise=<contactId>`.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { supervisorLegChoice } from "../../shared/softphone";
import type { SoftphoneConfig } from "../agent/Softphone";
import type { BrowserSoftphone, SoftphoneLegState } from "../agent/twilioDevice";
import { api, errorText } from "../lib/api";

type SupervisorAudio = {
  config: SoftphoneConfig | null;
  leg: SoftphoneLegState | null;
  /**
   * Before asking to supervise a call: answers its leg from now on and, in the browser, resolves
   * once the softphone is registered. Throws (with the reason) when there is nowhere to carry the audio.
   */
  expect(contactId: string): Promise<void>;
  /** After leaving a call (or failing to join it): its leg is no longer answered here. */
  forget(contactId: string): void;
};

const Context = createContext<SupervisorAudio | null>(null);

export function SupervisorAudioProvider({ children }: { children: ReactNode }) {
  const [config, setConfig] = useState<SoftphoneConfig | null>(null);
  const [leg, setLeg] = useState<SoftphoneLegState | null>(null);
  const supervising = useRef(new Set<string>());
  const configLoad = useRef<Promise<SoftphoneConfig> | null>(null);
  const phone = useRef<Promise<BrowserSoftphone> | null>(null);
  const unmounted = useRef(false);

  const loadConfig = useCallback(() => {
    configLoad.current ??= api.get<SoftphoneConfig>("/agent/softphone").then((c) => (setConfig(c), c));
    return configLoad.current.catch((err) => {
      configLoad.current = null;
      throw err;
    });
  }, []);

  useEffect(() => {
    unmounted.current = false;
    return () => {
      unmounted.current = true;
      void phone.current?.then((p) => p.destroy(), () => undefined);
      phone.current = null;
    };
  }, []);

  const expect = useCallback(async (contactId: string) => {
    const c = await loadConfig().catch((err) => Promise.reject(new Error(`Could not check where your audio goes: ${errorText(err)}`)));
    if (c.mode === "unavailable") throw new Error(`No audio for supervising calls: ${c.reason}`);
    supervising.current.add(contactId);
    if (c.mode !== "browser") return;
    phone.current ??= import("../agent/twilioDevice").then((m) =>
      m.startBrowserSoftphone((s) => !unmounted.current && setLeg(s), (parameters) => supervisorLegChoice(parameters, supervising.current)),
    );
    try {
      await phone.current;
    } catch (err) {
      phone.current = null;
      supervising.current.delete(contactId);
      throw new Error(`The browser softphone could not start: ${errorText(err)}`);
    }
  }, [loadConfig]);

  const forget = useCallback((contactId: string) => void supervising.current.delete(contactId), []);
  const value = useMemo(() => ({ config, leg, expect, forget }), [config, leg, expect, forget]);
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useSupervisorAudio(): SupervisorAudio {
  const audio = useContext(Context);
  if (!audio) throw new Error("useSupervisorAudio outside SupervisorAudioProvider");
  return audio;
}

/** Where the supervisor hears a call they supervise. */
export function SupervisorAudioLine() {
  const { config, leg } = useSupervisorAudio();
  if (!config) return null;
  let text: string;
  switch (config.mode) {
    case "simulated":
      text = "Simulated audio (the phone simulator answers your leg)";
      break;
    case "phone":
      text = `Audio on your phone, ${config.phoneNumber}`;
      break;
    case "browser":
      text = leg?.onCall ? "Audio in this browser" : leg?.registered ? "Ringing this browser…" : "Starting the browser softphone…";
      break;
    case "unavailable":
      text = `No audio: ${config.reason}`;
      break;
  }
  return (
    <span className="muted" data-testid="supervisor-audio">
      {text}
      {leg?.error ? ` (${leg.error})` : ""}
    </span>
  );
}
