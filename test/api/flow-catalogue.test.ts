import { beforeAll, describe, expect, it } from "vitest";
import { ACTIONS } from "../../src/flows";
import { positionsOf } from "../../src/web/flows/designerModel";
import { api, demoAdmin, demoAgent, DEMO } from "../helpers";

describe("the flow designer's block catalogue (GET /flows/actions)", () => {
  let admin: string;
  beforeAll(async () => {
    admin = await demoAdmin();
  });

  it("lists every action the engine runs, with its parameters, condition branches and error branches", async () => {
    const res = await api("GET", "/flows/actions", { token: admin });
    expect(res.status).toBe(200);
    const types = res.body.items.map((i: { type: string }) => i.type).sort();
    expect(types).toEqual(Object.keys(ACTIONS).sort());
    const input = res.body.items.find((i: { type: string }) => i.type === "GetParticipantInput");
    expect(input).toMatchObject({ label: "Get customer input", conditions: "values", next: true });
    expect(input.errors).toEqual(expect.arrayContaining(["InputTimeLimitExceeded", "NoMatchingCondition", "NoMatchingError"]));
    expect(input.parameters.find((p: { name: string }) => p.name === "InputTimeLimitSeconds")).toMatchObject({ kind: "number" });
    const queue = res.body.items.find((i: { type: string }) => i.type === "UpdateContactTargetQueue");
    expect(queue.parameters).toEqual([expect.objectContaining({ name: "QueueId", kind: "queue", required: true })]);
    const loop = res.body.items.find((i: { type: string }) => i.type === "Loop");
    expect(loop.conditions).toEqual(["ContinueLooping", "DoneLooping"]);
    const disconnect = res.body.items.find((i: { type: string }) => i.type === "DisconnectParticipant");
    expect(disconnect).toMatchObject({ next: false, errors: [] });
  });

  it("is refused to an agent, who cannot edit flows", async () => {
    const res = await api("GET", "/flows/actions", { token: await demoAgent() });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBeTruthy();
  });

  it("a saved draft keeps the designer's block positions where Amazon Connect writes them", async () => {
    const flow = await api("GET", `/flows/${encodeURIComponent(DEMO.ivrFlow)}`, { token: admin });
    const content = { ...flow.body.content, Metadata: { ...flow.body.content.Metadata, ActionMetadata: { welcome: { position: { x: 40, y: 120 } } } } };
    const saved = await api("PATCH", `/flows/${encodeURIComponent(DEMO.ivrFlow)}`, { token: admin, body: { content } });
    expect(saved.status).toBe(200);
    const again = await api("GET", `/flows/${encodeURIComponent(DEMO.ivrFlow)}`, { token: admin });
    expect(again.body.content.Metadata.ActionMetadata.welcome.position).toEqual({ x: 40, y: 120 });
  });

  it("an imported Amazon Connect export keeps its block positions, which the designer reads back", async () => {
    const exported = {
      Version: "2019-10-30",
      StartAction: "d9cb3224-5cb1-48b0-bd0d-1b872867e969",
      Metadata: {
        entryPointPosition: { x: 40, y: 40 },
        ActionMetadata: {
          "d9cb3224-5cb1-48b0-bd0d-1b872867e969": { position: { x: 205.6, y: 827.2 } },
          "5e1a0c35-3a0b-4c1c-9a3e-2f0a3e7f6b21": { position: { x: 480, y: 827.2 } },
        },
      },
      Actions: [
        { Identifier: "d9cb3224-5cb1-48b0-bd0d-1b872867e969", Type: "MessageParticipant", Parameters: { Text: "Hello" }, Transitions: { NextAction: "5e1a0c35-3a0b-4c1c-9a3e-2f0a3e7f6b21" } },
        { Identifier: "5e1a0c35-3a0b-4c1c-9a3e-2f0a3e7f6b21", Type: "DisconnectParticipant", Parameters: {}, Transitions: {} },
      ],
    };
    const res = await api("POST", "/flows/import?name=Positioned&type=CONTACT_FLOW", { token: admin, body: exported });
    expect(res.status).toBe(201);
    const stored = await api("GET", `/flows/${encodeURIComponent(res.body.id)}`, { token: admin });
    const positions = positionsOf(stored.body.content);
    expect(positions.get("d9cb3224-5cb1-48b0-bd0d-1b872867e969")).toEqual({ x: 205.6, y: 827.2 });
    expect(positions.get("5e1a0c35-3a0b-4c1c-9a3e-2f0a3e7f6b21")).toEqual({ x: 480, y: 827.2 });
    expect(stored.body.content.Metadata.entryPointPosition).toEqual({ x: 40, y: 40 });
  });
});
