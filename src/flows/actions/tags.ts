/**
 * TagContact / UnTagContact ("Tag contact"): user-defined tags on the contact record, kept with
 * it in D1 and shown by the contacts API (and searchable there by `tag=key:value`). Amazon
 * Connect's limits: at most 6 user tags a contact, keys up to 128 characters, values up to 256,
 * no key starting with "aws:".
 */
import { isObject } from "../values";
import { fail, next, type ActionHandler } from "./types";

export const MAX_CONTACT_TAGS = 6;
const MAX_KEY = 128;
const MAX_VALUE = 256;

const keyProblem = (key: string) => (!key || key.length > MAX_KEY ? `a tag key must have 1 to ${MAX_KEY} characters` : key.toLowerCase().startsWith("aws:") ? 'tag keys starting with "aws:" are reserved' : null);

export const TagContact: ActionHandler = {
  type: "TagContact",
  errors: ["NoMatchingError"],
  check(params, report) {
    if (!isObject(params.Tags) || Object.keys(params.Tags).length === 0) return report("Tags", "must be an object with at least one tag");
    if (Object.keys(params.Tags).length > MAX_CONTACT_TAGS) report("Tags", `a contact has at most ${MAX_CONTACT_TAGS} tags`);
    for (const [k, v] of Object.entries(params.Tags)) {
      const problem = keyProblem(k);
      if (problem) report(`Tags.${k}`, problem);
      if (typeof v !== "string") report(`Tags.${k}`, "the value must be a string");
    }
  },
  run(r) {
    const given = isObject(r.params.Tags) ? r.params.Tags : {};
    // All or none: every value is worked out and checked before the contact's tags change.
    const updates: Record<string, string> = {};
    for (const [k, v] of Object.entries(given)) {
      const key = r.value(k);
      const problem = keyProblem(key);
      if (problem) return fail("NoMatchingError", problem);
      const value = r.value(v);
      if (value.length > MAX_VALUE) return fail("NoMatchingError", `the value of tag "${key}" is longer than ${MAX_VALUE} characters`);
      updates[key] = value;
    }
    const tags = { ...r.state.tags, ...updates };
    if (Object.keys(tags).length > MAX_CONTACT_TAGS) return fail("NoMatchingError", `a contact has at most ${MAX_CONTACT_TAGS} tags`);
    r.state.tags = tags;
    return next({ tags: updates });
  },
};

export const UnTagContact: ActionHandler = {
  type: "UnTagContact",
  errors: ["NoMatchingError"],
  check(params, report) {
    if (!Array.isArray(params.TagKeys) || params.TagKeys.length === 0 || params.TagKeys.some((k) => typeof k !== "string" || !k)) {
      report("TagKeys", "must be a list of one or more tag keys");
    }
  },
  run(r) {
    const keys = (Array.isArray(r.params.TagKeys) ? r.params.TagKeys : []).map((k) => r.value(k));
    const tags = { ...r.state.tags };
    for (const k of keys) delete tags[k];
    r.state.tags = tags;
    return next({ removed: keys });
  },
};
