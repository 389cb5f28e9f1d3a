/**
 * Reading Amazon Connect's routing criteria (UpdateRoutingCriteria's `RoutingCriteria`) into
 * Switchboard's shape (src/shared/routing-criteria.ts), with a message for each problem. Import
 * checks a flow with it (references left to run time), and the action reads it again at run time
 * with the contact's references filled in.
 */
import { MAX_PROFICIENCY_LEVEL, MIN_PROFICIENCY_LEVEL, type CriteriaExpression, type RoutingCriteria, type RoutingStep } from "../shared/routing-criteria";
import { integer, isObject, isReference } from "./values";

export type CriteriaProblem = { field: string; message: string; level?: "warning" };

/**
 * How a reference is read: at import, `null` (not known until a contact runs: its checks wait);
 * at run time, the contact's value.
 */
export type Fill = (reference: string) => string | null;

/** The most steps a contact's criteria hold, and the deepest nesting of And/Or expressions. */
export const MAX_ROUTING_STEPS = 10;
const MAX_DEPTH = 3;
/** Connect's length limit on an attribute's name and value. */
export const MAX_ATTRIBUTE_TEXT = 64;
/** The longest step expiry accepted: a day. */
export const MAX_STEP_SECONDS = 86_400;

const EXPRESSION_KINDS = ["AttributeCondition", "AndExpression", "OrExpression"];

/**
 * The criteria a `RoutingCriteria` parameter describes. `criteria` is undefined when there are
 * errors, or (at import) when the steps are a reference, known only at run time.
 */
export function parseRoutingCriteria(raw: unknown, fill: Fill): { criteria?: RoutingCriteria; problems: CriteriaProblem[] } {
  const problems: CriteriaProblem[] = [];
  const problem = (field: string, message: string, level?: "warning") => problems.push({ field, message, ...(level ? { level } : {}) });
  let steps: unknown = isObject(raw) ? raw.Steps : raw;
  const stepsField = isObject(raw) ? "RoutingCriteria.Steps" : "RoutingCriteria";
  if (raw === undefined) {
    problem("RoutingCriteria", "is required: an object with Steps, each step an Expression and an optional Expiry");
    return { problems };
  }
  if (typeof steps === "string" && isReference(steps)) {
    // Dynamic criteria ("May be set dynamically"): the reference holds the steps' JSON.
    const text = fill(steps);
    if (text === null) return { problems };
    try {
      const parsed: unknown = JSON.parse(text);
      steps = isObject(parsed) && "Steps" in parsed ? parsed.Steps : parsed;
    } catch {
      problem(stepsField, `${steps} does not hold routing steps as JSON`);
      return { problems };
    }
  }
  if (!isObject(raw) && typeof raw !== "string") {
    problem("RoutingCriteria", "must be an object with Steps (or a reference holding them)");
    return { problems };
  }
  if (!Array.isArray(steps) || steps.length === 0) {
    problem(stepsField, "must be a list of one or more routing steps");
    return { problems };
  }
  if (steps.length > MAX_ROUTING_STEPS) problem(stepsField, `holds ${steps.length} steps: at most ${MAX_ROUTING_STEPS}`);
  const out: RoutingStep[] = [];
  steps.forEach((step, i) => {
    const at = `${stepsField}.${i}`;
    if (!isObject(step)) return problem(at, "must be an object with an Expression and an optional Expiry");
    const expression = parseExpression(step.Expression, `${at}.Expression`, 1, fill, problem);
    const expirySeconds = parseExpiry(step.Expiry, `${at}.Expiry`, problem);
    if (expirySeconds === null && i < steps.length - 1) {
      problem(`${at}.Expiry`, `this step never expires, so the ${steps.length - 1 - i === 1 ? "step after it is" : `${steps.length - 1 - i} steps after it are`} never used`, "warning");
    }
    if (expression && expirySeconds !== undefined) out.push({ expression, expirySeconds });
  });
  if (problems.some((p) => p.level !== "warning") || out.length !== steps.length) return { problems };
  return { criteria: { steps: out }, problems };
}

type Problem = (field: string, message: string, level?: "warning") => void;

