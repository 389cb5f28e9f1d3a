/**
 * The ContactSession's row (its `session` table, one row per contact object) and what starts a
 * voice contact: the types the session and its channels (./voice, ./chat) share, kept here so the
 * channels need not import the session class back.
 */
export type Phase = "FLOW" | "QUEUED" | "CONNECTED" | "ENDED";

export type VoiceStart = {
  callSid: string;
  from: string;
  to: string;
  flowId: string | null;
  publicBaseUrl: string;
};

export type SessionRow = {
  instance_id: string;
  contact_id: string;
  channel: string;
  phase: Phase;
  step: number;
  last_twiml: string | null;
  flow: string | null;
  flow_state: string | null;
  queue_flow: string | null;
  queue_flow_state: string | null;
  queue_id: string | null;
  agent_id: string | null;
  call_sid: string | null;
  agent_call_sid: string | null;
  conference: string | null;
  connections: number;
  from_number: string | null;
  to_number: string | null;
  public_base_url: string;
  created_at: number;
  ended_at: number | null;
};

/** The Worker binding of the ContactSession class (wrangler.toml), as a NotifyTarget names it. */
export const CONTACT_SESSION_BINDING = "CONTACT_SESSION";
