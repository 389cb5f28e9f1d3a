/**
 * An article's markdown as HTML: `marked` turns it into HTML and DOMPurify removes anything that
 * could run or load script (tags, attributes, `javascript:` links) before it reaches the page.
 * Loaded on demand (React.lazy) with the screens that show articles, so the libraries are not in
 * the agent's first load.
 */
import DOMPurify from "dompurify";
import { marked } from "marked";
import { useMemo } from "react";

/** Safe HTML for a markdown text: GitHub-flavoured markdown, sanitised; links open in a new tab. */
export function markdownToHtml(markdown: string): string {
  const html = marked.parse(markdown, { async: false, gfm: true, breaks: false });
  const clean = DOMPurify.sanitize(html, { USE_PROFILES: { html: true }, FORBID_TAGS: ["style", "form", "input", "button", "textarea", "select"] });
  const doc = new DOMParser().parseFromString(`<div>${clean}</div>`, "text/html");
  for (const a of doc.querySelectorAll("a[href]")) (a.setAttribute("target", "_blank"), a.setAttribute("rel", "noopener noreferrer"));
  return doc.body.firstElementChild?.innerHTML ?? "";
}

export default function Markdown({ text, label }: { text: string; label?: string }) {
  const html = useMemo(() => markdownToHtml(text), [text]);
  return <div className="article-body" aria-label={label} data-testid="article-body" dangerouslySetInnerHTML={{ __html: html }} />;
}
