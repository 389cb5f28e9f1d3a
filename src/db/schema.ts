/**
 * The D1 schema: configuration of every instance (tenant) and the durable record of
 * every contact. Every table but `instances` carries `instance_id`; all access goes through
 * the instance-scoped data-access layer in `src/db/scoped.ts`.
 *
 * Change it here, then `npm run db:generate` writes the migration into `migrations/`.
 */
import { sql } from "drizzle-orm";
import {
  index,
  integer,
  primaryKey,
  real,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";
import type { CallbackOffer } from "../shared/callback-offer";

const now = sql`(unixepoch('subsec') * 1000)`;
const timestamps = {
  createdAt: integer("created_at", { mode: "number" }).notNull().default(now),
  updatedAt: integer("updated_at", { mode: "number" }).notNull().default(now),
};

export const instances = sqliteTable("instances", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  timezone: text("timezone").notNull().default("UTC"),
  /** Public base URL Twilio calls (e.g. https://switchboard.example.com). Signatures are checked against it. */
  publicBaseUrl: text("public_base_url").notNull(),
  twilioAccountSid: text("twilio_account_sid"),
  /** AES-GCM ciphertext (see src/lib/crypto.ts), never returned by the API. */
  twilioAuthTokenEnc: text("twilio_auth_token_enc"),
  /** API key for minting the browser softphone's Voice access tokens (secret encrypted). */
  twilioApiKeySid: text("twilio_api_key_sid"),
  twilioApiKeySecretEnc: text("twilio_api_key_secret_enc"),
  /** TwiML App whose Voice URL the softphone's outgoing calls use. */
  twilioTwimlAppSid: text("twilio_twiml_app_sid"),
  /**
   * The secret external endpoints check `X-Switchboard-Signature` with (sealed; src/db/external-signing.ts).
   * Kept here so a rotation of SWITCHBOARD_SECRET does not change it; null until first used.
   */
  externalSigningSecretEnc: text("external_signing_secret_enc"),
  recordingRetentionDays: integer("recording_retention_days").notNull().default(365),
  contactRetentionDays: integer("contact_retention_days").notNull().default(730),
  transcriptRetentionDays: integer("transcript_retention_days").notNull().default(365),
  /** How long an agent whose last browser socket closed stays routable before it is shown Disconnected and offered nothing. */
  agentDisconnectGraceSeconds: integer("agent_disconnect_grace_seconds").notNull().default(30),
  /**
   * Where agents may call and transfer calls to (toll fraud): ISO country codes ("US") and E.164
   * prefixes ("+4420"). Null: the countries of the instance's own phone numbers (src/db/dialing.ts).
   */
  outboundDestinations: text("outbound_destinations", { mode: "json" }).$type<string[]>(),
  /**
   * The only endpoints flows may call (InvokeLambdaFunction): `https://host[:port]` for a whole
   * site or a URL whose path is a prefix. None by default: a flow's external call is refused.
   */
  externalEndpoints: text("external_endpoints", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
  /**
   * Where flows' StartMediaStreaming blocks stream the customer's audio (a wss:// URL receiving
   * Twilio Media Streams frames). Null: those blocks take their error branch.
   */
  mediaStreamUrl: text("media_stream_url"),
  /** Web chats that may be open at once; past it the public chat start answers 503 `too_many_open_chats`. */
  maxOpenChats: integer("max_open_chats").notNull().default(200),
  /** A chat whose customer sends nothing for this many minutes ends (the chat object's alarm). */
  chatIdleTimeoutMinutes: integer("chat_idle_timeout_minutes").notNull().default(20),
  /**
   * An SMS or WhatsApp conversation stays one contact while the customer writes again within this
   * many minutes (the contact's silence timer); after that, or once the contact ended, a new
   * message starts a new contact. Default 24 hours (WhatsApp's customer-service window).
   */
  messagingIdleMinutes: integer("messaging_idle_minutes").notNull().default(1440),
  /**
   * Redaction of transcripts before they are stored (src/analytics/policy.ts): on by default; the
   * personal-data types masked (null: all); whether an encrypted unredacted copy is kept beside
   * each transcript (readable only with the `transcripts.unredacted` permission).
   */
  redactionEnabled: integer("redaction_enabled", { mode: "boolean" }).notNull().default(true),
  redactionTypes: text("redaction_types", { mode: "json" }).$type<string[]>(),
  keepUnredactedTranscripts: integer("keep_unredacted_transcripts", { mode: "boolean" }).notNull().default(false),
  /**
   * Whether an agent is shown that a supervisor listens in (or reads their chat). Coaching and
   * barging in are always shown: the agent hears (or reads) the supervisor then.
   */
  notifyAgentOnMonitor: integer("notify_agent_on_monitor", { mode: "boolean" }).notNull().default(true),
  ...timestamps,
});

/**
 * The first-run setup's claim (POST /api/v1/setup): one row at most, whose primary key is
 * always 1. It is inserted in the same D1 batch as the first instance, so of two setups at
 * once only one can commit; the other's batch fails on the key and changes nothing.
 * Deployment-wide, like `login_throttle`: it belongs to no instance.
 */
export const setupClaim = sqliteTable("setup_claim", {
  id: integer("id").primaryKey(),
  instanceId: text("instance_id").notNull(),
  claimedAt: integer("claimed_at").notNull(),
});

export const securityProfiles = sqliteTable(
  "security_profiles",
  {
    id: text("id").primaryKey(),
    instanceId: text("instance_id").notNull().references(() => instances.id),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    /** JSON array of permission names (src/shared/permissions.ts). */
    permissions: text("permissions", { mode: "json" }).$type<string[]>().notNull(),
    ...timestamps,
  },
  (t) => [uniqueIndex("security_profiles_name").on(t.instanceId, t.name)],
);

export const agentStatuses = sqliteTable(
  "agent_statuses",
  {
    id: text("id").primaryKey(),
    instanceId: text("instance_id").notNull().references(() => instances.id),
    name: text("name").notNull(),
    /** ROUTABLE (Available), CUSTOM (Break, Lunch…: not routable), OFFLINE. */
    type: text("type", { enum: ["ROUTABLE", "CUSTOM", "OFFLINE"] }).notNull(),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    displayOrder: integer("display_order").notNull().default(0),
    ...timestamps,
  },
  (t) => [uniqueIndex("agent_statuses_name").on(t.instanceId, t.name)],
);

export type WeeklyRange = { day: string; start: string; end: string };
export type HoursOverride = { date: string; name: string; ranges: { start: string; end: string }[] };

export const hoursOfOperation = sqliteTable(
  "hours_of_operation",
  {
    id: text("id").primaryKey(),
    instanceId: text("instance_id").notNull().references(() => instances.id),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    timezone: text("timezone").notNull(),
    /** Weekly open ranges, e.g. [{ day: "MONDAY", start: "09:00", end: "17:00" }]. */
    weekly: text("weekly", { mode: "json" }).$type<WeeklyRange[]>().notNull(),
    /** Dated overrides (holidays): no ranges = closed all day. */
    overrides: text("overrides", { mode: "json" }).$type<HoursOverride[]>().notNull(),
    ...timestamps,
  },
  (t) => [uniqueIndex("hours_name").on(t.instanceId, t.name)],
);

export const flows = sqliteTable(
  "flows",
  {
    id: text("id").primaryKey(),
    instanceId: text("instance_id").notNull().references(() => instances.id),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    type: text("type").notNull(),
    /** The draft: Amazon Connect flow language JSON. */
    content: text("content", { mode: "json" }).$type<unknown>().notNull(),
    /** Latest published version number; null while only a draft exists. */
    publishedVersion: integer("published_version"),
    ...timestamps,
  },
  (t) => [uniqueIndex("flows_name").on(t.instanceId, t.name)],
);

/**
 * Self-service bots (Amazon Lex V2 bots imported as they are): the normalised definition
 * (src/bots/model.ts), read by the bot engines and the flow block that runs a bot.
 */
export const bots = sqliteTable(
  "bots",
  {
    id: text("id").primaryKey(),
    instanceId: text("instance_id").notNull().references(() => instances.id),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    /** What it was imported from: "lex-export", "cloudformation" or "model". */
    format: text("format").notNull(),
    /** The bot model (src/bots/model.ts), validated on the way in. */
    definition: text("definition", { mode: "json" }).$type<unknown>().notNull(),
    /** HTTPS endpoint its dialog/fulfillment code hooks are POSTed to (signed); null: hooks not called. */
    codeHookUrl: text("code_hook_url"),
    ...timestamps,
  },
  (t) => [uniqueIndex("bots_name").on(t.instanceId, t.name)],
);

/** Immutable published versions; a contact runs the version published when it started. */
export const flowVersions = sqliteTable(
  "flow_versions",
  {
    instanceId: text("instance_id").notNull().references(() => instances.id),
    flowId: text("flow_id").notNull().references(() => flows.id, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    content: text("content", { mode: "json" }).$type<unknown>().notNull(),
    publishedBy: text("published_by"),
    createdAt: timestamps.createdAt,
  },
  (t) => [primaryKey({ columns: [t.flowId, t.version] })],
);

export const queues = sqliteTable(
  "queues",
  {
    id: text("id").primaryKey(),
    instanceId: text("instance_id").notNull().references(() => instances.id),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    hoursOfOperationId: text("hours_of_operation_id")
      .notNull()
      .references(() => hoursOfOperation.id),
    /** Null = no limit. */
    maxContacts: integer("max_contacts"),
    /** How long an offer from this queue rings before the agent goes Missed and the contact goes back. */
    ringTimeoutSeconds: integer("ring_timeout_seconds").notNull().default(20),
    outboundCallerId: text("outbound_caller_id"),
    /** CUSTOMER_QUEUE flow a waiting contact hears; null = default music. */
    customerQueueFlowId: text("customer_queue_flow_id").references(() => flows.id),
    /** Queue defaults for whisper flows (a contact's own UpdateContactEventHooks wins): AGENT_WHISPER, CUSTOMER_WHISPER. */
    agentWhisperFlowId: text("agent_whisper_flow_id").references(() => flows.id),
    customerWhisperFlowId: text("customer_whisper_flow_id").references(() => flows.id),
    /** OUTBOUND_WHISPER flow the customer of an agent's outbound call hears on answering (it may turn recording on). */
    outboundWhisperFlowId: text("outbound_whisper_flow_id").references(() => flows.id),
    /** CUSTOMER_HOLD flow a caller from this queue hears on hold, unless the contact's flow set one; null = music. */
    customerHoldFlowId: text("customer_hold_flow_id").references(() => flows.id),
    /**
     * The flow a customer from this queue goes on to when the agent ends the contact while they are
     * still there (a post-contact survey), unless the contact's flow set a CustomerRemaining hook.
     */
    surveyFlowId: text("survey_flow_id").references(() => flows.id),
    /** AGENT_HOLD flow the agent hears while holding a caller from this queue, unless the contact's flow set one; null = silence. */
    agentHoldFlowId: text("agent_hold_flow_id").references(() => flows.id),
    /**
     * The wrap-up codes (dispositions) an agent may choose in after contact work for a contact of
     * this queue, in display order; empty = any of the instance's codes (every queue's, or the defaults).
     */
    wrapUpCodes: text("wrap_up_codes", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    /**
     * The queue's own callback offer (src/shared/callback-offer.ts): callers waiting here with no
     * CUSTOMER_QUEUE flow are offered a callback after a while; null = not offered.
     */
    offerCallback: text("offer_callback", { mode: "json" }).$type<CallbackOffer>(),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    ...timestamps,
  },
  (t) => [uniqueIndex("queues_name").on(t.instanceId, t.name)],
);

export const routingProfiles = sqliteTable(
  "routing_profiles",
  {
    id: text("id").primaryKey(),
    instanceId: text("instance_id").notNull().references(() => instances.id),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    voiceConcurrency: integer("voice_concurrency").notNull().default(1),
    chatConcurrency: integer("chat_concurrency").notNull().default(3),
    taskConcurrency: integer("task_concurrency").notNull().default(1),
    emailConcurrency: integer("email_concurrency").notNull().default(1),
    crossChannelBehavior: text("cross_channel_behavior", {
      enum: ["ROUTE_CURRENT_CHANNEL_ONLY", "ROUTE_ANY_CHANNEL"],
    })
      .notNull()
      .default("ROUTE_CURRENT_CHANNEL_ONLY"),
    afterContactWorkTimeoutSeconds: integer("acw_timeout_seconds").notNull().default(120),
    defaultOutboundQueueId: text("default_outbound_queue_id").references(() => queues.id),
    ...timestamps,
  },
  (t) => [uniqueIndex("routing_profiles_name").on(t.instanceId, t.name)],
);

/** A routing profile's queues: per queue and channel, priority (1 first) and delay. */
export const routingProfileQueues = sqliteTable(
  "routing_profile_queues",
  {
    instanceId: text("instance_id").notNull().references(() => instances.id),
    routingProfileId: text("routing_profile_id")
      .notNull()
      .references(() => routingProfiles.id, { onDelete: "cascade" }),
    queueId: text("queue_id").notNull().references(() => queues.id),
    channel: text("channel", { enum: ["VOICE", "CHAT", "TASK", "EMAIL"] }).notNull(),
    priority: integer("priority").notNull(),
    delaySeconds: integer("delay_seconds").notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.routingProfileId, t.queueId, t.channel] }),
    index("rpq_queue").on(t.queueId),
  ],
);

