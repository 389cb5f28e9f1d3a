/** A tiny XML builder: elements, escaped text and attributes, and nothing else. */

export type XmlNode = { name: string; attrs: Record<string, string | number | boolean | undefined>; children: (XmlNode | string | RawXml)[] };
/** Markup already known to be well-formed (checked SSML), written as it is. */
export type RawXml = { raw: string };

export const el = (name: string, attrs: XmlNode["attrs"] = {}, ...children: (XmlNode | string | RawXml | null | undefined | false)[]): XmlNode => ({
  name,
  attrs,
  children: children.filter((c): c is XmlNode | string | RawXml => c !== null && c !== undefined && c !== false),
});

/**
 * Control characters (C0 but tab, newline and CR; DEL; C1) and the non-characters U+FFFE/U+FFFF:
 * most are not allowed in XML at all, so one in a caller's attribute would make Twilio reject the
 * whole document (the caller hears "an application error has occurred"). They are dropped.
 */
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]/g;
export const stripControl = (s: string) => s.replace(CONTROL, "");

export const escapeText = (s: string) => stripControl(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
export const escapeAttr = (s: string) => escapeText(s).replace(/"/g, "&quot;").replace(/'/g, "&apos;");

export function serialize(node: XmlNode | string | RawXml): string {
  if (typeof node === "string") return escapeText(node);
  if ("raw" in node) return node.raw;
  const attrs = Object.entries(node.attrs)
    .filter(([, v]) => v !== undefined && v !== false)
    .map(([k, v]) => ` ${k}="${escapeAttr(String(v))}"`)
    .join("");
  if (node.children.length === 0) return `<${node.name}${attrs}/>`;
  return `<${node.name}${attrs}>${node.children.map(serialize).join("")}</${node.name}>`;
}

export const document = (root: XmlNode) => `<?xml version="1.0" encoding="UTF-8"?>${serialize(root)}`;

/** SSML tags Twilio's <Say> accepts for Amazon Polly voices. */
const SSML_TAGS = new Set(["break", "emphasis", "lang", "p", "phoneme", "prosody", "s", "say-as", "sub", "w", "amazon:effect", "amazon:domain"]);

/**
 * The inside of an SSML document as markup safe to put in <Say>, or null when it is not
 * well-formed SSML we accept (the caller then says its text instead).
 */
export function ssmlInner(ssml: string): RawXml | null {
  let body = stripControl(ssml).trim();
  const speak = /^<speak(\s[^>]*)?>([\s\S]*)<\/speak>$/i.exec(body);
  if (speak) body = speak[2];
  const stack: string[] = [];
  const tag = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/g;
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = tag.exec(body))) {
    if (/[<>]/.test(body.slice(last, m.index))) return null;
    last = tag.lastIndex;
    const [, closing, name, , selfClosing] = m;
    if (!SSML_TAGS.has(name)) return null;
    if (closing) {
      if (stack.pop() !== name) return null;
    } else if (!selfClosing) stack.push(name);
  }
  if (/[<>]/.test(body.slice(last)) || stack.length) return null;
  if (/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);)/i.test(body)) return null;
  return { raw: body };
}
