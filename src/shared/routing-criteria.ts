/**
 * Routing criteria with proficiencies (Amazon Connect's "Set routing criteria" block,
 * UpdateRoutingCriteria): the words the flow engine, the queues and the console share.
 *
 * An agent has proficiencies: a predefined attribute's value and a level, 1 to 5
 * (`Language: Spanish`, level 4). A contact's routing criteria are steps, tried in order: while
 * a step is in force the contact is offered only to agents whose proficiencies satisfy its
 * expression; a step with an expiry gives way to the next when it passes; once the last step
 * has expired, any agent of the queue may take the contact.
 */

/** One of an agent's proficiencies. */
export type Proficiency = { name: string; value: string; level: number };

/** The lowest and highest proficiency level. */
export const MIN_PROFICIENCY_LEVEL = 1;
export const MAX_PROFICIENCY_LEVEL = 5;

/** `Name: Value >= level` (Connect's ComparisonOperator NumberGreaterOrEqualTo). */
export type ProficiencyCondition = { name: string; value: string; level: number };

/** A step's requirement: one condition, or conditions (or nested expressions) all or any of which must hold. */
export type CriteriaExpression =
  | { condition: ProficiencyCondition }
  | { and: CriteriaExpression[] }
  | { or: CriteriaExpression[] };

/** A routing step: its requirement, and how long it is in force (null: until the contact is taken). */
export type RoutingStep = { expression: CriteriaExpression; expirySeconds: number | null };

export type RoutingCriteria = { steps: RoutingStep[] };
