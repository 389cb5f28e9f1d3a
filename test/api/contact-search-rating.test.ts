/**
 * Contact search shows each contact's survey rating (satisfaction, 1–5) and filters by it: at
 * least / at most a rating; contacts without one never match a rating filter. Scoped by instance.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { contacts } from "../../src/db/schema";
import { api, db, otherInstance } from "../helpers";

const T = Date.parse("2026-05-04T10:00:00.000Z");

async function contact(instanceId: string, n: number, satisfaction: number | null) {
  const id = crypto.randomUUID();
  await db().insert(contacts).values({
    id, instanceId, channel: "VOICE", initiationMethod: "INBOUND", state: "COMPLETED", initiatedAt: T + n * 1000, endedAt: T + n * 1000 + 60_000,
    attributes: {}, satisfaction, satisfactionAt: satisfaction === null ? null : T + n * 1000 + 90_000,
  });
  return id;
}

describe("contact search: the customer's survey rating", () => {
  let mine: { instanceId: string; token: string };
  let theirs: { instanceId: string; token: string };
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    mine = await otherInstance("Rated Co");
    theirs = await otherInstance("Other Rated Co");
    ids.one = await contact(mine.instanceId, 1, 1);
    ids.two = await contact(mine.instanceId, 2, 2);
    ids.five = await contact(mine.instanceId, 3, 5);
    ids.none = await contact(mine.instanceId, 4, null);
    ids.theirs = await contact(theirs.instanceId, 1, 1);
  });

  const search = (token: string, query: string) => api("GET", `/contacts?from=2026-05-04T00:00:00Z&to=2026-05-05T00:00:00Z${query}`, { token });

  it("each contact shows its rating and when it was given", async () => {
    const res = await search(mine.token, "");
    expect(res.status).toBe(200);
    const byId = Object.fromEntries(res.body.items.map((c: any) => [c.id, [c.satisfaction, c.satisfactionAt]]));
    expect(byId).toEqual({
      [ids.one]: [1, new Date(T + 91_000).toISOString()], [ids.two]: [2, new Date(T + 92_000).toISOString()],
      [ids.five]: [5, new Date(T + 93_000).toISOString()], [ids.none]: [null, null],
    });
  });

  it("filters at most / at least a rating; unrated contacts match neither; another instance's contacts never show", async () => {
    const unhappy = await search(mine.token, "&maxSatisfaction=2");
    expect(unhappy.body.items.map((c: any) => c.id)).toEqual([ids.two, ids.one]);
    const happy = await search(mine.token, "&minSatisfaction=4");
    expect(happy.body.items.map((c: any) => c.id)).toEqual([ids.five]);
    const exactly = await search(mine.token, "&minSatisfaction=2&maxSatisfaction=2");
    expect(exactly.body.items.map((c: any) => c.id)).toEqual([ids.two]);
    const other = await search(theirs.token, "&maxSatisfaction=2");
    expect(other.body.items.map((c: any) => c.id)).toEqual([ids.theirs]);
    // Another instance's contact by id: 404, as a missing one.
    expect((await api("GET", `/contacts/${ids.theirs}`, { token: mine.token })).status).toBe(404);
  });

  it("refuses a rating out of 1-5, not a number, or a range upside down, with 400 naming the field", async () => {
    for (const [query, field] of [["&minSatisfaction=0", "minSatisfaction"], ["&maxSatisfaction=6", "maxSatisfaction"], ["&minSatisfaction=good", "minSatisfaction"], ["&minSatisfaction=2.5", "minSatisfaction"], ["&minSatisfaction=4&maxSatisfaction=2", "minSatisfaction"]]) {
      const res = await search(mine.token, query);
      expect(res.status, query).toBe(400);
      expect(res.body.error.code).toBe("validation_failed");
      expect(JSON.stringify(res.body.error), query).toContain(field);
    }
  });
});
