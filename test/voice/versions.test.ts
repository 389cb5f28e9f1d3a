import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { flows, flowVersions } from "../../src/db/schema";
import { db } from "../helpers";
import { ivrFlow, makeVoiceInstance, simulatedTwilio } from "./helpers";

let restore: (() => void) | undefined;
afterEach(() => restore?.());

describe("voice: flow versions", () => {
  it("a call runs the version published when it started; a new call right after a publish runs the new one", async () => {
    const fx = await makeVoiceInstance({});
    const net = simulatedTwilio();
    restore = net.restore;
    const first = await net.phone.call({ from: "+14155550123", to: fx.number });
    expect(first.heard[0]).toBe("Welcome to Acme.");

    const v2 = ivrFlow(fx.queueId);
    v2.Actions[0].Parameters = { Text: "Welcome to the new Acme." };
    v2.Actions[1].Parameters = { Text: "New menu: press 1 for sales.", InputTimeLimitSeconds: "5", StoreInput: "False" };
    await db().insert(flowVersions).values({ instanceId: fx.instanceId, flowId: fx.flowId, version: 2, content: v2 });
    await db().update(flows).set({ publishedVersion: 2, content: v2 }).where(eq(flows.id, fx.flowId));

    const second = await net.phone.call({ from: "+14155550124", to: fx.number });
    expect(second.heard).toEqual(["Welcome to the new Acme.", "New menu: press 1 for sales."]);
    // The first caller hears version 1's menu again on a retry.
    await first.noInput();
    expect(first.heard.at(-1)).toBe("For sales press 1. For support press 2.");
  });
});
