import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { instances } from "../../src/db/schema";
import { DAY_MS, runRetention } from "../../src/recordings/retention";
import { api, db, otherInstance } from "../helpers";
import { eventually } from "../routing/helpers";
import { renv } from "../recordings/fixtures";
import { makeTaskInstance, taskSession } from "./helpers";

const details = (instanceId: string, contactId: string) =>
  env.DB.prepare('SELECT name, description, "references" AS refs, fields FROM contact_tasks WHERE instance_id = ? AND contact_id = ?').bind(instanceId, contactId).first<any>();

describe("tasks: personal data and retention", () => {
  it("erasing a task's personal data blanks its name, description, references and fields (another instance's admin gets 404 and erases nothing)", async () => {
    const fx = await makeTaskInstance();
    const { body } = await api("POST", "/tasks", {
      token: fx.admin,
      body: { name: "Call Ann Smith", description: "Her card ends 4242", templateId: fx.templateId, fields: { Customer: "Ann Smith" }, references: [{ name: "CRM", url: "https://crm.example.com/ann" }], attributes: { ssn: "123" } },
    });
    const other = await otherInstance();
    expect((await api("DELETE", `/contacts/${body.contactId}/personal-data`, { token: other.token })).status).toBe(404);
    expect((await details(fx.instanceId, body.contactId)).name).toBe("Call Ann Smith");
    const res = await api("DELETE", `/contacts/${body.contactId}/personal-data`, { token: fx.admin });
    expect(res.status).toBe(200);
    expect(await details(fx.instanceId, body.contactId)).toEqual({ name: "", description: "", refs: "[]", fields: "{}" });
    expect((await api("GET", `/tasks/${body.contactId}`, { token: fx.admin })).body).toMatchObject({ name: "", description: "", references: [], fields: {} });
  });

  it("retention deletes an old task's details with its contact record", async () => {
    const fx = await makeTaskInstance();
    await db().update(instances).set({ contactRetentionDays: 30 }).where(eq(instances.id, fx.instanceId));
    const { body } = await api("POST", "/tasks", { token: fx.admin, body: { name: "Old", queueId: fx.queueId("work"), description: "old news" } });
    // Nobody took it: it expires (the session ends it), and its record is old by the time retention runs.
    await eventually(async () => (await taskSession(fx.instanceId, body.contactId).taskSnapshot())?.phase === "QUEUED", "queued");
    await taskSession(fx.instanceId, body.contactId).settle();
    await env.DB.prepare("UPDATE contacts SET initiated_at = ? WHERE instance_id = ? AND id = ?").bind(Date.now() - 31 * DAY_MS, fx.instanceId, body.contactId).run();
    const report = await runRetention(renv, fx.instanceId);
    expect(report.contacts).toContain(body.contactId);
    expect(await details(fx.instanceId, body.contactId)).toBeNull();
  });
});
