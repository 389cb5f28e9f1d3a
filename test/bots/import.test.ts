import { zipSync, strToU8 } from "fflate";
import { describe, expect, it } from "vitest";
import { importBot } from "../../src/bots/import";
import { NO_REFERENCE, REFERENCE_BOTS, referenceBot, sourceOf } from "./reference";

const summary = (bot: { locales: { localeId: string; intents: { name: string; slots: { name: string; slotTypeName: string }[] }[] }[] }) =>
  Object.fromEntries(bot.locales.map((l) => [l.localeId, Object.fromEntries(l.intents.map((i) => [i.name, i.slots.map((s) => `${s.name}:${s.slotTypeName}`)]))]));

describe.skipIf(REFERENCE_BOTS.length === 0)("every bot in ../shared/reference/lex-bots imports", () => {
  if (REFERENCE_BOTS.length === 0) console.warn(NO_REFERENCE);

  it("finds the five reference bots", () => {
    expect(REFERENCE_BOTS.map((b) => b.folder.split("__").at(-1))).toEqual(["acme-lexbot", "Loan_App_Bot", "AmazonLexBot", "ReminderBot", "BankerBot"]);
  });

  it.each(REFERENCE_BOTS.map((b) => [b.folder, b] as const))("%s imports with its intents and slots", (_folder, ref) => {
    const result = importBot(sourceOf(ref));
    if (!result.ok) throw new Error(result.problems.join("\n"));
    expect(result.bot.locales.length).toBeGreaterThan(0);
    for (const locale of result.bot.locales) expect(locale.intents.filter((i) => i.fallback)).toHaveLength(1);
  });

  it("reads a Lex export: both locales, thresholds, intents and their utterances", () => {
    const r = importBot(sourceOf(referenceBot("acme-lexbot")!));
    if (!r.ok) throw new Error(r.problems.join("\n"));
    expect(r.format).toBe("lex-export");
    expect(r.bot.name).toBe("acme-lexbot");
    expect(r.bot.locales.map((l) => [l.localeId, l.nluConfidenceThreshold])).toEqual([["en_US", 0.8], ["es_US", 0.4]]);
    const sales = r.bot.locales[0]!.intents.find((i) => i.name === "Sales")!;
    expect(sales.sampleUtterances).toEqual(["sales"]);
    expect(sales.fulfilledMessages).toEqual(["Transferring call to Sales"]);
  });

  it("reads slots from Slots/<Slot>/Slot.json with prompts, retries and code hooks", () => {
    const r = importBot(sourceOf(referenceBot("ReminderBot")!));
    if (!r.ok) throw new Error(r.problems.join("\n"));
    expect(summary(r.bot)).toEqual({ en_US: { CallIntent: ["Time:AMAZON.Time"], EmailIntent: ["DaysBefore:AMAZON.Number"], FallbackIntent: [] } });
    const email = r.bot.locales[0]!.intents.find((i) => i.name === "EmailIntent")!;
    expect(email.slots[0]).toMatchObject({ required: true, maxRetries: 3, prompts: ["How many days before your appointment would you like us to email you?"] });
    expect(email.sampleUtterances).toContain("Send me an email {DaysBefore} days my appointment");
    expect([email.dialogCodeHook, email.fulfillmentCodeHook]).toEqual([true, true]);
  });

  it("reads an AWS::Lex::Bot in a YAML template: !Sub name from the parameter default, slot order from priorities, custom slot types", () => {
    const r = importBot(sourceOf(referenceBot("Loan_App_Bot")!));
    if (!r.ok) throw new Error(r.problems.join("\n"));
    expect(r.format).toBe("cloudformation");
    expect(r.bot.name).toBe("Loan_App_Bot");
    expect(summary(r.bot).en_US!.LoanAppIntent).toEqual(["loanType:loanType", "loanAmount:AMAZON.Number", "fileUpload:fileUpload"]);
    expect(r.bot.locales[0]!.slotTypes.map((t) => [t.name, t.resolution, t.values.map((v) => v.value)])).toEqual([
      ["loanType", "TOP_RESOLUTION", ["auto", "home", "business"]],
      ["fileUpload", "TOP_RESOLUTION", ["cancel", "uploaded"]],
    ]);
  });

  it("reads confirmation prompts and ORIGINAL_VALUE slot types; a name given by !Ref with no default falls back to the resource's id", () => {
    const r = importBot(sourceOf(referenceBot("AmazonLexBot")!));
    if (!r.ok) throw new Error(r.problems.join("\n"));
    expect(r.bot.name).toBe("AmazonLexBot");
    const order = r.bot.locales[0]!.intents.find((i) => i.name === "orderStatus")!;
    expect(order.confirmation).toEqual({ prompts: ["You order number is {orderNumber}. Is that correct?"], declination: [], maxRetries: 2 });
    expect(r.bot.locales[0]!.slotTypes[0]).toMatchObject({ name: "Query", resolution: "ORIGINAL_VALUE" });
  });

  it("reads the lex-v2-cfn-cr Custom::LexBot: CR.* keys, synonyms, contexts and a fallback declared by name", () => {
    const r = importBot(sourceOf(referenceBot("BankerBot")!));
    if (!r.ok) throw new Error(r.problems.join("\n"));
    expect(r.bot.name).toBe("BankerBot");
    const locale = r.bot.locales[0]!;
    expect(locale.nluConfidenceThreshold).toBe(0.4);
    expect(locale.slotTypes[0]!.values.find((v) => v.value === "Credit")!.synonyms).toContain("american express");
    const check = locale.intents.find((i) => i.name === "CheckBalance")!;
    expect(check.outputContexts).toEqual([{ name: "contextCheckBalance", timeToLiveInSeconds: 90, turnsToLive: 5 }]);
    expect(locale.intents.find((i) => i.name === "FollowupCheckBalance")!.inputContexts).toEqual(["contextCheckBalance"]);
    expect(locale.intents.find((i) => i.fallback)!.name).toBe("FallbackIntent");
    const transfer = locale.intents.find((i) => i.name === "TransferFunds")!;
    expect(transfer.confirmation!.declination).toEqual(["The transfer has been cancelled"]);
  });

  it("reads the export as a ZIP, wrapped in a folder or not", () => {
    const files = referenceBot("ReminderBot")!.files;
    for (const prefix of ["", "ReminderBot-export/"]) {
      const zip = zipSync(Object.fromEntries([...files].map(([p, t]) => [prefix + p, strToU8(t)])));
      const r = importBot(zip);
      expect(r.ok && r.bot.locales[0]!.intents.map((i) => i.name)).toEqual(["CallIntent", "EmailIntent", "FallbackIntent"]);
    }
  });
});

