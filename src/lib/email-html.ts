/**
 * An email's HTML made safe to show the agent, with workerd's own HTMLRewriter (no DOM needed):
 * no scripts, frames, objects, forms, styles sheets or base/meta/link elements; no event-handler
 * attributes; no `javascript:`/`data:` links; and no remote images (a tracking pixel tells the
 * sender the mail was read): an image's source is moved to `data-blocked-src`. The workspace
 * shows the result in a sandboxed frame that runs no script either (defence in depth).
 */
const DROP = ["script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "input", "button", "textarea", "select", "link", "meta", "base", "svg", "math", "template", "noscript"];
const URL_ATTRS = ["href", "src", "action", "formaction", "xlink:href", "background", "poster", "srcset", "lowsrc", "dynsrc"];
/** The most HTML kept for display (larger mail is shown as its text). */
export const MAX_EMAIL_HTML_CHARS = 512 * 1024;

export async function sanitiseEmailHtml(html: string): Promise<string> {
  const rewriter = new HTMLRewriter()
    .on(DROP.join(", "), { element: (el) => void el.remove() })
    .on("*", {
      element(el) {
        const names = [...el.attributes].map(([name]) => name.toLowerCase());
        for (const name of names) {
          const value = el.getAttribute(name) ?? "";
          if (name.startsWith("on") || name === "style" && /url\s*\(|expression\s*\(/i.test(value)) el.removeAttribute(name);
          else if (URL_ATTRS.includes(name) && el.tagName !== "img" && !/^\s*(https?:|mailto:|#)/i.test(value)) el.removeAttribute(name);
        }
        if (el.tagName === "img") {
          const src = el.getAttribute("src");
          for (const a of ["src", "srcset", "lowsrc", "dynsrc"]) el.removeAttribute(a);
          if (src) el.setAttribute("data-blocked-src", src.slice(0, 2048));
        }
        if (el.tagName === "a") (el.setAttribute("target", "_blank"), el.setAttribute("rel", "noopener noreferrer"));
      },
    });
  const out = await rewriter.transform(new Response(html, { headers: { "content-type": "text/html; charset=utf-8" } })).text();
  return out.length > MAX_EMAIL_HTML_CHARS ? "" : out;
}

/** The text of an HTML mail that came without a text part (tags dropped, entities of the common few read). */
export function textOfHtml(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, "")
    .replace(/<br\s*\/?>|<\/(p|div|li|tr|h\d)>/gi, "\n")
    .replace(/<[^>]+>/g, "")
    .replace(/&nbsp;/g, " ").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, "\"").replace(/&#39;/g, "'").replace(/&amp;/g, "&")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}