export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    instanceId: text("instance_id").notNull().references(() => instances.id),
    /** Lower-cased; unique across the deployment because it is the sign-in name. */
    email: text("email").notNull(),
    name: text("name").notNull(),
    passwordHash: text("password_hash").notNull(),
    securityProfileId: text("security_profile_id")
      .notNull()
      .references(() => securityProfiles.id),
    routingProfileId: text("routing_profile_id").references(() => routingProfiles.id),
    /** E.164 desk/mobile phone for agents who take calls on their own phone. */
    phoneNumber: text("phone_number"),
    active: integer("active", { mode: "boolean" }).notNull().default(true),
    ...timestamps,
  },
  (t) => [uniqueIndex("users_email").on(t.email), index("users_instance").on(t.instanceId)],
);

/**
 * A predefined attribute (Amazon Connect's): a name (`Language`) and the values agents can be
 * proficient in (`Spanish`, `English`). Flows' routing criteria (UpdateRoutingCriteria) name them.
 */
export const predefinedAttributes = sqliteTable(
  "predefined_attributes",
  {
    id: text("id").primaryKey(),
    instanceId: text("instance_id").notNull().references(() => instances.id),
    name: text("name").notNull(),
    values: text("values", { mode: "json" }).$type<string[]>().notNull(),
    ...timestamps,
  },
  (t) => [uniqueIndex("predefined_attributes_name").on(t.instanceId, t.name)],
);

