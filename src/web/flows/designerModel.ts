/**
 * The designer's edits as pure functions over Amazon Connect flow content: each takes the
 * content and returns a new one, so the JSON and the graph are two views of one value and
 * undo is a list of values. Block positions live where Amazon Connect writes them:
 * `Metadata.ActionMetadata[id].position` ({x, y}).
 */
import type { CatalogueEntry } from "../../shared/flow-catalogue";
import type { FlowAction, FlowContent } from "../lib/types";

export type Position = { x: number; y: number };
export type Branch = { handle: string; label: string; kind: "next" | "condition" | "error"; target: string | null };

const clone = (c: FlowContent): FlowContent => structuredClone(c);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export const EMPTY_FLOW: FlowContent = { Version: "2019-10-30", StartAction: "", Actions: [] };

/** The branches a block can take, each a handle on the graph: next, conditions (given and offered), errors. */
export function branchesOf(action: FlowAction, entry?: CatalogueEntry): Branch[] {
  const t = action.Transitions ?? {};
  const out: Branch[] = [];
  const conditions = t.Conditions ?? [];
  if (entry?.next !== false || t.NextAction) {
    out.push({ handle: "next", label: conditions.length || entry?.conditions ? "No match" : "Success", kind: "next", target: t.NextAction ?? null });
  }
  conditions.forEach((c, i) => {
    const operands = (c.Condition?.Operands ?? []).map(String).join(", ");
    const op = c.Condition?.Operator && c.Condition.Operator !== "Equals" ? `${c.Condition.Operator} ` : "";
    out.push({ handle: `condition:${i}`, label: `${op}${operands}` || "Condition", kind: "condition", target: c.NextAction || null });
  });
  if (Array.isArray(entry?.conditions)) {
    const given = new Set(conditions.flatMap((c) => (c.Condition?.Operands ?? []).map(String)));
    for (const v of entry.conditions) if (!given.has(v)) out.push({ handle: `result:${v}`, label: v, kind: "condition", target: null });
  }
  const errors = [...new Set([...(entry?.errors ?? []), ...(t.Errors ?? []).map((e) => e.ErrorType ?? "")])].filter(Boolean);
  for (const type of errors) out.push({ handle: `error:${type}`, label: type, kind: "error", target: t.Errors?.find((e) => e.ErrorType === type)?.NextAction ?? null });
  return out;
}

/** Points a block's branch (a handle of branchesOf) at another block; a null target removes the branch. */
export function connect(content: FlowContent, sourceId: string, handle: string, target: string | null): FlowContent {
  const next = clone(content);
  const action = next.Actions.find((a) => a.Identifier === sourceId);
  if (!action) return content;
  const t = (action.Transitions ??= {});
  if (handle === "next") {
    if (target) t.NextAction = target;
    else delete t.NextAction;
  } else if (handle.startsWith("condition:")) {
    const c = t.Conditions?.[Number(handle.slice("condition:".length))];
    if (!c) return content;
    // Cut, a condition keeps its value (a menu's key) with no target: saving names it until connected.
    c.NextAction = target ?? "";
  } else if (handle.startsWith("result:")) {
    if (!target) return content;
    (t.Conditions ??= []).push({ NextAction: target, Condition: { Operator: "Equals", Operands: [handle.slice("result:".length)] } });
  } else if (handle.startsWith("error:")) {
    const type = handle.slice("error:".length);
    const rest = (t.Errors ?? []).filter((e) => e.ErrorType !== type);
    t.Errors = target ? [...rest, { NextAction: target, ErrorType: type }] : rest;
    if (!t.Errors.length) delete t.Errors;
  }
  if (t.Conditions && !t.Conditions.length) delete t.Conditions;
  return next;
}

/** A readable identifier not used yet: "get-customer-input", then "get-customer-input-2"… */
export function newIdentifier(content: FlowContent, label: string): string {
  const base = label.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 40) || "block";
  const used = new Set(content.Actions.map((a) => a.Identifier));
  if (!used.has(base)) return base;
  for (let i = 2; ; i++) if (!used.has(`${base}-${i}`)) return `${base}-${i}`;
}

