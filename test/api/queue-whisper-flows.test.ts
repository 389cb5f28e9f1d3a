import { describe, expect, it } from "vitest";
import { api, demoAdmin } from "../helpers";

const flow = (token: string, type: string) =>
  api("POST", "/flows", {
    token,
    body: {
      name: `${type} ${crypto.randomUUID().slice(0, 8)}`, type,
      content: { Version: "2019-10-30", StartAction: "s", Actions: [{ Identifier: "s", Type: "MessageParticipant", Parameters: { Text: "Hi." }, Transitions: { NextAction: "e" } }, { Identifier: "e", Type: "EndFlowExecution", Parameters: {}, Transitions: {} }] },
    },
  }).then((r) => {
    expect(r.status).toBe(201);
    return r.body.id as string;
  });

describe("queues: whisper flows", () => {
  it("a queue takes default agent/customer whisper flows and an outbound whisper flow, each of its type; a flow in use cannot be deleted", async () => {
    const token = await demoAdmin();
    const [agent, customer, outbound] = [await flow(token, "AGENT_WHISPER"), await flow(token, "CUSTOMER_WHISPER"), await flow(token, "OUTBOUND_WHISPER")];
    const created = await api("POST", "/queues", {
      token,
      body: { name: `Whispered ${crypto.randomUUID().slice(0, 8)}`, hoursOfOperationId: "demo:hours:24x7", agentWhisperFlowId: agent, customerWhisperFlowId: customer, outboundWhisperFlowId: outbound },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ agentWhisperFlowId: agent, customerWhisperFlowId: customer, outboundWhisperFlowId: outbound });

    const wrongType = await api("PATCH", `/queues/${created.body.id}`, { token, body: { agentWhisperFlowId: customer } });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error).toMatchObject({ code: "validation_failed", details: [{ field: "agentWhisperFlowId", message: "must be an AGENT_WHISPER flow" }] });
    const missing = await api("PATCH", `/queues/${created.body.id}`, { token, body: { outboundWhisperFlowId: "no-such-flow" } });
    expect(missing.status).toBe(400);
    expect((await api("GET", `/queues/${created.body.id}`, { token })).body).toMatchObject({ agentWhisperFlowId: agent, outboundWhisperFlowId: outbound });

    const del = await api("DELETE", `/flows/${outbound}`, { token });
    expect(del.status).toBe(409);
    expect(JSON.stringify(del.body.error)).toContain(created.body.name);
  });
});
