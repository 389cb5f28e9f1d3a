/** Parses a TwiML document into a small element tree the simulator walks. */
import { XMLParser } from "fast-xml-parser";

export type TwimlElement = {
  name: string;
  attrs: Record<string, string>;
  children: TwimlElement[];
  /** Concatenated text content (e.g. what <Say> says, the URL <Play> plays). */
  text: string;
};

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: true,
});

type Raw = Record<string, unknown> & { ":@"?: Record<string, string> };

function convert(node: Raw): TwimlElement | null {
  const name = Object.keys(node).find((k) => k !== ":@");
  if (!name || name === "#text" || name.startsWith("?")) return null;
  const rawChildren = (node[name] as Raw[]) ?? [];
  const children: TwimlElement[] = [];
  let text = "";
  for (const child of rawChildren) {
    if ("#text" in child) text += String(child["#text"]);
    else {
      const el = convert(child);
      if (el) children.push(el);
    }
  }
  return { name, attrs: { ...(node[":@"] ?? {}) }, children, text };
}

/** The verbs inside <Response>; throws with the document if it is not TwiML. */
export function parseTwiml(xml: string): TwimlElement[] {
  let raw: Raw[];
  try {
    raw = parser.parse(xml) as Raw[];
  } catch (err) {
    throw new Error(`Not valid XML: ${(err as Error).message}\n${xml}`);
  }
  const response = raw.map(convert).find((el) => el?.name === "Response");
  if (!response) throw new Error(`Not TwiML (no <Response>): ${xml.slice(0, 300)}`);
  return response.children;
}
