/**
 * Toll fraud guard: where an instance's calls may go (agents' outbound calls, transfers and
 * consults to outside numbers, flows' transfers to a number). The instance lists ISO country
 * codes and E.164 prefixes (src/lib/destinations.ts); without a list, the countries of its own
 * phone numbers (US and Canada when it has none).
 */
import { DEFAULT_DESTINATIONS, destinationAllowed, numberCountry } from "../lib/destinations";
import { createDb } from "./client";
import { InstanceScope } from "./scoped";
import { takeFromLimit } from "./throttle";

export { DEFAULT_DESTINATIONS, DESTINATION_PATTERN, destinationAllowed, numberCountry } from "../lib/destinations";

/** The instance's allowed destinations: its list, else its own numbers' countries. */
export async function allowedDestinations(db: D1Database, instanceId: string): Promise<string[]> {
  const row = await db.prepare("SELECT outbound_destinations AS list FROM instances WHERE id = ?").bind(instanceId).first<{ list: string | null }>();
  if (row?.list) return JSON.parse(row.list) as string[];
  const own = await db.prepare("SELECT e164 FROM phone_numbers WHERE instance_id = ?").bind(instanceId).all<{ e164: string }>();
  const countries = [...new Set(own.results.map((r) => numberCountry(r.e164)).filter((c): c is string => c !== null))];
  return countries.length ? countries.sort() : DEFAULT_DESTINATIONS;
}

/** Calls (outbound, transfers and consults to outside numbers) one agent may place, or try to, per minute. */
export const OUTBOUND_CALL_LIMIT = { max: 10, windowMs: 60_000 };

/** Why an agent may not dial a number now: past the rate limit (with the wait), or outside the destinations. */
export type DialRefusal =
  | { code: "too_many_calls"; message: string; retryAfterMs: number }
  | { code: "destination_not_allowed"; message: string };

/** What the agent is dialling the number for, as the audit entry names it. */
export type DialPurpose = "outbound_call" | "transfer" | "consult";

/**
 * The toll-fraud guard for a number an agent has dialled (an outbound call, or a transfer or
 * consult to an outside number): counts it against the agent's OUTBOUND_CALL_LIMIT, checks the
 * instance's destinations and, when refused, writes the `outbound_call_refused` audit entry.
 * Returns null when the call may be placed.
 */
export async function guardAgentDial(
  d1: D1Database,
  input: { instanceId: string; userId: string; phoneNumber: string; purpose: DialPurpose; ip?: string | null; userAgent?: string | null },
): Promise<DialRefusal | null> {
  const db = createDb(d1);
  const { instanceId, userId, phoneNumber, purpose } = input;
  const refused = async (refusal: DialRefusal) => {
    const details = { phoneNumber, reason: refusal.code === "too_many_calls" ? "rate_limited" : refusal.code, ...(purpose === "outbound_call" ? {} : { purpose }) };
    await new InstanceScope(db, instanceId).writeAudit({ userId, action: "outbound_call_refused", resourceType: "user", resourceId: userId, ip: input.ip ?? null, userAgent: input.userAgent ?? null, details });
    return refusal;
  };
  const wait = await takeFromLimit(db, `outbound:${instanceId}:${userId}`, OUTBOUND_CALL_LIMIT);
  if (wait > 0) return refused({ code: "too_many_calls", message: `At most ${OUTBOUND_CALL_LIMIT.max} calls a minute; try again shortly`, retryAfterMs: wait });
  const destinations = await allowedDestinations(d1, instanceId);
  if (destinationAllowed(phoneNumber, destinations)) return null;
  return refused({
    code: "destination_not_allowed",
    message: `Calls to ${phoneNumber} are not allowed: this contact center calls only ${destinations.join(", ")} (an administrator sets this in Instance settings)`,
  });
}

/**
 * A flow refused to dial a number outside the destinations (TransferParticipantToThirdParty
 * took its error branch, src/flows/actions/transfer.ts): audited as an agent's refusal is, with
 * no user and the contact as the resource.
 */
export async function auditFlowDialRefused(d1: D1Database, input: { instanceId: string; contactId: string; phoneNumber: string }): Promise<void> {
  await new InstanceScope(createDb(d1), input.instanceId).writeAudit({
    userId: null, action: "outbound_call_refused", resourceType: "contact", resourceId: input.contactId,
    details: { phoneNumber: input.phoneNumber, reason: "destination_not_allowed", purpose: "flow_transfer" },
  });
}