/** A user's proficiencies: a predefined attribute's value and a level, 1 (lowest) to 5. */
export const userProficiencies = sqliteTable(
  "user_proficiencies",
  {
    instanceId: text("instance_id").notNull().references(() => instances.id),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    attributeId: text("attribute_id").notNull().references(() => predefinedAttributes.id),
    value: text("value").notNull(),
    level: integer("level").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.attributeId, t.value] }),
    index("user_proficiencies_attribute").on(t.attributeId),
  ],
);

export const phoneNumbers = sqliteTable(
  "phone_numbers",
  {
    id: text("id").primaryKey(),
    instanceId: text("instance_id").notNull().references(() => instances.id),
    /** E.164; unique across the deployment: the instance of a call is found from `To`. */
    e164: text("e164").notNull(),
    description: text("description").notNull().default(""),
    flowId: text("flow_id").references(() => flows.id),
    /** The chat flow an inbound SMS or WhatsApp message to this number runs (null: the instance's first chat flow). */
    messagingFlowId: text("messaging_flow_id").references(() => flows.id),
    ...timestamps,
  },
  (t) => [uniqueIndex("phone_numbers_e164").on(t.e164)],
);

export const quickConnects = sqliteTable(
  "quick_connects",
  {
    id: text("id").primaryKey(),
    instanceId: text("instance_id").notNull().references(() => instances.id),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    type: text("type", { enum: ["USER", "QUEUE", "PHONE_NUMBER"] }).notNull(),
    userId: text("user_id").references(() => users.id),
    queueId: text("queue_id").references(() => queues.id),
    phoneNumber: text("phone_number"),
    /** AGENT_TRANSFER / QUEUE_TRANSFER flow to run, optional. */
    flowId: text("flow_id").references(() => flows.id),
    ...timestamps,
  },
  (t) => [uniqueIndex("quick_connects_name").on(t.instanceId, t.name)],
);

