/**
 * Announcements into a call's conference (Twilio's conference `AnnounceUrl`): every participant
 * not on hold hears the TwiML Twilio fetches there. A transfer flow's prompts on a warm transfer
 * reach the agent this way (./consult-flow.ts), and the customer too once the flow takes them off hold.
 */
import type { TwilioRest } from "../../twilio/rest";

/** Carries out an `announce` action (./actions.ts): into the call's conference while the call is connected. */
export async function announcePrompts(twilio: Pick<TwilioRest, "findConference" | "announce">, row: { phase: string; conference: string | null }, url: string): Promise<void> {
  const conf = row.phase === "CONNECTED" && row.conference ? await twilio.findConference(row.conference) : null;
  if (conf) await twilio.announce(conf.sid, url);
}
