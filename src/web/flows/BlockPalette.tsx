/**
 * The palette: every block the flow engine runs, by group. Drag one onto the canvas to place it
 * there, or press it (keyboard) to add it beside the blocks already placed.
 */
import type { CatalogueEntry } from "../../shared/flow-catalogue";

export const DRAG_TYPE = "application/x-switchboard-action";

export function BlockPalette({ catalogue, onAdd, disabled }: { catalogue: CatalogueEntry[]; onAdd: (entry: CatalogueEntry) => void; disabled: boolean }) {
  const groups = [...new Set(catalogue.map((e) => e.group))];
  return (
    <nav className="flow-palette" aria-label="Blocks">
      <h3>Blocks</h3>
      <p className="hint">Drag a block onto the canvas, or press it to add it.</p>
      {groups.map((g) => (
        <section key={g} aria-label={g}>
          <h4>{g}</h4>
          <ul>
            {catalogue
              .filter((e) => e.group === g)
              .map((e) => (
                <li key={e.type}>
                  <button
                    type="button"
                    className="flow-palette-block"
                    draggable={!disabled}
                    disabled={disabled}
                    title={e.type}
                    aria-label={`Add block: ${e.label}`}
                    onDragStart={(ev) => {
                      ev.dataTransfer.setData(DRAG_TYPE, e.type);
                      ev.dataTransfer.effectAllowed = "copy";
                    }}
                    onClick={() => onAdd(e)}
                  >
                    {e.label}
                  </button>
                </li>
              ))}
          </ul>
        </section>
      ))}
    </nav>
  );
}
