import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { queueRoom } from "../../src/durable/routing";
import { NoticeOutbox } from "../../src/durable/notify";
import type { NotifyTarget } from "../../src/durable/types";
import { makeInstance } from "./helpers";

// A binding whose objects have no onRoutingEvent: every delivery to it fails.
const broken: NotifyTarget = { binding: "QUEUE_ROOM", name: "i0:no-such-sink" };
// A contact session that does not exist takes the event and ignores it.
const fine: NotifyTarget = { binding: "CONTACT_SESSION", name: "i0:nobody" };

describe("routing → channel notifications are durable", () => {
  it("a failed delivery stays, holds back that contact's later events (not others'), and is delivered after a restart", async () => {
    const fx = await makeInstance({ queues: [{ id: "q" }], profiles: [], agents: [] });
    const stub = queueRoom(env, fx.instanceId, fx.queueId("q"));
    const ev = (contactId: string, type: "HELD" | "RESUMED") => ({ instanceId: fx.instanceId, contactId, type, queueId: null, agentId: "ann", at: Date.now() });
    await runInDurableObject(stub, async (_o, st) => {
      st.storage.sql.exec("DELETE FROM notices");
      const notices = new NoticeOutbox(st.storage.sql, env, "test-room");
      notices.add(broken, ev("c1", "HELD"));
      notices.add(fine, ev("c1", "RESUMED"));
      notices.add(fine, ev("c2", "HELD"));
      await notices.deliver();
      // c1's HELD failed, so its RESUMED waits behind it; c2's went.
      const left = st.storage.sql.exec<{ seq: number; event: string }>("SELECT seq, event FROM notices ORDER BY seq").toArray();
      expect(left.map((r) => JSON.parse(r.event).type)).toEqual(["HELD", "RESUMED"]);
      expect(notices.pending()).toBe(2);
      expect(notices.retryAt(2_000)).toBeGreaterThan(Date.now());
      // The channel can take it now (here: the row points somewhere that works); the object restarts.
      st.storage.sql.exec("UPDATE notices SET target = ?", JSON.stringify(fine));
      const restarted = new NoticeOutbox(st.storage.sql, env, "test-room");
      expect(restarted.pending()).toBe(2);
      await restarted.deliver();
      expect(restarted.pending()).toBe(0);
      expect(restarted.retryAt(2_000)).toBeNull();
      expect(st.storage.sql.exec("SELECT 1 FROM notices").toArray()).toHaveLength(0);
    });
  });
});
