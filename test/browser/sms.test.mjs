// SMS in a real browser, on a local server whose Twilio is the phone simulator: a customer texts
// the demo number (signed Messaging webhooks, as `npm run phone -- sms` sends them), the chat flow
// answers by SMS and routes the conversation to Support; it rings at Alice, who accepts, reads the
// texts under an SMS badge and a heading naming an SMS contact, and replies; her reply leaves
// through Twilio's REST API and its delivery, reported by Twilio's status callbacks, shows
// beside it. Run by test/browser/run.mjs.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { assertText, launchBrowser, screenshot, seriousA11yViolations, signInAvailable, startServerWithPhone, waitFor } from "./harness.mjs";

const CUSTOMER = "+14155550123";
const DEMO_NUMBER = "+15550100";
let server;
let phone;
let stop;
let browser;
let settling;

describe("SMS: a customer's texts reach an agent, and her reply reaches the customer's phone", { timeout: 240_000 }, () => {
  before(async () => {
    ({ server, phone, stop } = await startServerWithPhone());
    browser = await launchBrowser();
    // Twilio's side keeps moving: the Worker's messages are answered with their status callbacks.
    settling = setInterval(() => phone.settle().catch(() => {}), 200);
  });

  after(async () => {
    clearInterval(settling);
    await browser?.close();
    await stop?.();
  });

  it("the texts ring at Alice as an SMS chat; she replies and the reply is delivered to the customer", async () => {
    const page = await browser.context.newPage();
    page.setDefaultTimeout(15_000);
    await signInAvailable(page, server.base);

    const toAgent = (text) => phone.messaging.send({ from: CUSTOMER, to: DEMO_NUMBER, text });
    assert.equal((await toAgent("Hello")).response.status, 200);
    // The chat flow's question reaches the customer by SMS before they answer it.
    await waitFor(() => phone.messaging.messages.some((m) => m.direction === "outbound-api" && m.to === CUSTOMER), "the flow's first text to the customer");
    assert.equal((await toAgent("support")).response.status, 200);

    await assertText(page.getByTestId("offer").getByRole("heading", { level: 2 }), `Incoming SMS contact from ${CUSTOMER}`);
    await page.getByTestId("offer").getByRole("button", { name: "Accept" }).click();
    const contact = page.getByTestId("contact");
    await assertText(contact.getByTestId("contact-state"), "Connected");
    await contact.getByText("Your messages reach the customer as text messages.").waitFor();
    // The workspace names it an SMS contact, and its system lines the SMS conversation (not "the chat").
    await assertText(contact.getByRole("heading", { level: 2 }), `SMS contact with ${CUSTOMER}`);
    const conversation = page.getByRole("list", { name: "Conversation" });
    await assertText(conversation, "support");
    await assertText(conversation, "joined the SMS conversation.");
    assert.doesNotMatch((await conversation.allTextContents()).join(" "), /the chat\b/);
    assert.deepEqual(await seriousA11yViolations(page), []);

    const reply = "Hi, this is Alice from Support: how can I help?";
    const composer = page.getByLabel("Message to the customer");
    await composer.fill(reply);
    await composer.press("Enter");
    const sent = await waitFor(() => phone.messaging.messages.find((m) => m.direction === "outbound-api" && m.body === reply), "Alice's reply at Twilio");
    assert.equal(sent.to, CUSTOMER);
    assert.equal(sent.from, DEMO_NUMBER);
    // Twilio's status callbacks (queued → sent → delivered) reach the Worker and the agent's view.
    const line = conversation.getByRole("listitem").filter({ hasText: reply });
    await assertText(line, "delivered");
    await screenshot(page, "agent-sms");
  });
});
