import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { publishedFlowChanged } from "../../src/durable/contact-flow";
import { flows, flowVersions } from "../../src/db/schema";
import type { FlowContent } from "../../src/flows";
import { api, db, otherInstance } from "../helpers";
import { eventually } from "../routing/helpers";
import { chatFlow, customerSocket, makeChatInstance, startChat, userWith } from "./helpers";

/** The chat flow with CreateWisdomSession first, as an imported Amazon Q in Connect flow has it. */
const withKnowledgeSession = (content: FlowContent): FlowContent => ({
  ...content,
  StartAction: "wisdom",
  Actions: [
    {
      Identifier: "wisdom", Type: "CreateWisdomSession", Parameters: { WisdomAssistantArn: "arn:aws:wisdom:us-east-1:1:assistant/a" },
      Transitions: { NextAction: content.StartAction, Errors: [{ NextAction: content.StartAction, ErrorType: "NoMatchingError" }] },
    },
    ...content.Actions,
  ],
});

describe("knowledge suggestions on a contact", () => {
  it("suggest published articles from what the customer says, once the flow gave the contact a knowledge session", async () => {
    const fx = await makeChatInstance();
    const writer = await userWith(fx.instanceId, "writer", ["knowledge.write"]);
    const supervisor = await userWith(fx.instanceId, "sup", ["knowledge.read", "contacts.search"]);
    const stranger = await userWith(fx.instanceId, "stranger", ["knowledge.read", "contacts.handle"]);
    const article = async (title: string, body: string) => {
      const id = (await api("POST", "/knowledge/articles", { token: writer, body: { title, body } })).body.id as string;
      expect((await api("POST", `/knowledge/articles/${id}/publish`, { token: writer })).status).toBe(200);
      return id;
    };
    const refund = await article("Refund for a damaged parcel", "Offer a refund or a replacement when the parcel arrived damaged.");
    const password = await article("Password reset", "Send the reset link from the sign-in page.");
    const suggestions = (contactId: string, token = supervisor) => api("GET", `/knowledge/suggestions?contactId=${contactId}`, { token });

    // A contact whose flow made no knowledge session gets no suggestions.
    const { body: plain } = await startChat(fx.instanceId);
    const p = (await customerSocket(fx.instanceId, plain)).socket!;
    await p.say("My parcel arrived damaged, I want a refund");
    expect((await suggestions(plain.contactId)).body).toEqual({ sessionArn: null, terms: [], items: [] });
    p.close();

    const content = withKnowledgeSession(chatFlow(fx.queueId));
    await db().update(flows).set({ content, publishedVersion: 2 }).where(eq(flows.id, fx.flowId));
    await db().insert(flowVersions).values({ instanceId: fx.instanceId, flowId: fx.flowId, version: 2, content });
    await publishedFlowChanged(env, fx.instanceId, fx.flowId);

    const { body: chat } = await startChat(fx.instanceId);
    const c = (await customerSocket(fx.instanceId, chat)).socket!;
    const before = await suggestions(chat.contactId);
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ sessionArn: `arn:switchboard:knowledge:session/${chat.contactId}`, items: [] });

    await c.say("Hello, my parcel arrived damaged and broken");
    const first = await eventually(async () => {
      const r = await suggestions(chat.contactId);
      return r.body.items.length ? r.body : null;
    }, "a suggestion");
    expect(first.items.map((h: { articleId: string }) => h.articleId)).toEqual([refund]);
    expect(first.terms).toEqual(expect.arrayContaining(["parcel", "damaged"]));

    // As the conversation goes on, the suggestions follow what the customer says last.
    await c.say("Also I forgot my password and cannot sign in");
    const next = await suggestions(chat.contactId);
    expect(next.body.items.map((h: { articleId: string }) => h.articleId)).toContain(password);
    // The agent already opened the refund article: it is not suggested again.
    const excluded = await api("GET", `/knowledge/suggestions?contactId=${chat.contactId}&exclude=${refund}`, { token: supervisor });
    expect(excluded.body.items.map((h: { articleId: string }) => h.articleId)).not.toContain(refund);

    // Only the contact's agent or a supervisor may ask; another instance's user gets 404 for it.
    expect((await suggestions(chat.contactId, stranger)).status).toBe(404);
    const other = await otherInstance("Suggestions Other");
    const foreign = await suggestions(chat.contactId, other.token);
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe("not_found");
    expect((await api("GET", "/knowledge/suggestions", { token: supervisor })).status).toBe(400);
    c.close();
  });
});
