import { env, SELF } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { contactRoomName } from "../../src/lib/object-names";
import { parseWavHeader } from "../../src/analytics/wav";
import { recordingMedia } from "../../src/simulator/recording";
import { createSession } from "../../src/workers/auth/sessions";
import { db } from "../helpers";
import { agentLegRecording, callOfferedTo, makeVoiceInstance, recordedIvrFlow, simulatedTwilio, until } from "./helpers";

let restore: (() => void) | undefined;
afterEach(() => restore?.());

describe("voice recordings: flow → Twilio → encrypted R2 → playback", () => {
  it("records a connected call as the flow asked, stores it encrypted, deletes it from Twilio and plays it back to a permitted user", async () => {
    const fx = await makeVoiceInstance({
      agents: [{ id: "alice", profile: "all" }],
      // Record both sides once an agent is connected.
      flow: recordedIvrFlow(["Agent", "Customer"]),
    });
    const net = simulatedTwilio();
    restore = net.restore;
    const { socket: alice, call, contactId } = await callOfferedTo(fx, net.phone);
    // Nothing is recorded in the IVR or the queue.
    expect(net.phone.recordings.size).toBe(0);
    alice.send({ type: "contact.accept", contactId });
    const recording = await until(net.phone, () => agentLegRecording(net.phone, call.sid), "recording started");
    expect(recording.channels).toBe(2);
    net.phone.advanceClock(3);
    await call.hangup();

    const session = env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, contactId));
    // The agent's leg is hung up after the caller's (Twilio acts on it at the simulator's next settle): its recording ends with it.
    const stored = await until(net.phone, async () => {
      await session.settle();
      return env.DB.prepare("SELECT * FROM recordings WHERE instance_id = ? AND contact_id = ?").bind(fx.instanceId, contactId).first<any>();
    }, "recording row");
    expect(stored).toMatchObject({ external_id: recording.sid, channels: 2, kind: "recording" });
    // Deleted from Twilio once stored.
    expect(recording.status).toBe("deleted");
    // The object in R2 is not the WAV Twilio served.
    const object = await env.RECORDINGS.get(stored.r2_key);
    const sealed = new Uint8Array(await object!.arrayBuffer());
    expect(new TextDecoder().decode(sealed.slice(0, 4))).not.toBe("RIFF");

    // Without "recordings.listen" playback is refused; with it, the decrypted WAV plays (Range works).
    const { token: listener } = await createSession(db(), { id: fx.agentId("alice"), instanceId: fx.instanceId });
    await env.DB.prepare("UPDATE users SET security_profile_id = ? WHERE id = ?").bind(`${fx.instanceId}:sp:none`, fx.agentId("alice")).run();
    const refused = await SELF.fetch(`https://switchboard.test/api/v1/recordings/${stored.id}/media`, { headers: { authorization: `Bearer ${listener}` } });
    expect(refused.status).toBe(403);
    await env.DB.prepare("UPDATE security_profiles SET permissions = ? WHERE id = ?").bind(JSON.stringify(["recordings.listen"]), `${fx.instanceId}:sp:none`).run();
    const played = await SELF.fetch(`https://switchboard.test/api/v1/recordings/${stored.id}/media`, { headers: { authorization: `Bearer ${listener}` } });
    expect(played.status).toBe(200);
    const wav = new Uint8Array(await played.arrayBuffer());
    expect(new TextDecoder().decode(wav.slice(0, 4))).toBe("RIFF");
    expect(parseWavHeader(wav)!.format.dataBytes).toBe(8000 * 2 * recording.duration);
    expect(wav.length).toBe(recordingMedia(recording).length);
    const ranged = await SELF.fetch(`https://switchboard.test/api/v1/recordings/${stored.id}/media`, {
      headers: { authorization: `Bearer ${listener}`, range: "bytes=0-3" },
    });
    expect(ranged.status).toBe(206);
    expect(new TextDecoder().decode(await ranged.arrayBuffer())).toBe("RIFF");
  });
});
