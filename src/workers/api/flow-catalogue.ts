/**
 * The flow designer's block catalogue: the action types the flow engine runs, with their
 * parameters, condition and error branches. The same for every instance (it describes the
 * engine), so it reads nothing from D1; only people who edit or read flows ask for it.
 */
import { Hono } from "hono";
import { actionCatalogue } from "../../flows";
import type { FlowActionCatalogue } from "../../shared/flow-catalogue";
import { requirePermission } from "../auth/middleware";
import type { AppEnv } from "../env";

export const flowCatalogueRoutes = new Hono<AppEnv>().get("/actions", requirePermission("flows.edit", "instance.configure"), (c) =>
  c.json({ items: actionCatalogue() } satisfies FlowActionCatalogue),
);
