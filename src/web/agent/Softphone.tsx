/**
 * The agent's audio leg for voice contacts, as `GET /api/v1/agent/softphone` says it is carried:
 * simulated (local mode: the phone simulator answers the agent leg; no audio), the agent's own
 * phone, or the browser softphone (Twilio Voice SDK, loaded on demand).
 */
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from "react";
import { agentLegChoice } from "../../shared/softphone";
import type { AgentContact } from "../../shared/wire";
import { api, errorText } from "../lib/api";
import { useAgent } from "./AgentProvider";
import type { BrowserSoftphone, SoftphoneLegState } from "./twilioDevice";

export type SoftphoneConfig =
  | { mode: "simulated"; identity: string }
  | { mode: "phone"; phoneNumber: string }
  | { mode: "browser"; identity: string }
  | { mode: "unavailable"; reason: string };

type Softphone = {
  config: SoftphoneConfig | null;
  error: string | null;
  leg: SoftphoneLegState | null;
  phone: BrowserSoftphone | null;
};

const SoftphoneContext = createContext<Softphone>({ config: null, error: null, leg: null, phone: null });

export function SoftphoneProvider({ children }: { children: ReactNode }) {
  const [config, setConfig] = useState<SoftphoneConfig | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [leg, setLeg] = useState<SoftphoneLegState | null>(null);
  const [phone, setPhone] = useState<BrowserSoftphone | null>(null);
  // The softphone answers only legs for contacts the agent accepted: it reads them as they are now.
  const agent = useAgent();
  const contacts = useRef<readonly AgentContact[]>([]);
  contacts.current = agent?.state.contacts ?? [];

  useEffect(() => {
    api.get<SoftphoneConfig>("/agent/softphone").then(setConfig, (err) => setError(errorText(err)));
  }, []);

  useEffect(() => {
    if (config?.mode !== "browser") return;
    let stopped = false;
    let started: BrowserSoftphone | null = null;
    import("./twilioDevice")
      .then((m) => m.startBrowserSoftphone((s) => !stopped && setLeg(s), agentLegChoice(() => contacts.current)))
      .then((p) => {
        if (stopped) p.destroy();
        else {
          started = p;
          setPhone(p);
        }
      })
      .catch((err) => !stopped && setError(`The browser softphone could not start: ${errorText(err)}`));
    return () => {
      stopped = true;
      started?.destroy();
    };
  }, [config?.mode]);

  return <SoftphoneContext.Provider value={{ config, error, leg, phone }}>{children}</SoftphoneContext.Provider>;
}

export const useSoftphone = () => useContext(SoftphoneContext);

/**
 * The line under a voice contact: where its audio is, and mute when the browser carries it.
 * `consultWith`: the agent who is handing this call over (a consult this agent accepted); until
 * they leave, whether the caller hears is theirs to decide, so the line names them instead.
 */
export function AudioLeg({ onHold, consultWith }: { onHold: boolean; consultWith?: string }) {
  const { config, error, leg, phone } = useSoftphone();
  if (error) return <p className="error" role="alert">{error}</p>;
  if (!config) return <p className="muted">Checking the softphone…</p>;
  const line = (audio: string) =>
    consultWith !== undefined ? `In a consult with ${consultWith} (${audio})` : onHold ? `Caller on hold (${audio})` : `Connected to caller (${audio})`;
  switch (config.mode) {
    case "simulated":
      return <p className="audio-leg" data-testid="audio-leg">{line("simulated audio")}</p>;
    case "phone":
      return (
        <p className="audio-leg" data-testid="audio-leg">
          Audio on your phone, {config.phoneNumber}{consultWith !== undefined ? `, in a consult with ${consultWith}` : onHold ? " (caller on hold)" : ""}.
        </p>
      );
    case "unavailable":
      return <p className="error" role="alert">No audio: {config.reason}</p>;
    case "browser":
      if (!leg) return <p className="muted">Starting the browser softphone…</p>;
      return (
        <div className="audio-leg" data-testid="audio-leg">
          <span>{leg.onCall ? line("browser audio") : leg.registered ? "Waiting for the call audio…" : "Softphone not registered"}</span>
          {leg.error && <span className="field-error"> {leg.error}</span>}
          {leg.onCall && (
            <button type="button" aria-pressed={leg.muted} onClick={() => phone?.setMuted(!leg.muted)}>
              {leg.muted ? "Unmute" : "Mute"}
            </button>
          )}
        </div>
      );
  }
}