/**
 * Lambda functions an imported flow's InvokeLambdaFunction names (by ARN or function name), each
 * mapped to the business's HTTPS endpoint that does its work. The endpoint is called signed with
 * the instance's external signing secret; a mapped URL may be called like a registered endpoint.
 */
export const lambdaFunctions = sqliteTable(
  "lambda_functions",
  {
    id: text("id").primaryKey(),
    instanceId: text("instance_id").notNull().references(() => instances.id),
    /** The function's ARN (`arn:aws:lambda:…:function:name`) or its name, as flows write it. */
    name: text("name").notNull(),
    endpointUrl: text("endpoint_url").notNull(),
    description: text("description").notNull().default(""),
    ...timestamps,
  },
  (t) => [uniqueIndex("lambda_functions_name").on(t.instanceId, t.name)],
);

/** A task template's field (Amazon Connect's task template fields): what an agent or the API fills in for a task. */
export type TaskTemplateField = {
  name: string;
  type: "text" | "number" | "url" | "date" | "email" | "select";
  required: boolean;
  /** Filled in when a task leaves the field out. */
  default: string | null;
  /** A select field's choices. */
  options: string[];
};

/**
 * Custom views (Amazon Connect's customer-managed views): an admin's own step-by-step guide page,
 * one of the views the workspace renders (`template`: Form, Detail, List, Confirmation, Cards)
 * with its content (`content`: that view's ViewData, e.g. a Form's fields and actions). A flow's
 * ShowView names it by id or ARN (`…:instance/<instanceId>/view/<id>`); the block's own ViewData
 * is laid over the content (src/flows/actions/views.ts).
 */
export const customViews = sqliteTable(
  "custom_views",
  {
    id: text("id").primaryKey(),
    instanceId: text("instance_id").notNull().references(() => instances.id),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    template: text("template").notNull(),
    content: text("content", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    ...timestamps,
  },
  (t) => [uniqueIndex("custom_views_name").on(t.instanceId, t.name)],
);

/** Task templates: the fields a task of this kind carries and where it goes (its flow, else its queue). */
export const taskTemplates = sqliteTable(
  "task_templates",
  {
    id: text("id").primaryKey(),
    instanceId: text("instance_id").notNull().references(() => instances.id),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    fields: text("fields", { mode: "json" }).$type<TaskTemplateField[]>().notNull(),
    /** The flow a task of this template runs (first choice), else the queue it waits in. */
    flowId: text("flow_id").references(() => flows.id),
    queueId: text("queue_id").references(() => queues.id),
    ...timestamps,
  },
  (t) => [uniqueIndex("task_templates_name").on(t.instanceId, t.name)],
);

export const contacts = sqliteTable(
  "contacts",
  {
    id: text("id").primaryKey(),
    instanceId: text("instance_id").notNull().references(() => instances.id),
    channel: text("channel", { enum: ["VOICE", "CHAT", "TASK", "EMAIL"] }).notNull(),
    /** A CHAT contact that came by Twilio Messaging: "sms" or "whatsapp" (null: web chat, or not a chat). */
    channelSubtype: text("channel_subtype", { enum: ["sms", "whatsapp"] }),
    initiationMethod: text("initiation_method", {
      enum: ["INBOUND", "OUTBOUND", "TRANSFER", "CALLBACK", "API"],
    }).notNull(),
    /** Twilio CallSid / chat session id: makes webhook retries idempotent. */
    externalId: text("external_id"),
    previousContactId: text("previous_contact_id"),
    /** Caller's number, AES-GCM encrypted with the instance key. */
    customerEndpointEnc: text("customer_endpoint_enc"),
    /** HMAC-SHA256 of the caller's number with the instance's search key (hex). */
    customerEndpointHash: text("customer_endpoint_hash"),
    /** The key version of the search key that made `customerEndpointHash` (search matches the current one). */
    customerEndpointHashVersion: integer("customer_endpoint_hash_version").notNull().default(1),
    systemEndpoint: text("system_endpoint"),
    flowId: text("flow_id"),
    flowVersion: integer("flow_version"),
    queueId: text("queue_id"),
    agentId: text("agent_id"),
    state: text("state").notNull().default("INITIATED"),
    initiatedAt: integer("initiated_at").notNull(),
    enqueuedAt: integer("enqueued_at"),
    connectedAt: integer("connected_at"),
    endedAt: integer("ended_at"),
    afterContactWorkEndedAt: integer("acw_ended_at"),
    holdSeconds: integer("hold_seconds").notNull().default(0),
    disconnectReason: text("disconnect_reason"),
    attributes: text("attributes", { mode: "json" }).$type<Record<string, string>>().notNull(),
    /** User-defined tags the flow set (TagContact / UnTagContact): key → value, at most 6. */
    tags: text("tags", { mode: "json" }).$type<Record<string, string>>().notNull().default({}),
    disposition: text("disposition"),
    notes: text("notes"),
    /** The customer's post-contact survey answer (1–5, from the `SurveyRating` contact attribute) and when it was given. */
    satisfaction: integer("satisfaction"),
    satisfactionAt: integer("satisfaction_at"),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("contacts_external").on(t.instanceId, t.externalId),
    index("contacts_instance_time").on(t.instanceId, t.initiatedAt),
    index("contacts_caller").on(t.instanceId, t.customerEndpointHash),
    index("contacts_queue").on(t.instanceId, t.queueId),
  ],
);

export const contactEvents = sqliteTable(
  "contact_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    instanceId: text("instance_id").notNull().references(() => instances.id),
    contactId: text("contact_id").notNull(),
    type: text("type").notNull(),
    at: integer("at").notNull(),
    agentId: text("agent_id"),
    queueId: text("queue_id"),
    data: text("data", { mode: "json" }).$type<Record<string, unknown>>(),
    /**
     * Set by the routing objects' outboxes (src/durable/contact-record.ts): one key per
     * transition, so a batch written twice stores its events once. Null for other writers.
     */
    eventKey: text("event_key"),
  },
  (t) => [
    index("contact_events_contact").on(t.instanceId, t.contactId, t.at),
    uniqueIndex("contact_events_key").on(t.instanceId, t.eventKey),
  ],
);

