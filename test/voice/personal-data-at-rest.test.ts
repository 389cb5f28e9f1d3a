/**
 * What a caller keys, the contact's attribute values and the numbers a flow dials are personal
 * data: D1 holds them only encrypted (flow logs, contact events, the contact row), and the flow
 * log API shows them decrypted to a user who may search contacts.
 */
import { env } from "cloudflare:test";
import { and, eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { auditLog, securityProfiles, users } from "../../src/db/schema";
import type { FlowContent } from "../../src/flows";
import { createSession } from "../../src/workers/auth/sessions";
import { voiceContactId } from "../../src/workers/twilio/routes";
import { api, db } from "../helpers";
import { makeVoiceInstance, settleContact, simulatedTwilio, until } from "./helpers";

let restore: (() => void) | undefined;
afterEach(() => restore?.());

const ACCOUNT = "73914582";
const SECRET_WORD = "tangerine7731";
const OUTSIDE = "+442079460321";

/** Account number keyed, stored in attributes with another value, read back, then the call goes to an outside number. */
function accountThenOutsideFlow(): FlowContent {
  return {
    Version: "2019-10-30",
    StartAction: "ask",
    Actions: [
      {
        Identifier: "ask", Type: "GetParticipantInput",
        Parameters: { Text: "Enter your account number, then press pound.", StoreInput: "True", InputTimeLimitSeconds: "5", InputValidation: { CustomValidation: { MaximumLength: "8" } } },
        Transitions: { NextAction: "save", Errors: [{ NextAction: "bye", ErrorType: "InputTimeLimitExceeded" }, { NextAction: "bye", ErrorType: "NoMatchingError" }] },
      },
      {
        Identifier: "save", Type: "UpdateContactAttributes",
        Parameters: { Attributes: { account: "$.StoredCustomerInput", word: SECRET_WORD } },
        Transitions: { NextAction: "read-back", Errors: [{ NextAction: "bye", ErrorType: "NoMatchingError" }] },
      },
      { Identifier: "read-back", Type: "MessageParticipant", Parameters: { Text: "Account $.Attributes.account, word $.Attributes.word." }, Transitions: { NextAction: "outside", Errors: [] } },
      {
        Identifier: "outside", Type: "TransferParticipantToThirdParty",
        Parameters: { ThirdPartyPhoneNumber: OUTSIDE, ThirdPartyConnectionTimeLimitSeconds: "30", ContinueFlowExecution: "False" },
        Transitions: { NextAction: "bye", Errors: [{ NextAction: "bye", ErrorType: "CallFailed" }, { NextAction: "bye", ErrorType: "NoMatchingError" }] },
      },
      { Identifier: "bye", Type: "DisconnectParticipant", Parameters: {}, Transitions: {} },
    ],
  };
}

async function tokenWith(instanceId: string, permissions: string[]) {
  const id = `${instanceId}:user:reader`;
  await db().insert(securityProfiles).values({ id: `${instanceId}:sp:reader`, instanceId, name: "Reader", permissions });
  await db().insert(users).values({ id, instanceId, email: `reader@${instanceId}.test`, name: "Reader", passwordHash: "x", securityProfileId: `${instanceId}:sp:reader` });
  return (await createSession(db(), { id, instanceId })).token;
}

async function storedText(instanceId: string, contactId: string) {
  const rows = async (table: string, idColumn: string) =>
    (await env.DB.prepare(`SELECT * FROM ${table} WHERE instance_id = ? AND ${idColumn} = ?`).bind(instanceId, contactId).all()).results;
  return {
    flowLogs: await rows("flow_logs", "contact_id"),
    events: await rows("contact_events", "contact_id"),
    contact: await rows("contacts", "id"),
  };
}

describe("personal data at rest", () => {
  it("a call that keys an account number, sets attributes and is sent to an outside number leaves none of them readable in D1; the flow log API shows them to a contact searcher", async () => {
    const fx = await makeVoiceInstance({ flow: accountThenOutsideFlow });
    const net = simulatedTwilio();
    restore = net.restore;
    const call = await net.phone.call({ from: "+14155550199", to: fx.number });
    await call.press(`${ACCOUNT}#`);
    await until(net.phone, () => net.phone.events.some((e) => e.type === "dial" && e.to === OUTSIDE), "the outside number dialled");
    const contactId = await voiceContactId(fx.instanceId, call.sid);
    await settleContact(fx.instanceId, contactId);

    const stored = await storedText(fx.instanceId, contactId);
    expect(stored.flowLogs.length).toBeGreaterThan(3);
    expect(stored.events.length).toBeGreaterThan(0);
    const all = JSON.stringify(stored);
    for (const secret of [ACCOUNT, SECRET_WORD, OUTSIDE.slice(1), "14155550199"]) expect(all).not.toContain(secret);

    const res = await api("GET", `/contacts/${contactId}/flow-logs`, { token: await tokenWith(fx.instanceId, ["contacts.search"]) });
    expect(res.status).toBe(200);
    const byAction = (id: string) => res.body.items.find((i: { actionId: string }) => i.actionId === id);
    expect(byAction("ask").data).toMatchObject({ input: ACCOUNT });
    expect(byAction("save").data).toMatchObject({ attributes: { account: ACCOUNT, word: SECRET_WORD } });
    expect(byAction("outside").data).toMatchObject({ phoneNumber: OUTSIDE });
    const audits = await db().select().from(auditLog).where(and(eq(auditLog.instanceId, fx.instanceId), eq(auditLog.resourceType, "flow_logs")));
    expect(audits.map((a) => [a.action, a.resourceId])).toEqual([["read", contactId]]);

    // Without contacts.search: 403, and nothing of it in the answer.
    const other = await api("GET", `/contacts/${contactId}/flow-logs`, { token: fx.token("alice") });
    expect(other.status).toBe(403);
  });
});
