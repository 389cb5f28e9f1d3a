/**
 * Custom views (Amazon Connect's customer-managed views): an admin's own step-by-step guide page
 * for ShowView, made from one of the views the workspace renders (`template`: Form, Detail, List,
 * Confirmation or Cards) and its content in that view's ViewData shape (a Form's
 * `Sections[].Items[]` inputs and `Next`/`Cancel`/`Back` actions, a Detail's sections and
 * `Actions`, a List's `Items`, Cards' `Cards`…: src/shared/views.ts). The content is checked as
 * the workspace would render it; what it lacks or gets wrong is a 400 naming each problem.
 * A flow names the view by `id` or `arn` in ShowView's `ViewResource.Id`; the block's ViewData is
 * laid over the content when it runs.
 */
import { z } from "zod";
import { customViews } from "../../../db/schema";
import { badRequest } from "../../../lib/errors";
import { readView, VIEW_NAMES } from "../../../shared/views";
import { defined, fields, iso, type ResourceDef } from "../resource";

/** The content as ViewData: an object, at most 64 KB as JSON, that the template can be built from. */
const Content = z.record(z.string(), z.unknown()).refine((c) => JSON.stringify(c).length <= 65_536, "must be at most 64 KB as JSON");

function checkContent(v: { template?: (typeof VIEW_NAMES)[number]; content?: Record<string, unknown> }, ctx: z.RefinementCtx) {
  if (!v.template || !v.content) return;
  const read = readView(v.template, v.content);
  if ("problems" in read) for (const problem of read.problems) ctx.addIssue({ code: "custom", path: ["content"], message: `the ${v.template} view's content: ${problem}` });
}

const Template = z.enum(VIEW_NAMES, { message: `must be one of ${VIEW_NAMES.join(", ")}` });
const Create = z.object({ name: fields.name, description: fields.description.default(""), template: Template, content: Content }).strict().superRefine(checkContent);
// A new content is checked against the template it will have (the given one, else the stored one: toRow).
const Update = z.object({ name: fields.name, description: fields.description, template: Template, content: Content }).partial().strict().superRefine(checkContent);

/** The view's ARN as a flow names it in ShowView (`ViewResource.Id`). */
export const customViewArn = (instanceId: string, id: string) => `arn:aws:connect:local:000000000000:instance/${instanceId}/view/${id}`;

export const customViewsResource: ResourceDef<typeof customViews, z.infer<typeof Create>, z.infer<typeof Update>> = {
  path: "views",
  label: "View",
  auditType: "custom_view",
  table: customViews,
  read: ["flows.edit"],
  write: "flows.edit",
  create: Create,
  update: Update,
  async toRow(input, _ctx, existing) {
    if (existing && (input.template !== undefined) !== (input.content !== undefined)) {
      const read = readView(input.template ?? (existing.template as (typeof VIEW_NAMES)[number]), input.content ?? existing.content);
      if ("problems" in read) throw badRequest(`content: ${read.problems.join("; ")}`, read.problems.map((message) => ({ field: "content", message })));
    }
    return defined({ ...input });
  },
  toApi: (rows) =>
    rows.map((r) => ({
      id: r.id,
      arn: customViewArn(r.instanceId, r.id),
      name: r.name,
      description: r.description,
      template: r.template,
      content: r.content,
      createdAt: iso(r.createdAt),
      updatedAt: iso(r.updatedAt),
    })),
};