/**
 * A TASK contact's own details (Amazon Connect's task name, description and references, and its
 * template's fields): one row per task, with the contact. Erased with the contact's personal data.
 */
export const contactTasks = sqliteTable(
  "contact_tasks",
  {
    contactId: text("contact_id").primaryKey(),
    instanceId: text("instance_id").notNull().references(() => instances.id),
    templateId: text("template_id"),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    references: text("references", { mode: "json" }).$type<{ name: string; url: string }[]>().notNull(),
    fields: text("fields", { mode: "json" }).$type<Record<string, string>>().notNull(),
    /** When the task starts its flow (null: at once). */
    scheduledAt: integer("scheduled_at"),
    /** A task no agent accepted by then ends as expired. */
    expiresAt: integer("expires_at").notNull(),
    /** Who created it (a user), or null (a flow's CreateTask). */
    createdBy: text("created_by"),
    ...timestamps,
  },
  (t) => [index("contact_tasks_instance").on(t.instanceId, t.contactId)],
);

export const auditLog = sqliteTable(
  "audit_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    instanceId: text("instance_id").notNull(),
    userId: text("user_id"),
    action: text("action").notNull(),
    resourceType: text("resource_type").notNull(),
    resourceId: text("resource_id"),
    at: integer("at").notNull(),
    ip: text("ip"),
    userAgent: text("user_agent"),
    details: text("details", { mode: "json" }).$type<Record<string, unknown>>(),
  },
  (t) => [index("audit_instance_time").on(t.instanceId, t.at)],
);

export const sessions = sqliteTable(
  "sessions",
  {
    /** SHA-256 (hex) of the session token; the token itself is never stored. */
    id: text("id").primaryKey(),
    instanceId: text("instance_id").notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("sessions_user").on(t.userId)],
);

/**
 * Single-use tickets for opening a WebSocket where a header cannot be set (a browser's
 * WebSocket, a native client): a session's stand-in in the URL, valid seconds and only once, so
 * the session token itself never appears in a URL (or a log that keeps URLs).
 */
export const socketTickets = sqliteTable("socket_tickets", {
  /** SHA-256 (hex) of the ticket; the ticket itself is never stored. */
  id: text("id").primaryKey(),
  sessionId: text("session_id")
    .notNull()
    .references(() => sessions.id, { onDelete: "cascade" }),
  expiresAt: integer("expires_at").notNull(),
});

/**
 * Durable fixed-window counters (src/db/throttle.ts): failed sign-ins per account and
 * per client address, chat starts per client address and instance. `failures` is the count.
 */
export const loginThrottle = sqliteTable("login_throttle", {
  key: text("key").primaryKey(),
  failures: integer("failures").notNull(),
  windowStartedAt: integer("window_started_at").notNull(),
  lockedUntil: integer("locked_until").notNull().default(0),
});

/** Flow logs: every action a contact passes through (identifier, type, result, branch). */
export const flowLogs = sqliteTable(
  "flow_logs",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    instanceId: text("instance_id").notNull().references(() => instances.id),
    contactId: text("contact_id").notNull(),
    flowId: text("flow_id"),
    flowVersion: integer("flow_version"),
    at: integer("at").notNull(),
    actionId: text("action_id").notNull(),
    actionType: text("action_type").notNull(),
    /** What happened: the branch taken (NextAction, a condition, or an error type). */
    branch: text("branch"),
    nextActionId: text("next_action_id"),
    data: text("data", { mode: "json" }).$type<Record<string, unknown>>(),
    /**
     * The entry's number in its ContactSession (its `pending_logs` seq), for entries written after
     * the contact's creation: a write of them that runs again (its answer lost, or riding with a
     * record batch written again) skips the entries already stored (migration 0038).
     */
    logSeq: integer("log_seq"),
  },
  (t) => [index("flow_logs_contact").on(t.instanceId, t.contactId, t.id)],
);

/**
 * Recordings and chat transcripts, stored encrypted in R2 (src/recordings). A row exists only
 * once its object is fully written; it never points at a missing or unencrypted object.
 * Deleting marks the row `deleting` (no longer served) before the object goes, then `deleted`.
 */
