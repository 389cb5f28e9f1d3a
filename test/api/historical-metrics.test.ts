import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { intervals, runs } from "../../src/db/historical-metrics";
import { contactAnalysis, contactEvents, contacts } from "../../src/db/schema";
import { api, db, demoAdmin, demoAgent, demoSupervisor, DEMO, otherInstance, tokenFor } from "../helpers";

const BILLING = DEMO.queues.billing;
const SUPPORT = DEMO.queues.support;
const ALICE = "demo:user:alice";
const BOB = "demo:user:bob";
const S = 1000;

type Made = { initiation?: "INBOUND" | "CALLBACK"; queueId?: string | null; agentId?: string | null; channel?: "VOICE" | "CHAT"; state: string; at: number; enqueued?: number; connected?: number; ended?: number; acwEnded?: number; hold?: number; satisfaction?: number };

/** A contact as its records would leave it, times in seconds after `at`. */
async function contact(instanceId: string, m: Made): Promise<string> {
  const id = crypto.randomUUID();
  const t = (s?: number) => (s === undefined ? null : m.at + s * S);
  await db().insert(contacts).values({
    id, instanceId, channel: m.channel ?? "VOICE", initiationMethod: m.initiation ?? "INBOUND", queueId: m.queueId ?? null, agentId: m.agentId ?? null,
    state: m.state, initiatedAt: m.at, enqueuedAt: t(m.enqueued), connectedAt: t(m.connected), endedAt: t(m.ended),
    afterContactWorkEndedAt: t(m.acwEnded), holdSeconds: m.hold ?? 0, attributes: {},
    satisfaction: m.satisfaction ?? null, satisfactionAt: m.satisfaction === undefined ? null : t(m.ended),
  });
  return id;
}

/** A contact's conversation analysis row, as the analysis after a call or chat writes it (the sealed text is not read by reports). */
async function analysed(instanceId: string, contactId: string, customerScore: number | null, predictedSatisfaction: number | null) {
  await db().insert(contactAnalysis).values({
    instanceId, contactId, customerScore, predictedSatisfaction, customerSentiment: customerScore === null ? null : customerScore > 0 ? "POSITIVE" : "NEGATIVE",
    engines: { sentiment: "test", summary: "test" }, analysisEnc: "sealed", keyVersion: 1,
  });
}

/** New York is UTC−4 from 2025-03-09 (EDT), UTC−5 before. */
const ny = (iso: string) => Date.parse(iso);