const manifest = JSON.stringify({ metaData: { fileFormat: "LexJson", resourceType: "BOT", schemaVersion: "1" } });
const intentJson = (o: object) => JSON.stringify({ name: "X", sampleUtterances: [{ utterance: "hello" }], slotPriorities: [], ...o });

describe("a malformed or unsupported definition is refused with every problem named", () => {
  it("names each file and intent at fault in an export", () => {
    const r = importBot(new Map([
      ["Manifest.json", manifest],
      ["B/Bot.json", JSON.stringify({ name: "B" })],
      ["B/BotLocales/en_US/BotLocale.json", JSON.stringify({ identifier: "en_US", nluConfidenceThreshold: 0.4 })],
      ["B/BotLocales/en_US/Intents/Book/Intent.json", intentJson({ name: "Book", sampleUtterances: [{ utterance: "book {city} on {day}" }] })],
      ["B/BotLocales/en_US/Intents/Book/Slots/city/Slot.json", JSON.stringify({ name: "city", slotTypeName: "AMAZON.City" })],
      ["B/BotLocales/en_US/Intents/Pay/Intent.json", intentJson({ name: "Pay" })],
      ["B/BotLocales/en_US/Intents/Pay/Slots/card/Slot.json", JSON.stringify({ name: "card", slotTypeName: "CardType" })],
      ["B/BotLocales/en_US/Intents/Help/Intent.json", "{ not json"],
      ["B/BotLocales/en_US/Intents/Faq/Intent.json", intentJson({ name: "Faq", parentIntentSignature: "AMAZON.KendraSearchIntent" })],
    ]));
    expect(r.ok).toBe(false);
    const problems = (r as { problems: string[] }).problems;
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^B\/BotLocales\/en_US\/Intents\/Book\/Intent\.json: intent Book: sample utterance "book \{city\} on \{day\}" names slot \{day\}/),
      expect.stringMatching(/^B\/BotLocales\/en_US\/Intents\/Book\/Intent\.json: intent Book: slot city uses AMAZON\.City, a built-in slot type that is not supported/),
      expect.stringMatching(/^B\/BotLocales\/en_US\/Intents\/Pay\/Intent\.json: intent Pay: slot card uses CardType, a slot type the locale does not define/),
      expect.stringMatching(/^B\/BotLocales\/en_US\/Intents\/Help\/Intent\.json: not valid JSON/),
      expect.stringMatching(/^B\/BotLocales\/en_US\/Intents\/Faq\/Intent\.json: intent Faq: built-in intent AMAZON\.KendraSearchIntent is not supported/),
    ]));
    expect(problems).toHaveLength(5);
  });

  it("refuses what is not a bot: no manifest, another resource type, a template without a bot, bad YAML, empty input, a broken ZIP", () => {
    const cases: [Parameters<typeof importBot>[0], RegExp][] = [
      [new Map([["B/Bot.json", "{}"]]), /Manifest\.json: missing/],
      [new Map([["Manifest.json", JSON.stringify({ metaData: { fileFormat: "LexJson", resourceType: "BOT_LOCALE" } })], ["B/Bot.json", "{}"]]), /not a Lex V2 bot export/],
      ["Resources:\n  Q:\n    Type: AWS::SQS::Queue\n", /no AWS::Lex::Bot/],
      ["Resources: [unclosed", /not valid YAML/],
      ["   ", /empty/],
      [new Uint8Array([0x50, 0x4b, 3, 4, 1, 2, 3]), /not a readable ZIP/],
    ];
    for (const [source, message] of cases) {
      const r = importBot(source);
      expect(r.ok, String(message)).toBe(false);
      expect((r as { problems: string[] }).problems.join("\n")).toMatch(message);
    }
  });

  it("reads a JSON template with long-form intrinsics, and names the template's intent at fault", () => {
    const template = {
      Resources: {
        Bot: {
          Type: "AWS::Lex::Bot",
          Properties: {
            Name: { "Fn::Sub": "${AWS::StackName}-Pizza" },
            BotLocales: [{ LocaleId: "en_US", NluConfidenceThreshold: 0.5, Intents: [{ Name: "Order", SampleUtterances: [{ Utterance: "a {size} pizza" }] }] }],
          },
        },
      },
    };
    const r = importBot(JSON.stringify(template));
    expect(r.ok).toBe(false);
    expect((r as { problems: string[] }).problems).toEqual(['template: Bot: BotLocales[0] (en_US): intent Order: sample utterance "a {size} pizza" names slot {size}, which the intent does not have']);
  });
});
