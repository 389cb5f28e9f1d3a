import { describe, expect, it } from "vitest";
import { HISTORICAL_METRICS, type HistoricalReport, type HistoricalValues } from "../../src/shared/historical";
import { csatPerInterval, formatMetric } from "../../src/web/reports/reportModel";

const none = Object.fromEntries(HISTORICAL_METRICS.map((m) => [m, null])) as HistoricalValues;
const day = (d: string) => ({ start: `2025-04-${d}T00:00:00-04:00`, end: `2025-04-${d}T23:59:59-04:00`, label: `2025-04-${d}` });
const row = (d: string, id: string, responses: number, avg: number | null) => ({
  group: { type: "QUEUE" as const, id, name: id }, interval: day(d), metrics: { ...none, CSAT_RESPONSES: responses, AVG_CSAT: avg },
});

describe("reports: the customer satisfaction chart", () => {
  it("weights each group's average by its responses, per interval; a day nobody answered is a gap, not a zero", () => {
    const report = {
      intervals: [day("14"), day("15"), day("16")],
      rows: [row("14", "billing", 2, 4), row("14", "support", 1, 1), row("15", "billing", 0, null), row("16", "support", 3, 4.7)],
    } as unknown as HistoricalReport;
    const { x, average, responses } = csatPerInterval(report);
    expect(x).toHaveLength(3);
    expect(average).toEqual([3, null, 4.7]);
    expect(responses).toEqual([3, 0, 3]);
  });

  it("writes a rating out of 5", () => {
    expect(formatMetric("AVG_CSAT", 4)).toBe("4.0 / 5");
    expect(formatMetric("AVG_CSAT", null)).toBe("—");
    expect(formatMetric("CSAT_RESPONSES", 12)).toBe("12");
  });
});
