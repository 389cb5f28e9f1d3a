import { env } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { voiceContactId } from "../../src/workers/twilio/routes";
import { agentSocket, editQueueStorage } from "../routing/helpers";
import { makeVoiceInstance, simulatedTwilio, until } from "./helpers";

let restore: (() => void) | undefined;
afterEach(() => restore?.());

describe("voice: a lost CONNECTED notification", () => {
  it("the caller's next round of the queue loop finds the contact connected and bridges it to the agent", async () => {
    const fx = await makeVoiceInstance({ agents: [{ id: "alice", profile: "all" }] });
    const net = simulatedTwilio();
    restore = net.restore;
    const alice = await agentSocket(fx, "alice");
    const call = await net.phone.call({ from: "+14155550123", to: fx.number });
    await call.press("1");
    const contactId = await voiceContactId(fx.instanceId, call.sid);
    await alice.next("offer");
    // Routing's CONNECTED to the contact's object gets lost (delivery is best-effort): here it is
    // sent to an object of another name, which has no session and ignores it.
    const queue = env.QUEUE_ROOM.getByName(`${fx.instanceId}:${fx.queueId("sales")}`);
    await editQueueStorage(queue, (sql) => {
      sql.exec("UPDATE contacts SET notify = ? WHERE contact_id = ?",
        JSON.stringify({ binding: "CONTACT_SESSION", name: `${fx.instanceId}:nobody-here` }), contactId);
    });
    alice.send({ type: "contact.accept", contactId });
    await alice.next("contact.update", (m) => m.contact.state === "CONNECTED");
    await net.phone.settle();
    expect(net.phone.conferences.size).toBe(0); // nothing told the call yet
    // The caller's queue loop comes round: the session learns from the queue and bridges.
    await call.advance();
    await until(net.phone, () => [...net.phone.conferences.values()].some((c) => c.participants.has(call.sid) && c.participants.size === 2), "caller bridged to Alice");
  });
});
