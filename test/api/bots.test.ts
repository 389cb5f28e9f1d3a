import { SELF } from "cloudflare:test";
import { strToU8, zipSync } from "fflate";
import { beforeAll, describe, expect, it } from "vitest";
import { api, demoAdmin, demoAgent, otherInstance } from "../helpers";
import { referenceBot } from "../bots/reference";

const TEMPLATE = `
Parameters:
  BotName: { Type: String, Default: Pizza_Bot }
Resources:
  Role: { Type: AWS::IAM::Role }
  PizzaBot:
    Type: AWS::Lex::Bot
    Properties:
      Name: !Sub \${BotName}
      RoleArn: !GetAtt Role.Arn
      IdleSessionTTLInSeconds: 300
      DataPrivacy: { ChildDirected: false }
      BotLocales:
        - LocaleId: en_US
          NluConfidenceThreshold: 0.5
          SlotTypes:
            - Name: Size
              SlotTypeValues:
                - SampleValue: { Value: small }
                - SampleValue: { Value: large }
                  Synonyms: [{ Value: big }]
              ValueSelectionSetting: { ResolutionStrategy: TOP_RESOLUTION }
          Intents:
            - Name: OrderPizza
              SampleUtterances: [{ Utterance: "order a {size} pizza" }, { Utterance: "I want pizza" }]
              Slots:
                - Name: size
                  SlotTypeName: Size
                  ValueElicitationSetting:
                    SlotConstraint: Required
                    PromptSpecification: { MaxRetries: 2, MessageGroupsList: [{ Message: { PlainTextMessage: { Value: "What size?" } } }] }
            - Name: FallbackIntent
              ParentIntentSignature: AMAZON.FallbackIntent
`;

const importYaml = (token: string, body = TEMPLATE, query = "") =>
  api("POST", `/bots${query}`, { token, rawBody: body, headers: { "content-type": "application/yaml" } });

describe("/api/v1/bots", () => {
  let admin: string;
  beforeAll(async () => {
    admin = await demoAdmin();
  });

  it("imports a CloudFormation template, lists the bot with its intents, and tries an utterance", async () => {
    const created = await importYaml(admin, TEMPLATE, "?name=Pizza%20one");
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: "Pizza one", format: "cloudformation", codeHookUrl: null });
    expect(created.body.locales[0].intents.map((i: { name: string }) => i.name)).toEqual(["OrderPizza", "FallbackIntent"]);
    const id = created.body.id;

    const list = await api("GET", "/bots?limit=100", { token: admin });
    expect(list.body.items.map((b: { id: string }) => b.id)).toContain(id);
    const one = await api("GET", `/bots/${id}`, { token: admin });
    expect(one.body.definition.locales[0].slotTypes[0].name).toBe("Size");

    const tried = await api("POST", `/bots/${id}/recognize`, { token: admin, body: { text: "could I order a big pizza" } });
    expect(tried.status).toBe(200);
    expect(tried.body).toMatchObject({ engine: "embedded", localeId: "en_US", intent: { name: "OrderPizza" }, slots: { size: { original: "big", interpreted: "large" } } });

    const patched = await api("PATCH", `/bots/${id}`, { token: admin, body: { codeHookUrl: "https://hooks.example.com/lex" } });
    expect(patched.body.codeHookUrl).toBe("https://hooks.example.com/lex");
    expect((await api("PATCH", `/bots/${id}`, { token: admin, body: { codeHookUrl: "http://hooks.example.com/lex" } })).status).toBe(400);

    expect((await api("DELETE", `/bots/${id}`, { token: admin })).status).toBe(204);
    expect((await api("GET", `/bots/${id}`, { token: admin })).status).toBe(404);
  });

  it.skipIf(!referenceBot("ReminderBot"))("imports a Lex export uploaded as ZIP bytes", async () => {
    const files = referenceBot("ReminderBot")!.files;
    const zip = zipSync(Object.fromEntries([...files].map(([p, t]) => [p, strToU8(t)])));
    const res = await SELF.fetch("https://switchboard.test/api/v1/bots", { method: "POST", headers: { authorization: `Bearer ${admin}`, "content-type": "application/zip" }, body: zip });
    const body = (await res.json()) as { name: string; format: string; locales: { intents: { name: string }[] }[] };
    expect(res.status).toBe(201);
    expect([body.name, body.format, body.locales[0]!.intents.map((i) => i.name)]).toEqual(["ReminderBot", "lex-export", ["CallIntent", "EmailIntent", "FallbackIntent"]]);
  });

  it("refuses a bad definition with every problem named, and stores nothing", async () => {
    const before = (await api("GET", "/bots?limit=100", { token: admin })).body.items.length;
    const broken = TEMPLATE.replace('"order a {size} pizza"', '"order a {size} pizza to {city}"').replace("SlotTypeName: Size", "SlotTypeName: PizzaSize");
    const res = await importYaml(admin, broken);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_bot");
    expect(res.body.error.details.problems).toEqual([
      'template: PizzaBot: BotLocales[0] (en_US): intent OrderPizza: sample utterance "order a {size} pizza to {city}" names slot {city}, which the intent does not have',
      "template: PizzaBot: BotLocales[0] (en_US): intent OrderPizza: slot size uses PizzaSize, a slot type the locale does not define",
    ]);
    expect((await api("POST", "/bots", { token: admin, rawBody: "x", headers: { "content-type": "image/png" } })).status).toBe(415);
    expect((await importYaml(admin, "Resources: {}")).body.error.code).toBe("invalid_bot");
    expect((await api("GET", "/bots?limit=100", { token: admin })).body.items.length).toBe(before);
  });

  it("a second bot of the same name is a conflict", async () => {
    expect((await importYaml(admin, TEMPLATE, "?name=Twice")).status).toBe(201);
    const again = await importYaml(admin, TEMPLATE, "?name=Twice");
    expect([again.status, again.body.error.code]).toEqual([409, "conflict"]);
  });

  it("needs flows.edit to import and a readable locale to try", async () => {
    const agent = await demoAgent();
    expect((await importYaml(agent)).status).toBe(403);
    const id = (await importYaml(admin, TEMPLATE, "?name=Locales")).body.id;
    const res = await api("POST", `/bots/${id}/recognize`, { token: admin, body: { text: "hola", localeId: "es_ES" } });
    expect([res.status, res.body.error.message]).toEqual([400, "localeId: the bot has no locale es_ES (it has en_US)"]);
  });

  it("tenancy: another instance's bot ids answer 404 like missing ones, change nothing, and never list", async () => {
    const id = (await importYaml(admin, TEMPLATE, "?name=Tenancy")).body.id;
    const other = await otherInstance();
    const missing = await api("GET", "/bots/does-not-exist", { token: other.token });
    const foreign = await api("GET", `/bots/${id}`, { token: other.token });
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual(missing.body);
    expect((await api("PATCH", `/bots/${id}`, { token: other.token, body: { name: "hijacked" } })).status).toBe(404);
    expect((await api("POST", `/bots/${id}/recognize`, { token: other.token, body: { text: "pizza" } })).status).toBe(404);
    expect((await api("DELETE", `/bots/${id}`, { token: other.token })).status).toBe(404);
    expect((await api("GET", `/bots/${id}`, { token: admin })).body.name).toBe("Tenancy");
    expect((await api("GET", "/bots?limit=100", { token: other.token })).body.items).toEqual([]);
  });
});
