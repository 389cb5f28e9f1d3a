/**
 * Step-by-step guides end to end: the contact's flow names a DefaultAgentUI flow; once Alice is
 * connected that flow shows her a Form (ShowView) on her agent socket, waits, and takes the branch
 * her answer chooses, setting the contact's attributes. A wrong answer, another agent's answer
 * and the time limit (the session's alarm) each do what they should.
 */
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { openAttributes } from "../../src/db/contacts";
import { keyringFromEnv } from "../../src/lib/crypto";
import { flows, flowVersions } from "../../src/db/schema";
import type { FlowAction, FlowContent } from "../../src/flows";
import { api, db } from "../helpers";
import { agentSocket, contactRow, eventually, type TestSocket } from "../routing/helpers";
import { chatFlow, customerSocket, makeChatInstance, session, startChat, userWith, type ChatFixture } from "./helpers";

const setAttrs = (id: string, attrs: Record<string, string>): FlowAction => ({ Identifier: id, Type: "UpdateContactAttributes", Parameters: { Attributes: attrs }, Transitions: { NextAction: "end", Errors: [] } });
const GUIDE: FlowContent = {
  Version: "2019-10-30",
  StartAction: "view",
  Actions: [
    {
      Identifier: "view", Type: "ShowView",
      Parameters: {
        ViewResource: { Id: "arn:aws:connect:us-west-2:aws:view/form:1" }, InvocationTimeLimitSeconds: "120",
        ViewData: { Heading: "Refund for $.Attributes.intent", Sections: [{ Items: [{ Type: "FormInput", InputType: "text", Name: "reason", Label: "Reason", Required: true }] }], Next: "Save", Cancel: "Skip" },
      },
      Transitions: {
        NextAction: "end",
        Conditions: [{ NextAction: "saved", Condition: { Operator: "Equals", Operands: ["Next"] } }, { NextAction: "skipped", Condition: { Operator: "Equals", Operands: ["Cancel"] } }],
        Errors: [{ NextAction: "late", ErrorType: "TimeLimitExceeded" }, { NextAction: "end", ErrorType: "NoMatchingError" }, { NextAction: "end", ErrorType: "NoMatchingCondition" }],
      },
    },
    setAttrs("saved", { resolution: "$.Views.ViewResultData.reason", guided: "$.Views.Action" }),
    setAttrs("skipped", { guided: "$.Views.Action" }),
    setAttrs("late", { guided: "timed out" }),
    { Identifier: "end", Type: "EndFlowExecution", Parameters: {}, Transitions: {} },
  ],
};

/** The chat flow, naming the guide as the contact's DefaultAgentUI flow before it queues for sales. */
async function withGuide(fx: ChatFixture, guide: FlowContent = GUIDE) {
  const guideId = `${fx.instanceId}:flow:guide`;
  await db().insert(flows).values({ id: guideId, instanceId: fx.instanceId, name: "Refund guide", type: "CONTACT_FLOW", content: guide, publishedVersion: 1 });
  await db().insert(flowVersions).values({ instanceId: fx.instanceId, flowId: guideId, version: 1, content: guide });
  const chat = chatFlow(fx.queueId);
  chat.Actions = chat.Actions.map((a) => (a.Identifier === "to-sales" ? { ...a, Transitions: { NextAction: "hook", Errors: [] } } : a));
  chat.Actions.push({ Identifier: "hook", Type: "UpdateContactEventHooks", Parameters: { EventHooks: { DefaultAgentUI: guideId } }, Transitions: { NextAction: "q-sales", Errors: [] } });
  await db().update(flows).set({ content: chat }).where(eq(flows.id, fx.flowId));
  await db().update(flowVersions).set({ content: chat }).where(eq(flowVersions.flowId, fx.flowId));
}

/** A sales chat Alice accepts; the view her workspace is sent. */
async function guided(fx: ChatFixture, alice: TestSocket) {
  const chat = (await startChat(fx.instanceId)).body as { chatId: string; token: string; contactId: string };
  const customer = (await customerSocket(fx.instanceId, chat)).socket!;
  await customer.say("sales");
  await alice.next("offer", (m) => m.contact.contactId === chat.contactId);
  alice.send({ type: "contact.accept", contactId: chat.contactId });
  const shown = await alice.next("view.show", (m) => m.view.contactId === chat.contactId);
  return { contactId: chat.contactId, viewId: shown.view.viewId as string, view: shown.view };
}

const attributes = async (fx: ChatFixture, contactId: string) => (await session(fx.instanceId, contactId).snapshot())!.flowState!.attributes;

