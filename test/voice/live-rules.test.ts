import { env } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { analyticsRules } from "../../src/db/schema";
import { contactRoomName } from "../../src/lib/object-names";
import type { FlowContent } from "../../src/flows";
import { type Call, Phone } from "../../src/simulator";
import { api, db } from "../helpers";
import { eventually, openSocket, type Fixture } from "../routing/helpers";
import { callOfferedTo, makeVoiceInstance, recordedIvrFlow, simulatedTwilio, until } from "./helpers";

let restore: (() => void) | undefined;
afterEach(() => restore?.());

/** The IVR recording both sides with analytics (real-time transcription) enabled. */
function analyticsIvrFlow(q: (id: string) => string): FlowContent {
  const flow = recordedIvrFlow(["Agent", "Customer"])(q);
  (flow.Actions[0].Parameters ??= {}).AnalyticsBehavior = {
    Enabled: "True", AnalyticsLanguage: "en-US", AnalyticsRedactionBehavior: "Disabled",
    ChannelConfiguration: { Voice: { AnalyticsModes: ["RealTime"] } },
  };
  return flow;
}

async function connectedCall(fx: Fixture & { number: string }, phone: Phone) {
  const { socket: alice, call, contactId } = await callOfferedTo(fx, phone);
  alice.send({ type: "contact.accept", contactId });
  const agentLeg = await until(
    phone,
    () => [...phone.calls.values()].find((c) => c.to === `client:${fx.agentId("alice")}` && c.wait.kind === "conference") ?? null,
    "agent leg in the conference",
  );
  await until(phone, () => call.wait.kind === "conference", "caller in the conference");
  return { call, agentLeg: agentLeg as Call, contactId };
}

async function addRule(instanceId: string, id: string, rule: { category: string; live: boolean; conditions: unknown[]; queueIds?: string[] }) {
  await db().insert(analyticsRules).values({
    id: `${instanceId}:rule:${id}`, instanceId, name: id, category: rule.category, live: rule.live,
    body: { conditions: rule.conditions, queueIds: rule.queueIds ?? [], agentIds: [] },
  });
}

describe("analytics rules on a call: live alerts and categories after the contact", () => {
  it("a customer's phrase alerts the supervisor's dashboard at once and tags the contact; after the call every rule runs over the transcript; search finds it by category", async () => {
    const fx = await makeVoiceInstance({
      agents: [{ id: "alice", profile: "all" }, { id: "sup", profile: null, securityProfile: "supervisor" } as never],
      flow: analyticsIvrFlow,
    });
    await env.DB.prepare("UPDATE security_profiles SET permissions = ? WHERE id = ?")
      .bind(JSON.stringify(["metrics.realtime", "contacts.search"]), `${fx.instanceId}:sp:supervisor`).run();
    const words = (phrases: string[], speaker: string) => ({ type: "WORDS", phrases, match: "ANY", within: null, speaker, part: null });
    await addRule(fx.instanceId, "cancel", { category: "Cancellation", live: true, conditions: [words(["cancel my account"], "CUSTOMER")] });
    await addRule(fx.instanceId, "refund", { category: "Refund offered", live: false, conditions: [words(["refund"], "AGENT")] });
    // A live rule for a queue this call is not in: never alerts, never tags.
    await addRule(fx.instanceId, "elsewhere", { category: "Elsewhere", live: true, conditions: [words(["cancel"], "EITHER")], queueIds: [fx.queueId("support")] });

    const sup = (await openSocket("/metrics/socket", fx.token("sup"))).socket!;
    expect((await sup.next("categoryAlerts")).alerts).toEqual([]);

    const net = simulatedTwilio();
    restore = net.restore;
    const { call, agentLeg, contactId } = await connectedCall(fx, net.phone);
    await call.say("Hello, I want to CANCEL my accounts, please.");

    const { alert } = await sup.next("categoryAlert");
    expect(alert).toMatchObject({ contactId, category: "Cancellation", channel: "VOICE", agentId: fx.agentId("alice"), queueId: fx.queueId("sales") });
    expect(Math.abs(alert.at - Date.now())).toBeLessThan(60_000);
    const live = await eventually(async () => {
      const r = await api("GET", `/contacts/${contactId}`, { token: fx.token("sup") });
      return r.body.categories?.length ? r.body.categories : null;
    }, "the live category on the contact");
    expect(live).toEqual([{ category: "Cancellation", ruleId: `${fx.instanceId}:rule:cancel`, source: "LIVE", matchedAt: expect.any(String) }]);

    // Said again: no second alert. The agent's refund is not a live rule: no alert either.
    await call.say("Just cancel my account.");
    await agentLeg.say("I can offer you a refund instead.");
    await call.hangup();

    const after = await eventually(async () => {
      await env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, contactId)).settle();
      const r = await api("GET", `/contacts/${contactId}`, { token: fx.token("sup") });
      return r.body.categories?.length === 2 ? r.body.categories : null;
    }, "the categories after the contact");
    expect(after.map((c: any) => [c.category, c.source])).toEqual([["Cancellation", "LIVE"], ["Refund offered", "POST_CONTACT"]]);
    expect(sup.messages.filter((m: any) => m.type === "categoryAlert")).toHaveLength(1);

    const found = await api("GET", `/contacts?category=${encodeURIComponent("Refund offered")}`, { token: fx.token("sup") });
    expect(found.status).toBe(200);
    expect(found.body.items.map((c: any) => [c.id, c.categories])).toEqual([[contactId, ["Cancellation", "Refund offered"]]]);
    expect((await api("GET", "/contacts?category=Elsewhere", { token: fx.token("sup") })).body.items).toEqual([]);
    expect((await api("GET", "/contacts?category=%3Cscript%3E", { token: fx.token("sup") })).status).toBe(400);

    // A dashboard opened later gets the alert of the last day.
    const late = (await openSocket("/metrics/socket", fx.token("sup"))).socket!;
    expect((await late.next("categoryAlerts")).alerts).toEqual([expect.objectContaining({ contactId, category: "Cancellation" })]);
    sup.close();
    late.close();
  });
});
