/**
 * The block catalogue a flow designer draws its palette and forms from: every action type the
 * engine runs (ACTIONS), with the error branches it can take, the condition branches it offers
 * and a description of its common parameters. An action with no description here still appears
 * (its parameters are then edited as JSON), so a new action handler shows up by itself.
 */
import type { CatalogueEntry, ParameterSpec } from "../shared/flow-catalogue";
import { ACTIONS } from "./actions";

type Described = Omit<CatalogueEntry, "type" | "errors">;

const prompt: ParameterSpec = { name: "Text", label: "Text to say", kind: "longtext", hint: "Plain text; $.Attributes.name and other references are filled in." };

const DESCRIBED: Record<string, Described> = {
  MessageParticipant: { label: "Play prompt", group: "Interact", next: true, conditions: null, parameters: [prompt, { name: "PromptId", label: "Audio URL", kind: "text" }] },
  GetParticipantInput: {
    label: "Get customer input", group: "Interact", next: true, conditions: "values",
    parameters: [
      prompt,
      { name: "InputTimeLimitSeconds", label: "Seconds to wait for input", kind: "number" },
      { name: "StoreInput", label: "Store the input in $.StoredCustomerInput", kind: "boolean" },
    ],
  },
  DisconnectParticipant: { label: "Disconnect", group: "Terminate", next: false, conditions: null, parameters: [] },
  EndFlowExecution: { label: "End flow", group: "Terminate", next: false, conditions: null, parameters: [] },
  UpdateContactTargetQueue: { label: "Set working queue", group: "Set", next: true, conditions: null, parameters: [{ name: "QueueId", label: "Queue", kind: "queue", required: true }] },
  TransferContactToQueue: { label: "Transfer to queue", group: "Terminate", next: true, conditions: null, parameters: [] },
  UpdateRoutingCriteria: {
    label: "Set routing criteria", group: "Set", next: true, conditions: null,
    parameters: [{ name: "RoutingCriteria", label: "Routing criteria (JSON: Steps)", kind: "json", required: true, hint: 'For example {"Steps":[{"Expression":{"AttributeCondition":{"Name":"Language","Value":"Spanish","ProficiencyLevel":"3.0","ComparisonOperator":"NumberGreaterOrEqualTo"}},"Expiry":{"DurationInSeconds":"30"}}]}' }],
  },
  UpdateContactAttributes: { label: "Set contact attributes", group: "Set", next: true, conditions: null, parameters: [{ name: "Attributes", label: "Attributes (JSON object)", kind: "json", required: true }] },
  UpdateContactTextToSpeechVoice: { label: "Set voice", group: "Set", next: true, conditions: null, parameters: [{ name: "TextToSpeechVoice", label: "Voice", kind: "text", required: true }] },
  Compare: { label: "Check contact attributes", group: "Branch", next: true, conditions: "values", parameters: [{ name: "ComparisonValue", label: "Value to compare", kind: "text", required: true, hint: "For example $.Attributes.tier" }] },
  CheckHoursOfOperation: { label: "Check hours of operation", group: "Branch", next: true, conditions: ["True", "False"], parameters: [{ name: "HoursOfOperationId", label: "Hours of operation (blank: the working queue's)", kind: "hours" }] },
  DistributeByPercentage: { label: "Distribute by percentage", group: "Branch", next: true, conditions: null, parameters: [] },
  Loop: { label: "Loop", group: "Branch", next: true, conditions: ["ContinueLooping", "DoneLooping"], parameters: [{ name: "LoopCount", label: "Times to loop", kind: "number", required: true }] },
  Wait: { label: "Wait", group: "Branch", next: true, conditions: ["WaitCompleted", "CustomerReturned"], parameters: [{ name: "TimeoutSeconds", label: "Seconds to wait", kind: "number", required: true }] },
  TransferToFlow: { label: "Transfer to flow", group: "Terminate", next: true, conditions: null, parameters: [{ name: "ContactFlowId", label: "Flow", kind: "flow", required: true }] },
  TransferParticipantToThirdParty: {
    label: "Transfer to phone number", group: "Terminate", next: true, conditions: null,
    parameters: [
      { name: "ThirdPartyPhoneNumber", label: "Phone number (E.164)", kind: "text", required: true },
      { name: "ThirdPartyConnectionTimeLimitSeconds", label: "Seconds to ring", kind: "number" },
      { name: "ContinueFlowExecution", label: "Continue the flow after the call", kind: "boolean" },
    ],
  },
  ShowView: {
    label: "Show view", group: "Interact", next: true, conditions: "values",
    parameters: [
      { name: "ViewResource", label: "View", kind: "view", required: true, hint: "An AWS-managed view (Form, Detail, List, Confirmation, Cards) or one of this instance's custom views (Flows → Views)." },
      { name: "ViewData", label: "View data (JSON)", kind: "json", hint: "The view's Heading, Sections, Actions, Items or Cards; $.Attributes.x and other references are filled in." },
      { name: "InvocationTimeLimitSeconds", label: "Seconds the agent has to answer", kind: "number" },
    ],
  },
  UpdateContactCallbackNumber: { label: "Set callback number", group: "Set", next: true, conditions: null, parameters: [{ name: "CallbackNumber", label: "Callback number (E.164 or a reference)", kind: "text", required: true, hint: "For example $.StoredCustomerInput" }] },
  CreateCallbackContact: {
    label: "Transfer to queue (callback)", group: "Terminate", next: true, conditions: null,
    parameters: [
      { name: "RetryDelaySeconds", label: "Seconds between attempts", kind: "number" },
      { name: "MaximumConnectionAttempts", label: "Retries after the first call", kind: "number" },
    ],
  },
  CreateTask: {
    label: "Create task", group: "Set", next: true, conditions: null,
    parameters: [
      { name: "Name", label: "Task name", kind: "text", required: true },
      { name: "Description", label: "Description", kind: "longtext" },
      { name: "ContactFlowId", label: "Flow the task runs", kind: "flow" },
      { name: "TaskTemplateId", label: "Task template id", kind: "text" },
      { name: "References", label: "References (JSON: name → { Value, Type: \"URL\" })", kind: "json" },
      { name: "DelaySeconds", label: "Start after (seconds)", kind: "number" },
    ],
  },
  GetCustomerProfile: {
    label: "Get customer profile", group: "Integrate", next: true, conditions: null,
    parameters: [{ name: "ProfileRequestData", label: "Find the profile by", kind: "json", required: true, hint: 'For example {"IdentifierName": "_phone", "IdentifierValue": "$.CustomerEndpoint.Address"}; then $.Customer.FirstName, $.Customer.Attributes.<field>…' }],
  },
  CreateCustomerProfile: {
    label: "Create customer profile", group: "Integrate", next: true, conditions: null,
    parameters: [{ name: "ProfileRequestData", label: "Profile fields", kind: "json", required: true, hint: 'For example {"FirstName": "$.Lex.Slots.name", "PhoneNumber": "$.CustomerEndpoint.Address", "Attributes": {"Tier": "Gold"}}' }],
  },
  UpdateCustomerProfile: {
    label: "Update customer profile", group: "Integrate", next: true, conditions: null,
    parameters: [{ name: "ProfileRequestData", label: "Fields to change", kind: "json", required: true, hint: 'ProfileId defaults to $.Customer.ProfileId; for example {"Attributes": {"Tier": "Gold"}}' }],
  },
  AssociateContactToCustomerProfile: { label: "Link contact to customer profile", group: "Integrate", next: true, conditions: null, parameters: [] },
  CreateWisdomSession: { label: "Knowledge suggestions (Amazon Q in Connect)", group: "Set", next: true, conditions: null, parameters: [] },
  UpdateFlowLoggingBehavior: { label: "Set logging behavior", group: "Set", next: true, conditions: null, parameters: [{ name: "FlowLoggingBehavior", label: "Flow logs", kind: "select", options: ["Enabled", "Disabled"], required: true }] },
};

/** Splits an action type into words ("UpdateContactData" → "Update contact data") for actions not described above. */
const words = (type: string) => type.replace(/([a-z])([A-Z])/g, "$1 $2").replace(/ ([A-Z])(?=[a-z])/g, (_, c: string) => ` ${c.toLowerCase()}`);

export function actionCatalogue(): CatalogueEntry[] {
  return Object.values(ACTIONS)
    .map((h) => {
      const d = DESCRIBED[h.type];
      return { type: h.type, errors: [...h.errors], ...(d ?? { label: words(h.type), group: "Set" as const, next: true, conditions: null, parameters: null }) };
    })
    .sort((a, b) => a.group.localeCompare(b.group) || a.label.localeCompare(b.label));
}