export const recordings = sqliteTable(
  "recordings",
  {
    id: text("id").primaryKey(),
    instanceId: text("instance_id").notNull().references(() => instances.id),
    contactId: text("contact_id").notNull(),
    /** `unredacted_transcript`: the transcript as said, kept only where the instance keeps one (its own permission). */
    kind: text("kind", { enum: ["recording", "transcript", "attachment", "unredacted_transcript"] }).notNull(),
    status: text("status", { enum: ["stored", "deleting", "deleted"] }).notNull().default("stored"),
    /** R2 key: `<instanceId>/<kind>s/<contactId>/<id>`; bound into the ciphertext as additional data. */
    r2Key: text("r2_key").notNull(),
    /** Key version of the instance's key-encryption key that wraps the object's data key. */
    keyVersion: integer("key_version").notNull(),
    contentType: text("content_type").notNull(),
    /** Plaintext bytes (what playback serves) and stored (encrypted) bytes. */
    sizeBytes: integer("size_bytes").notNull(),
    storedBytes: integer("stored_bytes").notNull(),
    durationSeconds: integer("duration_seconds"),
    channels: integer("channels"),
    /** Twilio RecordingSid or the transcript's source id: a retried store is idempotent on it. */
    externalId: text("external_id"),
    /** A call recording's part of the contact: the IVR (before an agent joined) or an agent's (src/durable/voice/recording.ts). */
    part: text("part", { enum: ["IVR", "AGENT"] }),
    /** The agent part's recorded participants (RecordedParticipants: the tracks of the agent's leg it holds). */
    participants: text("participants", { mode: "json" }).$type<("Agent" | "Customer")[]>(),
    /** The agent whose leg an agent part recorded. */
    agentId: text("agent_id"),
    /** When the recording started (Twilio's RecordingStartTime), ms. */
    startedAt: integer("started_at"),
    deletedAt: integer("deleted_at"),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("recordings_external").on(t.instanceId, t.externalId),
    index("recordings_contact").on(t.instanceId, t.contactId),
    index("recordings_retention").on(t.instanceId, t.kind, t.status, t.createdAt),
    index("recordings_key_version").on(t.instanceId, t.status, t.keyVersion),
  ],
);

/**
 * What a contact still has to store (a call recording to fetch from Twilio, a call's real-time
 * transcript): one row per item, written by the ContactSession that stores it, so the contact
 * shows `pending` (with the last error while it is being retried), `stored` (→ `recordingId`)
 * or `failed` (given up: the error says why; a recording stays at Twilio).
 */
export const recordingUploads = sqliteTable(
  "recording_uploads",
  {
    id: text("id").primaryKey(),
    instanceId: text("instance_id").notNull().references(() => instances.id),
    contactId: text("contact_id").notNull(),
    kind: text("kind", { enum: ["recording", "transcript", "attachment"] }).notNull(),
    /** Twilio RecordingSid, or the transcript's source id (the stored row's `external_id`). */
    externalId: text("external_id").notNull(),
    status: text("status", { enum: ["pending", "stored", "failed"] }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    nextAttemptAt: integer("next_attempt_at"),
    recordingId: text("recording_id"),
    ...timestamps,
  },
  (t) => [uniqueIndex("recording_uploads_external").on(t.instanceId, t.externalId), index("recording_uploads_contact").on(t.instanceId, t.contactId)],
);

/**
 * Chat settings of an instance (issue 7): the website origins allowed to embed the chat widget
 * (exact `scheme://host[:port]`, anything else is refused) and the flows a widget may start
 * (the first is the default when the tag names none). No row = chat is off.
 */
export const chatSettings = sqliteTable("chat_settings", {
  instanceId: text("instance_id").primaryKey().references(() => instances.id),
  allowedOrigins: text("allowed_origins", { mode: "json" }).$type<string[]>().notNull(),
  flowIds: text("flow_ids", { mode: "json" }).$type<string[]>().notNull(),
  updatedAt: integer("updated_at", { mode: "number" }).notNull().default(now),
});

/**
 * An SMS or WhatsApp conversation (a customer's address writing to one of the instance's
 * numbers) and the contact it is in now. `threadKey` is a keyed hash (the instance's search key)
 * of channel, number and customer address: the customer's number is not stored here. A new
 * message finds its open contact here; one whose contact ended starts a new contact, which takes
 * the thread over (a compare-and-set on `contactId`, so two messages at once start one contact).
 */
export const messagingThreads = sqliteTable(
  "messaging_threads",
  {
    instanceId: text("instance_id").notNull().references(() => instances.id),
    threadKey: text("thread_key").notNull(),
    contactId: text("contact_id").notNull(),
    updatedAt: integer("updated_at", { mode: "number" }).notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.instanceId, t.threadKey] }), index("messaging_threads_contact").on(t.instanceId, t.contactId)],
);

/**
 * The instance's inbound email addresses (Cloudflare Email Routing sends their mail to the
 * Worker's `email()` handler): each is one instance's, and its messages wait in its queue as
 * EMAIL contacts. An address is unique across instances (it says whose mail it is).
 */
export const emailAddresses = sqliteTable(
  "email_addresses",
  {
    id: text("id").primaryKey(),
    instanceId: text("instance_id").notNull().references(() => instances.id),
    /** Lower case, `local@domain`. */
    address: text("address").notNull(),
    /** The name replies are sent from ("Acme Support"). */
    displayName: text("display_name").notNull().default(""),
    queueId: text("queue_id").notNull().references(() => queues.id),
    ...timestamps,
  },
  (t) => [uniqueIndex("email_addresses_address").on(t.address), index("email_addresses_instance").on(t.instanceId)],
);

/**
 * Email threads: the SHA-256 of each Message-ID we received or sent, and its contact. A new
 * message whose In-Reply-To or References names one of them continues that contact (while it
 * is open); the Message-IDs themselves are not stored.
 */
