/** Task fixtures: an instance whose agents take tasks from "work", an admin, and a template. */
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { flows, flowVersions } from "../../src/db/schema";
import type { FlowContent } from "../../src/flows";
import { contactRoomName } from "../../src/lib/object-names";
import { userWith } from "../chat/helpers";
import { api, db } from "../helpers";
import { makeInstance } from "../routing/helpers";

export async function makeTaskInstance() {
  const fx = await makeInstance({
    queues: [{ id: "work" }, { id: "other" }],
    profiles: [{ id: "tasks", voice: 1, task: 2, queues: [{ queueId: "work", channels: ["TASK"], priority: 1 }, { queueId: "other", channels: ["TASK"], priority: 2 }] }],
    agents: [{ id: "alice", profile: "tasks" }, { id: "bob", profile: "tasks" }],
  });
  const admin = await userWith(fx.instanceId, "admin", ["instance.configure", "contacts.handle", "contacts.search"]);
  const template = await api("POST", "/task-templates", {
    token: admin,
    body: {
      name: "Follow-up", queueId: fx.queueId("work"),
      fields: [
        { name: "Customer", type: "text", required: true },
        { name: "Urgency", type: "select", options: ["low", "high"], default: "low" },
      ],
    },
  });
  if (template.status !== 201) throw new Error(`template: ${JSON.stringify(template.body)}`);
  return { ...fx, admin, templateId: template.body.id as string };
}

/** A published flow of the instance. */
export async function publishFlow(instanceId: string, id: string, content: FlowContent) {
  const flowId = `${instanceId}:flow:${id}`;
  await db().insert(flows).values({ id: flowId, instanceId, name: id, type: "CONTACT_FLOW", content, publishedVersion: 1 });
  await db().insert(flowVersions).values({ instanceId, flowId, version: 1, content });
  return flowId;
}

export const taskSession = (instanceId: string, contactId: string) => env.CONTACT_SESSION.getByName(contactRoomName(instanceId, contactId));

/** Moves the task's scheduled start or expiry into the past, as time passing would, and runs the session's alarm. */
export async function passTaskTime(instanceId: string, contactId: string, column: "scheduled_at" | "expires_at") {
  const stub = taskSession(instanceId, contactId);
  await runInDurableObject(stub, async (_o, state) => void state.storage.sql.exec(`UPDATE task SET ${column} = ? WHERE id = 1`, Date.now() - 1000));
  await runDurableObjectAlarm(stub);
}
