/**
 * Customer profiles in a flow, as Amazon Connect's blocks name them: GetCustomerProfile (find the
 * caller's profile by number, email, id or name), CreateCustomerProfile, UpdateCustomerProfile and
 * AssociateContactToCustomerProfile. Each asks the contact's object for the profile through a
 * `customer_profile` effect (the flow does no I/O) and, answered, loads it into `$.Customer` for
 * later blocks: `$.Customer.ProfileId`, `FirstName`, `LastName`, `PhoneNumber`, `EmailAddress`,
 * `Address.City`…, `Attributes.<custom field>`.
 */
import type { CustomerProfileFields, CustomerProfileRequest, FlowEvent, Pending } from "../types";
import { isObject } from "../values";
import { fail, next, type ActionHandler, type Outcome, type Report, type Run } from "./types";

/** IdentifierName → what the profile is searched by (Connect's `_phone`, `_email`, `_profileId` keys and standard field names). */
const IDENTIFIERS: Record<string, Extract<CustomerProfileRequest, { op: "get" }>["by"]> = {
  _phone: "phone", PhoneNumber: "phone", MobilePhoneNumber: "phone", HomePhoneNumber: "phone", BusinessPhoneNumber: "phone",
  _email: "email", EmailAddress: "email", PersonalEmailAddress: "email", BusinessEmailAddress: "email",
  _profileId: "profileId", ProfileId: "profileId",
  _fullName: "name", FirstName: "name", LastName: "name",
};

/** Standard fields a Create/Update block may set → the profile's field. */
const STANDARD: Record<string, "firstName" | "lastName" | "phoneNumber" | "emailAddress"> = {
  FirstName: "firstName", LastName: "lastName",
  PhoneNumber: "phoneNumber", MobilePhoneNumber: "phoneNumber", HomePhoneNumber: "phoneNumber", BusinessPhoneNumber: "phoneNumber",
  EmailAddress: "emailAddress", PersonalEmailAddress: "emailAddress", BusinessEmailAddress: "emailAddress",
};
/** Address parts a block may give (Connect's names), as `$.Customer.Address.<name>` reads them. */
const ADDRESS_PARTS: Record<string, string> = { Address1: "Address1", Address2: "Address2", City: "City", State: "State", Province: "State", PostalCode: "PostalCode", Country: "Country" };
const IGNORED = new Set(["ProfileId", "ContactId", "ProfileResponseData"]);

const requestData = (params: Record<string, unknown>) => (isObject(params.ProfileRequestData) ? params.ProfileRequestData : {});

function checkRequestData(params: Record<string, unknown>, report: Report, required: boolean) {
  if (params.ProfileRequestData === undefined) {
    if (required) report("ProfileRequestData", "is required");
    return;
  }
  if (!isObject(params.ProfileRequestData)) return report("ProfileRequestData", "must be an object");
  for (const [k, v] of Object.entries(params.ProfileRequestData)) {
    const nested = k === "Address" || k === "Attributes";
    if (nested ? !isObject(v) || Object.values(v).some((x) => typeof x !== "string") : typeof v !== "string") {
      report(`ProfileRequestData.${k}`, nested ? "must be an object of texts or references" : "must be a text or a reference");
    }
  }
}

/** The fields a Create/Update block gives, references filled in; empty values are left out. */
function requestFields(r: Run): CustomerProfileFields {
  const fields: CustomerProfileFields = {};
  const address: Record<string, string> = {};
  const attributes: Record<string, string> = {};
  const put = (into: Record<string, string>, key: string, v: unknown) => {
    const value = r.value(v).trim();
    if (value !== "") into[key] = value;
  };
  for (const [k, v] of Object.entries(requestData(r.params))) {
    if (STANDARD[k]) put(fields as Record<string, string>, STANDARD[k], v);
    else if (k === "Address" && isObject(v)) for (const [part, x] of Object.entries(v)) { if (ADDRESS_PARTS[part]) put(address, ADDRESS_PARTS[part], x); }
    else if (k.startsWith("Address.") && ADDRESS_PARTS[k.slice(8)]) put(address, ADDRESS_PARTS[k.slice(8)], v);
    else if (ADDRESS_PARTS[k]) put(address, ADDRESS_PARTS[k], v);
    else if (k === "Attributes" && isObject(v)) for (const [name, x] of Object.entries(v)) put(attributes, name, x);
    else if (k.startsWith("Attributes.")) put(attributes, k.slice(11), v);
  }
  if (Object.keys(address).length) fields.address = address;
  if (Object.keys(attributes).length) fields.attributes = attributes;
  return fields;
}

