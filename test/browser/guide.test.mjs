// A step-by-step guide in the agent's workspace, in a real browser: a chat's flow names a
// DefaultAgentUI flow; when Alice accepts the chat, its ShowView Form appears in her contact
// panel; Save with the required field empty shows the field's message, filled it goes through,
// the flow continues and shows a Confirmation with what she typed, and Done closes it.
// Screenshots go to test-artifacts/browser/guide-*.png. Run by test/browser/run.mjs.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { DEMO, launchBrowser, screenshot, seriousA11yViolations, signedInApi, signInAvailable, startServer } from "./harness.mjs";

let server;
let browser;
let adminToken;

let adminCall;
const adminApi = (method, path, body) => adminCall(method, path, body);

async function publishedFlow(name, content) {
  const flow = await adminApi("POST", "/flows", { name, type: "CONTACT_FLOW", content });
  await adminApi("POST", `/flows/${encodeURIComponent(flow.id)}/publish`);
  return flow.id;
}

const end = { Identifier: "end", Type: "EndFlowExecution", Parameters: {}, Transitions: {} };

describe("step-by-step guide (ShowView) in the agent workspace", { timeout: 240_000 }, () => {
  before(async () => {
    server = await startServer();
    ({ token: adminToken, call: adminCall } = await signedInApi(server.base, DEMO.admin));
    const guideId = await publishedFlow("Refund guide", {
      Version: "2019-10-30", StartAction: "form",
      Actions: [
        {
          Identifier: "form", Type: "ShowView",
          Parameters: {
            ViewResource: { Id: "arn:aws:connect:us-west-2:aws:view/form:1" }, InvocationTimeLimitSeconds: "600",
            ViewData: { Heading: "Refund request", Sections: [{ Heading: "Details", Items: [{ Type: "FormInput", InputType: "text", Name: "reason", Label: "Reason", Required: true }] }], Next: "Save", Cancel: "Skip" },
          },
          Transitions: { NextAction: "end", Conditions: [{ NextAction: "confirm", Condition: { Operator: "Equals", Operands: ["Next"] } }], Errors: [{ NextAction: "end", ErrorType: "NoMatchingCondition" }, { NextAction: "end", ErrorType: "NoMatchingError" }, { NextAction: "end", ErrorType: "TimeLimitExceeded" }] },
        },
        {
          Identifier: "confirm", Type: "ShowView",
          Parameters: { ViewResource: { Id: "Confirmation" }, ViewData: { Heading: "Refund saved", Body: "Reason: $.Views.ViewResultData.reason", Next: "Done" } },
          Transitions: { NextAction: "end", Errors: [{ NextAction: "end", ErrorType: "NoMatchingError" }] },
        },
        end,
      ],
    });
    const chatFlowId = await publishedFlow("Guided chat", {
      Version: "2019-10-30", StartAction: "hook",
      Actions: [
        { Identifier: "hook", Type: "UpdateContactEventHooks", Parameters: { EventHooks: { DefaultAgentUI: guideId } }, Transitions: { NextAction: "queue", Errors: [{ NextAction: "queue", ErrorType: "NoMatchingError" }] } },
        { Identifier: "queue", Type: "UpdateContactTargetQueue", Parameters: { QueueId: "demo:queue:support" }, Transitions: { NextAction: "transfer", Errors: [{ NextAction: "bye", ErrorType: "NoMatchingError" }] } },
        { Identifier: "transfer", Type: "TransferContactToQueue", Parameters: {}, Transitions: { NextAction: "bye", Errors: [{ NextAction: "bye", ErrorType: "NoMatchingError" }] } },
        { Identifier: "bye", Type: "DisconnectParticipant", Parameters: {}, Transitions: {} },
      ],
    });
    const settings = await adminApi("GET", "/instance/chat");
    await adminApi("PUT", "/instance/chat", { allowedOrigins: settings.allowedOrigins ?? [], flowIds: [...(settings.flowIds ?? []), chatFlowId] });
    server.chatFlowId = chatFlowId;
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("Alice accepts the chat, fills the guide's form (a missing field is named), and the flow goes on to its confirmation", async () => {
    const page = await browser.context.newPage();
    page.setDefaultTimeout(20_000);
    await signInAvailable(page, server.base);

    const started = await fetch(`${server.base}/api/v1/chat/start`, {
      method: "POST", headers: { "content-type": "application/json", origin: "http://localhost:9" },
      body: JSON.stringify({ instanceId: "demo", flowId: server.chatFlowId, customerName: "Grace" }),
    });
    assert.equal(started.status, 201, await started.clone().text());

    await page.getByTestId("offer").getByRole("button", { name: "Accept" }).click();
    const guide = page.getByRole("region", { name: "Refund request" });
    await guide.waitFor();
    await guide.getByRole("button", { name: "Save" }).click();
    await guide.getByText("Reason is required").waitFor();
    assert.equal(await guide.getByRole("textbox", { name: "Reason (required)" }).getAttribute("aria-invalid"), "true");
    await screenshot(page, "guide-form-invalid");
    const violations = await seriousA11yViolations(page);
    assert.deepEqual(violations, [], violations.join("\n"));

    await guide.getByRole("textbox", { name: "Reason (required)" }).fill("Parcel arrived damaged");
    await guide.getByRole("textbox", { name: "Reason (required)" }).press("Enter");
    const confirm = page.getByRole("region", { name: "Refund saved" });
    await confirm.getByText("Reason: Parcel arrived damaged").waitFor();
    await screenshot(page, "guide-confirmation");
    await confirm.getByRole("button", { name: "Done" }).click();
    await confirm.waitFor({ state: "detached" });
    await page.close();
  });
});
