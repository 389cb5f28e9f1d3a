/**
 * Toll fraud guard: where an instance's agents may place calls (outbound calls, transfers and
 * consults to outside numbers). The instance lists ISO country codes ("US") and E.164 prefixes
 * ("+4420"); without a list, the countries of its own phone numbers (US and Canada when it has
 * none). Countries, not calling codes: +1 also reaches Caribbean premium-rate numbers, the
 * classic toll-fraud destinations, which a US business's default does not include.
 */
import { parsePhoneNumberFromString } from "libphonenumber-js/min";

export const DEFAULT_DESTINATIONS = ["US", "CA"];

/** A destination entry: an ISO 3166 country code or an E.164 prefix. */
export const DESTINATION_PATTERN = /^([A-Z]{2}|\+[1-9]\d{0,14})$/;

/** The country of an E.164 number, or null when it belongs to none (or is not a valid number). */
export function numberCountry(e164: string): string | null {
  return parsePhoneNumberFromString(e164)?.country ?? null;
}

/** The instance's allowed destinations: its list, else its own numbers' countries. */
export async function allowedDestinations(db: D1Database, instanceId: string): Promise<string[]> {
  const row = await db.prepare("SELECT outbound_destinations AS list FROM instances WHERE id = ?").bind(instanceId).first<{ list: string | null }>();
  if (row?.list) return JSON.parse(row.list) as string[];
  const own = await db.prepare("SELECT e164 FROM phone_numbers WHERE instance_id = ?").bind(instanceId).all<{ e164: string }>();
  const countries = [...new Set(own.results.map((r) => numberCountry(r.e164)).filter((c): c is string => c !== null))];
  return countries.length ? countries.sort() : DEFAULT_DESTINATIONS;
}

/** Whether `e164` is one of the destinations: in a listed country, or starting with a listed prefix. */
export function destinationAllowed(e164: string, destinations: readonly string[]): boolean {
  const country = numberCountry(e164);
  return destinations.some((d) => (d.startsWith("+") ? e164.startsWith(d) : d === country));
}