function parseExpression(raw: unknown, at: string, depth: number, fill: Fill, problem: Problem): CriteriaExpression | null {
  if (!isObject(raw)) {
    problem(at, "must be an object with one of AttributeCondition, AndExpression or OrExpression");
    return null;
  }
  const kinds = Object.keys(raw);
  const unknown = kinds.filter((k) => !EXPRESSION_KINDS.includes(k));
  for (const k of unknown) {
    problem(`${at}.${k}`, k === "NotAttributeCondition" ? "is not supported: express the step with AttributeCondition, AndExpression or OrExpression" : `is not an expression Switchboard knows (give AttributeCondition, AndExpression or OrExpression)`);
  }
  const known = kinds.filter((k) => EXPRESSION_KINDS.includes(k));
  if (known.length !== 1) {
    if (unknown.length === 0) problem(at, known.length ? `give one of ${known.join(", ")}, not several` : "needs one of AttributeCondition, AndExpression or OrExpression");
    return null;
  }
  const kind = known[0];
  if (kind === "AttributeCondition") return parseCondition(raw.AttributeCondition, `${at}.AttributeCondition`, fill, problem);
  const list = raw[kind];
  if (!Array.isArray(list) || list.length === 0) {
    problem(`${at}.${kind}`, "must be a list of one or more expressions");
    return null;
  }
  if (depth >= MAX_DEPTH) {
    problem(`${at}.${kind}`, `expressions nest at most ${MAX_DEPTH} deep`);
    return null;
  }
  const parts = list.map((e, i) => parseExpression(e, `${at}.${kind}.${i}`, depth + 1, fill, problem));
  if (parts.some((p) => p === null)) return null;
  return kind === "AndExpression" ? { and: parts as CriteriaExpression[] } : { or: parts as CriteriaExpression[] };
}

function parseCondition(raw: unknown, at: string, fill: Fill, problem: Problem): CriteriaExpression | null {
  if (!isObject(raw)) {
    problem(at, "must be an object with Name, Value, ProficiencyLevel and ComparisonOperator");
    return null;
  }
  for (const k of ["MatchCriteria", "Range"]) if (raw[k] !== undefined) problem(`${at}.${k}`, `is not supported: give Name, Value and a ProficiencyLevel compared with NumberGreaterOrEqualTo`);
  const text = (key: "Name" | "Value"): string | null | undefined => {
    const v = raw[key];
    if (typeof v !== "string" || v.trim() === "") {
      problem(`${at}.${key}`, `must be the predefined attribute's ${key === "Name" ? "name" : "value"} (1 to ${MAX_ATTRIBUTE_TEXT} characters)`);
      return undefined;
    }
    const filled = isReference(v) ? fill(v) : v.trim();
    if (filled === null) return null; // known at run time
    if (filled.trim() === "" || filled.length > MAX_ATTRIBUTE_TEXT) {
      problem(`${at}.${key}`, `must be 1 to ${MAX_ATTRIBUTE_TEXT} characters${isReference(v) ? ` (${v} holds "${filled.slice(0, 80)}")` : ""}`);
      return undefined;
    }
    return filled.trim();
  };
  const name = text("Name");
  const value = text("Value");
  let level: number | null | undefined;
  const given = raw.ProficiencyLevel;
  const levelText = typeof given === "string" && isReference(given) ? fill(given) : given;
  if (levelText === null) level = null;
  else {
    const n = typeof levelText === "number" ? levelText : typeof levelText === "string" && levelText.trim() !== "" ? Number(levelText) : NaN;
    if (!Number.isFinite(n) || n < MIN_PROFICIENCY_LEVEL || n > MAX_PROFICIENCY_LEVEL) {
      problem(`${at}.ProficiencyLevel`, `must be a level from ${MIN_PROFICIENCY_LEVEL} to ${MAX_PROFICIENCY_LEVEL} (such as "3.0")`);
      level = undefined;
    } else level = n;
  }
  const op = raw.ComparisonOperator;
  if (op !== undefined && op !== "NumberGreaterOrEqualTo") {
    problem(`${at}.ComparisonOperator`, `must be NumberGreaterOrEqualTo (agents at this level or above), not ${JSON.stringify(op)}`);
    return null;
  }
  if (name === undefined || value === undefined || level === undefined) return null;
  // At import, a condition read from the contact is checked when it runs.
  return { condition: { name: name ?? "", value: value ?? "", level: level ?? MIN_PROFICIENCY_LEVEL } };
}

/** The step's expiry in seconds; null: none (the step stays); undefined: a problem was reported. */
function parseExpiry(raw: unknown, at: string, problem: Problem): number | null | undefined {
  if (raw === undefined || raw === null) return null;
  if (!isObject(raw)) {
    problem(at, "must be an object with DurationInSeconds");
    return undefined;
  }
  if (raw.DurationInSeconds === undefined) return null;
  if (typeof raw.DurationInSeconds === "string" && isReference(raw.DurationInSeconds)) {
    problem(`${at}.DurationInSeconds`, "can be set only statically (a number of seconds), as in Amazon Connect");
    return undefined;
  }
  const n = integer(raw.DurationInSeconds);
  if (n === undefined || n < 1 || n > MAX_STEP_SECONDS) {
    problem(`${at}.DurationInSeconds`, `must be a whole number of seconds from 1 to ${MAX_STEP_SECONDS}`);
    return undefined;
  }
  return n;
}
