/**
 * Every real Amazon Connect export in ../shared/reference/connect-flows imports (its warnings
 * printed) and runs in the simulator to a sensible end for a few customer inputs. Pre-2019
 * exports (legacy/) are refused with how to convert them.
 */
import { describe, expect, it } from "vitest";
import { importFlow, simulateFlow, type FlowStatus } from "../../src/flows";
import { LEGACY_EXPORT_MESSAGE } from "../../src/flows/validate";

// Tests run inside workerd (no file system): Vite reads the exports when it builds this file.
const EXPORTS = import.meta.glob("../../../shared/reference/connect-flows/**/*.json", { eager: true, query: "?raw", import: "default" }) as Record<string, string>;
const byFolder = (legacy: boolean) =>
  Object.entries(EXPORTS).filter(([path]) => path.includes("/legacy/") === legacy).map(([path, text]) => ({ file: path.split("/").pop()!, text })).sort((a, b) => a.file.localeCompare(b.file));
const present = Object.keys(EXPORTS).length > 0;
if (!present) console.warn("skipping the real-export tests: ../shared/reference/connect-flows (real Amazon Connect exports) is absent");

/** Any instance: every queue, hours and flow reference resolves to the id it names. */
const anyInstance = (_kind: string, ref: { id: string }) => ref.id;
/** Where a contact may sensibly be when the simulation stops (never an engine error or the action limit). */
const SENSIBLE: FlowStatus[] = ["ended", "disconnected", "queued", "transferred", "transfer_flow", "waiting_input", "waiting_playback"];

describe.skipIf(!present)("real Amazon Connect exports", () => {
  const files = byFolder(false);

  it("there are exports to read", () => {
    expect(files.length).toBeGreaterThan(20);
  });

  for (const { file, text } of files) {
    it(`${file} imports and runs to a sensible end with no input, "1" and "2"`, async () => {
      const imported = importFlow(text, anyInstance);
      expect(imported.errors).toEqual([]);
      for (const w of imported.warnings) console.log(`${file}: warning: ${w.actionId ?? "(flow)"}: ${w.message}`);
      for (const inputs of [[], ["1"], ["2"]]) {
        const sim = await simulateFlow(imported.content!, { flowType: imported.type ?? "CONTACT_FLOW", inputs, external: [{}, {}, {}, {}, {}] });
        const stopped = sim.path.filter((p) => p.branch === "Error: ActionLimitExceeded" || p.branch === "Error: NoMatchingError" && /more than \d+ actions/.test(String(p.data?.reason)));
        expect(stopped, `${file} ${JSON.stringify(inputs)}`).toEqual([]);
        expect(SENSIBLE, `${file} ${JSON.stringify(inputs)}: ${sim.status} (${sim.endReason})`).toContain(sim.status);
        // "ended" must be the flow's own end, not an engine failure.
        if (sim.status === "ended") expect(sim.endReason ?? "", file).not.toMatch(/does not exist|cannot be resumed|stopped after|is not in this flow/);
      }
    });
  }

  for (const { file, text } of byFolder(true)) {
    it(`legacy/${file} is refused as a pre-2019 export, saying how to convert it`, () => {
      const imported = importFlow(text, anyInstance);
      expect(imported.ok).toBe(false);
      expect(imported.errors).toEqual([{ actionId: null, message: LEGACY_EXPORT_MESSAGE }]);
      expect(LEGACY_EXPORT_MESSAGE).toMatch(/before 2019.*flow designer.*save it, and export it again/);
    });
  }
});
