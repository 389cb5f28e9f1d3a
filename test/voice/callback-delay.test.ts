/**
 * CreateCallbackContact's InitialCallDelaySeconds, with the phone simulator playing Twilio: the
 * callback takes the caller's place in the queue at once but is not offered to an agent before the
 * delay has passed; the queue's alarm (kept in its storage) offers it then.
 */
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { flows, flowVersions, queues } from "../../src/db/schema";
import type { FlowContent } from "../../src/flows";
import { queueRoomName } from "../../src/lib/object-names";
import { voiceContactId } from "../../src/workers/twilio/routes";
import { db } from "../helpers";
import { agentSocket, contactRow, editQueueStorage, eventually } from "../routing/helpers";
import { makeVoiceInstance, simulatedTwilio, straightToSales, until } from "./helpers";

let restore: (() => void) | undefined;
afterEach(() => restore?.());

const CALLER = "+14155550123";

/** Press 1 for a callback made with a two-minute initial delay. */
const offer: FlowContent = {
  Version: "2019-10-30", StartAction: "menu",
  Actions: [
    {
      Identifier: "menu", Type: "GetParticipantInput", Parameters: { Text: "Press 1 to be called back.", StoreInput: "False", InputTimeLimitSeconds: "5" },
      Transitions: {
        NextAction: "end", Conditions: [{ NextAction: "create", Condition: { Operator: "Equals", Operands: ["1"] } }],
        Errors: [{ NextAction: "end", ErrorType: "InputTimeLimitExceeded" }, { NextAction: "end", ErrorType: "NoMatchingCondition" }, { NextAction: "end", ErrorType: "NoMatchingError" }],
      },
    },
    {
      Identifier: "create", Type: "CreateCallbackContact", Parameters: { InitialCallDelaySeconds: "120", RetryDelaySeconds: "60", MaximumConnectionAttempts: "0" },
      Transitions: { NextAction: "confirm", Errors: [{ NextAction: "end", ErrorType: "NoMatchingError" }] },
    },
    { Identifier: "confirm", Type: "MessageParticipant", Parameters: { Text: "We will call you back." }, Transitions: { NextAction: "bye", Errors: [] } },
    { Identifier: "bye", Type: "DisconnectParticipant", Parameters: {}, Transitions: {} },
    { Identifier: "end", Type: "EndFlowExecution", Parameters: {}, Transitions: {} },
  ],
};

describe("voice: a callback's initial delay", () => {
  it("the callback keeps the caller's place but is not offered before InitialCallDelaySeconds; the queue's alarm offers it then", async () => {
    const fx = await makeVoiceInstance({ flow: straightToSales });
    const flowId = `${fx.instanceId}:flow:offer`;
    await db().insert(flows).values({ id: flowId, instanceId: fx.instanceId, name: "Callback offer", type: "CUSTOMER_QUEUE", content: offer, publishedVersion: 1 });
    await db().insert(flowVersions).values({ instanceId: fx.instanceId, flowId, version: 1, content: offer });
    await db().update(queues).set({ customerQueueFlowId: flowId, outboundCallerId: "+15550009999" }).where(eq(queues.id, fx.queueId("sales")));
    const net = simulatedTwilio();
    restore = net.restore;
    const { phone } = net;

    const caller = await phone.call({ from: CALLER, to: fx.number });
    await until(phone, () => caller.heard.includes("Press 1 to be called back."), "the caller offered a callback");
    const callerId = await voiceContactId(fx.instanceId, caller.sid);
    await caller.press("1");
    await until(phone, () => caller.heard.at(-1) === "We will call you back.", "the confirmation");
    const madeAt = Date.now();
    const callback = await eventually(
      () => env.DB.prepare("SELECT id FROM contacts WHERE instance_id = ? AND previous_contact_id = ?").bind(fx.instanceId, callerId).first<{ id: string }>(),
      "the callback contact",
    );
    await eventually(async () => (await contactRow(fx.instanceId, callback.id))?.state === "QUEUED", "the callback queued");

    // An agent is available, yet the callback waits: not offered, not even a candidate.
    await agentSocket(fx, "alice");
    const sales = env.QUEUE_ROOM.getByName(queueRoomName(fx.instanceId, fx.queueId("sales")));
    expect(await sales.peek(fx.agentId("alice"), "VOICE", 0)).toBeNull();
    expect(await sales.position(callback.id)).toMatchObject({ status: "WAITING", position: 1 });
    expect(await sales.snapshot()).toMatchObject({ contactsInQueue: 1, callbacksInQueue: 1 });
    // The queue's alarm is set for when the delay ends.
    const alarm = await runInDurableObject(sales, (_room, state) => state.storage.getAlarm());
    expect(alarm).toBeGreaterThan(madeAt + 100_000);
    expect(alarm).toBeLessThanOrEqual(Date.now() + 120_000);
    await runDurableObjectAlarm(sales);
    expect(await sales.position(callback.id)).toMatchObject({ status: "WAITING" });

    // The delay has passed (the stored time moved back, as the clock would): the alarm offers it.
    await editQueueStorage(sales, (sql) => sql.exec("UPDATE contacts SET offer_after = ? WHERE contact_id = ?", Date.now() - 1, callback.id));
    await runDurableObjectAlarm(sales);
    await eventually(async () => (await sales.position(callback.id)).status === "OFFERED", "the callback offered to Alice");
    expect(await sales.position(callback.id)).toMatchObject({ status: "OFFERED", agentId: fx.agentId("alice") });
  });
});
