// A queued callback in a real browser: a caller waiting in Support presses 1 to be called back
// (the queue's CUSTOMER_QUEUE flow), hears the confirmation and hangs up; Alice goes Available and
// is offered the callback, marked as one; she accepts and Twilio (the phone simulator) calls her
// leg first, then the customer. Run by test/browser/run.mjs.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { assertText, DEMO, launchBrowserForContexts, signIn, startServerWithPhone, waitFor, signedInApi, routeDemoNumberTo } from "./harness.mjs";

const CALLER = "+14155550166";
const CALLER_ID = "+15550009999";
const SUPPORT = "demo:queue:support";

let server;
let stopServer;
let phone;
let browser;
let page;
let adminToken;
let settling = true;

let adminCall;
const adminApi = (method, path, body) => adminCall(method, path, body);

const say = (id, text, next) => ({ Identifier: id, Type: "MessageParticipant", Parameters: { Text: text }, Transitions: { NextAction: next, Errors: [] } });

describe("queued callbacks in the agent workspace", { timeout: 300_000 }, () => {
  before(async () => {
    ({ server, phone, stop: stopServer } = await startServerWithPhone());
    // Twilio acts on what its API accepted a moment later: the simulator's queued work, run in the background.
    void (async () => {
      while (settling) {
        await phone.settle().catch(() => {});
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    ({ token: adminToken, call: adminCall } = await signedInApi(server.base, DEMO.admin));
    await adminApi("PATCH", "/instance", { publicBaseUrl: server.base });
    const offer = await adminApi("POST", "/flows", {
      name: "Callback offer", type: "CUSTOMER_QUEUE",
      content: {
        Version: "2019-10-30", StartAction: "menu",
        Actions: [
          {
            Identifier: "menu", Type: "GetParticipantInput", Parameters: { Text: "Press 1 to be called back.", StoreInput: "False", InputTimeLimitSeconds: "5" },
            Transitions: { NextAction: "hold", Conditions: [{ NextAction: "create", Condition: { Operator: "Equals", Operands: ["1"] } }], Errors: [{ NextAction: "hold", ErrorType: "InputTimeLimitExceeded" }, { NextAction: "hold", ErrorType: "NoMatchingCondition" }, { NextAction: "hold", ErrorType: "NoMatchingError" }] },
          },
          { Identifier: "create", Type: "CreateCallbackContact", Parameters: { RetryDelaySeconds: "60", MaximumConnectionAttempts: "0" }, Transitions: { NextAction: "confirm", Errors: [{ NextAction: "hold", ErrorType: "NoMatchingError" }] } },
          say("confirm", "We will call you back.", "bye"),
          say("hold", "Please hold.", "end"),
          { Identifier: "bye", Type: "DisconnectParticipant", Parameters: {}, Transitions: {} },
          { Identifier: "end", Type: "EndFlowExecution", Parameters: {}, Transitions: {} },
        ],
      },
    });
    await adminApi("POST", `/flows/${encodeURIComponent(offer.id)}/publish`);
    await adminApi("PATCH", `/queues/${encodeURIComponent(SUPPORT)}`, { customerQueueFlowId: offer.id, outboundCallerId: CALLER_ID });
    await routeDemoNumberTo(adminApi, SUPPORT);
    browser = await launchBrowserForContexts();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, reducedMotion: "reduce" });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
  });

  after(async () => {
    settling = false;
    await browser?.close();
    await stopServer?.();
  });

  it("the caller asks for a callback in queue; the agent is offered it as a callback, accepts, and is called first, then the customer", async () => {
    const call = await phone.call({ from: CALLER, to: "+15550100" });
    await waitFor(() => call.heard.includes("Press 1 to be called back."), "the callback offer");
    await call.press("1");
    await waitFor(() => call.heard.at(-1) === "We will call you back.", "the confirmation");
    await call.advance();
    await waitFor(() => call.ended, "the caller's call to end");

    await signIn(page, server.base, { email: DEMO.alice.email, password: DEMO.alice.password });
    await page.waitForURL(`${server.base}/workspace`);
    await page.getByLabel("Change status to").selectOption({ label: "Available" });
    await page.getByRole("button", { name: "Set status" }).click();
    const offer = page.getByTestId("offer");
    await offer.waitFor();
    await assertText(page.getByTestId("offer-caller"), CALLER);
    await assertText(page.getByTestId("offer-queue"), "Support");
    await assertText(page.getByTestId("offer-callback"), "Callback");
    await offer.getByRole("button", { name: "Accept" }).click();

    const created = () => phone.events.filter((e) => e.type === "call-created" && e.direction === "outbound-api");
    await waitFor(() => created().length >= 2, "the agent's leg and the customer dialled");
    assert.deepEqual(created().slice(0, 2).map((e) => [e.to, e.from]), [["client:demo:user:alice", CALLER_ID], [CALLER, CALLER_ID]]);
  });
});
