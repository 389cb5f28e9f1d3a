import { beforeAll, describe, expect, it } from "vitest";
import { ACTIONS } from "../../src/flows";
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
});
