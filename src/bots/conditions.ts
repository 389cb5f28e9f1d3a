/**
 * Lex V2's condition expressions (conditional branching): `{slot}` a slot's value, `[name]` a
 * session attribute, `#context.name` an active context's attribute; strings in quotes and numbers;
 * `=`, `!=`, `>`, `<`, `>=`, `<=`; `AND`, `OR`, `NOT` (also `&&`, `||`, `!`); parentheses; and
 * `EXISTS(...)`. Numbers compare as numbers, anything else as text. A comparison with a value that
 * is not there is false. Parsed once at import (`parseCondition` names what is wrong) and evaluated
 * by the dialog manager.
 */

export type Operand =
  | { kind: "slot" | "attribute"; name: string }
  | { kind: "context"; context: string; name: string }
  | { kind: "literal"; value: string };
export type Expr =
  | { kind: "and" | "or"; left: Expr; right: Expr }
  | { kind: "not"; expr: Expr }
  | { kind: "compare"; op: "=" | "!=" | ">" | "<" | ">=" | "<="; left: Operand; right: Operand }
  | { kind: "exists"; operand: Operand };

/** What a condition reads: the intent's slots, the session attributes, the active contexts' attributes. */
export type ConditionScope = {
  slots: Record<string, string | undefined>;
  attributes: Record<string, string>;
  contexts: Record<string, Record<string, string>>;
};

const TOKEN = /\s*(\{[^}]*\}|\[[^\]]*\]|#[\w-]+\.[\w-]+|"[^"]*"|'[^']*'|-?\d+(?:\.\d+)?|>=|<=|!=|==|&&|\|\||[=<>()!]|[A-Za-z_]\w*)/y;

function tokenize(text: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break;
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (!m) throw new Error(`cannot read "${text.slice(at).trim().slice(0, 20)}"`);
    out.push(m[1]!);
  }
  return out;
}

/** The expression, or an Error saying what is wrong with it. */
export function parseCondition(text: string): Expr {
  const tokens = tokenize(text);
  let i = 0;
  const peek = () => tokens[i];
  const upper = () => peek()?.toUpperCase();
  const expect = (t: string) => {
    if (tokens[i] !== t) throw new Error(`expected ${t} ${tokens[i] === undefined ? "at the end" : `before "${tokens[i]}"`}`);
    i++;
  };
  const operand = (): Operand => {
    const t = tokens[i++];
    if (t === undefined) throw new Error("a value is missing at the end");
    if (t.startsWith("{")) return { kind: "slot", name: t.slice(1, -1).trim() };
    if (t.startsWith("[")) return { kind: "attribute", name: t.slice(1, -1).trim() };
    if (t.startsWith("#")) {
      const [context, name] = t.slice(1).split(".");
      return { kind: "context", context: context!, name: name! };
    }
    if (/^["']/.test(t)) return { kind: "literal", value: t.slice(1, -1) };
    if (/^-?\d/.test(t)) return { kind: "literal", value: t };
    throw new Error(`"${t}" is not a slot, attribute, context value, string or number`);
  };
  const primary = (): Expr => {
    if (upper() === "NOT" || peek() === "!") {
      i++;
      return { kind: "not", expr: primary() };
    }
    if (peek() === "(") {
      i++;
      const e = or();
      expect(")");
      return e;
    }
    if (upper() === "EXISTS") {
      i++;
      expect("(");
      const o = operand();
      expect(")");
      return { kind: "exists", operand: o };
    }
    const left = operand();
    const op = peek();
    if (op !== "=" && op !== "==" && op !== "!=" && op !== ">" && op !== "<" && op !== ">=" && op !== "<=") {
      throw new Error(op === undefined ? "a comparison is missing at the end" : `expected a comparison (=, !=, >, <, >=, <=) before "${op}"`);
    }
    i++;
    return { kind: "compare", op: op === "==" ? "=" : op, left, right: operand() };
  };
  const and = (): Expr => {
    let e = primary();
    while (upper() === "AND" || peek() === "&&") {
      i++;
      e = { kind: "and", left: e, right: primary() };
    }
    return e;
  };
  const or = (): Expr => {
    let e = and();
    while (upper() === "OR" || peek() === "||") {
      i++;
      e = { kind: "or", left: e, right: and() };
    }
    return e;
  };
  if (!tokens.length) throw new Error("the condition is empty");
  const e = or();
  if (i < tokens.length) throw new Error(`unexpected "${tokens[i]}"`);
  return e;
}

function valueOf(o: Operand, scope: ConditionScope): string | undefined {
  switch (o.kind) {
    case "slot":
      return scope.slots[o.name];
    case "attribute":
      return scope.attributes[o.name];
    case "context":
      return scope.contexts[o.context]?.[o.name];
    case "literal":
      return o.value;
  }
}

function compare(op: Extract<Expr, { kind: "compare" }>["op"], a: string, b: string): boolean {
  const numeric = a.trim() !== "" && b.trim() !== "" && !Number.isNaN(Number(a)) && !Number.isNaN(Number(b));
  const order = numeric ? Number(a) - Number(b) : a < b ? -1 : a > b ? 1 : 0;
  switch (op) {
    case "=":
      return order === 0;
    case "!=":
      return order !== 0;
    case ">":
      return order > 0;
    case "<":
      return order < 0;
    case ">=":
      return order >= 0;
    case "<=":
      return order <= 0;
  }
}

export function evaluate(e: Expr, scope: ConditionScope): boolean {
  switch (e.kind) {
    case "and":
      return evaluate(e.left, scope) && evaluate(e.right, scope);
    case "or":
      return evaluate(e.left, scope) || evaluate(e.right, scope);
    case "not":
      return !evaluate(e.expr, scope);
    case "exists":
      return valueOf(e.operand, scope) !== undefined;
    case "compare": {
      const a = valueOf(e.left, scope);
      const b = valueOf(e.right, scope);
      return a !== undefined && b !== undefined && compare(e.op, a, b);
    }
  }
}

const parsed = new Map<string, Expr>();
/** Whether a condition holds (parsed once; a condition that does not parse never holds). */
export function holds(condition: string, scope: ConditionScope): boolean {
  let e = parsed.get(condition);
  if (!e) {
    try {
      e = parseCondition(condition);
    } catch {
      return false;
    }
    if (parsed.size > 1000) parsed.clear();
    parsed.set(condition, e);
  }
  return evaluate(e, scope);
}
