// The Bots screen in a real browser against a real local server: importing a CloudFormation
// template with a Lex bot, the intents it lists, the try-it box, a refused file with its problems
// named, and an axe-core check. Run by test/browser/run.mjs (npm run test:browser).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { DEMO, launchBrowser, screenshot, seriousA11yViolations, signIn, startServer } from "./harness.mjs";

const stamp = Date.now().toString(36);
const template = (extra = "") => `
Resources:
  Bot:
    Type: AWS::Lex::Bot
    Properties:
      Name: Pizza ${stamp}
      BotLocales:
        - LocaleId: en_US
          NluConfidenceThreshold: 0.5
          SlotTypes:
            - Name: Size
              SlotTypeValues: [{ SampleValue: { Value: small } }, { SampleValue: { Value: large }, Synonyms: [{ Value: big }] }]
          Intents:
            - Name: OrderPizza
              SampleUtterances: [{ Utterance: "order a {size} pizza${extra}" }]
              Slots: [{ Name: size, SlotTypeName: Size }]
            - Name: FallbackIntent
              ParentIntentSignature: AMAZON.FallbackIntent
`;

let server;
let browser;
let page;

describe("bots screen", { timeout: 300_000 }, () => {
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.setDefaultTimeout(15_000);
    await signIn(page, server.base, DEMO.admin);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("imports a template, lists its intents and slots, and recognises what is typed in the try-it box", async () => {
    await page.goto(`${server.base}/bots`);
    await page.getByRole("heading", { name: "Bots", level: 1 }).waitFor();
    await page.getByLabel("Import a bot (.zip, .yaml, .json)").setInputFiles({ name: "pizza.yaml", mimeType: "application/yaml", buffer: Buffer.from(template()) });
    const section = page.getByRole("region", { name: `Pizza ${stamp}` });
    await section.getByRole("rowheader", { name: "OrderPizza" }).waitFor();
    assert.match(await section.getByRole("row", { name: /OrderPizza/ }).innerText(), /size \(Size\)/);
    await section.getByLabel("Try it: what would a customer say?").fill("could I order a big pizza");
    await section.getByRole("button", { name: "Recognise" }).click();
    const status = section.getByRole("status");
    await status.filter({ hasText: "OrderPizza" }).waitFor();
    assert.match(await status.innerText(), /Intent OrderPizza \(confidence [\d.]+\); slots: size = large \(“big”\)/);
    assert.deepEqual(await seriousA11yViolations(page), []);
    await screenshot(page, "bots");
  });

  it("names every problem of a refused file", async () => {
    await page.getByLabel("Import a bot (.zip, .yaml, .json)").setInputFiles({ name: "broken.yaml", mimeType: "application/yaml", buffer: Buffer.from(template(" to {city}")) });
    const alert = page.getByRole("alert").filter({ hasText: "{city}" });
    await alert.waitFor();
    assert.match(await alert.innerText(), /intent OrderPizza: sample utterance "order a \{size\} pizza to \{city\}" names slot \{city\}/);
    assert.match(await page.locator("#bot-import-note").innerText(), /broken\.yaml was not imported/);
  });
});
