/**
 * Lambda functions (integrations): an imported flow's InvokeLambdaFunction names an AWS Lambda
 * function by ARN or name; the admin maps each to the HTTPS endpoint that does its work here.
 * Flows resolve the mapping when they run (src/durable/contact-flow.ts: within CONTEXT_TTL_MS of
 * a change), and import warns about functions with no mapping. The endpoint checks the calls
 * with the instance's external signing secret (GET /instance/external-signing-secret).
 */
import { z } from "zod";
import { lambdaFunctions } from "../../../db/schema";
import { isEndpointUrl } from "../../../flows/actions/external";
import { defined, fields, iso, type ResourceDef } from "../resource";

/** `arn:aws:lambda:<region>:<account>:function:<name>[:<version or alias>]`, or the function name alone. */
export const LAMBDA_FUNCTION = /^(arn:aws[\w-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]{1,128})?|[A-Za-z0-9_-]{1,64})$/;

const Base = z.object({
  name: z.string().trim().regex(LAMBDA_FUNCTION, "must be a Lambda function ARN (arn:aws:lambda:…:function:name) or a function name"),
  endpointUrl: z.string().trim().max(2048).url().refine(isEndpointUrl, "must be an https:// URL (http:// only for localhost)"),
  description: fields.description,
});
const Create = Base.extend({ description: fields.description.default("") });
const Update = Base.partial();

export const lambdaFunctionsResource: ResourceDef<typeof lambdaFunctions, z.infer<typeof Create>, z.infer<typeof Update>> = {
  path: "lambda-functions",
  label: "Lambda function",
  auditType: "lambda_function",
  table: lambdaFunctions,
  read: ["flows.edit"],
  write: "instance.configure",
  create: Create,
  update: Update,
  async toRow(input) {
    return defined({ ...input });
  },
  toApi: (rows) =>
    rows.map((r) => ({
      id: r.id,
      name: r.name,
      endpointUrl: r.endpointUrl,
      description: r.description,
      createdAt: iso(r.createdAt),
      updatedAt: iso(r.updatedAt),
    })),
};
