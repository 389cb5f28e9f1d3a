import { describe, expect, it } from "vitest";
import { OneAlarm } from "../../src/durable/one-alarm";

/** A storage that only keeps an alarm, and the writes made to it. */
function alarmStorage(initial: number | null = null) {
  const s = { at: initial, writes: [] as string[] };
  const storage = {
    getAlarm: async () => s.at,
    setAlarm: async (at: number | Date) => void (s.writes.push(`set ${Number(at)}`), (s.at = Number(at))),
    deleteAlarm: async () => void (s.writes.push("delete"), (s.at = null)),
  } as unknown as DurableObjectStorage;
  return { s, storage };
}

describe("OneAlarm", () => {
  it("started unknown, the first set writes; setting the time already set writes nothing", async () => {
    const { s, storage } = alarmStorage(500);
    const alarm = new OneAlarm(storage).unknown();
    await alarm.set([500]);
    await alarm.set([500, 900]);
    await alarm.set([]);
    await alarm.set([]);
    expect(s.writes).toEqual(["set 500", "delete"]);
  });

  it("by(t) leaves an alarm due by t alone, and sets one that is later or missing", async () => {
    const { s, storage } = alarmStorage();
    const alarm = new OneAlarm(storage).unknown();
    await alarm.by(1_000); // unknown: written
    await alarm.by(2_000); // 1 000 serves
    await alarm.by(600); // too late: moved earlier
    alarm.fired(); // it went off: none set now
    await alarm.by(3_000);
    expect(s.writes).toEqual(["set 1000", "set 600", "set 3000"]);
    expect(s.at).toBe(3_000);
  });

  it("a failed write leaves the alarm unknown, so the next set writes again", async () => {
    const { s, storage } = alarmStorage();
    let fail = true;
    const setAlarm = storage.setAlarm.bind(storage);
    storage.setAlarm = async (at) => {
      if (fail) throw new Error("storage unavailable");
      return setAlarm(at);
    };
    const alarm = new OneAlarm(storage).unknown();
    await alarm.set([700]);
    fail = false;
    await alarm.set([700]);
    expect(s.writes).toEqual(["set 700"]);
  });
});
