/**
 * The demo instance `npm run dev` starts with (see README for the logins). Idempotent: every
 * row has a fixed id and is inserted only if missing, so running it again changes nothing.
 */
import { eq } from "drizzle-orm";
import { importBot } from "../bots";
import chatGreeting from "../flows/examples/chat-greeting.json";
import csatSurvey from "../flows/examples/csat-survey.json";
import demoIvr from "../flows/examples/demo-ivr.json";
import type { Keyring } from "../lib/crypto";
import { hashPassword } from "../lib/password";
import type { Db } from "./client";
import demoBot from "./demo/assistant-bot.json";
import { provisionInstance } from "./provision";
import {
  bots,
  chatSettings,
  emailAddresses,
  flows,
  flowVersions,
  hoursOfOperation,
  instances,
  phoneNumbers,
  queues,
  lambdaFunctions,
  customViews,
  analyticsRules,
  quickConnects,
  taskTemplates,
  routingProfileQueues,
  routingProfiles,
  users,
  profileFields,
  predefinedAttributes,
  userProficiencies,
} from "./schema";

export const DEMO = {
  instanceId: "demo",
  publicBaseUrl: "http://127.0.0.1:8787",
  phoneNumber: "+15550100",
  /** Dev-only Twilio credentials: the phone simulator signs webhooks with them. Not secrets. */
  twilioAccountSid: "ACdeadbeefdeadbeefdeadbeefdeadbeef",
  twilioAuthToken: "dev-only-auth-token-0123456789ab",
  admin: { email: "admin@demo.test", password: "switchboard-admin", name: "Demo Admin" },
  agentPassword: "switchboard-agent",
  agents: [
    { id: "demo:user:alice", email: "alice@demo.test", name: "Alice Agent", profile: "Agent" },
    { id: "demo:user:bob", email: "bob@demo.test", name: "Bob Agent", profile: "Agent" },
    { id: "demo:user:carol", email: "carol@demo.test", name: "Carol Supervisor", profile: "Supervisor" },
  ],
  queues: { billing: "demo:queue:billing", support: "demo:queue:support" },
  hours: { business: "demo:hours:business", always: "demo:hours:24x7" },
  routingProfile: "demo:rp:agents",
  ivrFlow: "demo:flow:ivr",
  /** The assistant the IVR's option 3 and the chat flow talk to: an Amazon Lex V2 bot as CloudFormation declares it (demo/assistant-bot.json). */
  bot: { id: "demo:bot:assistant", name: "DemoAssistant" },
  /** The website chat widget's flow; the widget may be embedded from the local dev origins. */
  chatFlow: "demo:flow:chat",
  /** The post-contact survey the Billing queue names: a customer whose agent ends the contact is asked for a 1–5 rating. */
  surveyFlow: "demo:flow:survey",
  chatOrigins: ["http://127.0.0.1:8787", "http://localhost:8787"],
  /** The demo's inbound email address: its mail waits in Support (`npm run email -- send scripts/demo-email.eml`). */
  emailAddress: "support@demo.test",
} as const;

const WEEKDAYS = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"];
const ALL_DAYS = [...WEEKDAYS, "SATURDAY", "SUNDAY"];

/**
 * `publicBaseUrl`: where this dev server answers (`npm run dev` passes its own, so a PORT other
 * than 8787 works): the demo instance's public base URL is set to it, also when it existed.
 * Without it, a new demo instance gets 127.0.0.1:8787 and an existing one keeps its own.
 */
