/**
 * A voice action that fails (Twilio refusing to add the outside number, say) is logged for the
 * operator without the number it was dialling, and without a number Twilio's error quotes.
 */
import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { quickConnects } from "../../src/db/schema";
import { db } from "../helpers";
import { callAnsweredBy, makeVoiceInstance, simulatedTwilio, until } from "./helpers";

const realFetch = globalThis.fetch;
const restores: (() => void)[] = [];
afterEach(() => { while (restores.length) restores.pop()!(); });

describe("voice: console lines without phone numbers", () => {
  it("a transfer to a number that Twilio refuses is logged as failed with neither the number nor Twilio's quote of it", async () => {
    const fx = await makeVoiceInstance({ agents: [{ id: "alice", profile: "all" }] });
    const outside = "+442071239876";
    await db().insert(quickConnects).values({ id: `${fx.instanceId}:qc:office`, instanceId: fx.instanceId, name: "Head office", type: "PHONE_NUMBER", phoneNumber: outside });
    const net = simulatedTwilio();
    restores.push(net.restore);
    const { socket: alice, contactId } = await callAnsweredBy(fx, net.phone);

    // Twilio refuses to add the participant, quoting the number (as its 21211 error does).
    const refuse = vi.spyOn(globalThis, "fetch").mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      if (request.url.startsWith(env.TWILIO_API_BASE_URL) && /\/Participants\.json$/.test(new URL(request.url).pathname) && request.method === "POST") {
        return Response.json({ code: 21211, message: `The 'To' number ${outside} is not a valid phone number.`, status: 400 }, { status: 400 });
      }
      return request.url.startsWith(env.TWILIO_API_BASE_URL) ? net.phone.rest(request) : realFetch(input, init);
    });
    restores.push(() => refuse.mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      return request.url.startsWith(env.TWILIO_API_BASE_URL) ? net.phone.rest(request) : realFetch(input, init);
    }));
    const lines: string[] = [];
    for (const level of ["log", "info", "warn", "error"] as const) {
      const spy = vi.spyOn(console, level).mockImplementation((...args: unknown[]) => { lines.push(args.map(String).join(" ")); });
      restores.push(() => spy.mockRestore());
    }

    expect((await alice.command({ type: "contact.transfer", contactId, target: { type: "PHONE_NUMBER", quickConnectId: `${fx.instanceId}:qc:office` } })).type).toBe("ack");
    const failed = await until(net.phone, () => lines.find((l) => l.includes("contact_action_failed")), "the failed action logged");
    expect(failed).toContain("transferToNumber");
    expect(lines.join("\n")).not.toContain(outside.slice(1));
  });
});
