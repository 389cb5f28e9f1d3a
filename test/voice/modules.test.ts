import { env, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { contactRoomName } from "../../src/lib/object-names";
import { voiceContactId } from "../../src/workers/twilio/routes";
import { eq } from "drizzle-orm";
import { flows, flowVersions } from "../../src/db/schema";
import type { FlowContent } from "../../src/flows";
import { db } from "../helpers";
import { customerSocket, makeChatInstance, session, startChat, texts } from "../chat/helpers";
import { makeVoiceInstance, settleContact, simulatedTwilio } from "./helpers";

let restore: (() => void) | undefined;
afterEach(() => restore?.());

/** A module asking for an account number: returns it (Success), or Error when nothing is entered. */
const askAccount: FlowContent = {
  Version: "2019-10-30",
  StartAction: "ask",
  Settings: { InputParameters: [], OutputParameters: [], Transitions: [{ DisplayName: "Success", ReferenceName: "Success" }, { DisplayName: "Error", ReferenceName: "Error" }] },
  Actions: [
    { Identifier: "ask", Type: "GetParticipantInput", Parameters: { Text: "$.Modules.Input.prompt", StoreInput: "True", InputTimeLimitSeconds: "5" }, Transitions: { NextAction: "done", Errors: [{ NextAction: "failed", ErrorType: "NoMatchingError" }, { NextAction: "failed", ErrorType: "InputTimeLimitExceeded" }] } },
    { Identifier: "done", Type: "EndFlowModuleExecution", Parameters: { ResultData: { account: "$.StoredCustomerInput" } }, Transitions: {} },
    { Identifier: "failed", Type: "EndFlowModuleExecution", Parameters: { Branch: "Error" }, Transitions: {} },
  ],
};

const mainFlow = (moduleId: string): FlowContent => ({
  Version: "2019-10-30",
  StartAction: "get-account",
  Actions: [
    { Identifier: "get-account", Type: "InvokeFlowModule", Parameters: { FlowModuleId: moduleId, Inputs: { prompt: "Enter your account number." } }, Transitions: { NextAction: "thanks", Errors: [{ NextAction: "sorry", ErrorType: "NoMatchingError" }] } },
    { Identifier: "thanks", Type: "MessageParticipant", Parameters: { Text: "Thanks, account $.Modules.Result.account." }, Transitions: { NextAction: "bye" } },
    { Identifier: "sorry", Type: "MessageParticipant", Parameters: { Text: "Sorry, we could not get your account." }, Transitions: { NextAction: "bye" } },
    { Identifier: "bye", Type: "DisconnectParticipant", Parameters: {}, Transitions: {} },
  ],
});

/** Publishes `content` as the instance's module (version 1). */
async function publishModule(instanceId: string, content = askAccount) {
  const id = `${instanceId}:flow:account-module`;
  await db().insert(flows).values({ id, instanceId, name: "Account module", type: "MODULE", content, publishedVersion: 1 });
  await db().insert(flowVersions).values({ instanceId, flowId: id, version: 1, content });
  return id;
}

/** Replaces a fixture's published flow (version 1) before its first contact. */
async function useFlow(flowId: string, content: FlowContent) {
  await db().update(flows).set({ content }).where(eq(flows.id, flowId));
  await db().update(flowVersions).set({ content }).where(eq(flowVersions.flowId, flowId));
}

describe("flow modules on live contacts", () => {
  it("voice: the caller's flow runs the published module, which asks for digits and returns them", async () => {
    const fx = await makeVoiceInstance({});
    const moduleId = await publishModule(fx.instanceId);
    await useFlow(fx.flowId, mainFlow(moduleId));
    const net = simulatedTwilio();
    restore = net.restore;
    const call = await net.phone.call({ from: "+14155550123", to: fx.number });
    expect(call.heard).toEqual(["Enter your account number."]);
    await call.press("1234");
    expect(call.heard.at(-1)).toBe("Thanks, account 1234.");
  });

  it("voice: what the caller keyed into a module, and its inputs, are dropped from the contact's object when the call ends", async () => {
    const fx = await makeVoiceInstance({});
    const moduleId = await publishModule(fx.instanceId);
    const flow = mainFlow(moduleId);
    // The caller's number goes into the module as an input; the caller hangs up inside the module.
    (flow.Actions[0].Parameters as { Inputs: Record<string, string> }).Inputs.prompt = "Enter the account for $.CustomerEndpoint.Address.";
    await useFlow(fx.flowId, flow);
    const net = simulatedTwilio();
    restore = net.restore;
    const call = await net.phone.call({ from: "+14155550177", to: fx.number });
    expect(call.heard).toEqual(["Enter the account for +14155550177."]);
    await call.hangup();
    const contactId = await voiceContactId(fx.instanceId, call.sid);
    await settleContact(fx.instanceId, contactId);
    const stored = await runInDurableObject(env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, contactId)), (_o, state) =>
      state.storage.sql.exec<{ flow_state: string | null }>("SELECT flow_state FROM session").one().flow_state);
    expect(stored).not.toContain("14155550177");

    // And a module's result is dropped too.
    const second = await net.phone.call({ from: "+14155550178", to: fx.number });
    await second.press("918273");
    expect(second.heard.at(-1)).toBe("Thanks, account 918273.");
    const secondId = await voiceContactId(fx.instanceId, second.sid);
    await settleContact(fx.instanceId, secondId);
    const after = await runInDurableObject(env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, secondId)), (_o, state) =>
      state.storage.sql.exec<{ flow_state: string | null }>("SELECT flow_state FROM session").one().flow_state);
    expect(after).not.toContain("918273");
  });

  it("voice: a module of another instance (or none) is not found: the caller takes its error branch", async () => {
    const fx = await makeVoiceInstance({});
    const other = await makeVoiceInstance({});
    const othersModule = await publishModule(other.instanceId);
    await useFlow(fx.flowId, mainFlow(othersModule));
    const net = simulatedTwilio();
    restore = net.restore;
    const call = await net.phone.call({ from: "+14155550123", to: fx.number });
    expect(call.heard).toEqual(["Sorry, we could not get your account."]);
  });

  it("chat: the module asks in the chat and the caller's flow goes on with its result", async () => {
    const fx = await makeChatInstance();
    const moduleId = await publishModule(fx.instanceId);
    await useFlow(fx.flowId, mainFlow(moduleId));
    const { body: chat } = await startChat(fx.instanceId);
    const c = (await customerSocket(fx.instanceId, chat)).socket!;
    await c.history();
    await c.say("A-77");
    await c.message("Thanks, account A-77.");
    const snap = await session(fx.instanceId, chat.contactId).chatSnapshot();
    expect(texts(snap.messages)).toEqual(expect.arrayContaining(["BOT: Enter your account number.", "CUSTOMER: A-77", "BOT: Thanks, account A-77."]));
  });
});
