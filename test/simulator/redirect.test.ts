import { describe, expect, it } from "vitest";
import { Phone } from "../../src/simulator/phone";

const ACCOUNT = "ACdeadbeefdeadbeefdeadbeefdeadbeef";
const TOKEN = "dev-only-auth-token-0123456789ab";
const twiml = (body: string) => new Response(`<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>`, { headers: { "content-type": "text/xml" } });

/** A Worker that answers by path; `held` paths wait until released. */
function fakeWorker(answers: Record<string, string>) {
  const held = new Map<string, (r: Response) => void>();
  const seen: string[] = [];
  const transport = async (url: string) => {
    const path = new URL(url).pathname;
    seen.push(path);
    if (path === "/hold-me") return new Promise<Response>((resolve) => held.set(path, resolve));
    return answers[path] !== undefined ? twiml(answers[path]) : new Response(null, { status: 204 });
  };
  return { transport, held, seen };
}

describe("phone simulator: a REST redirect supersedes a request in flight", () => {
  it("the answer to a hold-loop request that arrives after the redirect is not run; the redirect is, once", async () => {
    const worker = fakeWorker({
      "/twilio/voice": `<Say>Please wait.</Say><Play>https://music.example/m.mp3</Play><Redirect>/hold-me</Redirect>`,
      "/bridge": `<Dial><Conference>room-1</Conference></Dial>`,
    });
    const phone = new Phone({ baseUrl: "https://sb.example", accountSid: ACCOUNT, authToken: TOKEN, transport: worker.transport, apiBaseUrl: "https://api.twilio.test" });
    const call = await phone.call({ from: "+14155550123", to: "+15550100" });
    expect(call.wait.kind).toBe("hold-loop");

    // The hold loop comes round; while its request is in flight, the Worker redirects the call.
    const round = call.advance();
    await new Promise((r) => setTimeout(r, 10));
    expect(worker.held.has("/hold-me")).toBe(true);
    const rest = await phone.rest(new Request(`https://api.twilio.test/2010-04-01/Accounts/${ACCOUNT}/Calls/${call.sid}.json`, {
      method: "POST",
      headers: { authorization: `Basic ${btoa(`${ACCOUNT}:${TOKEN}`)}`, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ Url: "https://sb.example/bridge" }),
    }));
    expect(rest.status).toBe(200);
    // The late answer would have put the caller in a conference of its own.
    worker.held.get("/hold-me")!(twiml(`<Dial><Conference>stale-room</Conference></Dial>`));
    await round;
    expect(phone.events.filter((e) => e.type === "discarded").map((e) => e.type === "discarded" && new URL(e.url).pathname)).toEqual(["/hold-me"]);
    expect(call.wait.kind).toBe("none");
    expect(call.pending).toMatchObject({ url: "https://sb.example/bridge" });

    await phone.settle();
    expect(call.wait).toMatchObject({ kind: "conference", name: "room-1" });
    const joins = phone.events.filter((e) => e.type === "conference" && e.callSid === call.sid);
    expect(joins.map((e) => e.type === "conference" && `${e.name}:${e.action}`)).toEqual(["room-1:join"]);
  });

  it("the answer to a request that arrives after the caller hung up is not run: the call stays ended", async () => {
    const worker = fakeWorker({ "/twilio/voice": `<Say>Please wait.</Say><Redirect>/hold-me</Redirect>` });
    const phone = new Phone({ baseUrl: "https://sb.example", accountSid: ACCOUNT, authToken: TOKEN, transport: worker.transport });
    const call = await phone.call({ from: "+14155550123", to: "+15550100" });
    const round = call.advance();
    await new Promise((r) => setTimeout(r, 10));
    await call.hangup();
    worker.held.get("/hold-me")!(twiml(`<Say>Still there?</Say><Redirect>/hold-me</Redirect>`));
    await round;
    expect(call.ended).toBe(true);
    expect(call.heard).not.toContain("Still there?");
  });
});