export const emailThreads = sqliteTable(
  "email_threads",
  {
    instanceId: text("instance_id").notNull().references(() => instances.id),
    messageIdHash: text("message_id_hash").notNull(),
    contactId: text("contact_id").notNull(),
    createdAt: integer("created_at", { mode: "number" }).notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.instanceId, t.messageIdHash] }), index("email_threads_contact").on(t.instanceId, t.contactId)],
);

/**
 * Word index of chat transcripts for contact search (`GET /contacts?q=`). The transcript itself
 * is encrypted in R2; here each distinct normalised word of it is stored only as a keyed hash
 * (HMAC-SHA256 with the instance's search key, truncated to 128 bits), so the index reveals
 * neither the words nor anything across instances (see src/recordings/transcript-search.ts).
 * `keyVersion` is the version of the search key a term was hashed with (all of one contact's
 * terms share it); after a key version change search hashes the query with every version still
 * present, and the rotation command re-indexes older contacts from their stored transcript.
 */
export const contactSearchTerms = sqliteTable(
  "contact_search_terms",
  {
    instanceId: text("instance_id").notNull().references(() => instances.id),
    term: text("term").notNull(),
    contactId: text("contact_id").notNull(),
    keyVersion: integer("key_version").notNull().default(1),
  },
  (t) => [
    primaryKey({ columns: [t.instanceId, t.term, t.contactId] }),
    index("contact_search_terms_contact").on(t.instanceId, t.contactId),
    index("contact_search_terms_key_version").on(t.instanceId, t.keyVersion, t.contactId),
  ],
);

/**
 * A contact's conversation analysis (issue 26), written off the call path once its transcript is
 * stored (src/durable/contact-analysis.ts): the customer's overall sentiment and predicted
 * satisfaction in clear (contact search filters and reports use them), everything made from what
 * was said — turns with their sentiment, per-speaker overall, trend, summary, issues, key phrases —
 * sealed with the instance's field key (`analysis`, src/db/contact-analysis.ts). Follows the
 * transcript's retention and the contact's erasure.
 */
export const contactAnalysis = sqliteTable(
  "contact_analysis",
  {
    instanceId: text("instance_id").notNull().references(() => instances.id),
    contactId: text("contact_id").notNull(),
    customerSentiment: text("customer_sentiment", { enum: ["POSITIVE", "NEGATIVE", "NEUTRAL", "MIXED"] }),
    customerScore: real("customer_score"),
    predictedSatisfaction: integer("predicted_satisfaction"),
    /** What answered: the sentiment and summary engines' names. */
    engines: text("engines", { mode: "json" }).$type<{ sentiment: string; summary: string }>().notNull(),
    analysisEnc: text("analysis_enc").notNull(),
    keyVersion: integer("key_version").notNull(),
    ...timestamps,
  },
  (t) => [primaryKey({ columns: [t.instanceId, t.contactId] }), index("contact_analysis_sentiment").on(t.instanceId, t.customerSentiment)],
);

/**
 * Canned quick replies of an instance's chat (issue 7): texts an agent can put into the chat
 * composer with one choice. At most 50 per instance, in `position` order; edited as a whole list
 * by `PUT /api/v1/instance/chat/quick-replies`, read by agents at `GET /api/v1/agent/quick-replies`.
 */
export const chatQuickReplies = sqliteTable(
  "chat_quick_replies",
  {
    id: text("id").primaryKey(),
    instanceId: text("instance_id").notNull().references(() => instances.id),
    text: text("text").notNull(),
    position: integer("position").notNull(),
    ...timestamps,
  },
  (t) => [index("chat_quick_replies_instance").on(t.instanceId, t.position)],
);

/**
 * Conversation-analytics rules (issue 26): when a contact's conversation meets every condition of
 * a rule, the contact gets the rule's category. `body` is the rule as `RuleBody`
 * (src/shared/analytics-rules.ts) validates it: conditions, queue and agent filters, `live`.
 */
export const analyticsRules = sqliteTable(
  "analytics_rules",
  {
    id: text("id").primaryKey(),
    instanceId: text("instance_id").notNull().references(() => instances.id),
    name: text("name").notNull(),
    category: text("category").notNull(),
    live: integer("live", { mode: "boolean" }).notNull().default(false),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    /** `{ conditions, queueIds, agentIds }` as the API takes them. */
    body: text("body", { mode: "json" }).$type<{ conditions: unknown[]; queueIds: string[]; agentIds: string[] }>().notNull(),
    ...timestamps,
  },
  (t) => [uniqueIndex("analytics_rules_name").on(t.instanceId, t.name)],
);

/**
 * The categories rules gave a contact: one row per contact and rule, matched live (as the contact
 * went on) or after it (over the stored transcript). A rule matching again changes nothing.
 */
export const contactCategories = sqliteTable(
  "contact_categories",
  {
    instanceId: text("instance_id").notNull().references(() => instances.id),
    contactId: text("contact_id").notNull(),
    ruleId: text("rule_id").notNull(),
    category: text("category").notNull(),
    source: text("source", { enum: ["LIVE", "POST_CONTACT"] }).notNull(),
    matchedAt: integer("matched_at").notNull(),
    /** Indexes of the transcript's turns that made the rule match. */
    turns: text("turns", { mode: "json" }).$type<number[]>().notNull().default([]),
  },
  (t) => [
    primaryKey({ columns: [t.instanceId, t.contactId, t.ruleId] }),
    index("contact_categories_category").on(t.instanceId, t.category, t.contactId),
  ],
);

