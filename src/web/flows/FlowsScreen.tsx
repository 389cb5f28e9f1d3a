/** Flows: the list, creating or importing one (an Amazon Connect export), and the editor. */
import { FLOW_TYPE_LABELS, formatDateTime } from "../lib/labels";
import { Link, useLocation, useTitle } from "../lib/router";
import { useSession } from "../lib/session";
import type { Flow } from "../lib/types";
import { useCollection } from "../lib/useData";
import { ListControls, SortHeader, useListView, type ListColumn } from "../components/listView";
import { FlowEditor } from "./FlowEditor";
import { NewFlow } from "./NewFlow";

export default function FlowsScreen() {
  const { path } = useLocation();
  const rest = path.replace(/^\/flows\/?/, "");
  if (!rest) return <FlowList />;
  if (rest === "new") return <NewFlow />;
  return <FlowEditor id={decodeURIComponent(rest)} />;
}

/** The list's columns: searched, sorted and (type, published) filtered by listView. */
const COLUMNS: ListColumn<Flow>[] = [
  { header: "Name", cell: (f) => <Link href={`/flows/${encodeURIComponent(f.id)}`}>{f.name}</Link>, text: (f) => f.name },
  { header: "Type", cell: (f) => FLOW_TYPE_LABELS[f.type] ?? f.type, filter: true },
  { header: "Actions", cell: (f) => f.content?.Actions?.length ?? 0 },
  { header: "Published", cell: (f) => (f.publishedVersion ? `Version ${f.publishedVersion}` : "Not published"), text: (f) => (f.publishedVersion ? "Published" : "Not published"), filter: true },
  { header: "Last changed", cell: (f) => formatDateTime(f.updatedAt), text: (f) => f.updatedAt },
];

function FlowList() {
  useTitle("Flows");
  const { can } = useSession();
  const flows = useCollection<Flow>("/flows");
  const view = useListView(flows.data ?? [], COLUMNS);
  return (
    <>
      <div className="page-head">
        <h1>Flows</h1>
        {can("flows.edit") && (
          <Link className="button primary" href="/flows/new">
            New or imported flow
          </Link>
        )}
      </div>
      <p className="intro">Flows decide what a caller hears and where the contact goes. They use the Amazon Connect flow language, so flows exported from Amazon Connect import as they are.</p>
      {flows.error && (
        <p className="error" role="alert">
          {flows.error}
        </p>
      )}
      {flows.loading && !flows.data && <p role="status">Loading…</p>}
      {flows.data && flows.data.length === 0 && <p>No flows yet.</p>}
      {flows.data && flows.data.length > 0 && (
        <>
          <ListControls view={view} total={flows.data.length} plural="flows" idPrefix="flows" />
          <table className="list">
            <caption className="visually-hidden">Flows</caption>
            <thead>
              <tr>
                {COLUMNS.map((c, i) => (
                  <SortHeader key={c.header} view={view} index={i}>
                    {c.header}
                  </SortHeader>
                ))}
              </tr>
            </thead>
            <tbody>
              {view.shown.map((f) => (
                <tr key={f.id}>
                  <th scope="row">{COLUMNS[0].cell(f)}</th>
                  {COLUMNS.slice(1).map((c) => (
                    <td key={c.header}>{c.cell(f)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          {view.shown.length === 0 && <p className="muted">No flows match.</p>}
        </>
      )}
    </>
  );
}
