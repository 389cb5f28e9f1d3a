/** Wall-clock time in an IANA time zone (hours of operation, the reports' local intervals). */
export const DAYS = ["SUNDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY"] as const;

export type LocalTime = { date: string; day: (typeof DAYS)[number]; minutes: number };

const formatters = new Map<string, Intl.DateTimeFormat>();

export type WallClock = { year: number; month: number; day: number; hour: number; minute: number; second: number; weekday: string };

/** The wall clock in `timeZone` at `at`, to the second (the weekday in English, as "Monday"). */
export function wallClock(at: number, timeZone: string): WallClock {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", weekday: "long",
    });
    formatters.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(at)).map((x) => [x.type, x.value]));
  return {
    year: Number(p.year), month: Number(p.month), day: Number(p.day), hour: Number(p.hour) % 24, minute: Number(p.minute), second: Number(p.second),
    weekday: String(p.weekday),
  };
}

/** The wall-clock date, weekday and minute of day at `at` in `timeZone`. */
export function localTime(at: number, timeZone: string): LocalTime {
  const w = wallClock(at, timeZone);
  return {
    date: `${w.year}-${String(w.month).padStart(2, "0")}-${String(w.day).padStart(2, "0")}`,
    day: w.weekday.toUpperCase() as LocalTime["day"],
    minutes: w.hour * 60 + w.minute,
  };
}
