/**
 * A flow that sends the caller to an outside number for good (TransferParticipantToThirdParty,
 * ContinueFlowExecution False): the contact record says it was transferred to a number, not
 * abandoned, and the number is sealed in its event.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { FlowContent } from "../../src/flows";
import { voiceContactId } from "../../src/workers/twilio/routes";
import { contactEvents, contactRow } from "../routing/helpers";
import { makeVoiceInstance, settleContact, simulatedTwilio, until } from "./helpers";

let restore: (() => void) | undefined;
afterEach(() => restore?.());

const OFFICE = "+442071234567";

function sendToOffice(): FlowContent {
  return {
    Version: "2019-10-30",
    StartAction: "outside",
    Actions: [
      {
        Identifier: "outside", Type: "TransferParticipantToThirdParty",
        Parameters: { ThirdPartyPhoneNumber: OFFICE, ThirdPartyConnectionTimeLimitSeconds: "30", ContinueFlowExecution: "False" },
        Transitions: { NextAction: "bye", Errors: [{ NextAction: "bye", ErrorType: "NoMatchingError" }] },
      },
      { Identifier: "bye", Type: "DisconnectParticipant", Parameters: {}, Transitions: {} },
    ],
  };
}

describe("voice: a flow's transfer to an outside number", () => {
  it("records TRANSFERRED (number sealed) with disconnect reason TRANSFERRED_TO_NUMBER, and stays so when the call ends", async () => {
    const fx = await makeVoiceInstance({ flow: sendToOffice });
    const net = simulatedTwilio();
    restore = net.restore;
    const call = await net.phone.call({ from: "+14155550199", to: fx.number });
    await until(net.phone, () => net.phone.events.some((e) => e.type === "dial" && e.to === OFFICE), "the office dialled");
    const contactId = await voiceContactId(fx.instanceId, call.sid);

    // The caller and the office talk, then hang up: the contact was transferred, not abandoned.
    await call.hangup();
    await net.phone.settle();
    await settleContact(fx.instanceId, contactId);
    const row = await contactRow(fx.instanceId, contactId);
    expect(row).toMatchObject({ state: "TRANSFERRED", disconnect_reason: "TRANSFERRED_TO_NUMBER" });
    expect(row.ended_at).not.toBeNull();
    const events = await contactEvents(fx.instanceId, contactId);
    expect(events.map((e) => e.type)).toContain("TRANSFERRED");
    expect(events.map((e) => e.type)).not.toContain("ABANDONED");
    const transferred = events.find((e) => e.type === "TRANSFERRED")!;
    expect(JSON.parse(transferred.data!)).toMatchObject({ by: "FLOW", sealed: expect.any(String) });
    expect(transferred.data).not.toContain(OFFICE.slice(1));
  });
});
