/**
 * One configuration collection as two pages: the list (/queues) and the editor (/queues/new,
 * /queues/:id). The screen file supplies the columns and the form; this does loading, routing,
 * saving feedback and deleting (with the API's "still used by …" answer shown in words). The
 * list can be searched, sorted by any column and filtered by the columns that ask for it.
 */
import { useState, type ReactNode } from "react";
import { api, errorText } from "../lib/api";
import { Link, navigate, useLocation, useTitle } from "../lib/router";
import { useCollection, useData } from "../lib/useData";
import { ListControls, SortHeader, useListView, type ListColumn } from "./listView";

export type Column<T> = ListColumn<T>;

export type EditorProps<T> = {
  /** The item being edited, or null for a new one. */
  item: T | null;
  /** Call after a successful create/update with the saved item. */
  onSaved: (saved: T) => void;
  canWrite: boolean;
};

type Props<T extends { id: string }> = {
  basePath: string;
  apiPath: string;
  /** Plural title, e.g. "Queues". */
  title: string;
  /** Singular, lower case, e.g. "queue". */
  noun: string;
  intro?: ReactNode;
  columns: Column<T>[];
  /** The column that names an item (a link to its editor). */
  nameOf: (item: T) => string;
  Editor: (props: EditorProps<T>) => ReactNode;
  canWrite: boolean;
  /** False for items that cannot be deleted (built-ins). */
  deletable?: (item: T) => boolean;
};

export function ResourceScreen<T extends { id: string }>(props: Props<T>) {
  const { path } = useLocation();
  const rest = path.slice(props.basePath.length).replace(/^\//, "");
  if (!rest) return <ResourceList {...props} />;
  if (rest === "new") {
    return props.canWrite ? <ResourceEditorPage {...props} id={null} /> : <p role="alert">Your security profile does not allow creating a {props.noun}.</p>;
  }
  return <ResourceEditorPage {...props} id={decodeURIComponent(rest)} />;
}

function ResourceList<T extends { id: string }>({ basePath, apiPath, title, noun, intro, columns, nameOf, canWrite }: Props<T>) {
  useTitle(title);
  const list = useCollection<T>(`/${apiPath}`);
  const all: ListColumn<T>[] = [{ header: "Name", cell: nameOf, text: nameOf }, ...columns];
  const view = useListView(list.data ?? [], all);
  return (
    <>
      <div className="page-head">
        <h1>{title}</h1>
        {canWrite && (
          <Link className="button primary" href={`${basePath}/new`}>
            New {noun}
          </Link>
        )}
      </div>
      {intro && <p className="intro">{intro}</p>}
      {list.error && (
        <p className="error" role="alert">
          {list.error}
        </p>
      )}
      {list.loading && !list.data && <p role="status">Loading…</p>}
      {list.data && list.data.length === 0 && <p>No {title.toLowerCase()} yet.</p>}
      {list.data && list.data.length > 0 && (
        <>
          <ListControls view={view} total={list.data.length} plural={title.toLowerCase()} idPrefix={apiPath} />
          <table className="list">
            <caption className="visually-hidden">{title}</caption>
            <thead>
              <tr>
                {all.map((c, i) => (
                  <SortHeader key={c.header} view={view} index={i}>
                    {c.header}
                  </SortHeader>
                ))}
              </tr>
            </thead>
            <tbody>
              {view.shown.map((item) => (
                <tr key={item.id}>
                  <th scope="row">
                    <Link href={`${basePath}/${encodeURIComponent(item.id)}`}>{nameOf(item)}</Link>
                  </th>
                  {columns.map((c) => (
                    <td key={c.header}>{c.cell(item)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          {view.shown.length === 0 && <p className="muted">No {title.toLowerCase()} match.</p>}
        </>
      )}
    </>
  );
}

function ResourceEditorPage<T extends { id: string }>({ basePath, apiPath, title, noun, nameOf, Editor, canWrite, deletable, id }: Props<T> & { id: string | null }) {
  const loaded = useData(() => (id ? api.get<T>(`/${apiPath}/${encodeURIComponent(id)}`) : Promise.resolve(null)), [apiPath, id]);
  const heading = id ? (loaded.data ? `${capitalize(noun)}: ${nameOf(loaded.data)}` : capitalize(noun)) : `New ${noun}`;
  useTitle(heading);
  const [version, setVersion] = useState(0);
  const [savedNotice, setSavedNotice] = useState<string | null>(null);

  // After a save the editor is re-created from the stored item (so it shows exactly what the
  // API kept); the confirmation lives here so it survives that.
  const onSaved = (saved: T) => {
    if (!id) navigate(`${basePath}/${encodeURIComponent(saved.id)}?created=1`, { replace: true });
    else {
      void loaded.reload();
      setVersion((v) => v + 1);
      setSavedNotice(`${capitalize(noun)} saved.`);
    }
  };

  return (
    <>
      <p className="breadcrumb">
        <Link href={basePath}>{title}</Link>
      </p>
      <h1>{heading}</h1>
      {loaded.error && (
        <p className="error" role="alert">
          {loaded.error}
        </p>
      )}
      {savedNotice && (
        <p className="success" role="status">
          {savedNotice}
        </p>
      )}
      {id && loaded.loading && !loaded.data && <p role="status">Loading…</p>}
      {(!id || loaded.data) && <Editor key={`${id ?? "new"}:${version}`} item={loaded.data ?? null} onSaved={onSaved} canWrite={canWrite} />}
      {id && loaded.data && canWrite && (deletable?.(loaded.data) ?? true) && (
        <DeleteButton noun={noun} name={nameOf(loaded.data)} onDelete={async () => {
          await api.del(`/${apiPath}/${encodeURIComponent(id)}`);
          navigate(basePath);
        }} />
      )}
    </>
  );
}

/** Delete with an inline confirmation; shows why the API refused (e.g. still in use). */
export function DeleteButton({ noun, name, onDelete }: { noun: string; name: string; onDelete: () => Promise<void> }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      await onDelete();
    } catch (err) {
      setError(errorText(err));
      setConfirming(false);
      setBusy(false);
    }
  };
  return (
    <section className="danger-zone" aria-label={`Delete this ${noun}`}>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {!confirming ? (
        <button type="button" className="danger" onClick={() => setConfirming(true)}>
          Delete {noun}
        </button>
      ) : (
        <div role="group" aria-label="Confirm deletion" className="confirm">
          <p>
            Delete {noun} “{name}”? This cannot be undone.
          </p>
          <button type="button" className="danger" disabled={busy} onClick={() => void run()} autoFocus>
            Yes, delete
          </button>
          <button type="button" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </div>
      )}
    </section>
  );
}

export const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Save / cancel row of an editor form. */
export function FormActions({ busy, canWrite, isNew, noun, cancelHref }: { busy: boolean; canWrite: boolean; isNew: boolean; noun: string; cancelHref: string }) {
  if (!canWrite) return <p className="muted">You can view this {noun} but not change it.</p>;
  return (
    <div className="form-actions">
      <button type="submit" className="primary" disabled={busy}>
        {busy ? "Saving…" : isNew ? `Create ${noun}` : "Save changes"}
      </button>
      <Link className="button" href={cancelHref}>
        {isNew ? "Cancel" : "Back to list"}
      </Link>
    </div>
  );
}

/** Shown after an item was created (the editor page reloads with ?created=1). */
export function useCreatedNotice(noun: string): string | null {
  const { search } = useLocation();
  return search.get("created") ? `${capitalize(noun)} created.` : null;
}
