/**
 * The customer-profile blocks on real calls: the contact's object finds the caller's profile in D1
 * by the keyed hash of their number, creates and updates one for a new caller, links the contact,
 * and later blocks read `$.Customer.*`.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { profileFields } from "../../src/db/schema";
import { profilesByKey, writeProfile, EMPTY_PROFILE, loadProfiles } from "../../src/db/profiles";
import { InstanceScope } from "../../src/db/scoped";
import type { FlowAction, FlowContent } from "../../src/flows";
import { keyringFromEnv } from "../../src/lib/crypto";
import { db } from "../helpers";
import { contactRoomName } from "../../src/lib/object-names";
import { voiceContactId } from "../../src/workers/twilio/routes";
import { makeVoiceInstance, settleContact, simulatedTwilio, until } from "./helpers";

let restore: (() => void) | undefined;
afterEach(() => restore?.());

const say = (id: string, text: string, next = "bye"): FlowAction => ({
  Identifier: id, Type: "MessageParticipant", Parameters: { Text: text }, Transitions: { NextAction: next, Errors: [{ NextAction: next, ErrorType: "NoMatchingError" }] },
});
const flow = (): FlowContent => ({
  Version: "2019-10-30", StartAction: "get",
  Actions: [
    {
      Identifier: "get", Type: "GetCustomerProfile",
      Parameters: { ProfileRequestData: { IdentifierName: "_phone", IdentifierValue: "$.CustomerEndpoint.Address" } },
      Transitions: { NextAction: "known", Errors: [{ NextAction: "new", ErrorType: "NoneFoundError" }, { NextAction: "many", ErrorType: "MultipleFoundError" }, { NextAction: "failed", ErrorType: "NoMatchingError" }] },
    },
    say("known", "Welcome back $.Customer.FirstName, $.Customer.Attributes.Tier member."),
    {
      Identifier: "new", Type: "CreateCustomerProfile",
      Parameters: { ProfileRequestData: { FirstName: "New", PhoneNumber: "$.CustomerEndpoint.Address", Attributes: { Tier: "Bronze" } } },
      Transitions: { NextAction: "update", Errors: [{ NextAction: "failed", ErrorType: "NoMatchingError" }] },
    },
    {
      Identifier: "update", Type: "UpdateCustomerProfile",
      Parameters: { ProfileRequestData: { ProfileId: "$.Customer.ProfileId", LastName: "Caller", "Attributes.Since": "2026-12-06" } },
      Transitions: { NextAction: "link", Errors: [{ NextAction: "failed", ErrorType: "NoMatchingError" }] },
    },
    { Identifier: "link", Type: "AssociateContactToCustomerProfile", Parameters: {}, Transitions: { NextAction: "hello", Errors: [{ NextAction: "failed", ErrorType: "NoMatchingError" }] } },
    say("hello", "Hello $.Customer.FirstName $.Customer.LastName, $.Customer.Attributes.Tier since $.Customer.Attributes.Since."),
    say("many", "Several profiles."),
    say("failed", "Profile failed."),
    { Identifier: "bye", Type: "DisconnectParticipant", Parameters: {}, Transitions: {} },
  ],
});

describe("customer profiles in a flow on a call", () => {
  it("greets a known caller from their profile, and creates, updates and links one for a new caller", async () => {
    const fx = await makeVoiceInstance({ flow });
    const scope = new InstanceScope(db(), fx.instanceId);
    const keys = keyringFromEnv(env);
    await db().insert(profileFields).values([
      { id: `${fx.instanceId}:pf:tier`, instanceId: fx.instanceId, name: "Tier", type: "TEXT" },
      { id: `${fx.instanceId}:pf:since`, instanceId: fx.instanceId, name: "Since", type: "DATE" },
    ]);
    await scope.batch(await writeProfile(scope, keys, "p-ada", { ...EMPTY_PROFILE, firstName: "Ada", phoneNumbers: ["+14155550123"], attributes: { Tier: "Gold" } }, true));

    const net = simulatedTwilio();
    restore = net.restore;
    const known = await net.phone.call({ from: "+14155550123", to: fx.number });
    await until(net.phone, () => known.heard.some((h) => h.startsWith("Welcome back")), "the known caller's greeting");
    expect(known.heard).toContain("Welcome back Ada, Gold member.");
    // The flow disconnected the call: the contact's object no longer holds the profile it loaded.
    const knownId = await voiceContactId(fx.instanceId, known.sid);
    await settleContact(fx.instanceId, knownId);
    const stored = await runInDurableObject(env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, knownId)), (_o, state) =>
      JSON.stringify(state.storage.sql.exec("SELECT flow_state, queue_flow_state FROM session").toArray()));
    expect(stored).toContain("flow_state");
    expect(stored).not.toContain("Ada");
    expect(stored).not.toContain("p-ada");

    const stranger = await net.phone.call({ from: "+14155550777", to: fx.number });
    await until(net.phone, () => stranger.heard.some((h) => h.startsWith("Hello") || h.includes("failed")), "the new caller's greeting");
    expect(stranger.heard).toContain("Hello New Caller, Bronze since 2026-12-06.");
    const [id] = await profilesByKey(scope, keys, "phone", "+14155550777");
    expect(id).toBeTruthy();
    const [created] = await loadProfiles(scope, keys, [id]);
    expect(created).toMatchObject({ firstName: "New", lastName: "Caller", phoneNumbers: ["+14155550777"], attributes: { Tier: "Bronze", Since: "2026-12-06" } });
    const links = await env.DB.prepare("SELECT contact_id FROM profile_contacts WHERE instance_id = ? AND profile_id = ?").bind(fx.instanceId, id).all();
    expect(links.results).toHaveLength(1);
    const audited = await env.DB.prepare("SELECT action FROM audit_log WHERE instance_id = ? AND resource_id = ? ORDER BY id").bind(fx.instanceId, id).all<{ action: string }>();
    expect(audited.results.map((a) => a.action)).toEqual(["create", "update", "link"]);
  });
});
