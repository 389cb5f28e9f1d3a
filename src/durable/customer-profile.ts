/**
 * Carries out a flow's `customer_profile` effect (GetCustomerProfile and the other profile
 * blocks) against the instance's profiles in D1, and answers the flow with the profile as
 * `$.Customer` reads it. Changes a flow makes are audited like an agent's, with no user.
 */
import { createDb } from "../db/client";
import {
  attributeProblem, EMPTY_PROFILE, fieldTypes, linkContact, loadProfiles, normalEmail, profilesByKey, profilesByName, writeProfile,
  type AttributeValue, type ProfileData, type StoredProfile,
} from "../db/profiles";
import { InstanceScope } from "../db/scoped";
import type { CustomerProfileFields, CustomerProfileRequest, CustomerProfileView, FlowEvent } from "../flows/types";
import { keyringFromEnv, type Keyring } from "../lib/crypto";

const E164 = /^\+[1-9]\d{1,14}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

type Failure = Extract<FlowEvent, { type: "profile_result"; ok: false }>;
const failed = (error: Failure["error"], message: string): Failure => ({ type: "profile_result", ok: false, error, message });

export function profileView(p: StoredProfile): CustomerProfileView {
  return {
    profileId: p.id,
    firstName: p.firstName,
    lastName: p.lastName,
    phoneNumber: p.phoneNumbers[0] ?? "",
    emailAddress: p.emails[0] ?? "",
    address: Object.fromEntries(Object.entries(p.address ?? {}).flatMap(([k, v]) => (v ? [[ADDRESS_NAMES[k] ?? k, v]] : []))),
    attributes: Object.fromEntries(Object.entries(p.attributes).map(([k, v]) => [k, String(v)])),
  };
}
const ADDRESS_NAMES: Record<string, string> = { line1: "Address1", line2: "Address2", city: "City", state: "State", postalCode: "PostalCode", country: "Country" };
const ADDRESS_FIELDS = Object.fromEntries(Object.entries(ADDRESS_NAMES).map(([k, v]) => [v, k]));

/** A flow's text value as its custom field's type (a number, true/false, a date); the problem when it does not fit. */
function typed(type: string | undefined, text: string): { value: AttributeValue } | { problem: string } {
  const value: AttributeValue = type === "NUMBER" ? Number(text) : type === "BOOLEAN" ? (text === "true" ? true : text === "false" ? false : text) : text;
  const problem = attributeProblem(type, value);
  return problem ? { problem } : { value };
}

/** The profile with a flow's fields applied: a number or email given goes first in its list. */
async function apply(scope: InstanceScope, base: ProfileData, f: CustomerProfileFields): Promise<ProfileData | Failure> {
  if (f.phoneNumber && !E164.test(f.phoneNumber)) return failed("failed", "PhoneNumber must be an E.164 number such as +14155550123");
  const email = f.emailAddress ? normalEmail(f.emailAddress) : undefined;
  if (email && !EMAIL.test(email)) return failed("failed", "EmailAddress is not an email address");
  const attributes = { ...base.attributes };
  if (f.attributes) {
    const types = await fieldTypes(scope);
    for (const [name, text] of Object.entries(f.attributes)) {
      const t = typed(types.get(name), text);
      if ("problem" in t) return failed("failed", `Attributes.${name} ${t.problem}`);
      attributes[name] = t.value;
    }
  }
  const first = (list: string[], v: string | undefined) => (v ? [v, ...list.filter((x) => x !== v)] : list);
  return {
    firstName: f.firstName ?? base.firstName,
    lastName: f.lastName ?? base.lastName,
    phoneNumbers: first(base.phoneNumbers, f.phoneNumber).slice(0, 10),
    emails: first(base.emails, email).slice(0, 10),
    address: f.address ? { ...(base.address ?? {}), ...Object.fromEntries(Object.entries(f.address).map(([k, v]) => [ADDRESS_FIELDS[k] ?? k, v])) } : base.address,
    attributes,
  };
}

async function one(scope: InstanceScope, keys: Keyring, id: string): Promise<StoredProfile | undefined> {
  return id.length <= 64 ? (await loadProfiles(scope, keys, [id]))[0] : undefined;
}

export async function performProfileRequest(env: Env, instanceId: string, contactId: string, request: CustomerProfileRequest): Promise<FlowEvent> {
  const scope = new InstanceScope(createDb(env.DB), instanceId);
  const keys = keyringFromEnv(env);
  const audit = (action: string, id: string) => scope.audit({ userId: null, action, resourceType: "customer_profile", resourceId: id, details: { by: "flow", contactId } });
  switch (request.op) {
    case "get": {
      let ids: string[];
      if (request.by === "profileId") ids = (await one(scope, keys, request.value)) ? [request.value] : [];
      else if (request.by === "name") ids = await profilesByName(scope, keys, request.value, 2);
      else ids = await profilesByKey(scope, keys, request.by, request.value, 2);
      if (ids.length === 0) return failed("none", `no profile has this ${request.by}`);
      if (ids.length > 1) return failed("multiple", `more than one profile has this ${request.by}`);
      const profile = await one(scope, keys, ids[0]);
      return profile ? { type: "profile_result", ok: true, profile: profileView(profile) } : failed("none", "the profile is gone");
    }
    case "create": {
      const data = await apply(scope, EMPTY_PROFILE, request.fields);
      if ("type" in data) return data;
      const id = crypto.randomUUID();
      await scope.batch([...(await writeProfile(scope, keys, id, data, true)), audit("create", id)]);
      return { type: "profile_result", ok: true, profile: profileView((await one(scope, keys, id))!) };
    }
    case "update": {
      const existing = await one(scope, keys, request.profileId);
      if (!existing) return failed("none", "no such profile");
      const data = await apply(scope, existing, request.fields);
      if ("type" in data) return data;
      await scope.batch([...(await writeProfile(scope, keys, existing.id, data, false)), audit("update", existing.id)]);
      return { type: "profile_result", ok: true, profile: profileView((await one(scope, keys, existing.id))!) };
    }
    case "associate": {
      const existing = await one(scope, keys, request.profileId);
      if (!existing) return failed("none", "no such profile");
      await scope.batch([linkContact(scope, existing.id, contactId), audit("link", existing.id)]);
      return { type: "profile_result", ok: true, profile: profileView(existing) };
    }
  }
}
