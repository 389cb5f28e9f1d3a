/**
 * Creating an instance: the instance row, its built-in security profiles and agent
 * statuses, and a first admin. Used by the demo seed, the first-run setup and tests.
 */
import { eq } from "drizzle-orm";
import { DEFAULT_SECURITY_PROFILES } from "../shared/permissions";
import { encryptField, type Keyring } from "../lib/crypto";
import { hashPassword } from "../lib/password";
import type { Db } from "./client";
import type { Statement } from "./scoped";
import { agentStatuses, instances, securityProfiles, users } from "./schema";

export const TWILIO_TOKEN_FIELD = "instances.twilio_auth_token";
export const TWILIO_API_KEY_SECRET_FIELD = "instances.twilio_api_key_secret";

export type NewInstance = {
  id?: string;
  name: string;
  timezone: string;
  publicBaseUrl: string;
  twilio?: { accountSid: string; authToken: string };
  admin: { email: string; name: string; password: string };
};

export const BUILT_IN_STATUSES = [
  { name: "Available", type: "ROUTABLE", displayOrder: 0 },
  { name: "Offline", type: "OFFLINE", displayOrder: 1000 },
  { name: "Break", type: "CUSTOM", displayOrder: 10 },
  { name: "Lunch", type: "CUSTOM", displayOrder: 20 },
  { name: "Training", type: "CUSTOM", displayOrder: 30 },
] as const;

const profileIds = (id: string) => {
  const profileId = (name: string) => `${id}:sp:${name.toLowerCase()}`;
  return { profileId, securityProfiles: { Admin: profileId("Admin"), Supervisor: profileId("Supervisor"), Agent: profileId("Agent") } };
};

/**
 * The statements that create an instance, its built-in profiles and statuses and its admin,
 * without running them: the caller runs them in one D1 batch (a transaction), alone or with
 * statements of its own (the first-run setup adds its claim and an audit entry).
 */
export async function instanceStatements(db: Db, secret: string | Keyring, spec: NewInstance) {
  const id = spec.id ?? crypto.randomUUID();
  const adminId = crypto.randomUUID();
  const { profileId, securityProfiles: profiles } = profileIds(id);
  const statements: [Statement, ...Statement[]] = [
    db.insert(instances).values({
      id,
      name: spec.name,
      timezone: spec.timezone,
      publicBaseUrl: spec.publicBaseUrl.replace(/\/$/, ""),
      twilioAccountSid: spec.twilio?.accountSid ?? null,
      twilioAuthTokenEnc: spec.twilio ? await encryptField(secret, id, TWILIO_TOKEN_FIELD, spec.twilio.authToken) : null,
    }),
    db.insert(securityProfiles).values(
      Object.entries(DEFAULT_SECURITY_PROFILES).map(([name, permissions]) => ({
        id: profileId(name), instanceId: id, name, permissions, description: `Built-in ${name} profile`,
      })),
    ),
    db.insert(agentStatuses).values(
      BUILT_IN_STATUSES.map((s) => ({ id: `${id}:status:${s.name.toLowerCase()}`, instanceId: id, ...s })),
    ),
    db.insert(users).values({
      id: adminId,
      instanceId: id,
      email: spec.admin.email.toLowerCase(),
      name: spec.admin.name,
      passwordHash: await hashPassword(spec.admin.password),
      securityProfileId: profileId("Admin"),
    }),
  ];
  return { instanceId: id, adminId, securityProfiles: profiles, statements };
}

/** Creates the instance unless one with that id exists; returns ids of what it made or found. */
export async function provisionInstance(db: Db, secret: string | Keyring, spec: NewInstance) {
  const id = spec.id ?? crypto.randomUUID();
  const existing = await db.select({ id: instances.id }).from(instances).where(eq(instances.id, id));
  if (existing.length === 0) {
    const { statements } = await instanceStatements(db, secret, { ...spec, id });
    await db.batch(statements);
  }
  return { instanceId: id, created: existing.length === 0, securityProfiles: profileIds(id).securityProfiles };
}