/**
 * Customer profiles: who a customer is, per instance. Everything personal (names, numbers,
 * emails, address, custom field values) is one JSON sealed with the instance's field key, bound
 * to the profile (`src/db/profiles.ts`); what search matches on is in `profileKeys` as keyed
 * hashes, never in clear.
 */
export const customerProfiles = sqliteTable(
  "customer_profiles",
  {
    id: text("id").primaryKey(),
    instanceId: text("instance_id").notNull().references(() => instances.id),
    /** `{ firstName, lastName, phoneNumbers, emails, address, attributes }`, AES-GCM sealed. */
    dataEnc: text("data_enc").notNull(),
    ...timestamps,
  },
  (t) => [index("customer_profiles_time").on(t.instanceId, t.createdAt)],
);

/**
 * What a profile is found by: each phone number (E.164), email (lower case) and name word (lower
 * case, no accents) as an HMAC with the instance's search key of `keyVersion`.
 */
export const profileKeys = sqliteTable(
  "profile_keys",
  {
    instanceId: text("instance_id").notNull().references(() => instances.id),
    profileId: text("profile_id").notNull(),
    kind: text("kind", { enum: ["phone", "email", "name"] }).notNull(),
    hash: text("hash").notNull(),
    keyVersion: integer("key_version").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.instanceId, t.profileId, t.kind, t.hash] }),
    index("profile_keys_match").on(t.instanceId, t.kind, t.hash),
  ],
);

/** A contact linked to a profile (by an agent, a flow, or a merge): a contact belongs to one profile at most. */
export const profileContacts = sqliteTable(
  "profile_contacts",
  {
    instanceId: text("instance_id").notNull().references(() => instances.id),
    contactId: text("contact_id").notNull(),
    profileId: text("profile_id").notNull(),
    linkedAt: integer("linked_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.instanceId, t.contactId] }),
    index("profile_contacts_profile").on(t.instanceId, t.profileId),
  ],
);

/** The custom fields an admin defines for profiles (their values live in the sealed profile). */
export const profileFields = sqliteTable(
  "profile_fields",
  {
    id: text("id").primaryKey(),
    instanceId: text("instance_id").notNull().references(() => instances.id),
    name: text("name").notNull(),
    type: text("type", { enum: ["TEXT", "NUMBER", "DATE", "BOOLEAN"] }).notNull(),
    ...timestamps,
  },
  (t) => [uniqueIndex("profile_fields_name").on(t.instanceId, t.name)],
);

/**
 * Knowledge articles (src/db/knowledge.ts). An article is a line of versions: its latest one is
 * the draft an admin edits (until published), `publishedVersion` the one agents see. Editing a
 * published article starts a new draft version; publishing it replaces what agents see; every
 * version is kept. Published text is also copied into the `knowledge_fts` FTS5 index (written by
 * hand in the migration: drizzle-kit does not make virtual tables).
 */
export const knowledgeArticles = sqliteTable(
  "knowledge_articles",
  {
    id: text("id").primaryKey(),
    instanceId: text("instance_id").notNull().references(() => instances.id),
    /** The latest version's title, for lists. */
    title: text("title").notNull(),
    latestVersion: integer("latest_version").notNull().default(1),
    /** The version agents see; null while the article has never been published. */
    publishedVersion: integer("published_version"),
    publishedAt: integer("published_at"),
    createdBy: text("created_by"),
    ...timestamps,
  },
  (t) => [index("knowledge_articles_instance").on(t.instanceId, t.createdAt)],
);

export const knowledgeArticleVersions = sqliteTable(
  "knowledge_article_versions",
  {
    id: text("id").primaryKey(),
    instanceId: text("instance_id").notNull().references(() => instances.id),
    articleId: text("article_id").notNull().references(() => knowledgeArticles.id, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    title: text("title").notNull(),
    /** Markdown, rendered (sanitised) in the browser. */
    body: text("body").notNull(),
    tags: text("tags", { mode: "json" }).$type<string[]>().notNull(),
    createdBy: text("created_by"),
    updatedBy: text("updated_by"),
    /** When this version was published (it stays set after a later version replaces it). */
    publishedAt: integer("published_at"),
    ...timestamps,
  },
  (t) => [uniqueIndex("knowledge_article_versions_version").on(t.articleId, t.version)],
);

/** Files attached to an article, stored encrypted in R2 (the recordings bucket, their envelope). */
export const knowledgeAttachments = sqliteTable(
  "knowledge_attachments",
  {
    id: text("id").primaryKey(),
    instanceId: text("instance_id").notNull().references(() => instances.id),
    articleId: text("article_id").notNull().references(() => knowledgeArticles.id, { onDelete: "cascade" }),
    fileName: text("file_name").notNull(),
    contentType: text("content_type").notNull(),
    sizeBytes: integer("size_bytes").notNull(),
    storedBytes: integer("stored_bytes").notNull(),
    r2Key: text("r2_key").notNull(),
    keyVersion: integer("key_version").notNull(),
    createdBy: text("created_by"),
    ...timestamps,
  },
  (t) => [index("knowledge_attachments_article").on(t.articleId)],
);

/** Per-instance synonym groups: a search for any word of a group also finds the others. */
export const knowledgeSynonyms = sqliteTable("knowledge_synonyms", {
  id: text("id").primaryKey(),
  instanceId: text("instance_id").notNull().references(() => instances.id),
  terms: text("terms", { mode: "json" }).$type<string[]>().notNull(),
  ...timestamps,
});
