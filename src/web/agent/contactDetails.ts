/** The caller's details for one of the agent's contacts (`GET /api/v1/agent/contacts/:id`), loaded once per contact. */
import { useEffect, useState } from "react";
import { api } from "../lib/api";

export type AgentContactDetails = {
  id: string;
  channel: string;
  /** A chat that came by Twilio Messaging: "sms" or "whatsapp"; null otherwise. */
  channelSubtype: "sms" | "whatsapp" | null;
  initiationMethod: string;
  customerEndpoint: string | null;
  systemEndpoint: string | null;
  queueId: string | null;
  initiatedAt: string | null;
  previousContactId: string | null;
  disposition: string | null;
  notes: string | null;
};

const cache = new Map<string, Promise<AgentContactDetails>>();

export function useContactDetails(contactId: string): AgentContactDetails | null {
  const [details, setDetails] = useState<AgentContactDetails | null>(null);
  useEffect(() => {
    let live = true;
    let p = cache.get(contactId);
    if (!p) {
      p = api.get<AgentContactDetails>(`/agent/contacts/${encodeURIComponent(contactId)}`);
      cache.set(contactId, p);
      p.catch(() => cache.delete(contactId));
    }
    p.then((d) => live && setDetails(d), () => {});
    return () => {
      live = false;
    };
  }, [contactId]);
  return details;
}

/** The channel in the contact's heading: an SMS or WhatsApp chat says which (known once its details arrive). */
export function channelLabel(channel: string, details: AgentContactDetails | null, labels: Record<string, string>): string {
  if (details?.channelSubtype === "sms") return "SMS";
  if (details?.channelSubtype === "whatsapp") return "WhatsApp";
  return labels[channel] ?? channel;
}

/** Who is on the line, in words: the caller's number, or the channel when there is none. */
export function callerLabel(channel: string, details: AgentContactDetails | null): string {
  if (details?.customerEndpoint) return details.customerEndpoint;
  return channel === "CHAT" ? "Chat customer" : channel === "VOICE" ? "Unknown caller" : "Customer";
}