describe("GET /api/v1/metrics/historical", () => {
  let admin: string;
  let other: { instanceId: string; token: string };

  beforeAll(async () => {
    admin = await demoAdmin();
    other = await otherInstance();
    const i = DEMO.instanceId;
    // 2025-03-10 in New York (EDT): four contacts for Billing.
    await contact(i, { queueId: BILLING, agentId: ALICE, state: "COMPLETED", at: ny("2025-03-10T09:00:00-04:00"), enqueued: 10, connected: 25, ended: 85, acwEnded: 115, hold: 10 });
    const missedThenAnswered = await contact(i, { queueId: BILLING, agentId: BOB, state: "COMPLETED", at: ny("2025-03-10T10:00:00-04:00"), enqueued: 5, connected: 65, ended: 125, acwEnded: 135 });
    await db().insert(contactEvents).values({ instanceId: i, contactId: missedThenAnswered, type: "MISSED", at: ny("2025-03-10T10:00:30-04:00"), agentId: ALICE, queueId: BILLING });
    await contact(i, { queueId: BILLING, state: "ABANDONED", at: ny("2025-03-10T11:00:00-04:00"), enqueued: 0, ended: 30 });
    await contact(i, { queueId: BILLING, state: "ABANDONED", at: ny("2025-03-10T12:00:00-04:00"), enqueued: 0, ended: 5 });
    // Hung up in the IVR: never queued, so in no queue's numbers.
    await contact(i, { state: "ABANDONED", at: ny("2025-03-10T12:30:00-04:00"), ended: 20 });
    // 23:30 on the 11th in New York is the 12th in UTC: it belongs to the 11th.
    await contact(i, { queueId: SUPPORT, agentId: ALICE, channel: "CHAT", state: "CONNECTED", at: ny("2025-03-11T23:30:00-04:00"), enqueued: 1, connected: 3 });
    // Another instance's contact at the same time: never in the demo's report, nor the demo's in its own.
    await contact(other.instanceId, { queueId: "other:queue", agentId: "other:user", state: "COMPLETED", at: ny("2025-03-10T09:00:00-04:00"), enqueued: 1, connected: 2, ended: 3, acwEnded: 4 });
  });

  it("sums each queue by local day, with Amazon Connect's metrics", async () => {
    const res = await api("GET", "/metrics/historical?from=2025-03-10&to=2025-03-11&interval=DAY&groupBy=QUEUE", { token: admin });
    expect(res.status).toBe(200);
    expect(res.body.timeZone).toBe("America/New_York");
    expect(res.body.range).toEqual({ start: "2025-03-10T00:00:00-04:00", end: "2025-03-12T00:00:00-04:00" });
    // Every interval of the range, for a chart's axis; the rows only where something happened.
    expect(res.body.intervals.map((i: { label: string }) => i.label)).toEqual(["2025-03-10", "2025-03-11"]);
    expect(res.body.rows.map((r: any) => [r.interval.label, r.group.name])).toEqual([["2025-03-10", "Billing"], ["2025-03-10", "No queue"], ["2025-03-11", "Support"]]);
    const [billing, ivr, support] = res.body.rows;
    expect(billing.group).toEqual({ type: "QUEUE", id: BILLING, name: "Billing" });
    expect(billing.interval).toEqual({ start: "2025-03-10T00:00:00-04:00", end: "2025-03-11T00:00:00-04:00", label: "2025-03-10" });
    expect(billing.metrics).toEqual({
      CONTACTS_CREATED: 4,
      CONTACTS_QUEUED: 4,
      CONTACTS_HANDLED: 2,
      CONTACTS_ABANDONED: 2,
      ABANDONMENT_RATE: 50,
      CONTACTS_MISSED: 1,
      AVG_QUEUE_ANSWER_TIME: 37.5, // (15 + 60) / 2
      AVG_HANDLE_TIME: 80, // (90 + 70) / 2: talk + hold + ACW
      AVG_TALK_TIME: 55, // (50 + 60) / 2
      AVG_HOLD_TIME: 5,
      AVG_AFTER_CONTACT_WORK_TIME: 20,
      AVG_QUEUE_ABANDON_TIME: 17.5,
      MAX_QUEUED_TIME: 60,
      SERVICE_LEVEL: 33.3, // 1 answered within 20 s, of 2 answered + 1 abandoned after 20 s (the 5 s abandon does not count)
      // No callbacks (the callback test below has some).
      CALLBACK_CONTACTS: 0, CALLBACK_ATTEMPTS: 0,
      // Nobody answered a survey (the CSAT test below has ratings).
      CSAT_RESPONSES: 0, AVG_CSAT: null,
      // Nor was any conversation analysed (the analysis test below has some).
      ANALYSED_CONTACTS: 0, AVG_CUSTOMER_SENTIMENT: null, PREDICTED_CSAT_CONTACTS: 0, AVG_PREDICTED_CSAT: null,
      // Agent activity is by agent only (test/api/agent-activity.test.ts).
      AGENT_ONLINE_TIME: null, AGENT_NON_PRODUCTIVE_TIME: null, AGENT_IDLE_TIME: null, AGENT_ON_CONTACT_TIME: null, AGENT_OCCUPANCY: null,
    });
    // The caller who hung up in the IVR began a contact, and reached no queue.
    expect(ivr.group).toEqual({ type: "QUEUE", id: null, name: "No queue" });
    expect(ivr.metrics).toMatchObject({ CONTACTS_CREATED: 1, CONTACTS_QUEUED: 0, CONTACTS_ABANDONED: 0, ABANDONMENT_RATE: null });
    // Still talking: answered, but no handle or talk time yet.
    expect(support.metrics).toMatchObject({ CONTACTS_QUEUED: 1, CONTACTS_HANDLED: 1, AVG_QUEUE_ANSWER_TIME: 2, AVG_HANDLE_TIME: null, AVG_TALK_TIME: null, SERVICE_LEVEL: 100 });
    // Over the spring-forward day (23 hours), later days still land on their own dates.
    const wider = await api("GET", "/metrics/historical?from=2025-03-08&to=2025-03-11&interval=DAY&queueId=" + encodeURIComponent(BILLING), { token: admin });
    expect(wider.body.intervals).toHaveLength(4);
    expect(wider.body.rows.map((r: any) => [r.interval.label, r.metrics.CONTACTS_QUEUED])).toEqual([["2025-03-10", 4]]);
    // Half an hour after midnight, three days after the short day: counting 24-hour days from the start would say the 11th.
    await contact(DEMO.instanceId, { queueId: SUPPORT, state: "ABANDONED", at: ny("2025-03-12T00:30:00-04:00"), enqueued: 0, ended: 9 });
    const after = await api("GET", "/metrics/historical?from=2025-03-08&to=2025-03-12&interval=DAY&queueId=" + encodeURIComponent(SUPPORT), { token: admin });
    expect(after.body.rows.map((r: any) => [r.interval.label, r.metrics.CONTACTS_QUEUED])).toEqual([["2025-03-11", 1], ["2025-03-12", 1]]);
    expect(res.body.totals).toMatchObject({ CONTACTS_CREATED: 6, CONTACTS_QUEUED: 5, CONTACTS_HANDLED: 3, CONTACTS_ABANDONED: 2, CONTACTS_MISSED: 1, AVG_QUEUE_ANSWER_TIME: 25.7, SERVICE_LEVEL: 50 });
  });

  it("by agent: what each handled and missed; abandoned contacts under No agent", async () => {
    const res = await api("GET", "/metrics/historical?from=2025-03-10&to=2025-03-11&interval=TOTAL&groupBy=AGENT", { token: admin });
    expect(res.status).toBe(200);
    const by = Object.fromEntries(res.body.rows.map((r: any) => [r.group.name, r.metrics]));
    expect(Object.keys(by)).toEqual(["Alice Agent", "Bob Agent", "No agent"]);
    expect(by["Alice Agent"]).toMatchObject({ CONTACTS_HANDLED: 2, CONTACTS_MISSED: 1, AVG_HANDLE_TIME: 90 });
    expect(by["Bob Agent"]).toMatchObject({ CONTACTS_HANDLED: 1, CONTACTS_MISSED: 0, AVG_HANDLE_TIME: 70 });
    expect(by["No agent"]).toMatchObject({ CONTACTS_CREATED: 3, CONTACTS_QUEUED: 2, CONTACTS_HANDLED: 0, CONTACTS_ABANDONED: 2 });
    expect(res.body.rows[0].interval).toBeNull();
    expect(res.body.intervals).toEqual([]);
  });

  it("filters by queue, agent and channel, and groups by channel", async () => {
    const q = await api("GET", `/metrics/historical?from=2025-03-10&to=2025-03-11&interval=TOTAL&queueId=${encodeURIComponent(SUPPORT)}`, { token: admin });
    expect(q.body.rows.map((r: any) => r.group.id)).toEqual([SUPPORT]);
    expect(q.body.totals.CONTACTS_CREATED).toBe(1);
    const a = await api("GET", `/metrics/historical?from=2025-03-10&to=2025-03-11&interval=TOTAL&agentId=${encodeURIComponent(BOB)}`, { token: admin });
    expect(a.body.totals).toMatchObject({ CONTACTS_HANDLED: 1, CONTACTS_MISSED: 0 });
    // Alice missed the offer of a contact Bob then handled: hers, though the contact is his.
    const alice = await api("GET", `/metrics/historical?from=2025-03-10&to=2025-03-10&interval=TOTAL&agentId=${encodeURIComponent(ALICE)}`, { token: admin });
    expect(alice.body.totals).toMatchObject({ CONTACTS_HANDLED: 1, CONTACTS_MISSED: 1 });
    const ch = await api("GET", "/metrics/historical?from=2025-03-10&to=2025-03-11&interval=TOTAL&groupBy=CHANNEL", { token: admin });
    expect(ch.body.rows.map((r: any) => [r.group.id, r.metrics.CONTACTS_CREATED, r.metrics.CONTACTS_QUEUED])).toEqual([["CHAT", 1, 1], ["VOICE", 5, 4]]);
    const chat = await api("GET", "/metrics/historical?from=2025-03-10&to=2025-03-11&interval=TOTAL&channel=CHAT", { token: admin });
    expect(chat.body.totals.CONTACTS_QUEUED).toBe(1);
  });

  it("hours follow the instance's clock: a contact just after the spring-forward gap is in 03:00", async () => {
    const at = ny("2025-03-09T03:30:00-04:00");
    await contact(DEMO.instanceId, { queueId: BILLING, state: "ABANDONED", at, enqueued: 0, ended: 40 });
    const res = await api("GET", "/metrics/historical?from=2025-03-09&to=2025-03-09&interval=HOUR", { token: admin });
    expect(res.status).toBe(200);
    expect(res.body.rows).toHaveLength(1);
    expect(res.body.intervals).toHaveLength(23);
    expect(res.body.rows[0].interval).toEqual({ start: "2025-03-09T03:00:00-04:00", end: "2025-03-09T04:00:00-04:00", label: "2025-03-09 03:00" });
    expect(res.body.rows[0].metrics.CONTACTS_ABANDONED).toBe(1);
    const quarters = await api("GET", "/metrics/historical?from=2025-03-10&to=2025-03-10&interval=FIFTEEN_MIN", { token: admin });
    expect(quarters.body.rows.map((r: any) => [r.interval.label, r.group.name, r.metrics.CONTACTS_QUEUED])).toEqual([
      ["2025-03-10 09:00", "Billing", 1], ["2025-03-10 10:00", "Billing", 1], ["2025-03-10 11:00", "Billing", 1], ["2025-03-10 12:00", "Billing", 1],
      ["2025-03-10 12:30", "No queue", 0],
    ]);
    expect(quarters.body.rows[1].interval.end).toBe("2025-03-10T10:15:00-04:00");
  });

  it("cuts days into the hours and quarters their clock has (23 on the spring day, 25 on the autumn one)", () => {
    const spring = intervals("2025-03-09", "2025-03-09", "HOUR", "America/New_York");
    expect(spring).toHaveLength(23);
    expect(spring.map((b) => b.label.slice(11)).slice(0, 4)).toEqual(["00:00", "01:00", "03:00", "04:00"]);
    const autumn = intervals("2025-11-02", "2025-11-02", "HOUR", "America/New_York");
    expect(autumn).toHaveLength(25);
    expect(autumn.map((b) => b.label.slice(11)).slice(0, 4)).toEqual(["00:00", "01:00", "01:00", "02:00"]);
    expect(intervals("2025-03-10", "2025-03-10", "FIFTEEN_MIN", "Asia/Kolkata")).toHaveLength(96);
    const [day] = intervals("2025-03-10", "2025-03-10", "DAY", "Asia/Kolkata");
    expect(new Date(day.start).toISOString()).toBe("2025-03-09T18:30:00.000Z");
    // Every interval starts where the one before it ended.
    for (let i = 1; i < autumn.length; i++) expect(autumn[i].start).toBe(autumn[i - 1].end);
    // D1 finds a contact's interval by runs of intervals of one length: a month of days is three (the DST day alone).
    const h = 3_600_000;
    expect(runs(intervals("2025-03-01", "2025-03-31", "DAY", "America/New_York")).map((r) => [r.first, r.length / h])).toEqual([[0, 24], [8, 23], [9, 24]]);
    const lordHowe = intervals("2025-04-01", "2025-04-10", "DAY", "Australia/Lord_Howe"); // its clock goes back 30 minutes on 6 April
    expect(runs(lordHowe).map((r) => [r.first, r.length / h])).toEqual([[0, 24], [5, 24.5], [6, 24]]);
    expect(runs(intervals("2025-03-01", "2025-03-31", "HOUR", "America/New_York"))).toHaveLength(1);
  });

  it("downloads as CSV: a row per group and interval, then the totals", async () => {
    const csv = await SELF.fetch("https://switchboard.test/api/v1/metrics/historical?from=2025-03-10&to=2025-03-10&interval=DAY&format=csv", { headers: { authorization: `Bearer ${admin}` } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(csv.headers.get("content-disposition")).toContain('filename="switchboard-queue-day-2025-03-10-to-2025-03-10.csv"');
    const lines = (await csv.text()).trim().split("\r\n");
    expect(lines[0].split(",").slice(0, 7)).toEqual(["group_type", "group_id", "group_name", "interval_start", "interval_end", "interval_label", "CONTACTS_CREATED"]);
    expect(lines[1]).toBe(`QUEUE,${BILLING},Billing,2025-03-10T00:00:00-04:00,2025-03-11T00:00:00-04:00,2025-03-10,4,4,2,2,50,1,37.5,80,55,5,20,17.5,60,33.3,0,0,0,,0,,0,,,,,,`);
    expect(lines[2]).toBe("QUEUE,,No queue,2025-03-10T00:00:00-04:00,2025-03-11T00:00:00-04:00,2025-03-10,1,0,0,0,,0,,,,,,,,,0,0,0,,0,,0,,,,,,");
    expect(lines[3].startsWith("TOTAL,,Total,")).toBe(true);
    expect(lines).toHaveLength(4);
  });

  it("a supervisor may read it; an agent may not (403)", async () => {
    expect((await api("GET", "/metrics/historical?from=2025-03-10&to=2025-03-10", { token: await demoSupervisor() })).status).toBe(200);
    const agent = await api("GET", "/metrics/historical?from=2025-03-10&to=2025-03-10", { token: await demoAgent() });
    expect(agent.status).toBe(403);
    expect(agent.body.error.code).toBe("forbidden");
  });

  it("reports alone are enough to read them and the names they show, not the live metrics", async () => {
    const profile = await api("POST", "/security-profiles", { token: admin, body: { name: "Reports only", permissions: ["metrics.historical"] } });
    expect(profile.status).toBe(201);
    const user = { email: "reports@demo.test", password: "reports-only-password" };
    expect((await api("POST", "/users", { token: admin, body: { ...user, name: "Rita Reports", securityProfileId: profile.body.id } })).status).toBe(201);
    const token = await tokenFor(user.email, user.password);
    expect((await api("GET", "/metrics/historical?from=2025-03-10&to=2025-03-10", { token })).status).toBe(200);
    const directory = await api("GET", "/metrics/directory", { token });
    expect(directory.status).toBe(200);
    expect(directory.body.queues.map((q: { name: string }) => q.name)).toContain("Billing");
    expect((await api("GET", "/metrics/current", { token })).status).toBe(403);
  });

  it("refuses bad input with the field and the reason", async () => {
    const cases: [string, string][] = [
      ["from=2025-03-10", "to: "],
      ["from=2025-03-11&to=2025-03-10", "to: must not be before from"],
      ["from=2025-02-30&to=2025-03-01", "from: is not a date in the calendar"],
      ["from=10/03/2025&to=2025-03-11", "from: must be a date such as 2026-12-01"],
      ["from=2025-01-01&to=2025-02-15&interval=HOUR", "to: a HOUR report covers at most 31 days"],
      ["from=2025-01-01&to=2025-01-08&interval=FIFTEEN_MIN", "to: a FIFTEEN_MIN report covers at most 7 days"],
      ["from=2024-01-01&to=2025-01-01&interval=DAY", "to: a DAY report covers at most 366 days"],
      ["from=2025-01-01&to=2025-01-02&interval=WEEK", "interval"],
      ["from=2025-01-01&to=2025-01-02&groupBy=FLOW", "groupBy"],
      ["from=2025-01-01&to=2025-01-02&serviceLevelSeconds=0", "serviceLevelSeconds"],
    ];
    for (const [query, message] of cases) {
      const res = await api("GET", `/metrics/historical?${query}`, { token: admin });
      expect(res.status, query).toBe(400);
      expect(res.body.error.code, query).toBe("validation_failed");
      expect(res.body.error.message, query).toContain(message);
    }
  });

  it("tenancy: another instance's queue and agent ids answer 404, and neither instance sees the other's contacts", async () => {
    for (const filter of [`queueId=${encodeURIComponent(BILLING)}`, `agentId=${encodeURIComponent(ALICE)}`, "queueId=does-not-exist"]) {
      const res = await api("GET", `/metrics/historical?from=2025-03-10&to=2025-03-10&${filter}`, { token: other.token });
      expect(res.status, filter).toBe(404);
      expect(res.body.error.code).toBe("not_found");
    }
    const theirs = await api("GET", "/metrics/historical?from=2025-03-10&to=2025-03-10&interval=TOTAL", { token: other.token });
    expect(theirs.body.timeZone).toBe("Europe/Paris");
    expect(theirs.body.rows.map((r: any) => r.group.id)).toEqual(["other:queue"]);
    expect(theirs.body.totals.CONTACTS_QUEUED).toBe(1);
    const ours = await api("GET", "/metrics/historical?from=2025-03-10&to=2025-03-10&interval=TOTAL", { token: admin });
    expect(ours.body.rows.map((r: any) => r.group.id)).not.toContain("other:queue");
  });

  it("customer satisfaction: survey responses and the average rating by queue and by agent; another instance's ratings never count", async () => {
    const i = DEMO.instanceId;
    const day = (h: string) => ny(`2025-04-15T${h}:00-04:00`);
    const done = { state: "COMPLETED", enqueued: 1, connected: 5, ended: 65, acwEnded: 70 };
    await contact(i, { ...done, queueId: BILLING, agentId: ALICE, at: day("09:00"), satisfaction: 5 });
    await contact(i, { ...done, queueId: BILLING, agentId: BOB, at: day("10:00"), satisfaction: 3 });
    await contact(i, { ...done, queueId: BILLING, agentId: BOB, at: day("10:30") }); // no answer
    await contact(i, { ...done, queueId: SUPPORT, agentId: ALICE, channel: "CHAT", at: day("11:00"), satisfaction: 4 });
    await contact(other.instanceId, { ...done, queueId: "other:queue", agentId: "other:user", at: day("09:00"), satisfaction: 1 });

    const byQueue = await api("GET", "/metrics/historical?from=2025-04-15&to=2025-04-15&interval=TOTAL&groupBy=QUEUE", { token: admin });
    expect(byQueue.status).toBe(200);
    const q = Object.fromEntries(byQueue.body.rows.map((r: any) => [r.group.id, [r.metrics.CSAT_RESPONSES, r.metrics.AVG_CSAT]]));
    expect(q).toEqual({ [BILLING]: [2, 4], [SUPPORT]: [1, 4] });
    expect(byQueue.body.totals).toMatchObject({ CONTACTS_HANDLED: 4, CSAT_RESPONSES: 3, AVG_CSAT: 4 });

    const byAgent = await api("GET", "/metrics/historical?from=2025-04-15&to=2025-04-15&interval=DAY&groupBy=AGENT", { token: admin });
    const a = Object.fromEntries(byAgent.body.rows.map((r: any) => [r.group.id, [r.metrics.CSAT_RESPONSES, r.metrics.AVG_CSAT]]));
    expect(a).toEqual({ [ALICE]: [2, 4.5], [BOB]: [1, 3] });

    // Filtered to one agent: only his contacts' ratings.
    const bob = await api("GET", `/metrics/historical?from=2025-04-15&to=2025-04-15&interval=TOTAL&agentId=${encodeURIComponent(BOB)}`, { token: admin });
    expect(bob.body.totals).toMatchObject({ CSAT_RESPONSES: 1, AVG_CSAT: 3 });

    const theirs = await api("GET", "/metrics/historical?from=2025-04-15&to=2025-04-15&interval=TOTAL", { token: other.token });
    expect(theirs.body.totals).toMatchObject({ CSAT_RESPONSES: 1, AVG_CSAT: 1 });
  });

  it("conversation analysis: customer sentiment, analysed contacts and the predicted CSAT where no survey was answered, by queue and by agent; another instance's analysis never counts", async () => {
    const i = DEMO.instanceId;
    const day = (h: string) => ny(`2025-05-20T${h}:00-04:00`);
    const done = { state: "COMPLETED", enqueued: 1, connected: 5, ended: 65, acwEnded: 70 };
    const a1 = await contact(i, { ...done, queueId: BILLING, agentId: ALICE, at: day("09:00"), satisfaction: 5 });
    const a2 = await contact(i, { ...done, queueId: BILLING, agentId: BOB, at: day("10:00") });
    const a3 = await contact(i, { ...done, queueId: BILLING, agentId: BOB, at: day("10:30") });
    await contact(i, { ...done, queueId: BILLING, agentId: BOB, at: day("11:00") }); // not analysed
    const silent = await contact(i, { ...done, queueId: BILLING, agentId: BOB, at: day("11:30") });
    const a4 = await contact(i, { ...done, queueId: SUPPORT, agentId: ALICE, channel: "CHAT", at: day("12:00") });
    await analysed(i, a1, 0.8, 4); // answered the survey: its prediction is not counted
    await analysed(i, a2, -0.6, 2);
    await analysed(i, a3, 0.1, 3);
    await analysed(i, a4, 0.5, 5);
    await analysed(i, silent, null, null); // nothing the customer said to score: not among the analysed
    // Another instance's analysis of a contact with one of our ids, and of its own contact: neither counts for us.
    await analysed(other.instanceId, a2, -1, 1);
    const theirContact = await contact(other.instanceId, { ...done, queueId: "other:queue", agentId: "other:user", at: day("09:00") });
    await analysed(other.instanceId, theirContact, -0.9, 1);

    const pick = (rows: any[]) => Object.fromEntries(rows.map((r: any) => [r.group.id, [r.metrics.ANALYSED_CONTACTS, r.metrics.AVG_CUSTOMER_SENTIMENT, r.metrics.PREDICTED_CSAT_CONTACTS, r.metrics.AVG_PREDICTED_CSAT]]));
    const byQueue = await api("GET", "/metrics/historical?from=2025-05-20&to=2025-05-20&interval=TOTAL&groupBy=QUEUE", { token: admin });
    expect(byQueue.status).toBe(200);
    // Billing: (0.8 − 0.6 + 0.1) / 3; predicted (2 + 3) / 2, the rated contact left out.
    expect(pick(byQueue.body.rows)).toEqual({ [BILLING]: [3, 0.1, 2, 2.5], [SUPPORT]: [1, 0.5, 1, 5] });
    expect(byQueue.body.totals).toMatchObject({ CONTACTS_CREATED: 6, CONTACTS_HANDLED: 6, ANALYSED_CONTACTS: 4, AVG_CUSTOMER_SENTIMENT: 0.2, PREDICTED_CSAT_CONTACTS: 3, AVG_PREDICTED_CSAT: 3.3, CSAT_RESPONSES: 1, AVG_CSAT: 5 });

    const byAgent = await api("GET", "/metrics/historical?from=2025-05-20&to=2025-05-20&interval=DAY&groupBy=AGENT", { token: admin });
    // Alice: (0.8 + 0.5) / 2, predicted only for the chat; Bob: (−0.6 + 0.1) / 2 over two of his four contacts.
    expect(pick(byAgent.body.rows)).toEqual({ [ALICE]: [2, 0.65, 1, 5], [BOB]: [2, -0.25, 2, 2.5] });

    const bob = await api("GET", `/metrics/historical?from=2025-05-20&to=2025-05-20&interval=TOTAL&agentId=${encodeURIComponent(BOB)}`, { token: admin });
    expect(bob.body.totals).toMatchObject({ CONTACTS_CREATED: 4, ANALYSED_CONTACTS: 2, AVG_CUSTOMER_SENTIMENT: -0.25, PREDICTED_CSAT_CONTACTS: 2, AVG_PREDICTED_CSAT: 2.5 });

    const theirs = await api("GET", "/metrics/historical?from=2025-05-20&to=2025-05-20&interval=TOTAL", { token: other.token });
    expect(theirs.body.totals).toMatchObject({ CONTACTS_CREATED: 1, ANALYSED_CONTACTS: 1, AVG_CUSTOMER_SENTIMENT: -0.9, PREDICTED_CSAT_CONTACTS: 1, AVG_PREDICTED_CSAT: 1 });

    // The CSV has the four columns after the survey's.
    const csv = await SELF.fetch("https://switchboard.test/api/v1/metrics/historical?from=2025-05-20&to=2025-05-20&interval=TOTAL&format=csv", { headers: { authorization: `Bearer ${admin}` } });
    const [head, ...lines] = (await csv.text()).trim().split("\r\n");
    const cols = head.split(",");
    expect(cols.slice(cols.indexOf("AVG_CSAT"), cols.indexOf("AVG_CSAT") + 5)).toEqual(["AVG_CSAT", "ANALYSED_CONTACTS", "AVG_CUSTOMER_SENTIMENT", "PREDICTED_CSAT_CONTACTS", "AVG_PREDICTED_CSAT"]);
    const billing = lines.find((l) => l.startsWith(`QUEUE,${BILLING},`))!.split(",");
    expect(["ANALYSED_CONTACTS", "AVG_CUSTOMER_SENTIMENT", "PREDICTED_CSAT_CONTACTS", "AVG_PREDICTED_CSAT"].map((m) => billing[cols.indexOf(m)])).toEqual(["3", "0.1", "2", "2.5"]);
  });

  it("queued callbacks: contacts initiated CALLBACK, and each call placed to their customers; another instance's never count", async () => {
    const i = DEMO.instanceId;
    const at = ny("2025-06-02T10:00:00-04:00");
    // A caller who asked for a callback (not one), and the two callbacks: one answered on its second call, one never answered in three.
    await contact(i, { queueId: BILLING, state: "ENDED", at, enqueued: 0, ended: 30 });
    const answered = await contact(i, { initiation: "CALLBACK", queueId: BILLING, agentId: ALICE, state: "COMPLETED", at: at + 30 * S, enqueued: -30, connected: 60, ended: 300, acwEnded: 320 });
    const unanswered = await contact(i, { initiation: "CALLBACK", queueId: SUPPORT, agentId: BOB, state: "ENDED", at: at + 60 * S, enqueued: 0, connected: 30, ended: 200 });
    const event = (contactId: string, type: string, s: number) => ({ instanceId: i, contactId, type, at: at + s * S });
    await db().insert(contactEvents).values([
      event(answered, "CALLBACK_ATTEMPT_FAILED", 120), event(answered, "CUSTOMER_ANSWERED", 200),
      event(unanswered, "CALLBACK_ATTEMPT_FAILED", 90), event(unanswered, "CALLBACK_ATTEMPT_FAILED", 150), event(unanswered, "CUSTOMER_NOT_ANSWERED", 200),
    ]);
    const theirs = await contact(other.instanceId, { initiation: "CALLBACK", queueId: "other:queue", state: "ENDED", at, enqueued: 0, ended: 10 });
    await db().insert(contactEvents).values({ instanceId: other.instanceId, contactId: theirs, type: "CUSTOMER_NOT_ANSWERED", at });

    const res = await api("GET", "/metrics/historical?from=2025-06-02&to=2025-06-02&interval=TOTAL&groupBy=QUEUE", { token: admin });
    expect(res.status).toBe(200);
    const q = Object.fromEntries(res.body.rows.map((r: any) => [r.group.id, [r.metrics.CALLBACK_CONTACTS, r.metrics.CALLBACK_ATTEMPTS]]));
    expect(q).toEqual({ [BILLING]: [1, 2], [SUPPORT]: [1, 3] });
    expect(res.body.totals).toMatchObject({ CONTACTS_CREATED: 3, CALLBACK_CONTACTS: 2, CALLBACK_ATTEMPTS: 5 });
    const mine = await api("GET", "/metrics/historical?from=2025-06-02&to=2025-06-02&interval=TOTAL", { token: other.token });
    expect(mine.body.totals).toMatchObject({ CALLBACK_CONTACTS: 1, CALLBACK_ATTEMPTS: 1 });
  });
});
