import { describe, expect, it } from "vitest";
import { api, demoAdmin } from "../helpers";

const messages = { Identifier: "s", Type: "MessageParticipantIteratively", Parameters: { Messages: [{ Text: "Please hold." }] }, Transitions: { NextAction: "e", Errors: [{ NextAction: "e", ErrorType: "NoMatchingError" }] } };
const flow = (token: string, type: string) =>
  api("POST", "/flows", {
    token,
    body: {
      name: `${type} ${crypto.randomUUID().slice(0, 8)}`, type,
      content: { Version: "2019-10-30", StartAction: "s", Actions: [messages, { Identifier: "e", Type: "EndFlowExecution", Parameters: {}, Transitions: {} }] },
    },
  }).then((r) => {
    expect(r.body).toMatchObject({ id: expect.any(String) });
    return r.body.id as string;
  });

describe("queues: customer and agent hold flows", () => {
  it("a queue takes a default CUSTOMER_HOLD flow; another type or a missing flow is refused with 400 and changes nothing; a flow in use cannot be deleted", async () => {
    const token = await demoAdmin();
    const [hold, whisper] = [await flow(token, "CUSTOMER_HOLD"), await flow(token, "CUSTOMER_WHISPER")];
    const created = await api("POST", "/queues", {
      token,
      body: { name: `Held ${crypto.randomUUID().slice(0, 8)}`, hoursOfOperationId: "demo:hours:24x7", customerHoldFlowId: hold },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ customerHoldFlowId: hold });
    const plain = await api("POST", "/queues", { token, body: { name: `Plain ${crypto.randomUUID().slice(0, 8)}`, hoursOfOperationId: "demo:hours:24x7" } });
    expect(plain.body.customerHoldFlowId).toBeNull();

    const wrongType = await api("PATCH", `/queues/${created.body.id}`, { token, body: { customerHoldFlowId: whisper } });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error).toMatchObject({ code: "validation_failed", details: [{ field: "customerHoldFlowId", message: "must be a CUSTOMER_HOLD flow" }] });
    const missing = await api("PATCH", `/queues/${created.body.id}`, { token, body: { customerHoldFlowId: "no-such-flow" } });
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe("validation_failed");
    const notAnId = await api("PATCH", `/queues/${created.body.id}`, { token, body: { customerHoldFlowId: 42 } });
    expect(notAnId.status).toBe(400);
    expect((await api("GET", `/queues/${created.body.id}`, { token })).body.customerHoldFlowId).toBe(hold);

    const del = await api("DELETE", `/flows/${hold}`, { token });
    expect(del.status).toBe(409);
    expect(JSON.stringify(del.body.error)).toContain(created.body.name);
  });

  it("a queue takes a default AGENT_HOLD flow; a CUSTOMER_HOLD flow there is refused with 400 and changes nothing; a flow in use cannot be deleted", async () => {
    const token = await demoAdmin();
    const [agentHold, customerHold] = [await flow(token, "AGENT_HOLD"), await flow(token, "CUSTOMER_HOLD")];
    const created = await api("POST", "/queues", {
      token,
      body: { name: `Agent held ${crypto.randomUUID().slice(0, 8)}`, hoursOfOperationId: "demo:hours:24x7", agentHoldFlowId: agentHold },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ agentHoldFlowId: agentHold, customerHoldFlowId: null });

    const wrongType = await api("PATCH", `/queues/${created.body.id}`, { token, body: { agentHoldFlowId: customerHold } });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error).toMatchObject({ code: "validation_failed", details: [{ field: "agentHoldFlowId", message: "must be an AGENT_HOLD flow" }] });
    expect((await api("GET", `/queues/${created.body.id}`, { token })).body.agentHoldFlowId).toBe(agentHold);

    const del = await api("DELETE", `/flows/${agentHold}`, { token });
    expect(del.status).toBe(409);
    expect(JSON.stringify(del.body.error)).toContain(created.body.name);
    const cleared = await api("PATCH", `/queues/${created.body.id}`, { token, body: { agentHoldFlowId: null } });
    expect(cleared.body.agentHoldFlowId).toBeNull();
  });
});
