/**
 * An instance's custom views (schema `customViews`) as the flow engine takes them
 * (`FlowContext.views`): read fresh each time a guide's flow runs, so an admin's change shows at
 * the next view. Only this instance's: another instance's view id is simply not there.
 */
import { eq } from "drizzle-orm";
import { createDb } from "./client";
import { customViews } from "./schema";
import { VIEW_NAMES, type ViewName } from "../shared/views";

export async function loadCustomViews(d1: D1Database, instanceId: string): Promise<Record<string, { template: ViewName; content: Record<string, unknown> }>> {
  const rows = await createDb(d1).select({ id: customViews.id, template: customViews.template, content: customViews.content }).from(customViews).where(eq(customViews.instanceId, instanceId));
  return Object.fromEntries(
    rows.filter((r) => (VIEW_NAMES as readonly string[]).includes(r.template)).map((r) => [r.id, { template: r.template as ViewName, content: r.content }]),
  );
}
