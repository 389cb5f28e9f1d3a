import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { chatSettings, flows, flowVersions } from "../../src/db/schema";
import type { FlowContent } from "../../src/flows";
import { db } from "../helpers";
import { eventually } from "../routing/helpers";
import { makeChatInstance, session, startChat, SHOP, texts } from "./helpers";
import { openFlowLogData } from "../../src/db/flow-logs";
import { keyringFromEnv } from "../../src/lib/crypto";

/** Looks the visitor up at the endpoint their page names (a flow that trusts visitor data). */
const lookupFlow: FlowContent = {
  Version: "2019-10-30",
  StartAction: "lookup",
  Actions: [
    {
      Identifier: "lookup", Type: "InvokeLambdaFunction", Parameters: { LambdaFunctionARN: "$.Visitor.endpoint", InvocationTimeLimitSeconds: "3" },
      Transitions: { NextAction: "found", Errors: [{ NextAction: "failed", ErrorType: "NoMatchingError" }] },
    },
    { Identifier: "found", Type: "MessageParticipant", Parameters: { Text: "Found you." }, Transitions: { NextAction: "bye", Errors: [] } },
    { Identifier: "failed", Type: "MessageParticipant", Parameters: { Text: "Lookup failed." }, Transitions: { NextAction: "bye", Errors: [] } },
    { Identifier: "bye", Type: "DisconnectParticipant", Parameters: {}, Transitions: {} },
  ],
};

describe("chat: a visitor cannot steer the Worker's external calls", () => {
  it("an endpoint named by the visitor that is not registered, or is a private host, is refused: the flow takes its error branch", async () => {
    const fx = await makeChatInstance();
    const flowId = `${fx.instanceId}:flow:lookup`;
    await db().insert(flows).values({ id: flowId, instanceId: fx.instanceId, name: "Lookup", type: "CONTACT_FLOW", content: lookupFlow, publishedVersion: 1 });
    await db().insert(flowVersions).values({ instanceId: fx.instanceId, flowId, version: 1, content: lookupFlow });
    await db().update(chatSettings).set({ flowIds: [flowId] }).where(eq(chatSettings.instanceId, fx.instanceId));
    // The admin registered 10.0.0.7 (by mistake): deployed, a private host is refused all the same.
    await env.DB.prepare("UPDATE instances SET external_endpoints = ? WHERE id = ?").bind(JSON.stringify(["https://10.0.0.7"]), fx.instanceId).run();
    const reasons: string[] = [];
    for (const endpoint of ["https://attacker.example.net/collect", "https://10.0.0.7/admin"]) {
      const res = await startChat(fx.instanceId, { origin: SHOP, body: { flowId, attributes: { endpoint } } });
      expect(res.status).toBe(201);
      const snap = await session(fx.instanceId, res.body.contactId).chatSnapshot();
      expect(texts(snap.messages)).toContain("BOT: Lookup failed.");
      const log = await eventually(
        async () => (await env.DB.prepare("SELECT data FROM flow_logs WHERE instance_id = ? AND contact_id = ? AND action_id = 'lookup'").bind(fx.instanceId, res.body.contactId).first<{ data: string }>()) ?? null,
        "the lookup's flow log",
      );
      // Flow log payloads are sealed at rest (src/db/flow-logs.ts): open it as the API does.
      reasons.push(JSON.stringify(await openFlowLogData(keyringFromEnv(env), fx.instanceId, res.body.contactId, JSON.parse(log.data))));
    }
    expect(reasons[0]).toContain("is not one of this instance's registered endpoints");
    expect(reasons[1]).toContain("10.0.0.7 is a private address");
  });
});
