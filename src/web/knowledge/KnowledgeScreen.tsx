/**
 * The knowledge base, for people who write it (knowledge.write): the articles (draft or published,
 * with an edit waiting), an editor with a preview, publishing, the version history, attachments,
 * and the search synonyms. Agents read published articles in their workspace (KnowledgePanel).
 */
import { lazy, Suspense, useEffect, useState, type FormEvent } from "react";
import { FormStatus, TextAreaField, TextField, useSave } from "../components/forms";
import { api, errorText } from "../lib/api";
import { useLocation, navigate, useTitle, Link } from "../lib/router";
import { useData } from "../lib/useData";
import type { Article, ArticleSummary, ArticleVersion } from "./types";

const Markdown = lazy(() => import("./Markdown"));
const BASE = "/knowledge";

export default function KnowledgeScreen() {
  useTitle("Knowledge");
  const { path } = useLocation();
  const id = path.startsWith(`${BASE}/`) ? decodeURIComponent(path.slice(BASE.length + 1)) : null;
  const list = useData(() => api.get<{ items: ArticleSummary[] }>("/knowledge/articles").then((r) => r.items), []);
  return (
    <>
      <div className="page-head">
        <h1>Knowledge</h1>
        <Link href={`${BASE}/new`} className="button">New article</Link>
      </div>
      <p className="muted">Articles agents search and get suggested in their workspace. Agents see the published version; an edit to a published article waits as a new draft until you publish it.</p>
      <div className="knowledge-layout">
        <nav aria-label="Articles" className="card">
          {list.error && <p className="error" role="alert">{list.error}</p>}
          <ul className="plain" data-testid="article-list">
            {(list.data ?? []).map((a) => (
              <li key={a.id}>
                <Link href={`${BASE}/${encodeURIComponent(a.id)}`} aria-current={a.id === id ? "page" : undefined}>{a.title}</Link>{" "}
                <span className="muted">{a.status === "draft" ? "Draft" : a.hasDraft ? `Published v${a.publishedVersion}, edit waiting` : `Published v${a.publishedVersion}`}</span>
              </li>
            ))}
            {list.data?.length === 0 && <li className="muted">No articles yet.</li>}
          </ul>
          <Synonyms />
        </nav>
        <div>{id && <ArticleEditor key={id} id={id === "new" ? null : id} onChanged={() => void list.reload()} />}</div>
      </div>
    </>
  );
}

function ArticleEditor({ id, onChanged }: { id: string | null; onChanged: () => void }) {
  const article = useData(() => (id ? api.get<Article>(`${BASE}/articles/${encodeURIComponent(id)}`) : Promise.resolve(null)), [id]);
  const [title, setTitle] = useState("");
  const [body, setBody] = useState("");
  const [tags, setTags] = useState("");
  const [preview, setPreview] = useState(false);
  const save = useSave();
  const a = article.data;
  useEffect(() => {
    if (!a) return;
    setTitle(a.title);
    setBody(a.body);
    setTags(a.tags.join(", "));
  }, [a]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const input = { title: title.trim(), body, tags: tags.split(",").map((t) => t.trim()).filter(Boolean) };
    const saved = await save.run(() => (a ? api.patch<Article>(`${BASE}/articles/${encodeURIComponent(a.id)}`, input) : api.post<Article>(`${BASE}/articles`, input)), "Saved as a draft.");
    if (!saved) return;
    onChanged();
    if (!a) navigate(`${BASE}/${encodeURIComponent(saved.id)}`, { replace: true });
    else await article.reload();
  };
  const act = async (what: "publish" | "unpublish", version?: number) => {
    if (!a) return;
    const done = await save.run(() => api.post<Article>(`${BASE}/articles/${encodeURIComponent(a.id)}/${what}`, version ? { version } : undefined), what === "publish" ? "Published: agents see it now." : "Unpublished: agents no longer see it.");
    if (done) (onChanged(), await article.reload());
  };
  const remove = async () => {
    if (!a || !window.confirm(`Delete "${a.title}" with all its versions and attachments?`)) return;
    if (await save.run(() => api.del(`${BASE}/articles/${encodeURIComponent(a.id)}`))) (onChanged(), navigate(BASE));
  };
  if (article.error) return <p className="error" role="alert">{article.error}</p>;
  if (id && !a) return <p className="muted">Loading…</p>;
  return (
    <section className="card" aria-labelledby="article-head">
      <h2 id="article-head">{a ? a.title : "New article"}</h2>
      {a && (
        <p className="muted" data-testid="article-state">
          {a.status === "draft" ? `Draft (version ${a.latestVersion}), not seen by agents.` : a.hasDraft ? `Agents see version ${a.publishedVersion}; version ${a.latestVersion} is a draft.` : `Published: agents see version ${a.publishedVersion}.`}
        </p>
      )}
      <form onSubmit={submit}>
        <TextField label="Title" name="title" value={title} onChange={setTitle} errors={save.fieldErrors} />
        <TextAreaField label="Body (markdown)" name="body" value={body} onChange={setBody} rows={14} errors={save.fieldErrors} hint="**bold**, _italic_, # headings, - lists, [links](https://…)" />
        <TextField label="Tags (comma separated)" name="tags" value={tags} onChange={setTags} errors={save.fieldErrors} />
        <FormStatus error={save.error} saved={save.saved} shownFields={["title", "body", "tags"]} />
        <div className="form-actions">
          <button type="submit" disabled={save.busy}>Save draft</button>
          {a?.hasDraft && <button type="button" disabled={save.busy} onClick={() => void act("publish")}>Publish</button>}
          {a?.status === "published" && <button type="button" className="secondary" disabled={save.busy} onClick={() => void act("unpublish")}>Unpublish</button>}
          <button type="button" className="secondary" onClick={() => setPreview((p) => !p)} aria-pressed={preview}>Preview</button>
          {a && <button type="button" className="danger" disabled={save.busy} onClick={() => void remove()}>Delete</button>}
        </div>
      </form>
      {preview && (
        <Suspense fallback={<p className="muted">Loading preview…</p>}>
          <Markdown text={body} label="Preview" />
        </Suspense>
      )}
      {a && <Attachments article={a} onChanged={() => void article.reload()} />}
      {a && <History id={a.id} publishedVersion={a.publishedVersion} latest={a.latestVersion} onPublish={(v) => void act("publish", v)} />}
    </section>
  );
}

