/**
 * Where an instance lets calls go (the toll-fraud guard's pure part, used by src/db/dialing.ts
 * for agents and by the flow engine for TransferParticipantToThirdParty): ISO country codes
 * ("US") and E.164 prefixes ("+4420"). Countries, not calling codes: +1 also reaches Caribbean
 * premium-rate numbers, the classic toll-fraud destinations, which a US business's default does
 * not include.
 */
import { parsePhoneNumberFromString } from "libphonenumber-js/min";

/** The destinations of an instance that lists none and has no numbers of its own. */
export const DEFAULT_DESTINATIONS = ["US", "CA"];

/** A destination entry: an ISO 3166 country code or an E.164 prefix. */
export const DESTINATION_PATTERN = /^([A-Z]{2}|\+[1-9]\d{0,14})$/;

/** The country of an E.164 number, or null when it belongs to none (or is not a valid number). */
export function numberCountry(e164: string): string | null {
  return parsePhoneNumberFromString(e164)?.country ?? null;
}

/** Whether `e164` is one of the destinations: in a listed country, or starting with a listed prefix. */
export function destinationAllowed(e164: string, destinations: readonly string[]): boolean {
  const country = numberCountry(e164);
  return destinations.some((d) => (d.startsWith("+") ? e164.startsWith(d) : d === country));
}
