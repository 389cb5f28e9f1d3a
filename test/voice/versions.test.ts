import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { flowVersions } from "../../src/db/schema";
import { publishedFlowChanged } from "../../src/durable/contact-flow";
import { api, db } from "../helpers";
import { userWith } from "../chat/helpers";
import { ivrFlow, makeVoiceInstance, simulatedTwilio } from "./helpers";

let restore: (() => void) | undefined;
afterEach(() => restore?.());

describe("voice: flow versions", () => {
  it("a call runs the version published when it started; a new call right after a publish runs the new one", async () => {
    const fx = await makeVoiceInstance({});
    const token = await userWith(fx.instanceId, "editor", ["flows.edit"]); // publishes as an admin would
    const net = simulatedTwilio();
    restore = net.restore;
    const first = await net.phone.call({ from: "+14155550123", to: fx.number });
    expect(first.heard[0]).toBe("Welcome to Acme.");

    const v2 = ivrFlow(fx.queueId);
    v2.Actions[0].Parameters = { Text: "Welcome to the new Acme." };
    v2.Actions[1].Parameters = { Text: "New menu: press 1 for sales.", InputTimeLimitSeconds: "5", StoreInput: "False" };
    // The draft changes; calls keep running version 1 until it is published.
    expect((await api("PATCH", `/flows/${fx.flowId}`, { token, body: { content: v2 } })).status).toBe(200);
    expect((await net.phone.call({ from: "+14155550125", to: fx.number })).heard[0]).toBe("Welcome to Acme.");
    expect(await api("POST", `/flows/${fx.flowId}/publish`, { token })).toMatchObject({ status: 201, body: { version: 2 } });

    const second = await net.phone.call({ from: "+14155550124", to: fx.number });
    expect(second.heard).toEqual(["Welcome to the new Acme.", "New menu: press 1 for sales."]);
    // The first caller hears version 1's menu again on a retry.
    await first.noInput();
    expect(first.heard.at(-1)).toBe("For sales press 1. For support press 2.");
  });

  it("PublishedFlows serves a flow from memory until told it changed, and only its own instance's flows", async () => {
    const fx = await makeVoiceInstance({});
    const other = await makeVoiceInstance({});
    const flowsOf = (instanceId: string) => env.PUBLISHED_FLOWS.getByName(instanceId);
    expect(await flowsOf(fx.instanceId).latest(fx.flowId)).toMatchObject({ id: fx.flowId, version: 1, type: "CONTACT_FLOW" });
    // Written behind its back (no publish): still version 1, from memory.
    await db().insert(flowVersions).values({ instanceId: fx.instanceId, flowId: fx.flowId, version: 2, content: ivrFlow(fx.queueId) });
    expect(await flowsOf(fx.instanceId).latest(fx.flowId)).toMatchObject({ version: 1 });
    await publishedFlowChanged(env, fx.instanceId, fx.flowId);
    expect(await flowsOf(fx.instanceId).latest(fx.flowId)).toMatchObject({ version: 2 });
    // Another instance's object does not know this instance's flow, and the reverse.
    expect(await flowsOf(other.instanceId).latest(fx.flowId)).toBeNull();
    expect(await flowsOf(fx.instanceId).latest(other.flowId)).toBeNull();
    // A deleted flow is gone once the delete is told.
    await db().delete(flowVersions).where(eq(flowVersions.flowId, fx.flowId));
    await publishedFlowChanged(env, fx.instanceId, fx.flowId);
    expect(await flowsOf(fx.instanceId).latest(fx.flowId)).toBeNull();
  });
});
