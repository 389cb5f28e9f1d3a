/**
 * Every screen of the console: where it lives, who may see it, and how it is loaded. The
 * navigation and the router both read this list, so a link is shown only for a screen that
 * exists and that the user's security profile allows. Screens are loaded on demand, so an
 * agent's first load carries none of the console's code.
 */
import { lazy, type ComponentType, type LazyExoticComponent } from "react";
import type { Permission } from "../../shared/permissions";

export type Screen = {
  /** Base path; the screen handles its own sub-paths (/queues/new, /queues/:id). */
  path: string;
  label: string;
  group: "Contact center" | "Routing" | "People" | "Channels and flows" | "Records" | "Instance";
  /** Shown when the user has any of these. */
  anyOf: Permission[];
  component: LazyExoticComponent<ComponentType>;
};

export const SCREENS: Screen[] = [
  { path: "/workspace", label: "Agent workspace", group: "Contact center", anyOf: ["contacts.handle"], component: lazy(() => import("../agent/AgentWorkspace")) },
  { path: "/dashboard", label: "Live dashboard", group: "Contact center", anyOf: ["metrics.realtime"], component: lazy(() => import("../dashboard/DashboardScreen")) },
  { path: "/queues", label: "Queues", group: "Routing", anyOf: ["instance.configure"], component: lazy(() => import("../console/QueuesScreen")) },
  { path: "/routing-profiles", label: "Routing profiles", group: "Routing", anyOf: ["instance.configure"], component: lazy(() => import("../console/RoutingProfilesScreen")) },
  { path: "/hours-of-operation", label: "Hours of operation", group: "Routing", anyOf: ["instance.configure"], component: lazy(() => import("../console/HoursScreen")) },
  { path: "/agent-statuses", label: "Agent statuses", group: "Routing", anyOf: ["instance.configure"], component: lazy(() => import("../console/AgentStatusesScreen")) },
  { path: "/users", label: "Users", group: "People", anyOf: ["users.manage"], component: lazy(() => import("../console/UsersScreen")) },
  { path: "/predefined-attributes", label: "Predefined attributes", group: "People", anyOf: ["instance.configure"], component: lazy(() => import("../console/PredefinedAttributesScreen")) },
  { path: "/security-profiles", label: "Security profiles", group: "People", anyOf: ["users.manage", "instance.configure"], component: lazy(() => import("../console/SecurityProfilesScreen")) },
  { path: "/flows", label: "Flows", group: "Channels and flows", anyOf: ["flows.edit", "instance.configure"], component: lazy(() => import("../flows/FlowsScreen")) },
  { path: "/bots", label: "Bots", group: "Channels and flows", anyOf: ["flows.edit", "instance.configure"], component: lazy(() => import("../bots/BotsScreen")) },
  { path: "/phone-numbers", label: "Phone numbers", group: "Channels and flows", anyOf: ["instance.configure"], component: lazy(() => import("../console/PhoneNumbersScreen")) },
  { path: "/email-addresses", label: "Email addresses", group: "Channels and flows", anyOf: ["instance.configure"], component: lazy(() => import("../console/EmailAddressesScreen")) },
  { path: "/chat", label: "Website chat", group: "Channels and flows", anyOf: ["instance.configure"], component: lazy(() => import("../console/ChatSettingsScreen")) },
  { path: "/quick-connects", label: "Quick connects", group: "Channels and flows", anyOf: ["instance.configure"], component: lazy(() => import("../console/QuickConnectsScreen")) },
  { path: "/task-templates", label: "Task templates", group: "Channels and flows", anyOf: ["instance.configure"], component: lazy(() => import("../console/TaskTemplatesScreen")) },
  { path: "/views", label: "Views", group: "Channels and flows", anyOf: ["flows.edit"], component: lazy(() => import("../console/ViewsScreen")) },
  { path: "/lambda-functions", label: "Lambda functions", group: "Channels and flows", anyOf: ["instance.configure"], component: lazy(() => import("../console/LambdaFunctionsScreen")) },
  { path: "/rules", label: "Analytics rules", group: "Records", anyOf: ["instance.configure"], component: lazy(() => import("../console/RulesScreen")) },
  { path: "/knowledge", label: "Knowledge", group: "Records", anyOf: ["knowledge.write"], component: lazy(() => import("../knowledge/KnowledgeScreen")) },
  { path: "/reports", label: "Historical reports", group: "Records", anyOf: ["metrics.historical"], component: lazy(() => import("../reports/ReportsScreen")) },
  { path: "/contacts", label: "Contact search", group: "Records", anyOf: ["contacts.search"], component: lazy(() => import("../contacts/ContactsScreen")) },
  { path: "/audit-log", label: "Audit log", group: "Records", anyOf: ["audit.view"], component: lazy(() => import("../audit/AuditScreen")) },
  { path: "/settings", label: "Instance settings", group: "Instance", anyOf: ["instance.configure"], component: lazy(() => import("../console/SettingsScreen")) },
];

export const GROUPS: Screen["group"][] = ["Contact center", "Routing", "People", "Channels and flows", "Records", "Instance"];

/** Agents start in their workspace; people who also run or configure the center start at the overview. */
export function landingPath(can: (...anyOf: Permission[]) => boolean): string {
  return can("contacts.handle") && !can("instance.configure", "users.manage", "flows.edit") ? "/workspace" : "/";
}

export function screenFor(path: string): Screen | undefined {
  return SCREENS.find((s) => path === s.path || path.startsWith(`${s.path}/`));
}
