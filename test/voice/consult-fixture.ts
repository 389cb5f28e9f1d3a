/**
 * The consult fixture: alice (sales first, then support) answers a call and consults the Support
 * queue, where bob (support only) takes it. Used by the tests of what can go wrong in between
 * (a lost status callback, a lost dial answer).
 */
import { expect } from "vitest";
import { quickConnects } from "../../src/db/schema";
import type { Phone } from "../../src/simulator";
import { db } from "../helpers";
import { agentSocket, type TestSocket } from "../routing/helpers";
import { callAnsweredBy, makeVoiceInstance, until } from "./helpers";

/** An instance with alice and bob as above and a quick connect to the Support queue (`supportQc`). */
export async function makeConsultInstance() {
  const fx = await makeVoiceInstance({
    profiles: [
      { id: "all", voice: 1, queues: [{ queueId: "sales", priority: 1 }, { queueId: "support", priority: 2 }] },
      { id: "support", voice: 1, queues: [{ queueId: "support", priority: 1 }] },
    ],
    agents: [{ id: "alice", profile: "all" }, { id: "bob", profile: "support" }],
  });
  const supportQc = `${fx.instanceId}:qc:support`;
  await db().insert(quickConnects).values({ id: supportQc, instanceId: fx.instanceId, name: "Support", type: "QUEUE", queueId: fx.queueId("support") });
  return { ...fx, supportQc };
}

/** A call answered by alice, and bob's socket (Available): nothing consulted yet. */
export async function callWithBobAvailable(fx: Awaited<ReturnType<typeof makeConsultInstance>>, phone: Phone) {
  const answered = await callAnsweredBy(fx, phone);
  const bob = await agentSocket(fx, "bob");
  return { ...answered, alice: answered.socket, bob };
}

/** Alice consults Support, bob accepts the offer: resolves with bob's leg once it is in the call's conference. */
export async function bobTakesConsult(
  fx: Awaited<ReturnType<typeof makeConsultInstance>>,
  phone: Phone,
  { alice, bob, contactId, conf }: { alice: TestSocket; bob: TestSocket; contactId: string; conf: { participants: Map<string, unknown> } },
) {
  expect((await alice.command({ type: "contact.consult", contactId, quickConnectId: fx.supportQc })).type).toBe("ack");
  await bob.next("offer");
  expect((await bob.command({ type: "contact.accept", contactId })).type).toBe("ack");
  const toBob = (to: string) => to.startsWith(`client:${fx.agentId("bob")}`);
  return until(phone, () => [...phone.calls.values()].find((c) => toBob(c.to) && conf.participants.has(c.sid)), "bob's leg in the call's conference");
}