export async function seedDemo(db: Db, secret: string | Keyring, opts: { publicBaseUrl?: string } = {}) {
  const publicBaseUrl = (opts.publicBaseUrl ?? DEMO.publicBaseUrl).replace(/\/$/, "");
  const { instanceId, securityProfiles } = await provisionInstance(db, secret, {
    id: DEMO.instanceId,
    name: "Demo Company",
    timezone: "America/New_York",
    publicBaseUrl,
    twilio: { accountSid: DEMO.twilioAccountSid, authToken: DEMO.twilioAuthToken },
    admin: DEMO.admin,
  });
  if (opts.publicBaseUrl) await db.update(instances).set({ publicBaseUrl }).where(eq(instances.id, instanceId));
  // The demo's numbers (+1555…, its front desk quick connect among them) are fictional, so no
  // country claims them: the demo allows them by prefix beside the US and Canada.
  await db.update(instances).set({ outboundDestinations: ["US", "CA", "+1555"] }).where(eq(instances.id, instanceId));
  const agentHash = await hashPassword(DEMO.agentPassword);
  // Imported as any Lex V2 bot is (src/bots): a definition the importer refuses is a bug in the demo, so it fails loudly.
  const assistant = importBot(JSON.stringify(demoBot));
  if (!assistant.ok) throw new Error(`the demo bot does not import: ${assistant.problems.join("; ")}`);
  const inst = { instanceId };
  await db.batch([
    db.insert(hoursOfOperation).values([
      {
        ...inst, id: DEMO.hours.business, name: "Business hours", timezone: "America/New_York",
        weekly: WEEKDAYS.map((day) => ({ day, start: "09:00", end: "17:00" })),
        overrides: [
          { date: "2026-12-25", name: "Christmas Day", ranges: [] },
          { date: "2027-01-01", name: "New Year's Day", ranges: [] },
        ],
      },
      {
        ...inst, id: DEMO.hours.always, name: "24/7", timezone: "America/New_York",
        weekly: ALL_DAYS.map((day) => ({ day, start: "00:00", end: "24:00" })), overrides: [],
      },
    ]).onConflictDoNothing(),
    // The survey flow first: the queues name it.
    db.insert(flows).values({
      ...inst, id: DEMO.surveyFlow, name: "Satisfaction survey", type: "CONTACT_FLOW",
      description: "After the agent ends: asks for a rating from 1 to 5 and stores it (SurveyRating)", content: csatSurvey, publishedVersion: 1,
    }).onConflictDoNothing(),
    db.insert(flowVersions).values({ ...inst, flowId: DEMO.surveyFlow, version: 1, content: csatSurvey }).onConflictDoNothing(),
    db.insert(queues).values([
      { ...inst, id: DEMO.queues.billing, name: "Billing", hoursOfOperationId: DEMO.hours.business, outboundCallerId: DEMO.phoneNumber, surveyFlowId: DEMO.surveyFlow },
      { ...inst, id: DEMO.queues.support, name: "Support", hoursOfOperationId: DEMO.hours.always, outboundCallerId: DEMO.phoneNumber },
    ]).onConflictDoNothing(),
    db.insert(routingProfiles).values({
      ...inst, id: DEMO.routingProfile, name: "Demo agents", description: "Billing first, then Support; up to 3 chats and 2 emails",
      voiceConcurrency: 1, chatConcurrency: 3, taskConcurrency: 1, emailConcurrency: 2, defaultOutboundQueueId: DEMO.queues.support,
    }).onConflictDoNothing(),
    db.insert(routingProfileQueues).values(
      (["VOICE", "CHAT", "TASK", "EMAIL"] as const).flatMap((channel) => [
        { ...inst, routingProfileId: DEMO.routingProfile, queueId: DEMO.queues.billing, channel, priority: 1, delaySeconds: 0 },
        { ...inst, routingProfileId: DEMO.routingProfile, queueId: DEMO.queues.support, channel, priority: 2, delaySeconds: 0 },
      ]),
    ).onConflictDoNothing(),
    db.insert(users).values(
      DEMO.agents.map((a) => ({
        ...inst, id: a.id, email: a.email, name: a.name, passwordHash: agentHash,
        securityProfileId: securityProfiles[a.profile], routingProfileId: DEMO.routingProfile,
      })),
    ).onConflictDoNothing(),
    db.insert(flows).values({
      ...inst, id: DEMO.ivrFlow, name: "Demo IVR", type: "CONTACT_FLOW",
      description: "Welcome, menu (1 billing, 2 support, 3 the assistant bot) with retries, then queue", content: demoIvr, publishedVersion: 1,
    }).onConflictDoNothing(),
    db.insert(flowVersions).values({ ...inst, flowId: DEMO.ivrFlow, version: 1, content: demoIvr }).onConflictDoNothing(),
    db.insert(flows).values({
      ...inst, id: DEMO.chatFlow, name: "Chat greeting", type: "CONTACT_FLOW",
      description: "Website chat: greets, asks billing, support or the assistant bot, waits for a quiet customer, then queue", content: chatGreeting, publishedVersion: 1,
    }).onConflictDoNothing(),
    db.insert(flowVersions).values({ ...inst, flowId: DEMO.chatFlow, version: 1, content: chatGreeting }).onConflictDoNothing(),
    db.insert(bots).values({
      ...inst, id: DEMO.bot.id, name: DEMO.bot.name, description: assistant.bot.description, format: assistant.format, definition: assistant.bot,
    }).onConflictDoNothing(),
    db.insert(chatSettings).values({ instanceId, allowedOrigins: [...DEMO.chatOrigins], flowIds: [DEMO.chatFlow] }).onConflictDoNothing(),
    db.insert(phoneNumbers).values({
      ...inst, id: "demo:number:main", e164: DEMO.phoneNumber, description: "Demo main line", flowId: DEMO.ivrFlow,
    }).onConflictDoNothing(),
    db.insert(emailAddresses).values({
      ...inst, id: "demo:email:support", address: DEMO.emailAddress, displayName: "Demo Support", queueId: DEMO.queues.support,
    }).onConflictDoNothing(),
    db.insert(quickConnects).values([
      { ...inst, id: "demo:qc:billing", name: "Billing queue", type: "QUEUE", queueId: DEMO.queues.billing },
      { ...inst, id: "demo:qc:support", name: "Support queue", type: "QUEUE", queueId: DEMO.queues.support },
      // An outside number to transfer calls to (locally the phone simulator answers it).
      { ...inst, id: "demo:qc:front-desk", name: "Front desk", type: "PHONE_NUMBER", phoneNumber: "+15550142" },
      // Agents, to transfer to (or consult) directly.
      { ...inst, id: "demo:qc:alice", name: "Alice Agent", type: "USER", userId: "demo:user:alice" },
      { ...inst, id: "demo:qc:bob", name: "Bob Agent", type: "USER", userId: "demo:user:bob" },
    ]).onConflictDoNothing(),
    // Tasks (channel TASK): a follow-up an agent or a flow creates, waiting in Support.
    db.insert(taskTemplates).values({
      ...inst, id: "demo:task-template:follow-up", name: "Customer follow-up", description: "Call the customer back about their case",
      queueId: DEMO.queues.support, flowId: null,
      fields: [
        { name: "Customer", type: "text", required: true, default: null, options: [] },
        { name: "Case link", type: "url", required: false, default: null, options: [] },
        { name: "Urgency", type: "select", required: false, default: "normal", options: ["low", "normal", "high"] },
      ],
    }).onConflictDoNothing(),
    // A Lambda function of a migrated flow, mapped to the business's endpoint (not called by the demo flows).
    db.insert(lambdaFunctions).values({
      ...inst, id: "demo:lambda:lookup", name: "arn:aws:lambda:us-east-1:123456789012:function:lookupCustomer",
      endpointUrl: "https://crm.example.com/connect/lookup-customer", description: "Looks the caller up in the CRM",
    }).onConflictDoNothing(),
    // A custom view for step-by-step guides: a Form an agent fills in when the customer asks to be called back.
    db.insert(customViews).values({
      ...inst, id: "demo:view:callback-request", name: "Callback request", description: "When and where the customer wants to be called back", template: "Form",
      content: {
        Heading: "Callback request",
        Sections: [{ Items: [{ Name: "number", Label: "Number to call", InputType: "tel", Required: true }, { Name: "when", Label: "When", InputType: "select", Options: ["Morning", "Afternoon"], Required: true }] }],
        Next: "Book the callback", Cancel: "No callback",
      },
    }).onConflictDoNothing(),
    // A live conversation-analytics rule: a customer who wants to cancel alerts the supervisors.
    db.insert(analyticsRules).values({
      ...inst, id: "demo:rule:cancellation", name: "Customer wants to cancel", category: "Cancellation", live: true,
      body: { conditions: [{ type: "WORDS", phrases: ["cancel my account", "cancel my subscription", "close my account"], match: "ANY", within: null, speaker: "CUSTOMER", part: null }], queueIds: [], agentIds: [] },
    }).onConflictDoNothing(),
    // Custom fields of customer profiles, shown on the offer and settable by flows ($.Customer.Attributes.Tier).
    db.insert(profileFields).values([
      { ...inst, id: "demo:pf:tier", name: "Tier", type: "TEXT" },
      { ...inst, id: "demo:pf:since", name: "CustomerSince", type: "DATE" },
    ]).onConflictDoNothing(),
    // A predefined attribute for routing criteria (UpdateRoutingCriteria): Alice speaks Spanish well, Bob a little.
    db.insert(predefinedAttributes).values({ ...inst, id: "demo:attr:language", name: "Language", values: ["English", "Spanish"] }).onConflictDoNothing(),
    db.insert(userProficiencies).values([
      { ...inst, userId: "demo:user:alice", attributeId: "demo:attr:language", value: "English", level: 5 },
      { ...inst, userId: "demo:user:alice", attributeId: "demo:attr:language", value: "Spanish", level: 4 },
      { ...inst, userId: "demo:user:bob", attributeId: "demo:attr:language", value: "English", level: 5 },
      { ...inst, userId: "demo:user:bob", attributeId: "demo:attr:language", value: "Spanish", level: 2 },
    ]).onConflictDoNothing(),
  ]);
  return { instanceId };
}
