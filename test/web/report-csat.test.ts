import { describe, expect, it } from "vitest";
import { HISTORICAL_METRICS, type HistoricalReport, type HistoricalValues } from "../../src/shared/historical";
import { csatPerInterval, formatMetric, sentimentPerInterval } from "../../src/web/reports/reportModel";

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

  it("weights the predicted rating by the contacts it stands for, and the sentiment by the analysed contacts", () => {
    const analysed = (d: string, id: string, n: number, sentiment: number | null, predictedN: number, predicted: number | null) => ({
      group: { type: "AGENT" as const, id, name: id }, interval: day(d),
      metrics: { ...none, CSAT_RESPONSES: 0, ANALYSED_CONTACTS: n, AVG_CUSTOMER_SENTIMENT: sentiment, PREDICTED_CSAT_CONTACTS: predictedN, AVG_PREDICTED_CSAT: predicted },
    });
    const report = {
      intervals: [day("14"), day("15")],
      rows: [analysed("14", "alice", 3, 0.5, 1, 4), analysed("14", "bob", 1, -0.7, 3, 2), analysed("15", "bob", 0, null, 0, null)],
    } as unknown as HistoricalReport;
    const csat = csatPerInterval(report);
    expect(csat.predicted).toEqual([2.5, null]); // (4 + 3 × 2) / 4
    expect(csat.average).toEqual([null, null]); // nobody answered the survey
    const sentiment = sentimentPerInterval(report);
    expect(sentiment.average).toEqual([0.2, null]); // (3 × 0.5 − 0.7) / 4
    expect(sentiment.analysed).toEqual([4, 0]);
  });

  it("writes a sentiment score with its sign", () => {
    expect(formatMetric("AVG_CUSTOMER_SENTIMENT", 0.25)).toBe("+0.25");
    expect(formatMetric("AVG_CUSTOMER_SENTIMENT", -0.5)).toBe("−0.50");
    expect(formatMetric("AVG_CUSTOMER_SENTIMENT", 0)).toBe("0.00");
    expect(formatMetric("AVG_PREDICTED_CSAT", 3.3)).toBe("3.3 / 5");
  });
});
