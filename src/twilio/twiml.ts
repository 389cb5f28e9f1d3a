/**
 * The one TwiML writer: every document the product answers Twilio with (flow steps, the voice
 * channel's own documents, a failed webhook's apology) is built here from elements, escaped text
 * and attributes, and checked SSML, and nothing else.
 *
 * Escaping is the `twilio` package's VoiceResponse's (its xmlbuilder's rules), so a document is
 * the very bytes VoiceResponse wrote for it (test/voice/twiml.test.ts keeps it as the oracle),
 * plus one rule of our own: control characters are dropped (see CONTROL). Built here rather than
 * with VoiceResponse, whose builder and xmlbuilder cost the Worker bundle tens of KiB and each
 * document an object tree several times the cost of the string.
 */

type AttrValue = string | number | boolean | readonly string[] | null | undefined;
export type XmlNode = { name: string; attrs: Record<string, AttrValue>; children: (XmlNode | string | RawXml)[] };
/** Markup already known to be well-formed (checked SSML), written as it is. */
export type RawXml = { raw: string };

/** An element. Attributes null or undefined are left out; a list is written space-separated (`statusCallbackEvent`). */
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

/** Text content: `& < >`, and CR as `&#xD;` so it survives the parser's line-end normalisation (xmlbuilder's textEscape). */
export const escapeText = (s: string) => stripControl(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\r/g, "&#xD;");

/** An attribute value in double quotes: `& < "`, and tab, LF and CR as character references, which attribute normalisation would turn into spaces (xmlbuilder's attEscape). */
export const escapeAttr = (s: string) =>
  stripControl(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;").replace(/\t/g, "&#x9;").replace(/\n/g, "&#xA;").replace(/\r/g, "&#xD;");

const attrValue = (v: AttrValue) => (Array.isArray(v) ? v.join(" ") : String(v));

export function serialize(node: XmlNode | string | RawXml): string {
  if (typeof node === "string") return escapeText(node);
  if ("raw" in node) return node.raw;
  let attrs = "";
  for (const [k, v] of Object.entries(node.attrs)) if (v !== undefined && v !== null) attrs += ` ${k}="${escapeAttr(attrValue(v))}"`;
  if (node.children.length === 0) return `<${node.name}${attrs}/>`;
  return `<${node.name}${attrs}>${node.children.map(serialize).join("")}</${node.name}>`;
}

export const document = (root: XmlNode) => `<?xml version="1.0" encoding="UTF-8"?>${serialize(root)}`;

/** A TwiML document: <Response> holding these verbs. */
export const response = (...verbs: (XmlNode | null | undefined | false)[]) => document(el("Response", {}, ...verbs));

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
