/**
 * Custom views for step-by-step guides (`/api/v1/views`): an admin picks the kind of view (Form,
 * Detail, List, Confirmation, Cards), writes its content as that view's ViewData in JSON, and sees
 * it as the agent will (the workspace's own renderer, `$.` references shown as written). A flow's
 * Show view block names it by the ARN shown here; the block's ViewData is laid over the content.
 */
import { lazy, Suspense, useMemo, useState, type FormEvent } from "react";
import { readView, VIEW_NAMES, type ViewName } from "../../shared/views";
import { FormStatus, SelectField, TextAreaField, TextField, useSave } from "../components/forms";
import { FormActions, ResourceScreen, useCreatedNotice, type EditorProps } from "../components/ResourceScreen";
import { api } from "../lib/api";
import { useSession } from "../lib/session";

const ViewRenderer = lazy(() => import("../agent/guide/ViewRenderer"));

const BASE = "/views";

type CustomView = { id: string; arn: string; name: string; description: string; template: ViewName; content: Record<string, unknown>; createdAt: string; updatedAt: string };

/** A starting point per kind of view, in its ViewData shape. */
const EXAMPLES: Record<ViewName, Record<string, unknown>> = {
  Form: { Heading: "Callback request", Sections: [{ Items: [{ Name: "number", Label: "Number to call", InputType: "tel", Required: true }] }], Next: "Book", Cancel: "No callback" },
  Detail: { Heading: "Order", Sections: [{ Heading: "Summary", Attributes: [{ Label: "Status", Value: "$.Attributes.orderStatus" }] }], Actions: ["Refund", "Resend"] },
  List: { Heading: "Pick an order", Items: [{ Id: "o-1", Heading: "Order 1", Description: "2 items" }] },
  Confirmation: { Heading: "Address updated", Body: "Tell the customer it is saved.", Next: "Done" },
  Cards: { Heading: "Why are they calling?", Cards: [{ Summary: { Id: "billing", Heading: "Billing" } }, { Summary: { Id: "delivery", Heading: "Delivery" } }] },
};

export default function ViewsScreen() {
  const { can } = useSession();
  return (
    <ResourceScreen<CustomView>
      basePath={BASE}
      apiPath="views"
      title="Views"
      noun="view"
      intro="Your own pages for step-by-step guides: a flow's Show view block shows one to the agent and branches on what they choose. Each is one of the workspace's views with your content."
      nameOf={(v) => v.name}
      columns={[{ header: "Kind", cell: (v) => v.template, text: (v) => v.template }]}
      Editor={ViewEditor}
      canWrite={can("flows.edit")}
    />
  );
}

function ViewEditor({ item, onSaved, canWrite }: EditorProps<CustomView>) {
  const created = useCreatedNotice("View");
  const [name, setName] = useState(item?.name ?? "");
  const [description, setDescription] = useState(item?.description ?? "");
  const [template, setTemplate] = useState<ViewName>(item?.template ?? "Form");
  const [content, setContent] = useState(JSON.stringify(item?.content ?? EXAMPLES.Form, null, 2));
  const save = useSave();

  // The preview, and what is wrong with the content, as the agent's workspace reads it.
  const preview = useMemo(() => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(content);
    } catch (err) {
      return { problem: `The content is not JSON: ${err instanceof Error ? err.message : String(err)}` };
    }
    const read = readView(template, parsed);
    return "problems" in read ? { problem: read.problems.join("; ") } : { view: read.view };
  }, [content, template]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    let parsed: unknown;
    try {
      parsed = JSON.parse(content);
    } catch {
      parsed = content; // the API names what is wrong with it
    }
    const body = { name: name.trim(), description, template, content: parsed };
    const saved = await save.run(
      () => (item ? api.patch<CustomView>(`${BASE}/${encodeURIComponent(item.id)}`, body) : api.post<CustomView>(BASE, body)),
      "View saved.",
    );
    if (saved) onSaved(saved);
  };
  const errors = save.fieldErrors;
  return (
    <>
      <form className="card editor" onSubmit={submit} noValidate aria-label={item ? `Edit view ${item.name}` : "New view"}>
        <FormStatus error={save.error} saved={save.saved ?? created} shownFields={["name", "description", "template", "content"]} />
        {item && (
          <p>
            In a flow's Show view block, name it by <code data-testid="view-arn">{item.arn}</code>
          </p>
        )}
        <fieldset disabled={!canWrite}>
          <TextField label="Name" name="name" value={name} onChange={setName} errors={errors} />
          <TextAreaField label="Description" name="description" value={description} onChange={setDescription} errors={errors} />
          <SelectField
            label="Kind of view" name="template" value={template} errors={errors} options={VIEW_NAMES.map((v) => ({ value: v, label: v }))}
            onChange={(v) => {
              setTemplate(v as ViewName);
              if (!item) setContent(JSON.stringify(EXAMPLES[v as ViewName], null, 2));
            }}
          />
          <TextAreaField label="Content (ViewData, JSON)" name="content" value={content} onChange={setContent} errors={errors} rows={14} spellCheck={false}
            hint="As Amazon Connect's views take it: a Form's Sections[].Items[] inputs with Name, Label, InputType and Required, and Next, Cancel or Back; a Detail's Sections and Actions; a List's Items; Cards' Cards. Values may be $. references." />
        </fieldset>
        <FormActions busy={save.busy} canWrite={canWrite} isNew={!item} noun="view" cancelHref={BASE} />
      </form>
      {/* Beside the form, not in it: a Form view is a form of its own. */}
      <section aria-label="Preview" className="card view-preview">
        <h2>Preview</h2>
        {"problem" in preview ? (
          <p className="field-error" data-testid="view-problem">{preview.problem}</p>
        ) : (
          <Suspense fallback={<p className="muted">Loading the preview…</p>}>
            <ViewRenderer shown={{ viewId: "preview", contactId: "", view: preview.view!, expiresAt: null }} submit={async () => undefined} />
          </Suspense>
        )}
      </section>
    </>
  );
}
