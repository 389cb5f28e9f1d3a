/** The customer's local time on the contact panel ("14:05, Europe/London"), when their zone is known; nothing otherwise. Loaded on demand. */
import { useMemo } from "react";
import { useNow } from "../lib/time";
import { clockIn, customerTimeZone } from "./customerTimeZone";

export default function CustomerLocalTime({ number, attributes }: { number: string | null | undefined; attributes: Record<string, string> }) {
  const now = useNow(15_000);
  const zone = useMemo(() => customerTimeZone(number, attributes), [number, attributes]);
  if (!zone) return null;
  return (
    <>
      <dt>Customer's local time</dt>
      <dd data-testid="customer-local-time">
        {clockIn(zone, now)}, {zone.replaceAll("_", " ")}
      </dd>
    </>
  );
}
