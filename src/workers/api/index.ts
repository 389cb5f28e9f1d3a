/** The JSON API under /api/v1. Every route but sign-in needs a session. */
import { emailAddressesResource } from "./resources/email-addresses";
import { Hono } from "hono";
import { requireSession } from "../auth/middleware";
import { authRoutes } from "../auth/routes";
import type { AppEnv } from "../env";
import { afterContactWorkRoutes } from "./after-contact-work";
import { agentRoutes } from "./agent";
import { agentHistoryRoutes } from "./agent-history";
import { outboundCallRoutes } from "./outbound-calls";
import { auditRoutes } from "./audit";
import { botRoutes } from "./bots";
import { contactRoutes } from "./contacts";
import { flowCatalogueRoutes } from "./flow-catalogue";
import { contactFlowLogRoutes, flowToolRoutes } from "./flow-tools";
import { flowVersionRoutes } from "./flow-versions";
import { instanceRoutes } from "./instance";
import { knowledgeRoutes } from "./knowledge";
import { knowledgeSuggestionRoutes } from "./knowledge-suggestions";
import { agentQuickReplyRoutes, quickReplySettingsRoutes } from "../chat/quick-replies";
import { chatSettingsRoutes } from "../chat/settings-routes";
import { contactRecordingRoutes, recordingRoutes } from "./recordings";
import { contactAnalysisRoutes } from "./contact-analysis";
import { supervisionRoutes } from "./supervision";
import { metricsRoutes } from "./metrics";
import { metricsDirectoryRoutes } from "./metrics-directory";
import { resourceRoutes } from "./resource";
import { agentStatusesResource } from "./resources/agent-statuses";
import { flowsResource } from "./resources/flows";
import { hoursResource } from "./resources/hours";
import { phoneNumbersResource } from "./resources/phone-numbers";
import { queuesResource } from "./resources/queues";
import { analyticsRulesResource } from "./resources/analytics-rules";
import { lambdaFunctionsResource } from "./resources/lambda-functions";
import { customViewsResource } from "./resources/custom-views";
import { quickConnectsResource } from "./resources/quick-connects";
import { taskTemplatesResource } from "./resources/task-templates";
import { routingProfilesResource } from "./resources/routing-profiles";
import { profileFieldsResource } from "./resources/profile-fields";
import { predefinedAttributesResource } from "./resources/predefined-attributes";
import { profileRoutes } from "./profiles";
import { setupRoutes } from "./setup";
import { taskRoutes } from "./tasks";
import { securityProfilesResource } from "./resources/security-profiles";
import { usersResource } from "./resources/users";

/** Every configuration collection, in the order an admin sets an instance up. */
export const CONFIG_RESOURCES = [
  hoursResource,
  queuesResource,
  routingProfilesResource,
  securityProfilesResource,
  usersResource,
  agentStatusesResource,
  phoneNumbersResource,
  flowsResource,
  quickConnectsResource,
  lambdaFunctionsResource,
  customViewsResource,
  analyticsRulesResource,
  taskTemplatesResource,
  profileFieldsResource,
  emailAddressesResource,
  predefinedAttributesResource,
] as const;

// Public: sign-in, and the first-run setup (a deployment with no instance has no one to sign in).
const api = new Hono<AppEnv>().route("/auth", authRoutes).route("/setup", setupRoutes);
const PUBLIC = /^\/api\/v1\/(auth\/|setup\/?$)/;
api.use("*", async (c, next) => (PUBLIC.test(c.req.path) ? next() : requireSession(c, next)));
api.route("/instance", instanceRoutes);
api.route("/instance/chat/quick-replies", quickReplySettingsRoutes);
api.route("/instance/chat", chatSettingsRoutes);
api.route("/contacts", contactRecordingRoutes); // before contactRoutes: its own permissions
api.route("/contacts", contactAnalysisRoutes); // the same: the transcript's permission
api.route("/contacts", supervisionRoutes); // the same: supervision.monitor
api.route("/contacts", afterContactWorkRoutes); // before contactRoutes: the connected agent's own (contacts.handle)
api.route("/agent/quick-replies", agentQuickReplyRoutes);
api.route("/agent/outbound-calls", outboundCallRoutes);
api.route("/agent", agentHistoryRoutes);
api.route("/agent", agentRoutes);
api.route("/contacts", contactRoutes);
api.route("/recordings", recordingRoutes);
api.route("/contacts", contactFlowLogRoutes);
api.route("/audit-log", auditRoutes);
api.route("/flows", flowCatalogueRoutes); // before the resource routes: "actions" is not a flow id
api.route("/flows", flowVersionRoutes);
api.route("/metrics", metricsRoutes);
api.route("/metrics", metricsDirectoryRoutes);
api.route("/flows", flowToolRoutes);
api.route("/bots", botRoutes);
api.route("/tasks", taskRoutes);
api.route("/profiles", profileRoutes);
api.route("/knowledge", knowledgeRoutes);
api.route("/knowledge", knowledgeSuggestionRoutes);
for (const def of CONFIG_RESOURCES) api.route(`/${def.path}`, resourceRoutes(def as never));

export { api };
