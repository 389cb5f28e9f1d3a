/** Words people read for the API's codes. */
import type { Permission } from "../../shared/permissions";
import type { LiveSentiment } from "../../shared/wire";

export const PERMISSION_LABELS: Record<Permission, { name: string; summary: string }> = {
  "instance.configure": { name: "Configure the instance", summary: "Configure queues, routing profiles, hours, phone numbers, quick connects, agent statuses, security profiles and instance settings" },
  "users.manage": { name: "Manage users", summary: "Manage users and give them security profiles with no more permissions than your own" },
  "flows.edit": { name: "Edit flows", summary: "Create, edit, import and publish flows" },
  "metrics.realtime": { name: "Real-time metrics", summary: "See the live dashboard" },
  "metrics.historical": { name: "Historical metrics", summary: "See historical reports" },
  "contacts.search": { name: "Search contacts", summary: "Search contacts and read their records and flow logs" },
  "recordings.listen": { name: "Listen to recordings", summary: "Play and download recordings and transcripts" },
  "transcripts.unredacted": { name: "Read unredacted transcripts", summary: "Read a transcript as it was said, before personal data was masked (where the instance keeps a copy)" },
  "contacts.handle": { name: "Handle contacts", summary: "Take and handle contacts as an agent" },
  "audit.view": { name: "View the audit log", summary: "Read the audit log" },
  "supervision.monitor": { name: "Monitor live contacts", summary: "Listen in to a live call and coach its agent, read a live chat" },
  "supervision.barge": { name: "Barge in", summary: "Speak on a live call to the customer and agent, write in a live chat" },
  "profiles.read": { name: "Read customer profiles", summary: "Find customer profiles and see each one's contacts" },
  "profiles.write": { name: "Edit customer profiles", summary: "Create, edit, merge and erase customer profiles, and link contacts to them" },
  "knowledge.read": { name: "Read knowledge", summary: "Search and read published knowledge articles" },
  "knowledge.write": { name: "Write knowledge", summary: "Write, publish and delete knowledge articles, their attachments and search synonyms" },
};

export const CHANNELS = ["VOICE", "CHAT", "TASK", "EMAIL"] as const;
export type Channel = (typeof CHANNELS)[number];
export const CHANNEL_LABELS: Record<Channel, string> = { VOICE: "Voice", CHAT: "Chat", TASK: "Task", EMAIL: "Email" };

export const DAY_LABELS: Record<string, string> = {
  MONDAY: "Monday",
  TUESDAY: "Tuesday",
  WEDNESDAY: "Wednesday",
  THURSDAY: "Thursday",
  FRIDAY: "Friday",
  SATURDAY: "Saturday",
  SUNDAY: "Sunday",
};

export function formatDateTime(iso: string | null | undefined, timeZone?: string): string {
  if (!iso) return "—";
  return new Date(iso).toLocaleString(undefined, { timeZone, dateStyle: "medium", timeStyle: "medium" });
}

/** "ROUTE_ANY_CHANNEL" → "Route any channel" for enum values without a dedicated label. */
export function humanize(code: string): string {
  const s = code.replace(/[_.]+/g, " ").toLowerCase();
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export const FLOW_TYPE_LABELS: Record<string, string> = {
  CONTACT_FLOW: "Inbound flow",
  CUSTOMER_QUEUE: "Customer queue flow",
  CUSTOMER_HOLD: "Customer hold flow",
  CUSTOMER_WHISPER: "Customer whisper flow",
  AGENT_WHISPER: "Agent whisper flow",
  OUTBOUND_WHISPER: "Outbound whisper flow",
  AGENT_TRANSFER: "Transfer to agent flow",
  QUEUE_TRANSFER: "Transfer to queue flow",
  AGENT_HOLD: "Agent hold flow",
  MODULE: "Flow module",
};

const TREND_TEXT = { IMPROVED: "improving", DECLINED: "getting worse", STEADY: "steady" } as const;

/** A customer's live sentiment in words: "Negative, getting worse". */
export function sentimentText(s: LiveSentiment): string {
  const label = s.sentiment.charAt(0) + s.sentiment.slice(1).toLowerCase();
  return s.trend ? `${label}, ${TREND_TEXT[s.trend]}` : label;
}