describe("step-by-step guides (ShowView) in the agent's workspace", () => {
  it("the connected agent is shown the Form, a bad answer is refused with the field's message, and Save takes the Next branch and sets the attributes", async () => {
    const fx = await makeChatInstance();
    await withGuide(fx);
    const alice = await agentSocket(fx, "alice");
    const { contactId, viewId, view } = await guided(fx, alice);
    expect(view).toMatchObject({ contactId, expiresAt: expect.any(Number), view: { view: "Form", heading: "Refund for sales", next: "Save", cancel: "Skip", sections: [{ fields: [{ name: "reason", label: "Reason", required: true }] }] } });

    const empty = await alice.command({ type: "view.submit", contactId, viewId, action: "Next", data: { reason: " " } });
    expect(empty).toMatchObject({ type: "error", code: "invalid_view_answer", fields: { reason: "Reason is required" } });
    expect((await attributes(fx, contactId)).guided).toBeUndefined();
    expect(await alice.command({ type: "view.submit", contactId, viewId: "view@0", action: "Next", data: { reason: "x" } })).toMatchObject({ type: "error", code: "not_found" });

    expect(await alice.command({ type: "view.submit", contactId, viewId, action: "Next", data: { reason: "Damaged parcel" } })).toMatchObject({ type: "ack" });
    await alice.next("view.closed", (m) => m.contactId === contactId && m.viewId === viewId);
    expect(await attributes(fx, contactId)).toMatchObject({ intent: "sales", resolution: "Damaged parcel", guided: "Next" });
    await session(fx.instanceId, contactId).settle();
    await eventually(async () => {
      const stored = (await contactRow(fx.instanceId, contactId)).attributes as string;
      const attrs = await openAttributes(keyringFromEnv(env), fx.instanceId, contactId, JSON.parse(stored));
      return attrs.resolution === "Damaged parcel";
    }, "the record's attributes");
    // Answered: a second answer finds no view.
    expect(await alice.command({ type: "view.submit", contactId, viewId, action: "Cancel", data: {} })).toMatchObject({ type: "error", code: "not_found" });
  });

  it("a custom view the admin made is shown by its ARN with the block's ViewData over it; the agent's answer takes its branch; another instance's view is the error branch", async () => {
    const fx = await makeChatInstance();
    const admin = await userWith(fx.instanceId, "admin", ["flows.edit"]);
    const made = await api("POST", "/views", {
      token: admin,
      body: {
        name: "Refund reason", template: "Form",
        content: { Heading: "Refund", Sections: [{ Items: [{ Name: "reason", Label: "Reason", InputType: "select", Options: ["Damaged", "Late"], Required: true }] }], Next: "Save", Cancel: "Skip" },
      },
    });
    expect(made.status).toBe(201);
    const custom = (Id: string): FlowContent => ({
      ...GUIDE,
      Actions: [
        ...GUIDE.Actions.map((a) => (a.Identifier === "view" ? {
          ...a, Parameters: { ViewResource: { Id }, ViewData: { Heading: "Refund for $.Attributes.intent" } },
          Transitions: { ...a.Transitions, Errors: [{ NextAction: "missing", ErrorType: "NoMatchingError" }, ...a.Transitions!.Errors!.filter((e) => e.ErrorType !== "NoMatchingError")] },
        } : a)),
        setAttrs("missing", { guided: "no such view" }),
      ],
    });
    await withGuide(fx, custom(made.body.arn));
    const alice = await agentSocket(fx, "alice");
    const { contactId, viewId, view } = await guided(fx, alice);
    expect(view.view).toMatchObject({ view: "Form", heading: "Refund for sales", next: "Save", cancel: "Skip", sections: [{ fields: [{ name: "reason", type: "select", options: [{ value: "Damaged" }, { value: "Late" }] }] }] });
    expect(await alice.command({ type: "view.submit", contactId, viewId, action: "Next", data: { reason: "Stolen" } })).toMatchObject({ type: "error", code: "invalid_view_answer", fields: { reason: "Reason must be one of the choices" } });
    expect(await alice.command({ type: "view.submit", contactId, viewId, action: "Next", data: { reason: "Late" } })).toMatchObject({ type: "ack" });
    await alice.next("view.closed", (m) => m.contactId === contactId && m.viewId === viewId);
    expect(await attributes(fx, contactId)).toMatchObject({ resolution: "Late", guided: "Next" });

    // The demo instance's view, named in this instance's guide: not this instance's, so the block's error branch.
    const other = await makeChatInstance();
    await withGuide(other, custom("demo:view:callback-request"));
    const bob = await agentSocket(other, "alice");
    const chat = (await startChat(other.instanceId)).body as { chatId: string; token: string; contactId: string };
    await (await customerSocket(other.instanceId, chat)).socket!.say("sales");
    await bob.next("offer", (m) => m.contact.contactId === chat.contactId);
    bob.send({ type: "contact.accept", contactId: chat.contactId });
    await eventually(async () => (await attributes(other, chat.contactId)).guided === "no such view", "the view block's error branch");
  });

  it("another agent cannot answer the view of a contact that is not theirs, and nothing changes", async () => {
    const fx = await makeChatInstance();
    await withGuide(fx);
    const alice = await agentSocket(fx, "alice");
    const bob = await agentSocket(fx, "bob", false);
    const { contactId, viewId } = await guided(fx, alice);
    expect(await bob.command({ type: "view.submit", contactId, viewId, action: "Cancel", data: {} })).toMatchObject({ type: "error", code: "not_found" });
    expect(await bob.command({ type: "view.submit", contactId: "no-such-contact", viewId, action: "Cancel", data: {} })).toMatchObject({ type: "error", code: "not_found" });
    expect((await attributes(fx, contactId)).guided).toBeUndefined();
    // Alice, reconnecting, is sent the view still open.
    const again = await agentSocket(fx, "alice", false);
    expect((await again.next("view.show", (m) => m.view.contactId === contactId)).view.viewId).toBe(viewId);
    expect(await alice.command({ type: "view.submit", contactId, viewId, action: "Cancel", data: {} })).toMatchObject({ type: "ack" });
    expect((await attributes(fx, contactId)).guided).toBe("Cancel");
  });

  it("a view not answered within its time limit takes TimeLimitExceeded from the session's alarm, and leaves the agent's workspace", async () => {
    const fx = await makeChatInstance();
    await withGuide(fx);
    const alice = await agentSocket(fx, "alice");
    const { contactId, viewId } = await guided(fx, alice);
    const stub = session(fx.instanceId, contactId);
    await runInDurableObject(stub, (_o, state) => void state.storage.sql.exec("UPDATE agent_guide SET deadline = ?", Date.now() - 1));
    await runDurableObjectAlarm(stub);
    await alice.next("view.closed", (m) => m.contactId === contactId && m.viewId === viewId);
    expect((await attributes(fx, contactId)).guided).toBe("timed out");
  });
});
