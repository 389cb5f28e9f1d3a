/** The flow designer's block catalogue, as `GET /api/v1/flows/actions` sends it (built in src/flows/catalogue.ts). */

/**
 * How a parameter is edited: Amazon Connect stores numbers and booleans as strings ("5", "True").
 * `view` is ShowView's `ViewResource` (`{ Id }`): an AWS-managed view or one of the instance's custom views.
 */
export type ParameterKind = "text" | "longtext" | "number" | "boolean" | "select" | "queue" | "hours" | "flow" | "view" | "json";

export type ParameterSpec = {
  name: string;
  label: string;
  kind: ParameterKind;
  required?: boolean;
  options?: string[];
  hint?: string;
};

/**
 * Condition branches: "values" means the author lists the values to match (Equals), a list
 * names the fixed results the action gives, null means it has no condition branches.
 */
export type ConditionSpec = "values" | string[] | null;

export type CatalogueEntry = {
  type: string;
  label: string;
  group: "Interact" | "Set" | "Branch" | "Integrate" | "Terminate";
  parameters: ParameterSpec[] | null;
  conditions: ConditionSpec;
  errors: string[];
  /** False for actions that end the flow (no next action). */
  next: boolean;
};

export type FlowActionCatalogue = { items: CatalogueEntry[] };
