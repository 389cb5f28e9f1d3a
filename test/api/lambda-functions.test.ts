import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { chatSettings, flows, flowVersions, lambdaFunctions } from "../../src/db/schema";
import type { FlowContent } from "../../src/flows";
import { SIGNATURE_HEADER, verifySignature } from "../../src/flows/io/invoke-external";
import { externalSigningSecret } from "../../src/db/external-signing";
import { keyringFromEnv } from "../../src/lib/crypto";
import { api, db } from "../helpers";
import { makeChatInstance, session, SHOP, startChat, texts, userWith } from "../chat/helpers";

const ARN = "arn:aws:lambda:us-east-1:123456789012:function:lookupCustomer";
const ENDPOINT = "https://crm.example.com/connect/lookup";

const lookupFlow: FlowContent = {
  Version: "2019-10-30",
  StartAction: "lookup",
  Actions: [
    { Identifier: "lookup", Type: "InvokeLambdaFunction", Parameters: { LambdaFunctionARN: `${ARN}:prod`, InvocationTimeLimitSeconds: "3" }, Transitions: { NextAction: "found", Errors: [{ NextAction: "failed", ErrorType: "NoMatchingError" }] } },
    { Identifier: "found", Type: "MessageParticipant", Parameters: { Text: "Hello $.External.name." }, Transitions: { NextAction: "bye", Errors: [] } },
    { Identifier: "failed", Type: "MessageParticipant", Parameters: { Text: "Lookup failed." }, Transitions: { NextAction: "bye", Errors: [] } },
    { Identifier: "bye", Type: "DisconnectParticipant", Parameters: {}, Transitions: {} },
  ],
};

async function chatInstanceWithLookupFlow() {
  const fx = await makeChatInstance();
  const flowId = `${fx.instanceId}:flow:lookup`;
  await db().insert(flows).values({ id: flowId, instanceId: fx.instanceId, name: "Lookup", type: "CONTACT_FLOW", content: lookupFlow, publishedVersion: 1 });
  await db().insert(flowVersions).values({ instanceId: fx.instanceId, flowId, version: 1, content: lookupFlow });
  await db().update(chatSettings).set({ flowIds: [flowId] }).where(eq(chatSettings.instanceId, fx.instanceId));
  const admin = await userWith(fx.instanceId, "admin", ["instance.configure", "flows.edit"]);
  return { ...fx, flowId, admin };
}

afterEach(() => vi.restoreAllMocks());

describe("Lambda functions mapped to endpoints (integrations)", () => {
  it("an admin maps a function ARN or name to an HTTPS endpoint; bad input is 400 and stores nothing; a name is unique", async () => {
    const fx = await chatInstanceWithLookupFlow();
    const created = await api("POST", "/lambda-functions", { token: fx.admin, body: { name: ARN, endpointUrl: ENDPOINT } });
    expect(created).toMatchObject({ status: 201, body: { name: ARN, endpointUrl: ENDPOINT, description: "" } });
    expect((await api("POST", "/lambda-functions", { token: fx.admin, body: { name: "sendSurvey", endpointUrl: "https://hooks.example.com/survey" } })).status).toBe(201);

    for (const body of [
      { name: "arn:aws:s3:::bucket", endpointUrl: ENDPOINT },
      { name: "has spaces", endpointUrl: ENDPOINT },
      { name: "ok", endpointUrl: "http://crm.example.com/lookup" },
      { name: "ok", endpointUrl: "not a url" },
      { endpointUrl: ENDPOINT },
    ]) {
      const res = await api("POST", "/lambda-functions", { token: fx.admin, body });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
    }
    expect(await api("POST", "/lambda-functions", { token: fx.admin, body: { name: ARN, endpointUrl: ENDPOINT } })).toMatchObject({ status: 409 });
    const rows = await db().select().from(lambdaFunctions).where(eq(lambdaFunctions.instanceId, fx.instanceId));
    expect(rows.map((r) => r.name).sort()).toEqual([ARN, "sendSurvey"]);

    // Agents without configuration rights neither read nor write them.
    const agent = await userWith(fx.instanceId, "handler", ["contacts.handle"]);
    expect((await api("GET", "/lambda-functions", { token: agent })).status).toBe(403);
    expect((await api("PATCH", `/lambda-functions/${created.body.id}`, { token: fx.admin, body: { endpointUrl: "https://crm.example.com/v2/lookup" } })).body.endpointUrl).toBe("https://crm.example.com/v2/lookup");
  });

  it("import warns about an unmapped function and not about a mapped one (by ARN or by name)", async () => {
    const fx = await chatInstanceWithLookupFlow();
    const importIt = async () => (await api("POST", "/flows/import?name=" + encodeURIComponent(`Lookup ${crypto.randomUUID()}`), { token: fx.admin, body: lookupFlow })).body;
    const before = await importIt();
    expect(before.warnings).toContainEqual(expect.objectContaining({ actionId: "lookup", field: "Parameters.LambdaFunctionARN", message: expect.stringContaining("is not mapped to an endpoint") }));
    expect((await api("POST", "/lambda-functions", { token: fx.admin, body: { name: "lookupCustomer", endpointUrl: ENDPOINT } })).status).toBe(201);
    const after = await importIt();
    expect(after.warnings.filter((w: { field?: string }) => w.field === "Parameters.LambdaFunctionARN")).toEqual([]);
  });

  it("a flow's InvokeLambdaFunction by ARN calls the mapped endpoint, signed; unmapped, it takes the error branch", async () => {
    const calls: { url: string; body: string; signature: string | null }[] = [];
    const realFetch = globalThis.fetch;
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
      const req = new Request(input, init);
      if (!req.url.startsWith("https://crm.example.com/")) return realFetch(input, init);
      calls.push({ url: req.url, body: await req.text(), signature: req.headers.get(SIGNATURE_HEADER) });
      return Response.json({ name: "Ana" });
    });

    const unmapped = await chatInstanceWithLookupFlow();
    const u = await startChat(unmapped.instanceId, { origin: SHOP, body: { flowId: unmapped.flowId } });
    expect(texts((await session(unmapped.instanceId, u.body.contactId).chatSnapshot()).messages)).toContain("BOT: Lookup failed.");
    expect(calls).toEqual([]);

    const mapped = await chatInstanceWithLookupFlow();
    expect((await api("POST", "/lambda-functions", { token: mapped.admin, body: { name: ARN, endpointUrl: ENDPOINT } })).status).toBe(201);
    const m = await startChat(mapped.instanceId, { origin: SHOP, body: { flowId: mapped.flowId } });
    expect(texts((await session(mapped.instanceId, m.body.contactId).chatSnapshot()).messages)).toContain("BOT: Hello Ana.");
    expect(calls.map((c) => c.url)).toEqual([ENDPOINT]);
    expect(JSON.parse(calls[0].body)).toMatchObject({ Name: "ContactFlowEvent", Details: { ContactData: { Channel: "CHAT" } } });
    const secret = await externalSigningSecret(db(), keyringFromEnv(env), mapped.instanceId);
    expect(await verifySignature(secret!, calls[0].body, calls[0].signature, Math.floor(Date.now() / 1000))).toBe(true);
  });
});
