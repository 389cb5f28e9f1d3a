/** Condition operators of the flow language, applied to an action's result. */
import type { ConditionOperator, FlowConditionTransition } from "./types";
import { CONDITION_OPERATORS } from "./types";

export const isOperator = (op: string): op is ConditionOperator => (CONDITION_OPERATORS as readonly string[]).includes(op);

const num = (s: string) => (s.trim() === "" ? NaN : Number(s));

/** True when `value` satisfies `operator operand`. Numeric operators are false for non-numbers. */
export function compare(operator: string, value: string, operand: string): boolean {
  switch (operator) {
    case "Equals":
      return value === operand;
    case "TextStartsWith":
      return value.startsWith(operand);
    case "TextEndsWith":
      return value.endsWith(operand);
    case "TextContains":
      return value.includes(operand);
    case "NumberGreaterThan":
      return num(value) > num(operand);
    case "NumberGreaterOrEqualTo":
      return num(value) >= num(operand);
    case "NumberLessThan":
      return num(value) < num(operand);
    case "NumberLessOrEqualTo":
      return num(value) <= num(operand);
    default:
      return false;
  }
}

/** The first condition the value satisfies (conditions are tried in order), or undefined. */
export function firstMatch(
  conditions: FlowConditionTransition[] | undefined,
  value: string,
  operand: (raw: string) => string = (s) => s,
): FlowConditionTransition | undefined {
  return (conditions ?? []).find((c) => (c.Condition?.Operands ?? []).some((o) => compare(c.Condition.Operator, value, operand(o))));
}

export const describeCondition = (c: FlowConditionTransition) => `${c.Condition.Operator} ${(c.Condition.Operands ?? []).join(",")}`;
