import { describe, expect, it } from "vitest";
import { reportCsv } from "../../src/db/historical-metrics";
import { csvCell } from "../../src/lib/csv";
import type { HistoricalReport } from "../../src/shared/historical";

const report = (names: string[]): HistoricalReport =>
  ({
    timeZone: "UTC", from: "2026-12-01", to: "2026-12-01", interval: "TOTAL", groupBy: "QUEUE", serviceLevelSeconds: 20,
    rows: names.map((name, i) => ({ group: { type: "QUEUE", id: `q${i}`, name }, interval: null, metrics: {} })),
    totals: {},
  }) as unknown as HistoricalReport;

describe("CSV cells a spreadsheet could run are defused", () => {
  it("a queue name starting with =, +, -, @, tab or CR is written with a leading quote in the report CSV", () => {
    const names = ["=HYPERLINK(\"http://evil\")", "+1+cmd|' /C calc'!A0", "-1+1|cmd", "-2", "@SUM(A1)", "\t=1+1", "\r=1+1", "Billing"];
    const lines = reportCsv(report(names)).split("\r\n");
    const cells = lines.slice(1, 1 + names.length).map((l) => l.split(",")[2]);
    expect(cells[0]).toBe(`"'=HYPERLINK(""http://evil"")"`);
    expect(cells[1]).toBe("'+1+cmd|' /C calc'!A0");
    // A minus followed by digits is text someone typed too, not a number the report computed.
    expect(cells[2]).toBe("'-1+1|cmd");
    expect(cells[3]).toBe("'-2");
    expect(cells[4]).toBe("'@SUM(A1)");
    expect(cells[5]).toBe("'\t=1+1");
    expect(reportCsv(report([names[6]]))).toContain(`,"'\r=1+1",`);
    expect(cells[7]).toBe("Billing");
  });

  it("numbers the report computed are written as numbers, negative ones too", () => {
    expect(csvCell(-3.5)).toBe("-3.5");
    expect(csvCell(0)).toBe("0");
    expect(csvCell(null)).toBe("");
    expect(csvCell("a,b")).toBe('"a,b"');
  });
});
