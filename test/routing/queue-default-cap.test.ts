import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { DEFAULT_MAX_CONTACTS } from "../../src/durable/queue-room";
import { queueRoom } from "../../src/durable/routing";
import { editQueueStorage, makeInstance } from "./helpers";

describe("queue size limit by default", () => {
  it("a queue with no max contacts is at capacity at the default limit (QueueAtCapacity fires)", async () => {
    const fx = await makeInstance({ queues: [{ id: "q", maxContacts: null }], profiles: [], agents: [] });
    const q = queueRoom(env, fx.instanceId, fx.queueId("q"));
    // The queue already holds the default limit of waiting contacts.
    await editQueueStorage(q, (sql) => {
      for (let i = 0; i < DEFAULT_MAX_CONTACTS; i++) {
        sql.exec(
          `INSERT INTO contacts (contact_id, channel, priority, enqueued_at, attributes, initiation, ring_timeout_ms, notify, state)
           VALUES (?, 'CHAT', 5, ?, '{}', 'API', 20000, NULL, 'WAITING')`,
          `flood-${i}`, 1_000 + i,
        );
      }
    });
    expect(await q.enqueue({ contactId: "one-more", channel: "CHAT" })).toEqual({ status: "AT_CAPACITY", queueId: fx.queueId("q") });
    // A queue whose admin set a larger limit takes more.
    const other = await makeInstance({ queues: [{ id: "big", maxContacts: DEFAULT_MAX_CONTACTS + 10 }], profiles: [], agents: [] });
    const big = queueRoom(env, other.instanceId, other.queueId("big"));
    await editQueueStorage(big, (sql) => {
      for (let i = 0; i < DEFAULT_MAX_CONTACTS; i++) {
        sql.exec(
          `INSERT INTO contacts (contact_id, channel, priority, enqueued_at, attributes, initiation, ring_timeout_ms, notify, state)
           VALUES (?, 'CHAT', 5, ?, '{}', 'API', 20000, NULL, 'WAITING')`,
          `flood-${i}`, 1_000 + i,
        );
      }
    });
    expect(await big.enqueue({ contactId: "one-more", channel: "CHAT" })).toMatchObject({ status: "QUEUED" });
  });
});
