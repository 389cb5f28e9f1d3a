/**
 * Where a contact's step-by-step guide view appears in the agent's contact panel: nothing until
 * the contact's guide flow shows a view (ShowView), then the renderer, loaded on demand so the
 * workspace's first load does not carry it.
 */
import { lazy, Suspense } from "react";
import { useAgent } from "../AgentProvider";

const ViewRenderer = lazy(() => import("./ViewRenderer"));

export function GuideSlot({ contactId }: { contactId: string }) {
  const agent = useAgent();
  const shown = agent?.state.views.find((v) => v.contactId === contactId);
  if (!agent || !shown) return null;
  const submit = (action: string, data: Record<string, string>) => agent.connection.send({ type: "view.submit", contactId, viewId: shown.viewId, action, data });
  return (
    <Suspense fallback={<p className="muted">Loading the guide…</p>}>
      <ViewRenderer key={shown.viewId} shown={shown} submit={submit} />
    </Suspense>
  );
}
