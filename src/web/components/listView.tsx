/**
 * Search, sorting and filtering for a list that can grow past a screen (the console's
 * configuration lists): a search box over every column's text, a filter per column that asks for
 * one, and column headers that sort (aria-sort says how). All in the browser: these lists are
 * loaded whole.
 */
import { useMemo, useState, type ReactNode } from "react";

export type ListColumn<T> = {
  header: string;
  cell: (item: T) => ReactNode;
  /** The column's text for searching, sorting and filtering; by default the cell when it is text or a number. */
  text?: (item: T) => string | number;
  /** Offer a filter with this column's distinct values. */
  filter?: boolean;
};

type Sort = { column: number; descending: boolean };

/** Lower case without accents, so "zurich" finds "Zürich". */
const fold = (s: string) => s.normalize("NFD").replace(/\p{Diacritic}/gu, "").toLowerCase();

function textOf<T>(column: ListColumn<T>, item: T): string | number {
  if (column.text) return column.text(item);
  const cell = column.cell(item);
  return typeof cell === "string" || typeof cell === "number" ? cell : "";
}

const compare = (a: string | number, b: string | number) =>
  typeof a === "number" && typeof b === "number" ? a - b : String(a).localeCompare(String(b), undefined, { numeric: true, sensitivity: "base" });

/** Until a header is chosen the items keep the API's order (which may mean something: agent statuses' display order). */
export function useListView<T>(items: readonly T[], columns: ListColumn<T>[]) {
  const [query, setQuery] = useState("");
  const [filters, setFilters] = useState<Record<number, string>>({});
  const [sort, setSort] = useState<Sort | null>(null);

  const shown = useMemo(() => {
    const words = fold(query).split(/\s+/).filter(Boolean);
    const rows = items.filter((item) => {
      for (const [i, value] of Object.entries(filters)) if (value && String(textOf(columns[Number(i)], item)) !== value) return false;
      if (!words.length) return true;
      const haystack = fold(columns.map((c) => String(textOf(c, item))).join(" "));
      return words.every((w) => haystack.includes(w));
    });
    if (!sort) return rows;
    const col = columns[sort.column];
    return rows.sort((a, b) => compare(textOf(col, a), textOf(col, b)) * (sort.descending ? -1 : 1));
  }, [items, columns, query, filters, sort]);

  const filterChoices = columns
    .map((c, i) => ({ c, i }))
    .filter(({ c }) => c.filter)
    .map(({ c, i }) => ({ index: i, header: c.header, values: [...new Set(items.map((item) => String(textOf(c, item))))].filter(Boolean).sort(compare) }));

  return {
    shown,
    query,
    setQuery,
    filters,
    setFilter: (index: number, value: string) => setFilters((f) => ({ ...f, [index]: value })),
    filterChoices,
    sort,
    toggleSort: (column: number) => setSort((s) => ({ column, descending: s?.column === column ? !s.descending : false })),
  };
}

export type ListView<T> = ReturnType<typeof useListView<T>>;

/** The search box and filters above a list, and how many of the items show. */
export function ListControls<T>({ view, total, plural, idPrefix }: { view: ListView<T>; total: number; plural: string; idPrefix: string }) {
  return (
    <div className="toolbar list-controls" role="search" aria-label={`Find ${plural}`}>
      <div className="field">
        <label htmlFor={`${idPrefix}-search`}>Search {plural}</label>
        <input id={`${idPrefix}-search`} type="search" value={view.query} onChange={(e) => view.setQuery(e.target.value)} placeholder="Name or any column" />
      </div>
      {view.filterChoices.map((f) => (
        <div className="field" key={f.index}>
          <label htmlFor={`${idPrefix}-filter-${f.index}`}>{f.header}</label>
          <select id={`${idPrefix}-filter-${f.index}`} value={view.filters[f.index] ?? ""} onChange={(e) => view.setFilter(f.index, e.target.value)}>
            <option value="">All</option>
            {f.values.map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </select>
        </div>
      ))}
      <p className="muted list-count" role="status" data-testid="list-count">
        {view.shown.length === total ? `${total} ${plural}` : `${view.shown.length} of ${total} ${plural}`}
      </p>
    </div>
  );
}

/** A column header that sorts the list by its column (again: the other way). */
export function SortHeader<T>({ view, index, children }: { view: ListView<T>; index: number; children: ReactNode }) {
  const descending = view.sort?.column === index ? view.sort.descending : null;
  return (
    <th scope="col" aria-sort={descending === null ? undefined : descending ? "descending" : "ascending"}>
      <button type="button" className="link sort" onClick={() => view.toggleSort(index)}>
        {children}
        <span aria-hidden="true">{descending === null ? "" : descending ? " ▼" : " ▲"}</span>
      </button>
    </th>
  );
}
