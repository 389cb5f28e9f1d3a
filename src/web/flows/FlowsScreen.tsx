/** Flows: the list, creating or importing one (an Amazon Connect export), and the editor. */
import { FLOW_TYPE_LABELS, formatDateTime } from "../lib/labels";
import { Link, useLocation, useTitle } from "../lib/router";
import { useSession } from "../lib/session";
import type { Flow } from "../lib/types";
import { useCollection } from "../lib/useData";
import { FlowEditor } from "./FlowEditor";
import { NewFlow } from "./NewFlow";

export default function FlowsScreen() {
  const { path } = useLocation();
  const rest = path.replace(/^\/flows\/?/, "");
  if (!rest) return <FlowList />;
  if (rest === "new") return <NewFlow />;
  return <FlowEditor id={decodeURIComponent(rest)} />;
}

function FlowList() {
  useTitle("Flows");
  const { can } = useSession();
  const flows = useCollection<Flow>("/flows");
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
        <table className="list">
          <caption className="visually-hidden">Flows</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Type</th>
              <th scope="col">Actions</th>
              <th scope="col">Published</th>
              <th scope="col">Last changed</th>
            </tr>
          </thead>
          <tbody>
            {flows.data.map((f) => (
              <tr key={f.id}>
                <th scope="row">
                  <Link href={`/flows/${encodeURIComponent(f.id)}`}>{f.name}</Link>
                </th>
                <td>{FLOW_TYPE_LABELS[f.type] ?? f.type}</td>
                <td>{f.content?.Actions?.length ?? 0}</td>
                <td>{f.publishedVersion ? `Version ${f.publishedVersion}` : "Not published"}</td>
                <td>{formatDateTime(f.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
