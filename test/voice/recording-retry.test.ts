import { env, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { contactRoomName } from "../../src/lib/object-names";
import { agentLegRecording, callOfferedTo, makeVoiceInstance, recordedIvrFlow, simulatedTwilio, until } from "./helpers";

let restore: (() => void) | undefined;
afterEach(() => restore?.());

describe("voice recordings: a failed media fetch is retried", () => {
  it("when Twilio's media download fails, nothing is stored and the recording stays at Twilio; the retry stores it and only then deletes it", async () => {
    const fx = await makeVoiceInstance({
      agents: [{ id: "alice", profile: "all" }],
      // Record the caller once an agent is connected.
      flow: recordedIvrFlow(["Customer"]),
    });
    const net = simulatedTwilio();
    restore = net.restore;
    // The first download of the media fails, as a network error or a Twilio 5xx would.
    let failures = 1;
    const rest = net.phone.rest.bind(net.phone);
    net.phone.rest = async (request: Request) => {
      if (request.method === "GET" && /\/Recordings\/RE\w+\.wav$/.test(new URL(request.url).pathname) && failures-- > 0) {
        return new Response(JSON.stringify({ code: 20500, message: "Internal Server Error" }), { status: 500 });
      }
      return rest(request);
    };
    const { socket: alice, call, contactId } = await callOfferedTo(fx, net.phone);
    alice.send({ type: "contact.accept", contactId });
    const recording = await until(net.phone, () => agentLegRecording(net.phone, call.sid), "recording started");
    await call.hangup();
    await until(net.phone, () => recording.endedAt !== null, "the agent's leg and its recording ended");

    const session = env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, contactId));
    await session.settle();
    const rows = () => env.DB.prepare("SELECT count(*) AS n FROM recordings WHERE contact_id = ?").bind(contactId).first<{ n: number }>();
    // The actions the session still owes, by kind (the post-call transcript waits behind the store).
    const owed = () => runInDurableObject(session, (_o, state) =>
      state.storage.sql.exec<{ kind: string }>("SELECT json_extract(action, '$.kind') AS kind FROM actions ORDER BY seq").toArray().map((a) => a.kind));
    expect((await rows())!.n).toBe(0);
    expect(recording.status).toBe("completed"); // still at Twilio
    expect(await owed()).toEqual(["storeRecording", "transcribeRecordings"]);
    const listed = await env.RECORDINGS.list({ prefix: `${fx.instanceId}/recordings/${contactId}/` });
    expect(listed.objects).toHaveLength(0);

    // The backoff passes; the alarm's work runs the action again.
    await runInDurableObject(session, (_o, state) => {
      state.storage.sql.exec("UPDATE actions SET next_at = ?", Date.now() - 1);
    });
    await session.settle();
    expect((await rows())!.n).toBe(1);
    expect(recording.status).toBe("deleted");
    expect(await owed()).toEqual(["transcribeRecordings"]);
  });
});
