/**
 * Knowledge in the agent's workspace, beside the contact: articles suggested from what the
 * customer says (for a contact whose flow made a knowledge session: CreateWisdomSession), asked
 * again every SUGGEST_EVERY_MS while the contact is open, and a search of the published
 * articles. Opening one shows it (markdown, sanitised; loaded on demand) with its attachments.
 * Loaded on demand by the workspace (React.lazy), so an agent's first load does not carry it.
 */
import { lazy, Suspense, useEffect, useState, type FormEvent } from "react";
import { api, errorText } from "../lib/api";
import { snippetParts, type Article, type SearchAnswer, type SearchHit, type Suggestions } from "./types";

const Markdown = lazy(() => import("./Markdown"));
export const SUGGEST_EVERY_MS = 8000;

export default function KnowledgePanel({ contactId }: { contactId: string }) {
  const [open, setOpen] = useState<string | null>(null);
  const [seen, setSeen] = useState<string[]>([]);
  const show = (id: string) => (setOpen(id), setSeen((s) => (s.includes(id) ? s : [...s, id])));
  return (
    <section className="card knowledge" aria-labelledby="knowledge-head" data-testid="knowledge-panel">
      <h3 id="knowledge-head">Knowledge</h3>
      <SuggestedArticles contactId={contactId} onOpen={show} />
      <SearchArticles onOpen={show} />
      {open && <ArticleView key={open} id={open} onClose={() => setOpen(null)} />}
      {seen.length > 0 && !open && <p className="muted">{seen.length} article{seen.length === 1 ? "" : "s"} opened on this contact.</p>}
    </section>
  );
}

function SuggestedArticles({ contactId, onOpen }: { contactId: string; onOpen: (id: string) => void }) {
  const [answer, setAnswer] = useState<Suggestions | null>(null);
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ask = async () => {
      try {
        const r = await api.get<Suggestions>("/knowledge/suggestions", { contactId });
        if (!live) return;
        setAnswer(r);
        // A contact without a knowledge session gets none: stop asking.
        if (!r.sessionArn) return;
      } catch {
        if (!live) return;
      }
      timer = setTimeout(() => void ask(), SUGGEST_EVERY_MS);
    };
    void ask();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [contactId]);
  if (!answer?.sessionArn) return null;
  return (
    <div aria-live="polite">
      <h4>Suggested</h4>
      {answer.items.length === 0 ? <p className="muted">Suggestions appear as the customer says what they need.</p> : <Hits hits={answer.items} onOpen={onOpen} label="Suggested articles" />}
    </div>
  );
}

function SearchArticles({ onOpen }: { onOpen: (id: string) => void }) {
  const [q, setQ] = useState("");
  const [answer, setAnswer] = useState<SearchAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const search = async (e: FormEvent) => {
    e.preventDefault();
    if (!q.trim()) return;
    setError(null);
    try {
      setAnswer(await api.get<SearchAnswer>("/knowledge/search", { q: q.trim() }));
    } catch (err) {
      setError(errorText(err));
    }
  };
  const fixes = answer ? Object.entries(answer.corrections) : [];
  return (
    <div>
      <form role="search" onSubmit={search} className="inline-form">
        <label htmlFor="knowledge-q" className="visually-hidden">Search knowledge</label>
        <input id="knowledge-q" type="search" placeholder="Search knowledge" value={q} onChange={(e) => setQ(e.target.value)} />
        <button type="submit">Search</button>
      </form>
      {error && <p className="error" role="alert">{error}</p>}
      {fixes.length > 0 && <p className="muted">Also searched: {fixes.map(([w, alt]) => `${alt.join(" / ")} for “${w}”`).join(", ")}</p>}
      {answer && (answer.items.length === 0 ? <p className="muted">No published article matches.</p> : <Hits hits={answer.items} onOpen={onOpen} label="Search results" />)}
    </div>
  );
}

function Hits({ hits, onOpen, label }: { hits: SearchHit[]; onOpen: (id: string) => void; label: string }) {
  return (
    <ul className="plain" aria-label={label}>
      {hits.map((h) => (
        <li key={h.articleId}>
          <button type="button" className="link" onClick={() => onOpen(h.articleId)}>{h.title}</button>
          <br />
          <small className="muted">
            {snippetParts(h.snippet).map((p, i) => (p.mark ? <mark key={i}>{p.text}</mark> : <span key={i}>{p.text}</span>))}
          </small>
        </li>
      ))}
    </ul>
  );
}

function ArticleView({ id, onClose }: { id: string; onClose: () => void }) {
  const [article, setArticle] = useState<Article | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    api.get<Article>(`/knowledge/articles/${encodeURIComponent(id)}`).then((a) => live && setArticle(a), (e) => live && setError(errorText(e)));
    return () => {
      live = false;
    };
  }, [id]);
  if (error) return <p className="error" role="alert">{error}</p>;
  if (!article) return <p className="muted">Opening…</p>;
  return (
    <article aria-labelledby="article-title" className="article">
      <h4 id="article-title">{article.title}</h4>
      <Suspense fallback={<p className="muted">Loading…</p>}>
        <Markdown text={article.body} />
      </Suspense>
      {article.attachments.length > 0 && (
        <ul className="plain" aria-label="Attachments">
          {article.attachments.map((f) => (
            <li key={f.id}>
              <a href={`/api/v1/knowledge/articles/${encodeURIComponent(article.id)}/attachments/${f.id}`}>{f.fileName}</a>
            </li>
          ))}
        </ul>
      )}
      <button type="button" className="secondary" onClick={onClose}>Close article</button>
    </article>
  );
}
