import { describe, expect, it } from "vitest";
import { api, demoAdmin, otherInstance } from "../helpers";

const flow = (token: string, type: string) =>
  api("POST", "/flows", {
    token,
    body: {
      name: `${type} ${crypto.randomUUID().slice(0, 8)}`, type,
      content: { Version: "2019-10-30", StartAction: "s", Actions: [
        type === "CONTACT_FLOW"
          ? { Identifier: "s", Type: "MessageParticipant", Parameters: { Text: "Thanks." }, Transitions: { NextAction: "e", Errors: [{ NextAction: "e", ErrorType: "NoMatchingError" }] } }
          : { Identifier: "s", Type: "MessageParticipantIteratively", Parameters: { Messages: [{ Text: "Please hold." }] }, Transitions: { NextAction: "e", Errors: [{ NextAction: "e", ErrorType: "NoMatchingError" }] } },
        { Identifier: "e", Type: type === "CONTACT_FLOW" ? "DisconnectParticipant" : "EndFlowExecution", Parameters: {}, Transitions: {} },
      ] },
    },
  }).then((r) => {
    expect(r.body).toMatchObject({ id: expect.any(String) });
    return r.body.id as string;
  });

describe("queues: survey flow", () => {
  it("a queue names a CONTACT_FLOW as its survey; another type, a missing flow or another instance's flow is refused with 400 and changes nothing; a flow in use cannot be deleted", async () => {
    const token = await demoAdmin();
    const [survey, hold] = [await flow(token, "CONTACT_FLOW"), await flow(token, "CUSTOMER_HOLD")];
    const created = await api("POST", "/queues", { token, body: { name: `Surveyed ${crypto.randomUUID().slice(0, 8)}`, hoursOfOperationId: "demo:hours:24x7", surveyFlowId: survey } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ surveyFlowId: survey });
    const plain = await api("POST", "/queues", { token, body: { name: `Plain ${crypto.randomUUID().slice(0, 8)}`, hoursOfOperationId: "demo:hours:24x7" } });
    expect(plain.body.surveyFlowId).toBeNull();

    const wrongType = await api("PATCH", `/queues/${created.body.id}`, { token, body: { surveyFlowId: hold } });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error).toMatchObject({ code: "validation_failed", details: [{ field: "surveyFlowId", message: "must be a CONTACT_FLOW flow" }] });
    const other = await otherInstance();
    const theirs = await flow(other.token, "CONTACT_FLOW");
    const foreign = await api("PATCH", `/queues/${created.body.id}`, { token, body: { surveyFlowId: theirs } });
    expect(foreign.status).toBe(400);
    expect(foreign.body.error.code).toBe("validation_failed");
    const notAnId = await api("PATCH", `/queues/${created.body.id}`, { token, body: { surveyFlowId: 42 } });
    expect(notAnId.status).toBe(400);
    expect((await api("GET", `/queues/${created.body.id}`, { token })).body.surveyFlowId).toBe(survey);

    const del = await api("DELETE", `/flows/${survey}`, { token });
    expect(del.status).toBe(409);
    expect(JSON.stringify(del.body.error)).toContain(created.body.name);
  });

  it("the demo's Billing queue names the demo satisfaction survey", async () => {
    const token = await demoAdmin();
    expect((await api("GET", "/queues/demo:queue:billing", { token })).body.surveyFlowId).toBe("demo:flow:survey");
  });
});
