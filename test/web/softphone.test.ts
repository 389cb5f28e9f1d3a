/// <reference types="vite/client" />
import { describe, expect, it } from "vitest";
import cspHeaders from "../../src/web/public/_headers?raw";
import { agentClientAddress, agentLegChoice, legForAcceptedContact, supervisorClientAddress, supervisorLegChoice } from "../../src/shared/softphone";
import type { AgentContact } from "../../src/shared/wire";

const contact = (contactId: string, state: AgentContact["state"], channel: AgentContact["channel"] = "VOICE") => ({ contactId, state, channel }) as AgentContact;
const params = (to: string) => new Map(new URLSearchParams(to.split("?")[1] ?? ""));

describe("the browser softphone answers only its agent's accepted calls", () => {
  it("answers a leg naming a voice contact the agent accepted, placed or holds", () => {
    for (const state of ["CONNECTED", "ON_HOLD", "DIALLING", "RINGING"] as const) {
      expect({ state, answer: legForAcceptedContact(params(agentClientAddress("u:alice", "c-1")), [contact("c-1", state)]) }).toEqual({ state, answer: true });
    }
  });

  it("rejects a leg with no contact, another contact, one still ringing as an offer, a chat, or one in after contact work", () => {
    expect(legForAcceptedContact(new Map(), [contact("c-1", "CONNECTED")])).toBe(false);
    expect(legForAcceptedContact(undefined, [contact("c-1", "CONNECTED")])).toBe(false);
    expect(legForAcceptedContact(params(agentClientAddress("u:alice", "c-2")), [contact("c-1", "CONNECTED")])).toBe(false);
    expect(legForAcceptedContact(params(agentClientAddress("u:alice", "c-1")), [contact("c-1", "INCOMING")])).toBe(false);
    expect(legForAcceptedContact(params(agentClientAddress("u:alice", "c-1")), [contact("c-1", "CONNECTED", "CHAT")])).toBe(false);
    expect(legForAcceptedContact(params(agentClientAddress("u:alice", "c-1")), [contact("c-1", "AFTER_CONTACT_WORK")])).toBe(false);
  });
});

describe("a user's agent workspace and live dashboard each answer their own legs", () => {
  it("the dashboard answers a supervisor leg into a call it asked to supervise, lets other calls' and agent legs ring on, rejects a leg that is nobody's", () => {
    const asked = new Set(["c-1"]);
    expect(supervisorLegChoice(params(supervisorClientAddress("u:carol", "c-1")), asked)).toBe("accept");
    // Perhaps another dashboard tab of theirs asked for it.
    expect(supervisorLegChoice(params(supervisorClientAddress("u:carol", "c-2")), asked)).toBe("ignore");
    // Their agent workspace's leg: the workspace answers it.
    expect(supervisorLegChoice(params(agentClientAddress("u:carol", "c-1")), asked)).toBe("ignore");
    expect(supervisorLegChoice(new Map(), asked)).toBe("reject");
    expect(supervisorLegChoice(undefined, asked)).toBe("reject");
  });

  it("the workspace lets a supervisor leg ring on for the dashboard, answers its accepted contact's leg, and rejects any other once it waited", async () => {
    const contacts = [contact("c-1", "CONNECTED")];
    const choose = agentLegChoice(() => contacts, 0);
    expect(await choose(params(supervisorClientAddress("u:carol", "c-1")))).toBe("ignore");
    expect(await choose(params(agentClientAddress("u:carol", "c-1")))).toBe("accept");
    expect(await choose(params(agentClientAddress("u:carol", "c-2")))).toBe("reject");
    expect(await choose(new Map())).toBe("reject");
  });

  it("the workspace answers a leg whose contact shows accepted only after it rang (the socket's update trailing Twilio's ring)", async () => {
    const contacts: AgentContact[] = [];
    const answered = agentLegChoice(() => contacts, 2000)(params(agentClientAddress("u:alice", "c-1")));
    setTimeout(() => contacts.push(contact("c-1", "CONNECTED")), 300);
    expect(await answered).toBe("accept");
  });
});

describe("the app's Content-Security-Policy", () => {
  const csp = cspHeaders.match(/Content-Security-Policy: (.+)/)![1]!;
  const directive = (name: string) => csp.split(";").map((d) => d.trim().split(/\s+/)).find((d) => d[0] === name)?.slice(1) ?? [];

  it("lets the Twilio Voice SDK signal, report call quality and play its sounds (its README's hosts, default edge)", () => {
    expect(directive("connect-src")).toEqual(expect.arrayContaining(["'self'", "wss://voice-js.roaming.twilio.com", "https://eventgw.twilio.com", "https://sdk.twilio.com", "https://media.twiliocdn.com"]));
    expect(directive("media-src")).toEqual(expect.arrayContaining(["'self'", "mediastream:", "https://sdk.twilio.com", "https://media.twiliocdn.com"]));
  });

  it("still runs only the app's own scripts and refuses framing", () => {
    expect(directive("script-src")).toEqual(["'self'"]);
    expect(directive("frame-ancestors")).toEqual(["'none'"]);
  });
});
