/**
 * The customer's likely time zone, for the agent to see their local time: a time zone the contact
 * already carries (an attribute a flow or profile set), else one worked out from the caller's
 * number — its country (libphonenumber-js), that country's zone (countries-and-timezones) when it
 * has one clock, a country's main zone where nearly all its numbers are, and for the big
 * many-zoned ones the area code (North America, Australia's landlines). Null when unknown: a
 * wrong local time is worse than none. Loaded on demand with the panel that shows it.
 */
import { getTimezonesForCountry } from "countries-and-timezones";
import { parsePhoneNumberFromString } from "libphonenumber-js/min";

/** Attribute names a flow or customer profile may use for the customer's IANA time zone. */
export const TIME_ZONE_ATTRIBUTES = ["TimeZone", "timeZone", "timezone", "Customer.TimeZone"];

/** Countries with several zones of which one holds nearly every number (its capital's). */
const MAIN_ZONE: Record<string, string> = {
  ES: "Europe/Madrid", PT: "Europe/Lisbon", NZ: "Pacific/Auckland", CN: "Asia/Shanghai", CL: "America/Santiago",
  EC: "America/Guayaquil", DK: "Europe/Copenhagen", FR: "Europe/Paris", NL: "Europe/Amsterdam", GB: "Europe/London",
  UA: "Europe/Kyiv", AR: "America/Argentina/Buenos_Aires", CY: "Asia/Nicosia", MY: "Asia/Kuala_Lumpur", KI: "Pacific/Tarawa",
};

/** North American area codes by zone (codes split between two zones are left out). */
const NANP: Record<string, string> = {
  "America/New_York":
    "212 315 332 347 516 518 585 607 631 646 680 716 718 838 845 914 917 929 934 201 551 609 640 732 848 856 862 908 973 " +
    "215 223 267 272 412 445 484 570 582 610 717 724 814 835 878 203 475 860 959 339 351 413 508 617 774 781 857 978 401 603 802 207 " +
    "302 227 240 301 410 443 667 202 771 276 434 540 571 703 757 804 826 948 304 681 252 336 472 704 743 828 910 919 980 984 " +
    "803 839 843 854 864 229 404 470 478 678 706 762 770 912 943 239 305 321 352 386 407 561 656 689 727 754 772 786 813 863 904 941 954 " +
    "216 220 234 283 326 330 380 419 436 440 513 567 614 740 937 231 248 269 313 517 586 616 679 734 810 947 989 317 463 260 765 502 859 606 423 865",
  "America/Toronto": "226 249 289 343 365 382 416 437 519 548 613 647 683 705 742 753 905 942 263 354 367 418 438 450 468 514 579 581 819 873",
  "America/Chicago":
    "217 224 309 312 331 447 464 618 630 708 730 773 779 815 847 861 872 262 274 414 534 608 715 920 218 320 507 612 651 763 952 " +
    "319 515 563 641 712 314 417 557 573 636 660 816 975 327 479 501 870 225 318 337 504 985 228 601 662 769 205 251 256 334 659 938 " +
    "615 629 731 901 931 270 364 405 539 572 580 918 316 620 785 913 402 531 210 214 254 281 325 346 361 409 430 469 512 682 713 726 " +
    "737 806 817 830 832 903 936 940 945 956 972 979 701",
  "America/Winnipeg": "204 431 584",
  "America/Regina": "306 474 639",
  "America/Denver": "303 719 720 970 983 385 435 801 505 575 406 307 915",
  "America/Phoenix": "480 520 602 623 928",
  "America/Edmonton": "368 403 587 780 825",
  "America/Los_Angeles":
    "209 213 279 310 323 341 350 369 408 415 424 442 510 530 559 562 619 626 628 650 657 661 669 707 714 747 760 805 818 820 831 840 858 " +
    "909 916 925 949 951 206 253 360 425 509 564 458 503 541 971 702 725 775",
  "America/Vancouver": "236 250 257 604 672 778",
  "America/Anchorage": "907",
  "Pacific/Honolulu": "808",
  "America/Halifax": "782 902 428 506",
  "America/St_Johns": "709",
  "America/Puerto_Rico": "787 939",
};
const AREA_CODES = new Map(Object.entries(NANP).flatMap(([zone, codes]) => codes.split(" ").map((c) => [c, zone] as const)));

/** Australian landlines by their area digit (mobiles, 4, move with their owner). */
const AUSTRALIA: Record<string, string> = { "2": "Australia/Sydney", "3": "Australia/Melbourne", "7": "Australia/Brisbane" };

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The zone of a phone number (E.164), or null when its country or area does not tell one. */
export function timeZoneOfNumber(number: string): string | null {
  const parsed = parsePhoneNumberFromString(number);
  const country = parsed?.country;
  if (!parsed || !country) return null;
  const national = parsed.nationalNumber;
  if (country === "US" || country === "CA") return AREA_CODES.get(national.slice(0, 3)) ?? null;
  if (country === "AU") return AUSTRALIA[national[0]] ?? null;
  if (MAIN_ZONE[country]) return MAIN_ZONE[country];
  const zones = getTimezonesForCountry(country) ?? [];
  if (!zones.length) return null;
  // One clock for the whole country (Germany's Büsingen keeps Berlin's): its first zone.
  const same = zones.every((z) => z.utcOffset === zones[0].utcOffset && z.dstOffset === zones[0].dstOffset);
  return same ? zones[0].name : null;
}

/** The customer's zone: an attribute naming a valid zone first, else the number's. */
export function customerTimeZone(number: string | null | undefined, attributes: Record<string, string> = {}): string | null {
  for (const name of TIME_ZONE_ATTRIBUTES) {
    const zone = attributes[name]?.trim();
    if (zone && isTimeZone(zone)) return zone;
  }
  return number ? timeZoneOfNumber(number) : null;
}

/** "14:05" in `zone` at `at`. */
export function clockIn(zone: string, at: number): string {
  return new Intl.DateTimeFormat("en-GB", { timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(at);
}
