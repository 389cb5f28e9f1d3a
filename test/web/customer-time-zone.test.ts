/** The customer's local time on the contact panel: which zone a number or the contact's attributes give, and none when unsure. */
import { describe, expect, it } from "vitest";
import { clockIn, customerTimeZone, timeZoneOfNumber } from "../../src/web/agent/customerTimeZone";

describe("customer's time zone", () => {
  it("takes a one-clock country's zone from the number", () => {
    expect(timeZoneOfNumber("+442079460000")).toBe("Europe/London");
    expect(timeZoneOfNumber("+33142685300")).toBe("Europe/Paris");
    expect(timeZoneOfNumber("+493012345678")).toBe("Europe/Berlin");
    expect(timeZoneOfNumber("+919876543210")).toBe("Asia/Kolkata");
    expect(timeZoneOfNumber("+34912345678")).toBe("Europe/Madrid");
  });

  it("takes North American zones from the area code, Australian landlines from the area digit", () => {
    expect(timeZoneOfNumber("+12125550123")).toBe("America/New_York");
    expect(timeZoneOfNumber("+14155550123")).toBe("America/Los_Angeles");
    expect(timeZoneOfNumber("+13125550123")).toBe("America/Chicago");
    expect(timeZoneOfNumber("+16025550123")).toBe("America/Phoenix");
    expect(timeZoneOfNumber("+14165550123")).toBe("America/Toronto");
    expect(timeZoneOfNumber("+61298765432")).toBe("Australia/Sydney");
  });

  it("gives none when the number does not tell: an area split between zones, a mobile in a many-zoned country, a number that is not one", () => {
    expect(timeZoneOfNumber("+18505550123")).toBeNull(); // Florida's panhandle: Central and Eastern
    expect(timeZoneOfNumber("+61412345678")).toBeNull(); // an Australian mobile
    expect(timeZoneOfNumber("+79123456789")).toBeNull(); // Russia: eleven zones
    expect(timeZoneOfNumber("+15550100")).toBeNull();
    expect(timeZoneOfNumber("not a number")).toBeNull();
    expect(customerTimeZone(null)).toBeNull();
  });

  it("a valid zone in the contact's attributes wins over the number; an invalid one is ignored", () => {
    expect(customerTimeZone("+442079460000", { TimeZone: "Asia/Tokyo" })).toBe("Asia/Tokyo");
    expect(customerTimeZone("+442079460000", { TimeZone: "Mars/Olympus" })).toBe("Europe/London");
  });

  it("formats the clock in the zone, 24-hour", () => {
    expect(clockIn("Europe/London", Date.UTC(2026, 6, 1, 13, 5))).toBe("14:05");
    expect(clockIn("America/New_York", Date.UTC(2026, 0, 15, 3, 7))).toBe("22:07");
  });
});
