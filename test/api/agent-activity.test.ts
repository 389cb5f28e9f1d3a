import { env, runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { agentActivity } from "../../src/db/agent-activity";
import { contacts } from "../../src/db/schema";
import { agentRoomName } from "../../src/lib/object-names";
import { api, db, demoAdmin, DEMO, seed } from "../helpers";

const ALICE = "demo:user:alice";
const BOB = "demo:user:bob";
const MIN = 60_000;
const room = (userId: string) => env.AGENT_ROOM.getByName(agentRoomName(DEMO.instanceId, userId));
/** 2025-04-14 in New York (EDT, UTC−4). */
const at = (hhmm: string) => Date.parse(`2025-04-14T${hhmm}:00-04:00`);

describe("agent activity: the agent's status log, and its time in the historical reports", () => {
  let admin: string;

  beforeAll(async () => {
    admin = await demoAdmin();
    await seed();
    // Alice's day: Available 9–12, Lunch 12–13, Available 13–17, then Offline (written as her room writes it).
    await runInDurableObject(room(ALICE), async (_instance, state) => {
      for (const [time, kind, name] of [["09:00", "AVAILABLE", "Available"], ["12:00", "CUSTOM", "Lunch"], ["13:00", "AVAILABLE", "Available"], ["17:00", "OFFLINE", "Offline"]]) {
        state.storage.sql.exec("INSERT INTO status_log (at, kind, name) VALUES (?, ?, ?)", at(time), kind, name);
      }
    });
    // Her contacts: a call 9:30–9:45 with after contact work to 9:50 and a chat 9:40–10:00 (30 minutes on contact),
    // and a call taken over lunch, 12:10–12:20.
    const handled = [["09:30", "09:45", "09:50", "VOICE"], ["09:40", "10:00", "10:00", "CHAT"], ["12:10", "12:20", "12:20", "VOICE"]] as const;
    for (const [connected, ended, acw, channel] of handled) {
      await db().insert(contacts).values({
        id: crypto.randomUUID(), instanceId: DEMO.instanceId, channel, initiationMethod: "INBOUND", queueId: DEMO.queues.billing, agentId: ALICE,
        state: "COMPLETED", initiatedAt: at(connected) - MIN, enqueuedAt: at(connected) - MIN / 2, connectedAt: at(connected), endedAt: at(ended),
        afterContactWorkEndedAt: at(acw), attributes: {},
      });
    }
  });

  it("an agent's room keeps each status it takes, with the one in force when asked from a later time", async () => {
    const bob = room(BOB);
    const from = Date.now();
    await bob.setStatus({ kind: "AVAILABLE" });
    await bob.setStatus({ kind: "CUSTOM", statusId: "demo:status:break" });
    await bob.setStatus({ kind: "OFFLINE" });
    const all = await bob.statusHistory(from, Date.now() + 1);
    expect(all.map((e) => [e.kind, e.name])).toEqual([["AVAILABLE", "Available"], ["CUSTOM", "Break"], ["OFFLINE", "Offline"]]);
    expect(all.every((e) => e.at >= from && e.at <= Date.now())).toBe(true);
    // Asked from after the last change: that status, in force since it was taken.
    const later = await bob.statusHistory(Date.now() + 1000, Date.now() + 2000);
    expect(later.map((e) => e.kind)).toEqual(["OFFLINE"]);
  });

  it("by agent and day: online, non-productive, idle and on-contact time, and occupancy", async () => {
    const res = await api("GET", "/metrics/historical?from=2025-04-14&to=2025-04-14&interval=DAY&groupBy=AGENT", { token: admin });
    expect(res.status).toBe(200);
    const alice = res.body.rows.find((r: any) => r.group.id === ALICE);
    expect(alice.metrics).toMatchObject({
      CONTACTS_HANDLED: 3,
      AGENT_ONLINE_TIME: 8 * 3600,
      AGENT_NON_PRODUCTIVE_TIME: 3600,
      AGENT_ON_CONTACT_TIME: 40 * 60, // 9:30–10:00 (the call and the chat overlap) and 12:10–12:20
      AGENT_IDLE_TIME: 7 * 3600 - 30 * 60, // Available 7 hours, 30 minutes of them on contacts
      AGENT_OCCUPANCY: 7.1, // 30 minutes of 7 hours Available
    });
    expect(res.body.totals.AGENT_ONLINE_TIME).toBe(8 * 3600);
  });

  it("by hour: each hour has its own share", async () => {
    const res = await api("GET", `/metrics/historical?from=2025-04-14&to=2025-04-14&interval=HOUR&groupBy=AGENT&agentId=${encodeURIComponent(ALICE)}`, { token: admin });
    const hour = (label: string) => res.body.rows.find((r: any) => r.interval.label === `2025-04-14 ${label}`)?.metrics;
    expect(hour("09:00")).toMatchObject({ AGENT_ONLINE_TIME: 3600, AGENT_ON_CONTACT_TIME: 1800, AGENT_IDLE_TIME: 1800, AGENT_OCCUPANCY: 50 });
    expect(hour("12:00")).toMatchObject({ AGENT_NON_PRODUCTIVE_TIME: 3600, AGENT_ON_CONTACT_TIME: 600, AGENT_IDLE_TIME: 0, AGENT_OCCUPANCY: null });
    expect(hour("16:00")).toMatchObject({ AGENT_ONLINE_TIME: 3600, AGENT_IDLE_TIME: 3600, AGENT_OCCUPANCY: 0, CONTACTS_HANDLED: 0 });
    expect(hour("17:00")).toBeUndefined(); // Offline: nothing to show
  });

  it("only by agent, and not with a queue or channel filter (status time belongs to no queue)", async () => {
    const byQueue = await api("GET", "/metrics/historical?from=2025-04-14&to=2025-04-14&interval=TOTAL", { token: admin });
    expect(byQueue.body.totals.AGENT_ONLINE_TIME).toBeNull();
    const filtered = await api("GET", `/metrics/historical?from=2025-04-14&to=2025-04-14&interval=TOTAL&groupBy=AGENT&queueId=${encodeURIComponent(DEMO.queues.billing)}`, { token: admin });
    expect(filtered.body.rows.find((r: any) => r.group.id === ALICE).metrics).toMatchObject({ CONTACTS_HANDLED: 3, AGENT_ONLINE_TIME: null, AGENT_OCCUPANCY: null });
  });

  it("spans are cut at the intervals' edges, chats at once count once, and a live contact runs until now", () => {
    const h = 3_600_000;
    const intervals = [{ start: 0, end: h }, { start: h, end: 2 * h }];
    const log = [{ at: -h, kind: "AVAILABLE" as const, name: "Available" }];
    const a = agentActivity(log, [{ start: h / 2, end: null }, { start: h / 2, end: h }], intervals, 1.5 * h);
    expect(a.get(0)).toEqual({ onlineMs: h, nonProductiveMs: 0, availableMs: h, onContactMs: h / 2, onContactAvailableMs: h / 2 });
    expect(a.get(1)).toEqual({ onlineMs: h / 2, nonProductiveMs: 0, availableMs: h / 2, onContactMs: h / 2, onContactAvailableMs: h / 2 });
  });
});