function Attachments({ article, onChanged }: { article: Article; onChanged: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const upload = async (file: File) => {
    setError(null);
    try {
      await api.upload(`${BASE}/articles/${encodeURIComponent(article.id)}/attachments`, file, file.type || "application/octet-stream", { name: file.name });
      onChanged();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <section aria-labelledby="attachments-head">
      <h3 id="attachments-head">Attachments</h3>
      <ul className="plain">
        {article.attachments.map((f) => (
          <li key={f.id}>
            <a href={`/api/v1${BASE}/articles/${encodeURIComponent(article.id)}/attachments/${f.id}`}>{f.fileName}</a> <span className="muted">{Math.ceil(f.sizeBytes / 1024)} KB</span>{" "}
            <button type="button" className="link" onClick={() => void api.del(`${BASE}/articles/${encodeURIComponent(article.id)}/attachments/${f.id}`).then(onChanged, (e) => setError(errorText(e)))}>Remove</button>
          </li>
        ))}
      </ul>
      <label>
        Attach a file (at most 1 MiB, stored encrypted){" "}
        <input type="file" onChange={(e) => e.target.files?.[0] && void upload(e.target.files[0])} />
      </label>
      {error && <p className="error" role="alert">{error}</p>}
    </section>
  );
}

function History({ id, publishedVersion, latest, onPublish }: { id: string; publishedVersion: number | null; latest: number; onPublish: (v: number) => void }) {
  const versions = useData(() => api.get<{ items: ArticleVersion[] }>(`${BASE}/articles/${encodeURIComponent(id)}/versions`).then((r) => r.items), [id, publishedVersion, latest]);
  return (
    <details>
      <summary>History ({latest} version{latest === 1 ? "" : "s"})</summary>
      <ol className="plain">
        {(versions.data ?? []).map((v) => (
          <li key={v.version}>
            Version {v.version}: {v.title} <span className="muted">{v.publishedAt ? `published ${new Date(v.publishedAt).toLocaleString()}` : "never published"}</span>
            {v.version === publishedVersion ? <strong> (agents see this)</strong> : v.publishedAt && <button type="button" className="link" onClick={() => onPublish(v.version)}>Publish this version again</button>}
          </li>
        ))}
      </ol>
    </details>
  );
}

function Synonyms() {
  const loaded = useData(() => api.get<{ groups: string[][] }>(`${BASE}/synonyms`).then((r) => r.groups), []);
  const [text, setText] = useState<string | null>(null);
  const save = useSave();
  const shown = text ?? (loaded.data ?? []).map((g) => g.join(", ")).join("\n");
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const groups = shown.split("\n").map((line) => line.split(",").map((t) => t.trim()).filter(Boolean)).filter((g) => g.length > 0);
    if (await save.run(() => api.put(`${BASE}/synonyms`, { groups }), "Synonyms saved.")) (setText(null), await loaded.reload());
  };
  return (
    <form onSubmit={submit} aria-label="Search synonyms">
      <TextAreaField label="Search synonyms" name="groups" value={shown} onChange={setText} rows={5} errors={save.fieldErrors} hint="One group a line, words or phrases separated by commas: a search for any finds the others (refund, money back, reimbursement)." />
      <FormStatus error={save.error} saved={save.saved} shownFields={["groups"]} />
      <button type="submit" disabled={save.busy}>Save synonyms</button>
    </form>
  );
}
