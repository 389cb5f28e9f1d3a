/**
 * The browser softphone in production mode: `@twilio/voice-sdk`, loaded only when the
 * workspace needs it (a dynamic import, so the agent view's first load stays small).
 *
 * The Device registers with the identity the voice channel dials (`client:<userId>`) using an
 * access token from `GET /api/v1/agent/voice-token`, refreshed before it expires. When the
 * agent has accepted a voice contact, the Worker dials the agent's leg here with the contact's
 * id as a custom parameter: a leg for a contact the agent accepted is answered at once (the agent
 * already said yes in the workspace); any other call to this identity is rejected, so nobody
 * who can call the identity gets an open microphone. Mute is the SDK's own: the agent's
 * microphone stops sending on this leg.
 *
 * The live dashboard starts one too, for a supervisor's leg into a call they listen to, coach or
 * barge in on. Each page decides per leg (`choose`: `agentLegChoice`, `supervisorLegChoice` in
 * src/shared/softphone.ts): answer it, let it
 * ring on for the user's other page (the workspace's leg at the dashboard, and the other way
 * round), or reject it.
 */
import { Call, Device } from "@twilio/voice-sdk";
import type { LegChoice } from "../../shared/softphone";
import { api } from "../lib/api";

export type SoftphoneLegState = { registered: boolean; onCall: boolean; muted: boolean; error: string | null };

export type BrowserSoftphone = {
  setMuted(muted: boolean): void;
  hangUpLeg(): void;
  destroy(): void;
};

async function token(): Promise<string> {
  return (await api.get<{ token: string }>("/agent/voice-token")).token;
}

export async function startBrowserSoftphone(
  onChange: (s: SoftphoneLegState) => void,
  choose: (parameters: ReadonlyMap<string, string>) => LegChoice | Promise<LegChoice>,
): Promise<BrowserSoftphone> {
  let state: SoftphoneLegState = { registered: false, onCall: false, muted: false, error: null };
  const set = (patch: Partial<SoftphoneLegState>) => {
    state = { ...state, ...patch };
    onChange(state);
  };
  const device = new Device(await token(), { closeProtection: "A call is in progress. Leave anyway?" });
  let call: Call | null = null;
  device.on(Device.EventName.Registered, () => set({ registered: true, error: null }));
  device.on(Device.EventName.Unregistered, () => set({ registered: false }));
  device.on(Device.EventName.Error, (err: { message?: string }) => set({ error: err.message ?? "Softphone error" }));
  device.on(Device.EventName.TokenWillExpire, async () => {
    try {
      device.updateToken(await token());
    } catch (err) {
      set({ error: `Could not renew the softphone token: ${err instanceof Error ? err.message : String(err)}` });
    }
  });
  device.on(Device.EventName.Incoming, async (incoming: Call) => {
    const choice = await choose(incoming.customParameters ?? new Map());
    if (choice === "ignore") return void incoming.ignore();
    if (choice === "reject") return void incoming.reject();
    call = incoming;
    incoming.on("accept", () => set({ onCall: true, muted: false }));
    incoming.on("mute", (muted: boolean) => set({ muted }));
    const ended = () => {
      if (call === incoming) call = null;
      set({ onCall: false, muted: false });
    };
    incoming.on("disconnect", ended);
    incoming.on("cancel", ended);
    incoming.on("reject", ended);
    incoming.accept();
  });
  await device.register();
  return {
    setMuted: (muted) => call?.mute(muted),
    hangUpLeg: () => call?.disconnect(),
    destroy: () => device.destroy(),
  };
}
