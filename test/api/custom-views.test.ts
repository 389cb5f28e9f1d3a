/**
 * Custom views (src/workers/api/resources/custom-views.ts): an admin makes a view for step-by-step
 * guides from a template the workspace renders and its content; content the template cannot be
 * built from is a 400 naming each problem and stores nothing; the id and ARN are what ShowView
 * names. Another instance's view is 404 (test/api/tenancy.test.ts covers every method).
 */
import { describe, expect, it } from "vitest";
import { api, demoAdmin, demoAgent } from "../helpers";

const FORM = { Heading: "Address", Sections: [{ Items: [{ Name: "street", Label: "Street", Required: true }] }], Next: "Save" };

describe("custom views", () => {
  it("an admin makes a Form view and gets its id and ARN; a list shows it; a change to its content is checked against its template", async () => {
    const admin = await demoAdmin();
    const made = await api("POST", "/views", { token: admin, body: { name: "Address form", template: "Form", content: FORM } });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ name: "Address form", description: "", template: "Form", content: FORM, arn: `arn:aws:connect:local:000000000000:instance/demo/view/${made.body.id}` });
    const list = await api("GET", "/views", { token: admin });
    expect(list.body.items.map((v: { id: string }) => v.id)).toEqual(expect.arrayContaining([made.body.id, "demo:view:callback-request"]));

    // Cards content under a Form template: what a Form lacks is named.
    const bad = await api("PATCH", `/views/${made.body.id}`, { token: admin, body: { content: { Cards: [{ Summary: { Id: "a", Heading: "A" } }] } } });
    expect(bad).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining("a Form needs at least one input") } } });
    const both = await api("PATCH", `/views/${made.body.id}`, { token: admin, body: { template: "Cards", content: { Heading: "Pick", Cards: [{ Summary: { Id: "a", Heading: "A" } }] } } });
    expect(both).toMatchObject({ status: 200, body: { template: "Cards" } });
    expect((await api("PATCH", `/views/${made.body.id}`, { token: admin, body: { template: "Form" } })).status).toBe(400);
    expect((await api("GET", `/views/${made.body.id}`, { token: admin })).body.template).toBe("Cards");
  });

  it("content a view cannot be built from, an unknown template or extra fields are 400 with each problem, and nothing is stored", async () => {
    const admin = await demoAdmin();
    const before = (await api("GET", "/views", { token: admin })).body.items.length;
    const noName = await api("POST", "/views", { token: admin, body: { name: "Broken", template: "Form", content: { Sections: [{ Items: [{ Label: "no name" }, { Name: "n", InputType: "colour" }] }] } } });
    expect(noName.status).toBe(400);
    expect(noName.body.error.details.map((d: { field: string; message: string }) => [d.field, d.message])).toEqual([
      ["content", expect.stringContaining("Sections[0].Items[0].Name must be a name")],
      ["content", expect.stringContaining(`InputType "colour" is not one of`)],
      ["content", "the Form view's content: a Form needs at least one input in Sections[].Items"],
    ]);
    const template = await api("POST", "/views", { token: admin, body: { name: "Odd", template: "Carousel", content: {} } });
    expect(template).toMatchObject({ status: 400, body: { error: { details: [{ field: "template", message: expect.stringContaining("Form, Detail, List, Confirmation, Cards") }] } } });
    expect((await api("POST", "/views", { token: admin, body: { name: "Extra", template: "Confirmation", content: { Heading: "Done" }, script: "x" } })).status).toBe(400);
    expect((await api("POST", "/views", { token: admin, body: { name: "List", template: "List", content: [] } })).status).toBe(400);
    expect((await api("GET", "/views", { token: admin })).body.items.length).toBe(before);
  });

  it("an agent (no flows.edit) may neither list nor make views", async () => {
    const agent = await demoAgent();
    expect((await api("GET", "/views", { token: agent })).status).toBe(403);
    expect((await api("POST", "/views", { token: agent, body: { name: "Mine", template: "Confirmation", content: { Heading: "Done" } } })).status).toBe(403);
  });
});