/** Adds a block of the entry's type at a position; the first block of an empty flow becomes its start. */
export function addAction(content: FlowContent, entry: CatalogueEntry, at: Position): { content: FlowContent; id: string } {
  const id = newIdentifier(content, entry.label);
  let next = clone(content);
  next.Actions.push({ Identifier: id, Type: entry.type, Parameters: {}, Transitions: {} });
  if (!next.StartAction || !content.Actions.some((a) => a.Identifier === content.StartAction)) next.StartAction = id;
  next = withPositions(next, new Map([[id, at]]));
  return { content: next, id };
}

/** Removes blocks and every branch that led to them; the start moves to the first block left. */
export function removeActions(content: FlowContent, ids: readonly string[]): FlowContent {
  const gone = new Set(ids);
  const next = clone(content);
  next.Actions = next.Actions.filter((a) => !gone.has(a.Identifier));
  for (const a of next.Actions) {
    const t = a.Transitions;
    if (!t) continue;
    if (t.NextAction && gone.has(t.NextAction)) delete t.NextAction;
    if (t.Conditions) t.Conditions = t.Conditions.filter((c) => !gone.has(c.NextAction));
    if (t.Errors) t.Errors = t.Errors.filter((e) => !gone.has(e.NextAction));
    if (t.Conditions?.length === 0) delete t.Conditions;
    if (t.Errors?.length === 0) delete t.Errors;
  }
  const meta = actionMetadata(next);
  if (meta) for (const id of gone) delete meta[id];
  if (gone.has(next.StartAction)) next.StartAction = next.Actions[0]?.Identifier ?? "";
  return next;
}

export function setStart(content: FlowContent, id: string): FlowContent {
  return { ...clone(content), StartAction: id };
}

/** Sets (or, with undefined or "", removes) one parameter of a block. */
export function setParameter(content: FlowContent, id: string, name: string, value: unknown): FlowContent {
  const next = clone(content);
  const action = next.Actions.find((a) => a.Identifier === id);
  if (!action) return content;
  const params = (action.Parameters ??= {});
  if (value === undefined || value === "") delete params[name];
  else params[name] = value;
  return next;
}

/** Replaces a block's parameters as a whole (blocks the catalogue does not describe are edited as JSON). */
export function setParameters(content: FlowContent, id: string, params: Record<string, unknown>): FlowContent {
  const next = clone(content);
  const action = next.Actions.find((a) => a.Identifier === id);
  if (action) action.Parameters = params;
  return next;
}

/** The values a block matches (Equals conditions, in order); a value kept keeps its branch's target. */
export function setConditionValues(content: FlowContent, id: string, values: readonly string[]): FlowContent {
  const next = clone(content);
  const action = next.Actions.find((a) => a.Identifier === id);
  if (!action) return content;
  const t = (action.Transitions ??= {});
  const old = t.Conditions ?? [];
  const kept = values.map((v) => old.find((c) => (c.Condition?.Operands ?? []).map(String).includes(v)) ?? { NextAction: "", Condition: { Operator: "Equals", Operands: [v] } });
  // A value not connected yet keeps an empty NextAction: its handle is there to drag from, and
  // saving names the branch still to connect at this block.
  t.Conditions = kept;
  if (!t.Conditions.length) delete t.Conditions;
  return next;
}

function actionMetadata(content: FlowContent): Record<string, Record<string, unknown>> | null {
  const m = content.Metadata?.ActionMetadata;
  return isObject(m) ? (m as Record<string, Record<string, unknown>>) : null;
}

/** The positions an export carries (Metadata.ActionMetadata[id].position). */
export function positionsOf(content: FlowContent): Map<string, Position> {
  const out = new Map<string, Position>();
  const meta = actionMetadata(content);
  if (!meta) return out;
  for (const [id, m] of Object.entries(meta)) {
    const p = isObject(m) ? m.position : undefined;
    if (isObject(p) && typeof p.x === "number" && typeof p.y === "number") out.set(id, { x: p.x, y: p.y });
  }
  return out;
}

/** Writes positions where Amazon Connect keeps them, leaving the rest of Metadata as it was. */
export function withPositions(content: FlowContent, positions: ReadonlyMap<string, Position>): FlowContent {
  const next = clone(content);
  const metadata = (next.Metadata ??= {});
  const meta = (isObject(metadata.ActionMetadata) ? metadata.ActionMetadata : (metadata.ActionMetadata = {})) as Record<string, Record<string, unknown>>;
  for (const [id, p] of positions) meta[id] = { ...(isObject(meta[id]) ? meta[id] : {}), position: { x: Math.round(p.x), y: Math.round(p.y) } };
  return next;
}
