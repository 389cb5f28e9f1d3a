import { describe, expect, it } from "vitest";
import { analyticsRules } from "../../src/db/schema";
import { api, db } from "../helpers";
import { eventsInclude, eventually, openSocket } from "../routing/helpers";
import { customerSocket, makeChatInstance, session, startChat, userWith } from "./helpers";

describe("analytics rules on a chat", () => {
  it("a customer's message with a live rule's phrase alerts the dashboard; after the chat its transcript gets every rule's categories", async () => {
    const fx = await makeChatInstance();
    const words = (phrases: string[], speaker: string) => ({ type: "WORDS", phrases, match: "ANY", within: null, speaker, part: null });
    await db().insert(analyticsRules).values([
      { id: `${fx.instanceId}:rule:cancel`, instanceId: fx.instanceId, name: "cancel", category: "Cancellation", live: true, body: { conditions: [words(["cancel my account"], "CUSTOMER")], queueIds: [], agentIds: [] } },
      { id: `${fx.instanceId}:rule:angry`, instanceId: fx.instanceId, name: "angry", category: "Angry customer", live: false,
        body: { conditions: [{ type: "SENTIMENT", speaker: "CUSTOMER", scope: "ANY_TURN", below: -0.4, above: null }], queueIds: [], agentIds: [] } },
      // A rule switched off matches nothing.
      { id: `${fx.instanceId}:rule:off`, instanceId: fx.instanceId, name: "off", category: "Off", live: true, enabled: false, body: { conditions: [words(["cancel"], "EITHER")], queueIds: [], agentIds: [] } },
    ]);
    const sup = await userWith(fx.instanceId, "sup", ["metrics.realtime", "contacts.search"]);
    const dashboard = (await openSocket("/metrics/socket", sup)).socket!;
    await dashboard.next("categoryAlerts");

    const { body: chat } = await startChat(fx.instanceId);
    const c = (await customerSocket(fx.instanceId, chat)).socket!;
    await c.say("Hi there");
    await c.say("This is terrible and useless, I want to cancel my account!");
    const { alert } = await dashboard.next("categoryAlert");
    expect(alert).toMatchObject({ contactId: chat.contactId, category: "Cancellation", channel: "CHAT" });

    c.send({ type: "chat.end" });
    await c.wait("chat.state", (s) => s.chat.status === "ENDED");
    await session(fx.instanceId, chat.contactId).settle();
    await eventsInclude(fx.instanceId, chat.contactId, ["TRANSCRIPT_STORED"]);
    const categories = await eventually(async () => {
      const r = await api("GET", `/contacts/${chat.contactId}`, { token: sup });
      return r.body.categories?.length === 2 ? r.body.categories : null;
    }, "two categories");
    expect(categories.map((x: any) => [x.category, x.source])).toEqual([["Cancellation", "LIVE"], ["Angry customer", "POST_CONTACT"]]);
    expect(dashboard.messages.filter((m: any) => m.type === "categoryAlert")).toHaveLength(1);
    c.close();
    dashboard.close();
  });
});
