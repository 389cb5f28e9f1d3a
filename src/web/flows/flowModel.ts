/**
 * Pure helpers over Amazon Connect flow content for the editor and the graph: parsing the
 * editor's text with a useful position on error, the edges of the flow, a layered layout, and
 * mapping the API's validation errors onto the actions they concern.
 */
import type { ApiError } from "../lib/api";
import type { FlowAction, FlowContent } from "../lib/types";

export type Parsed = { ok: true; content: FlowContent } | { ok: false; message: string };

/** Parses the editor text; on a syntax error says where (line and column) in words. */
export function parseFlowText(text: string): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const { offset, expected } = jsonErrorAt(text);
    const before = text.slice(0, offset);
    const line = before.split("\n").length;
    const column = offset - before.lastIndexOf("\n");
    const found = offset >= text.length ? "the end of the text" : JSON.stringify(text[offset]);
    return { ok: false, message: `The JSON is not valid at line ${line}, column ${column}: expected ${expected}, found ${found}.` };
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) return { ok: false, message: "A flow must be a JSON object with Version, StartAction and Actions." };
  const c = value as Partial<FlowContent>;
  if (!Array.isArray(c.Actions)) return { ok: false, message: "The flow has no Actions list." };
  return { ok: true, content: value as FlowContent };
}

export type FlowEdge = { from: string; to: string; label: string; kind: "next" | "condition" | "error" };

export function flowEdges(content: FlowContent): FlowEdge[] {
  const edges: FlowEdge[] = [];
  for (const a of content.Actions ?? []) {
    const t = a.Transitions ?? {};
    for (const c of t.Conditions ?? []) {
      const operands = (c.Condition?.Operands ?? []).map(String).join(", ");
      edges.push({ from: a.Identifier, to: c.NextAction, label: operands ? `${c.Condition?.Operator ?? "="} ${operands}` : "condition", kind: "condition" });
    }
    if (t.NextAction) edges.push({ from: a.Identifier, to: t.NextAction, label: t.Conditions?.length ? "no match" : "", kind: "next" });
    for (const e of t.Errors ?? []) edges.push({ from: a.Identifier, to: e.NextAction, label: e.ErrorType ?? "error", kind: "error" });
  }
  return edges;
}

/**
 * Columns by shortest distance from the start action (breadth first); actions the start does
 * not reach go in a last column, so nothing in the flow is hidden.
 */
export function layoutFlow(content: FlowContent): Map<string, { column: number; row: number }> {
  const ids = new Set((content.Actions ?? []).map((a) => a.Identifier));
  const next = new Map<string, string[]>();
  for (const e of flowEdges(content)) {
    if (!ids.has(e.to)) continue;
    next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  }
  const depth = new Map<string, number>();
  if (ids.has(content.StartAction)) {
    depth.set(content.StartAction, 0);
    const queue = [content.StartAction];
    while (queue.length) {
      const id = queue.shift()!;
      for (const to of next.get(id) ?? []) {
        if (!depth.has(to)) {
          depth.set(to, depth.get(id)! + 1);
          queue.push(to);
        }
      }
    }
  }
  const maxDepth = Math.max(-1, ...depth.values());
  const rows = new Map<number, number>();
  const out = new Map<string, { column: number; row: number }>();
  for (const a of content.Actions ?? []) {
    const column = depth.get(a.Identifier) ?? maxDepth + 1;
    const row = rows.get(column) ?? 0;
    rows.set(column, row + 1);
    out.set(a.Identifier, { column, row });
  }
  return out;
}

/** A short description of what an action does, from its type and main parameter (`max` characters at most). */
export function actionSummary(a: FlowAction, max = 70): string {
  const p = a.Parameters ?? {};
  const text = (p.Text ?? p.SSML ?? p.QueueId ?? p.Attributes ?? p.LoopCount ?? "") as unknown;
  const detail = typeof text === "string" ? text : text && typeof text === "object" ? JSON.stringify(text) : String(text ?? "");
  return detail.length > max ? `${detail.slice(0, max - 1)}…` : detail;
}

/** The flow form's own fields: a flow-level problem naming one is shown at that field instead. */
export const FORM_FIELDS = ["name", "description", "type"];

/**
 * Problems per action from a failed save: the flow engine's `{actionId, message}` details,
 * and zod field paths such as "content.Actions.3.Type" mapped to that action's identifier.
 * Problems not tied to an action are returned under "".
 */
export function problemsByAction(err: ApiError | null, content: FlowContent | null): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!err) return out;
  const add = (key: string, msg: string) => out.set(key, [...(out.get(key) ?? []), msg]);
  for (const a of err.actionErrors) {
    if (a.actionId === null && FORM_FIELDS.includes(a.field ?? "")) continue; // shown at the form's field
    add(a.actionId ?? "", a.field ? `${a.field}: ${a.message}` : a.message);
  }
  for (const f of err.fieldErrors) {
    const m = f.field.match(/^content\.Actions\.(\d+)(?:\.(.*))?$/);
    const action = m && content ? content.Actions[Number(m[1])] : undefined;
    if (action?.Identifier) add(action.Identifier, m?.[2] ? `${m[2]}: ${f.message}` : f.message);
    else if (f.field.startsWith("content")) add("", `${f.field.replace(/^content\.?/, "") || "Flow"}: ${f.message}`);
  }
  return out;
}

/**
 * Where JSON text first goes wrong, and what was expected there. Browsers' JSON.parse messages
 * differ (and recent ones give no position), so the editor finds the place itself.
 */
export function jsonErrorAt(text: string): { offset: number; expected: string } {
  let i = 0;
  class Stop extends Error {
    constructor(readonly expected: string) {
      super(expected);
    }
  }
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i])) i++;
  };
  const lit = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else throw new Stop(`a value`);
  };
  const str = () => {
    if (text[i] !== '"') throw new Stop("a string in double quotes");
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === "\\") i++;
      else if (text[i] < " ") throw new Stop("a closing double quote");
      i++;
    }
    if (i >= text.length) throw new Stop("a closing double quote");
    i++;
  };
  const num = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m) throw new Stop("a value");
    i += m[0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      ws();
      if (text[i] === "}") return void i++;
      for (;;) {
        ws();
        str();
        ws();
        if (text[i] !== ":") throw new Stop("a colon");
        i++;
        value();
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "}") return void i++;
        else throw new Stop("a comma or a closing brace");
      }
    }
    if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "]") return void i++;
        else throw new Stop("a comma or a closing bracket");
      }
    }
    if (c === '"') return str();
    if (c === "t") return lit("true");
    if (c === "f") return lit("false");
    if (c === "n") return lit("null");
    return num();
  };
  try {
    value();
    ws();
    if (i < text.length) throw new Stop("the end of the text");
  } catch (err) {
    if (err instanceof Stop) return { offset: i, expected: err.expected };
    throw err;
  }
  return { offset: text.length, expected: "valid JSON" };
}
