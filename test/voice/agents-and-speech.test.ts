import { env, runDurableObjectAlarm } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { contactRoomName } from "../../src/lib/object-names";
import { voiceContactId } from "../../src/workers/twilio/routes";
import { agentSocket, editQueueStorage, eventsInclude } from "../routing/helpers";
import { callOfferedTo, ivrFlow, makeVoiceInstance, simulatedTwilio, until } from "./helpers";

let restore: (() => void) | undefined;
afterEach(() => restore?.());

describe("voice: an agent misses the offer", () => {
  it("the caller keeps waiting in the queue loop, the agent goes Missed, and the next agent gets the call", async () => {
    const fx = await makeVoiceInstance({});
    const net = simulatedTwilio();
    restore = net.restore;
    const { socket: alice, call, contactId } = await callOfferedTo(fx, net.phone);
    // The ring time passes without an answer: the queue's alarm takes the offer back.
    const queue = env.QUEUE_ROOM.getByName(`${fx.instanceId}:${fx.queueId("sales")}`);
    await editQueueStorage(queue, (sql) => {
      sql.exec("UPDATE contacts SET expires_at = ? WHERE contact_id = ?", Date.now() - 1, contactId);
    });
    expect(await runDurableObjectAlarm(queue)).toBe(true);
    expect(await alice.next("offer.withdrawn")).toMatchObject({ contactId, reason: "TIMED_OUT" });
    expect((await alice.next("state.change")).status.kind).toBe("MISSED");
    // Nothing happened to the call: the caller is still in the queue loop.
    await call.advance();
    expect(call.wait.kind).toBe("hold-loop");
    expect(net.phone.conferences.size).toBe(0);
    const bob = await agentSocket(fx, "bob");
    expect((await bob.next("offer")).contact.contactId).toBe(contactId);
    bob.send({ type: "contact.accept", contactId });
    await until(net.phone, () => [...net.phone.conferences.values()].some((c) => c.participants.has(call.sid) && c.participants.size === 2), "caller with Bob");
    await eventsInclude(fx.instanceId, contactId, ["OFFERED", "MISSED", "OFFERED", "CONNECTED"]);
  });
});

describe("voice: speech input", () => {
  it("a menu with word conditions listens for speech, and what the caller says picks the branch", async () => {
    const fx = await makeVoiceInstance({
      flow: (q) => {
        const flow = ivrFlow(q);
        const menu = flow.Actions.find((a) => a.Identifier === "menu")!;
        menu.Parameters = { Text: "Say sales or support.", InputTimeLimitSeconds: "5", StoreInput: "False" };
        menu.Transitions!.Conditions = [
          { NextAction: "to-sales", Condition: { Operator: "Equals", Operands: ["sales"] } },
          { NextAction: "to-support", Condition: { Operator: "Equals", Operands: ["support"] } },
        ];
        return flow;
      },
    });
    const net = simulatedTwilio();
    restore = net.restore;
    const call = await net.phone.call({ from: "+14155550123", to: fx.number });
    const gather = net.phone.events.find((e) => e.type === "gather");
    expect(gather).toMatchObject({ input: "dtmf speech" });
    await call.say("Sales");
    expect(call.wait.kind).toBe("hold-loop");
    const contactId = await voiceContactId(fx.instanceId, call.sid);
    const snap = await env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, contactId)).snapshot();
    expect(snap).toMatchObject({ phase: "QUEUED", queueId: fx.queueId("sales") });
    expect(snap!.flowState!.attributes).toEqual({ intent: "sales" });
  });
});
