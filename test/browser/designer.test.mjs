// The flow designer in a real browser: from an empty canvas, the admin builds the demo IVR by
// dragging blocks from the palette and connecting their branches (a greeting, a menu, set the
// working queue, transfer to the queue, disconnect), fills each block's form, sees the JSON
// follow, undoes and redoes, publishes, gives the flow the demo number, and a call placed with
// the phone simulator goes through it: the greeting is heard and pressing 1 queues the caller
// in Billing. Run by test/browser/run.mjs (npm run test:browser).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { apiFromPage, assertText, DEMO, launchBrowser, screenshot, seriousA11yViolations, signIn, startServerWithPhone, waitFor } from "./harness.mjs";

let server;
let phone;
let stopServer;
let browser;
let page;
const NAME = `Designed IVR ${Date.now().toString(36)}`;
const GREETING = "Welcome to Demo Company, built in the designer.";

describe("flow designer", { timeout: 420_000 }, () => {
  before(async () => {
    ({ server, phone, stop: stopServer } = await startServerWithPhone());
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.setDefaultTimeout(15_000);
  });

  after(async () => {
    await browser?.close();
    await stopServer?.();
  });

  it("builds the demo IVR by dragging, publishes it, and a call goes through it to the queue", async (t) => {
    t.after(async () => void (await screenshot(page, "flow-designer-last").catch(() => {})));
    await signIn(page, server.base, DEMO.admin);
    assert.equal((await apiFromPage(page, "PATCH", "/instance", { publicBaseUrl: server.base })).status, 200);

    // A new flow from the starter, then an empty canvas: its two blocks deleted (button and key).
    await page.goto(`${server.base}/flows/new`);
    await page.getByLabel("Write a new flow").check();
    await page.getByLabel("Name", { exact: true }).fill(NAME);
    await page.getByRole("button", { name: "Create flow" }).click();
    await page.getByRole("heading", { name: `Flow: ${NAME}` }).waitFor();
    const canvas = page.getByTestId("flow-graph");
    const node = (id) => canvas.locator(`.react-flow__node[data-id="${id}"]`);
    const json = page.getByLabel("Flow content (JSON)");
    // The starter has no positions: moving one block fixes every block's place in Metadata.
    await node("greeting").dragTo(canvas, { targetPosition: { x: 60, y: 260 } });
    const placed = JSON.parse(await json.inputValue()).Metadata.ActionMetadata;
    assert.deepEqual(Object.keys(placed).sort(), ["bye", "greeting"]);
    await node("greeting").click();
    await page.getByRole("region", { name: "Block greeting" }).getByRole("button", { name: "Delete block" }).click();
    await node("bye").click();
    await page.keyboard.press("Delete");
    await assertText(canvas, "The canvas is empty");
    assert.deepEqual(JSON.parse(await json.inputValue()).Actions, []);

    // Drag each block from the palette to its place on the canvas, and fill its form.
    await canvas.scrollIntoViewIfNeeded();
    const box = await canvas.boundingBox();
    const drop = async (label, x, y) => {
      await page.getByRole("button", { name: `Add block: ${label}`, exact: true }).dragTo(canvas, { targetPosition: { x, y } });
    };
    const form = (id) => page.getByRole("region", { name: `Block ${id}` });
    const at = (fx, fy) => [Math.round(box.width * fx), Math.round(box.height * fy)];
    await drop("Play prompt", ...at(0.02, 0.08));
    await form("play-prompt").getByLabel("Text to say").fill(GREETING);
    await drop("Get customer input", ...at(0.36, 0.08));
    await form("get-customer-input").getByLabel("Text to say").fill("For billing, press 1.");
    await form("get-customer-input").getByLabel("Values to match (comma-separated)").fill("1");
    await drop("Set working queue", ...at(0.7, 0.04));
    await form("set-working-queue").getByLabel("Queue (required)").selectOption({ label: "Billing" });
    await drop("Transfer to queue", ...at(0.7, 0.5));
    await drop("Disconnect", ...at(0.36, 0.72));
    assert.equal(await canvas.locator(".react-flow__node").count(), 5);
    assert.equal(await canvas.locator(".react-flow__node.start").getAttribute("data-id"), "play-prompt", "the first block placed starts the flow");

    // Connect branches by dragging from a branch's handle to a block.
    const wire = async (from, handle, to) => {
      await node(from).locator(`.react-flow__handle[data-handleid="${handle}"]`).dragTo(node(to).locator('.react-flow__handle[data-handleid="in"]'));
    };
    await wire("play-prompt", "next", "get-customer-input");
    await wire("get-customer-input", "condition:0", "set-working-queue");
    await wire("set-working-queue", "next", "transfer-to-queue");
    // A branch dropped on the block itself (not its handle) connects too.
    await node("transfer-to-queue").locator('.react-flow__handle[data-handleid="next"]').dragTo(node("disconnect").locator(".flow-node-type"));
    await wire("get-customer-input", "next", "disconnect");
    // The keyboard's way: the block's form lists its branches, each with where it goes.
    await node("get-customer-input").click();
    await form("get-customer-input").getByLabel("On error InputTimeLimitExceeded: go to").selectOption("disconnect");
    // React Flow draws edges after it has measured the handles: wait for all six.
    await waitFor(async () => (await canvas.locator(".react-flow__edge").count()) === 6, "the six branches drawn", 10_000);

    // The JSON follows the graph: Amazon Connect's transitions, and positions in Metadata.
    let content = JSON.parse(await json.inputValue());
    const menu = content.Actions.find((a) => a.Identifier === "get-customer-input");
    assert.deepEqual(menu.Transitions.Conditions, [{ NextAction: "set-working-queue", Condition: { Operator: "Equals", Operands: ["1"] } }]);
    assert.equal(menu.Transitions.NextAction, "disconnect");
    assert.equal(content.Actions.find((a) => a.Identifier === "set-working-queue").Parameters.QueueId, "demo:queue:billing");
    assert.equal(typeof content.Metadata.ActionMetadata["transfer-to-queue"].position.x, "number");

    // Undo takes the last connection away, redo puts it back.
    await page.getByRole("button", { name: "Undo" }).click();
    assert.equal(await canvas.locator(".react-flow__edge").count(), 5);
    assert.equal(JSON.parse(await json.inputValue()).Actions.find((a) => a.Identifier === "get-customer-input").Transitions.Errors, undefined);
    await page.getByRole("button", { name: "Redo" }).click();
    assert.equal(await canvas.locator(".react-flow__edge").count(), 6);

    // The graph follows the JSON: a prompt edited in the text shows on its block.
    await json.fill((await json.inputValue()).replace('"For billing, press 1."', '"For billing, press 1 now."'));
    await assertText(node("get-customer-input"), "For billing, press 1 now.");

    // A problem found at save is shown on its block and at its field in the block's form.
    await node("get-customer-input").click();
    await form("get-customer-input").getByLabel("Seconds to wait for input").fill("500");
    await page.getByRole("button", { name: "Save draft" }).click();
    await assertText(page.getByRole("alert").first(), "The flow was not saved");
    await canvas.locator(".react-flow__node.has-problem").first().waitFor();
    assert.equal(await canvas.locator(".react-flow__node.has-problem").getAttribute("data-id"), "get-customer-input");
    await assertText(form("get-customer-input").locator(".field.invalid"), "must be a whole number of seconds from 1 to 180");
    await form("get-customer-input").getByLabel("Seconds to wait for input").fill("5");

    await page.getByRole("button", { name: "Auto-layout" }).click();
    await screenshot(page, "flow-designer-built");
    assert.deepEqual(await seriousA11yViolations(page), []);
    await page.getByRole("button", { name: "Save and publish" }).click();
    await assertText(page.locator(".flow-meta"), "Published version 1");

    // The demo number now runs this flow.
    await page.goto(`${server.base}/phone-numbers`);
    await page.getByRole("link", { name: "+15550100" }).click();
    await page.getByLabel("Inbound flow").selectOption({ label: NAME });
    await page.getByRole("button", { name: /^Save/ }).click();
    await assertText(page.getByRole("status"), "saved");

    const caller = "+14155550177";
    const call = await phone.call({ from: caller, to: "+15550100" });
    await phone.settle();
    assert.ok(call.heard.includes(GREETING), `the greeting is heard (heard: ${JSON.stringify(call.heard)})`);
    assert.ok(call.heard.includes("For billing, press 1 now."), "then the menu, as edited in the JSON");
    await call.press("1");
    await waitFor(async () => (await phone.settle(), call.wait.kind === "hold-loop"), "the caller to wait in the queue");
    await waitFor(async () => {
      const found = await apiFromPage(page, "GET", `/contacts?customerNumber=${encodeURIComponent(caller)}`);
      return found.body?.items?.[0]?.queueId === "demo:queue:billing";
    }, "the contact to be queued in Billing");
    await call.hangup();
    await phone.settle();
  });

  it("a Show view block offers the instance's custom views beside the AWS-managed ones and writes the view's ARN", async (t) => {
    t.after(async () => void (await screenshot(page, "flow-designer-views-last").catch(() => {})));
    await signIn(page, server.base, DEMO.admin);
    const made = await apiFromPage(page, "POST", "/views", {
      name: "Refund sent", template: "Confirmation", content: { Heading: "Refund sent", Body: "Tell the customer it takes 3 days.", Next: "Done" },
    });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const view = made.body;

    await page.goto(`${server.base}/flows/new`);
    await page.getByLabel("Write a new flow").check();
    await page.getByLabel("Name", { exact: true }).fill(`${NAME} with a view`);
    await page.getByRole("button", { name: "Create flow" }).click();
    await page.getByRole("heading", { name: `Flow: ${NAME} with a view` }).waitFor();
    const canvas = page.getByTestId("flow-graph");
    const json = page.getByLabel("Flow content (JSON)");
    const viewOf = async () => JSON.parse(await json.inputValue()).Actions.find((a) => a.Type === "ShowView")?.Parameters?.ViewResource;
    await page.getByRole("button", { name: "Add block: Show view", exact: true }).click();
    await canvas.locator('.react-flow__node[data-id="show-view"]').click();
    const picker = page.getByRole("region", { name: "Block show-view" }).getByLabel("View (required)");
    const labels = await picker.locator("option").allTextContents();
    for (const name of ["Form", "Detail", "List", "Confirmation", "Cards"]) assert.ok(labels.includes(`${name} (AWS-managed)`), `${name} offered: ${labels}`);
    assert.ok(labels.includes("Refund sent (custom view)"), `the custom view offered: ${labels}`);

    await picker.selectOption({ label: "Refund sent (custom view)" });
    assert.deepEqual(await viewOf(), { Id: view.arn }, "the custom view's ARN, as Amazon Connect writes it");
    await picker.selectOption({ label: "Form (AWS-managed)" });
    assert.deepEqual(await viewOf(), { Id: "Form" });

    // A flow naming the custom view by its bare id (as a flow written by hand may) shows it chosen.
    await json.fill((await json.inputValue()).replace('"Id": "Form"', `"Id": ${JSON.stringify(view.id)}`));
    await canvas.locator('.react-flow__node[data-id="show-view"]').click();
    assert.equal(await picker.inputValue(), view.arn);
    assert.equal(await picker.locator("option:checked").textContent(), "Refund sent (custom view)");
  });
});

