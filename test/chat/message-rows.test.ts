/**
 * What a chat message costs in its ContactSession's SQLite (Cloudflare bills rows written): the
 * message, its sender's rate bucket and the customer's silence timer are changed in place, not
 * deleted and written again.
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { customerSocket, makeChatInstance, session, startChat } from "./helpers";

/** Counts the rows each statement the object runs writes, from now on (the cursors' own counters, as billed). */
async function countRowsWritten(stub: DurableObjectStub) {
  const cursors: SqlStorageCursor<Record<string, SqlStorageValue>>[] = [];

  await runInDurableObject(stub, (_o, st) => {
    const sql = st.storage.sql;
    const exec = sql.exec.bind(sql);
    sql.exec = ((query: string, ...params: SqlStorageValue[]) => {
      const c = exec(query, ...params);
      cursors.push(c);

      return c;
    }) as typeof sql.exec;
  });
  return {
    take() {
      const n = cursors.reduce((sum, c) => sum + c.rowsWritten, 0);

      cursors.length = 0;
      return n;
    },
  };
}

describe("a chat message's rows in SQLite", () => {
  it("a customer's message in a queued chat writes at most 8 rows: its rate bucket and the silence timer change in place", async () => {
    const fx = await makeChatInstance({ agents: [] });
    const started = await startChat(fx.instanceId);
    expect(started.status).toBe(201);
    const customer = (await customerSocket(fx.instanceId, started.body)).socket!;
    // The chat flow asks "Sales or support?": the chat waits in the sales queue, which has no agents.
    await customer.say("sales");
    await customer.say("first");
    const rows = await countRowsWritten(session(fx.instanceId, started.body.contactId));
    const perMessage: number[] = [];
    for (const text of ["second", "third", "fourth", "fifth"]) {
      await customer.say(text);
      perMessage.push(rows.take());
    }
    expect(perMessage.every((n) => n > 0)).toBe(true); // counted at all
    // The first two still overlap the move to the queue (its flow turn and record run after the ack).
    // Then: 4 for the message (its row, two unique indexes, the sequence), 1 rate bucket, 1 silence
    // timer, 1 live sentiment, and at times 1 more when the sentiment is marked delivered.
    for (const n of perMessage.slice(2)) expect(n).toBeLessThanOrEqual(8);
    customer.close();
  });
});
