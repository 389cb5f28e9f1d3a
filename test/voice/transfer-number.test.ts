import { afterEach, describe, expect, it } from "vitest";
import { quickConnects } from "../../src/db/schema";
import { db } from "../helpers";
import { contactRow, eventsInclude } from "../routing/helpers";
import { callAnsweredBy, makeVoiceInstance, simulatedTwilio, until } from "./helpers";

let restore: (() => void) | undefined;
afterEach(() => restore?.());

describe("voice: transfer to an outside number", () => {
  it("an agent transfers a call through a phone-number quick connect: the number joins the caller, the agent's leg drops, the agent is in ACW", async () => {
    const fx = await makeVoiceInstance({ agents: [{ id: "alice", profile: "all" }] });
    const outside = "+442071234567";
    await db().insert(quickConnects).values([
      { id: `${fx.instanceId}:qc:office`, instanceId: fx.instanceId, name: "Head office", type: "PHONE_NUMBER", phoneNumber: outside },
      { id: `${fx.instanceId}:qc:sales`, instanceId: fx.instanceId, name: "Sales queue", type: "QUEUE", queueId: fx.queueId("sales") },
    ]);
    const net = simulatedTwilio();
    restore = net.restore;
    const { socket: alice, call, contactId, conf } = await callAnsweredBy(fx, net.phone);
    const agentLeg = [...conf.participants.values()].find((p) => p.call.sid !== call.sid)!.call;

    // Only the instance's phone-number quick connects can be dialled.
    const wrongKind = await alice.command({ type: "contact.transfer", contactId, target: { type: "PHONE_NUMBER", quickConnectId: `${fx.instanceId}:qc:sales` } });
    expect(wrongKind).toMatchObject({ type: "error", code: "not_found" });
    const unknown = await alice.command({ type: "contact.transfer", contactId, target: { type: "PHONE_NUMBER", quickConnectId: "demo:qc:billing" } });
    expect(unknown).toMatchObject({ type: "error", code: "not_found" });

    expect((await alice.command({ type: "contact.transfer", contactId, target: { type: "PHONE_NUMBER", quickConnectId: `${fx.instanceId}:qc:office` } })).type).toBe("ack");
    await until(net.phone, () => [...conf.participants.values()].some((p) => p.call.to === outside), "the outside number in the caller's conference");
    await until(net.phone, () => agentLeg.ended, "the agent's leg hung up");
    expect(conf.participants.has(call.sid)).toBe(true);
    await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.state === "AFTER_CONTACT_WORK");
    await eventsInclude(fx.instanceId, contactId, ["CONNECTED", "TRANSFERRED"]);
    expect((await contactRow(fx.instanceId, contactId)).disconnect_reason).toBe("TRANSFERRED_TO_NUMBER");

    // The caller hangs up: the conference ends and the outside leg with it.
    await call.hangup();
    await net.phone.settle();
    const outsideLeg = [...net.phone.calls.values()].find((c) => c.to === outside)!;
    expect(conf.status).toBe("completed");
    expect(outsideLeg.ended).toBe(true);
  });
});
