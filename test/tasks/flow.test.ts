import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { FlowAction } from "../../src/flows";
import { queueRoomName } from "../../src/lib/object-names";
import { api } from "../helpers";
import { agentSocket, contactRow, eventually } from "../routing/helpers";
import { makeTaskInstance, publishFlow, taskSession } from "./helpers";

const position = (instanceId: string, queueId: string, contactId: string) => env.QUEUE_ROOM.getByName(queueRoomName(instanceId, queueId)).position(contactId);
const toQueue = (queueId: string): FlowAction[] => [
  { Identifier: "q", Type: "UpdateContactTargetQueue", Parameters: { QueueId: queueId }, Transitions: { NextAction: "go", Errors: [] } },
  { Identifier: "go", Type: "TransferContactToQueue", Parameters: {}, Transitions: { NextAction: "bye", Errors: [{ NextAction: "bye", ErrorType: "NoMatchingError" }] } },
  { Identifier: "bye", Type: "DisconnectParticipant", Parameters: {}, Transitions: {} },
];
const createTask = (params: Record<string, unknown>): FlowAction => ({
  Identifier: "create", Type: "CreateTask", Parameters: params, Transitions: { NextAction: "q", Errors: [{ NextAction: "bye", ErrorType: "NoMatchingError" }] },
});

describe("tasks: flows", () => {
  it("a task runs its flow into a queue; the flow's CreateTask creates another task that runs its own flow, with its references and attributes", async () => {
    const fx = await makeTaskInstance();
    const followUpFlow = await publishFlow(fx.instanceId, "follow-up", { Version: "2019-10-30", StartAction: "q", Actions: toQueue(fx.queueId("other")) });
    const mainFlow = await publishFlow(fx.instanceId, "main", {
      Version: "2019-10-30", StartAction: "create",
      Actions: [
        createTask({
          Name: "Follow up $.Attributes.account", Description: "Created by a flow", ContactFlowId: followUpFlow,
          References: { Case: { Value: "https://crm.example.com/cases/$.Attributes.account", Type: "URL" } }, Attributes: { account: "$.Attributes.account" },
        }),
        ...toQueue(fx.queueId("work")),
      ],
    });
    const res = await api("POST", "/tasks", { token: fx.admin, body: { name: "Main", flowId: mainFlow, attributes: { account: "A-7" } } });
    expect(res.status).toBe(201);
    const main = res.body.contactId as string;
    expect(await position(fx.instanceId, fx.queueId("work"), main)).toMatchObject({ status: "WAITING" });
    const created = await env.DB.prepare("SELECT contact_id, name, description, \"references\" AS refs FROM contact_tasks WHERE instance_id = ? AND contact_id != ?")
      .bind(fx.instanceId, main).first<{ contact_id: string; name: string; description: string; refs: string }>();
    expect(created).toMatchObject({ name: "Follow up A-7", description: "Created by a flow" });
    expect(JSON.parse(created!.refs)).toEqual([{ name: "Case", url: "https://crm.example.com/cases/A-7" }]);
    expect(await position(fx.instanceId, fx.queueId("other"), created!.contact_id)).toMatchObject({ status: "WAITING" });
    expect(await contactRow(fx.instanceId, created!.contact_id)).toMatchObject({ channel: "TASK", previous_contact_id: main, flow_id: followUpFlow });
    // The agent is offered the main task first (its queue comes first in the profile), then the follow-up.
    const alice = await agentSocket(fx, "alice");
    const first = await alice.next("offer");
    expect(first.contact).toMatchObject({ contactId: main, channel: "TASK", initiationMethod: "API", attributes: { account: "A-7" } });
    alice.send({ type: "contact.accept", contactId: main });
    const second = await alice.next("offer");
    expect(second.contact).toMatchObject({ contactId: created!.contact_id, attributes: { account: "A-7" } });
  });

  it("CreateTask refused (a required template field left out) takes its error branch and creates no task", async () => {
    const fx = await makeTaskInstance();
    const flowId = await publishFlow(fx.instanceId, "main", {
      Version: "2019-10-30", StartAction: "create",
      Actions: [createTask({ Name: "Incomplete", TaskTemplateId: fx.templateId }), ...toQueue(fx.queueId("work"))],
    });
    const { body } = await api("POST", "/tasks", { token: fx.admin, body: { name: "Main", flowId } });
    await eventually(async () => (await taskSession(fx.instanceId, body.contactId).taskSnapshot())?.phase === "ENDED", "the task's flow ended");
    const row = await eventually(async () => {
      const r = await contactRow(fx.instanceId, body.contactId);
      return r?.state === "ENDED" ? r : null;
    }, "ended");
    expect(row.disconnect_reason).toBe("CONTACT_FLOW_DISCONNECT");
    const { results } = await env.DB.prepare("SELECT contact_id FROM contact_tasks WHERE instance_id = ?").bind(fx.instanceId).all();
    expect(results).toEqual([{ contact_id: body.contactId }]);
    await taskSession(fx.instanceId, body.contactId).settle();
    const logs = await env.DB.prepare("SELECT action_id, branch FROM flow_logs WHERE instance_id = ? AND contact_id = ? ORDER BY id").bind(fx.instanceId, body.contactId).all();
    expect(logs.results[0]).toMatchObject({ action_id: "create", branch: "Error: NoMatchingError" });
  });
});
