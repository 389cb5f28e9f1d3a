/**
 * Hours of operation: is a schedule open at an instant? Weekly ranges are read in the
 * schedule's own time zone (or the instance's), dated overrides (holidays) replace the week's
 * ranges for that local date, and an override without ranges means closed all day.
 */
import { localTime, DAYS, type LocalTime } from "../lib/time-zone";
import type { HoursOfOperation } from "./types";

/** "09:30" → 570; "24:00" → 1440; NaN when malformed. */
export function clockMinutes(hhmm: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm.trim());
  if (!m) return NaN;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h > 24 || min > 59 || (h === 24 && min > 0)) return NaN;
  return h * 60 + min;
}

const inRange = (minutes: number, start: number, end: number) => minutes >= start && minutes < end;

function previousDay(day: LocalTime["day"]): LocalTime["day"] {
  return DAYS[(DAYS.indexOf(day) + 6) % 7];
}

/** Whether `hours` is open at `at`; `fallbackTimeZone` is used when the schedule names none. */
export function isOpen(hours: HoursOfOperation, at: number, fallbackTimeZone = "UTC"): { open: boolean; reason: string } {
  const tz = hours.timezone || fallbackTimeZone;
  const local = localTime(at, tz);
  const override = hours.overrides.find((o) => o.date === local.date);
  if (override) {
    const open = override.ranges.some((r) => inRange(local.minutes, clockMinutes(r.start), clockMinutes(r.end)));
    return { open, reason: `${override.name || "override"} on ${local.date} (${tz})` };
  }
  for (const r of hours.weekly) {
    const start = clockMinutes(r.start);
    const end = clockMinutes(r.end);
    const day = r.day.toUpperCase();
    if (end > start) {
      if (day === local.day && inRange(local.minutes, start, end)) return { open: true, reason: `${day} ${r.start}-${r.end} (${tz})` };
    } else if (end < start) {
      // Overnight range, e.g. FRIDAY 22:00-06:00: open late that day and early the next.
      if (day === local.day && local.minutes >= start) return { open: true, reason: `${day} ${r.start}-${r.end} (${tz})` };
      if (day === previousDay(local.day) && local.minutes < end) return { open: true, reason: `${day} ${r.start}-${r.end} (${tz})` };
    }
  }
  return { open: false, reason: `no range covers ${local.day} ${local.date} ${String(Math.floor(local.minutes / 60)).padStart(2, "0")}:${String(local.minutes % 60).padStart(2, "0")} (${tz})` };
}