/** Warns about request keys this block ignores (they import; the contact goes on without them). */
function checkKnownKeys(params: Record<string, unknown>, report: Report) {
  for (const k of Object.keys(requestData(params))) {
    const known = STANDARD[k] || ADDRESS_PARTS[k] || IGNORED.has(k) || k === "Address" || k === "Attributes" || (k.startsWith("Address.") && !!ADDRESS_PARTS[k.slice(8)]) || k.startsWith("Attributes.");
    if (!known) report(`ProfileRequestData.${k}`, "is not a profile field Switchboard keeps: it is ignored (custom fields go under Attributes)", "warning");
  }
}

/** The profile id a block names, else the one `$.Customer` holds. */
const profileIdOf = (r: Run): string => {
  const given = requestData(r.params).ProfileId;
  return (given !== undefined ? r.value(given) : (r.state.customer?.profileId ?? "")).trim();
};

const ask = (r: Run, request: CustomerProfileRequest): Outcome => {
  r.emit({ type: "customer_profile", request });
  return { kind: "wait", status: "waiting_effect", pending: { kind: "profile", actionId: r.action.Identifier }, data: { op: request.op } };
};

/** The profile came back: load `$.Customer`; else the block's error for why there is none. */
function loaded(r: Run, event: FlowEvent, pending: Pending, errors: { none: string; multiple: string }): Outcome {
  if (event.type !== "profile_result" || pending.kind !== "profile") return { kind: "ignore" };
  if (event.ok) {
    r.state.customer = event.profile;
    return next({ profileId: event.profile.profileId });
  }
  return fail(event.error === "none" ? errors.none : event.error === "multiple" ? errors.multiple : "NoMatchingError", event.message);
}

export const GetCustomerProfile: ActionHandler = {
  type: "GetCustomerProfile",
  errors: ["NoneFoundError", "MultipleFoundError", "NoMatchingError"],
  check(params, report) {
    checkRequestData(params, report, true);
    const data = requestData(params);
    if (typeof data.IdentifierName !== "string" || data.IdentifierName === "") return report("ProfileRequestData.IdentifierName", "is required");
    if (!IDENTIFIERS[data.IdentifierName]) {
      report("ProfileRequestData.IdentifierName", `Switchboard finds profiles by ${Object.keys(IDENTIFIERS).join(", ")}: a contact here takes NoMatchingError`, "warning");
    }
    if (typeof data.IdentifierValue !== "string") report("ProfileRequestData.IdentifierValue", "must be a text or a reference");
  },
  run(r) {
    const data = requestData(r.params);
    const by = IDENTIFIERS[String(data.IdentifierName)];
    if (!by) return fail("NoMatchingError", `profiles are not searched by ${String(data.IdentifierName)}`);
    const value = r.value(data.IdentifierValue).trim();
    if (value === "") return fail("NoneFoundError", `no ${by} to search by`);
    return ask(r, { op: "get", by, value });
  },
  resume: (r, event, pending) => loaded(r, event, pending, { none: "NoneFoundError", multiple: "MultipleFoundError" }),
};

export const CreateCustomerProfile: ActionHandler = {
  type: "CreateCustomerProfile",
  errors: ["NoMatchingError"],
  check(params, report) {
    checkRequestData(params, report, true);
    checkKnownKeys(params, report);
  },
  run(r) {
    const fields = requestFields(r);
    if (!fields.firstName && !fields.lastName && !fields.phoneNumber && !fields.emailAddress) {
      return fail("NoMatchingError", "a profile needs a name, a phone number or an email");
    }
    return ask(r, { op: "create", fields });
  },
  resume: (r, event, pending) => loaded(r, event, pending, { none: "NoMatchingError", multiple: "NoMatchingError" }),
};

export const UpdateCustomerProfile: ActionHandler = {
  type: "UpdateCustomerProfile",
  errors: ["NoMatchingError"],
  check(params, report) {
    checkRequestData(params, report, true);
    checkKnownKeys(params, report);
  },
  run(r) {
    const profileId = profileIdOf(r);
    if (!profileId) return fail("NoMatchingError", "no profile to update: give ProfileId or get the profile first");
    return ask(r, { op: "update", profileId, fields: requestFields(r) });
  },
  resume: (r, event, pending) => loaded(r, event, pending, { none: "NoMatchingError", multiple: "NoMatchingError" }),
};

export const AssociateContactToCustomerProfile: ActionHandler = {
  type: "AssociateContactToCustomerProfile",
  errors: ["NoMatchingError"],
  check(params, report) {
    checkRequestData(params, report, false);
  },
  run(r) {
    const profileId = profileIdOf(r);
    if (!profileId) return fail("NoMatchingError", "no profile to link the contact to: give ProfileId or get the profile first");
    return ask(r, { op: "associate", profileId });
  },
  resume: (r, event, pending) => loaded(r, event, pending, { none: "NoMatchingError", multiple: "NoMatchingError" }),
};
