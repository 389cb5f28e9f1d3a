/**
 * Security-profile permissions. Shared by the API (checks) and the web app (what to show).
 * Names follow Amazon Connect's security-profile areas, coarsened for a small business.
 */
export const PERMISSIONS = [
  "instance.configure", // queues, routing profiles, hours, numbers, quick connects, statuses, security profiles, instance settings
  "users.manage", // users, and assigning them security profiles within the manager's own permissions
  "flows.edit", // flows: create, edit, publish, import
  "metrics.realtime", // live dashboard
  "metrics.historical", // historical reports
  "contacts.search", // contact search, contact records and flow logs
  "recordings.listen", // play and download recordings and transcripts
  "transcripts.unredacted", // read the unredacted copy of a transcript, where the instance keeps one
  "contacts.handle", // the agent workspace: take and handle contacts
  "audit.view", // read the audit log
  "supervision.monitor", // listen in to a live call, coach its agent, read a live chat
  "supervision.barge", // barge in on a live call, join a live chat
  "profiles.read", // customer profiles: find and read them, and the contacts of each
  "profiles.write", // customer profiles: create, edit, merge, erase, link contacts to them
  "knowledge.read", // search and read published knowledge articles (the agent workspace)
  "knowledge.write", // write, publish and delete knowledge articles, their attachments and synonyms
] as const;

export type Permission = (typeof PERMISSIONS)[number];

export const isPermission = (p: string): p is Permission =>
  (PERMISSIONS as readonly string[]).includes(p);

/** The profiles every new instance starts with. */
export const DEFAULT_SECURITY_PROFILES: Record<"Admin" | "Supervisor" | "Agent", Permission[]> = {
  Admin: [...PERMISSIONS],
  Supervisor: [
    "metrics.realtime",
    "metrics.historical",
    "contacts.search",
    "recordings.listen",
    "contacts.handle",
    "supervision.monitor",
    "supervision.barge",
    "profiles.read",
    "profiles.write",
    "knowledge.read",
  ],
  Agent: ["contacts.handle", "profiles.read", "profiles.write", "knowledge.read"],
};
