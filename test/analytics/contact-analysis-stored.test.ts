/**
 * Every contact analysed once its transcript is stored (from its object's alarm, not a webhook):
 * the analysis in D1 sealed, served at `GET /contacts/:id/analysis` with the transcript's
 * permission (another instance's contact → 404), contact search by the customer's sentiment, and
 * gone with the transcript's retention or the contact's personal-data erasure.
 */
import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { instances } from "../../src/db/schema";
import { DAY_MS, runRetention } from "../../src/recordings/retention";
import { api, db, otherInstance } from "../helpers";
import { eventsInclude } from "../routing/helpers";
import { type ChatFixture, customerSocket, makeChatInstance, session, startChat, userWith } from "../chat/helpers";

async function chatSaying(fx: ChatFixture, lines: string[]) {
  const { body: chat } = await startChat(fx.instanceId);
  const c = (await customerSocket(fx.instanceId, chat)).socket!;
  for (const line of lines) await c.say(line);
  c.send({ type: "chat.end" });
  await c.wait("chat.state", (s) => s.chat.status === "ENDED");
  await session(fx.instanceId, chat.contactId).settle();
  await eventsInclude(fx.instanceId, chat.contactId, ["TRANSCRIPT_STORED"]);
  c.close();
  return chat.contactId as string;
}

const rowOf = (instanceId: string, contactId: string) =>
  env.DB.prepare("SELECT * FROM contact_analysis WHERE instance_id = ? AND contact_id = ?").bind(instanceId, contactId).first<any>();

describe("conversation analysis of every contact", () => {
  it("a chat's analysis: stored sealed, served to those who may read its transcript, 404 across instances, found by the customer's sentiment", async () => {
    const fx = await makeChatInstance({ agents: [] });
    const listener = await userWith(fx.instanceId, "listener", ["contacts.search", "recordings.listen"]);
    const searcher = await userWith(fx.instanceId, "searcher", ["contacts.search"]);
    const angry = await chatSaying(fx, [
      "I was charged twice for my order and nobody answers my emails.",
      "This is terrible service, I am really angry. My card is 4111 1111 1111 1111.",
    ]);
    const happy = await chatSaying(fx, ["Thanks so much, the new router works great!", "You have been really helpful, thank you."]);

    const row = await rowOf(fx.instanceId, angry);
    expect(row).toMatchObject({ customer_sentiment: "NEGATIVE", engines: expect.stringContaining("embedded") });
    expect(row.predicted_satisfaction).toBeLessThanOrEqual(2);
    expect(row.analysis_enc).not.toMatch(/charged|4111 1111/);

    const res = await api("GET", `/contacts/${angry}/analysis`, { token: listener });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ contactId: angry, channel: "CHAT", customer: "CUSTOMER", customerSentiment: "NEGATIVE", predictedSatisfaction: row.predicted_satisfaction });
    const customerTurns = res.body.turns.filter((t: any) => t.speaker === "CUSTOMER");
    expect(customerTurns.map((t: any) => t.sentiment)).toEqual(["NEGATIVE", "NEGATIVE"]);
    expect(customerTurns[1].text).toContain("[CREDIT_DEBIT_NUMBER]");
    expect(customerTurns[1].time).toBeGreaterThanOrEqual(customerTurns[0].time);
    expect(res.body.overall.CUSTOMER).toMatchObject({ sentiment: "NEGATIVE", turns: 2 });
    expect(res.body.summary).toMatch(/charged twice/);
    expect(res.body.issues).toContain("I was charged twice for my order and nobody answers my emails.");
    expect(JSON.stringify(res.body)).not.toContain("4111 1111");
    const audit = await env.DB.prepare("SELECT action FROM audit_log WHERE instance_id = ? AND resource_type = 'contact_analysis' AND resource_id = ?").bind(fx.instanceId, angry).first<string>("action");
    expect(audit).toBe("read");

    // The transcript's permission; another instance's contact is not found.
    expect((await api("GET", `/contacts/${angry}/analysis`, { token: searcher })).status).toBe(403);
    const other = await otherInstance();
    const across = await api("GET", `/contacts/${angry}/analysis`, { token: other.token });
    expect(across.status).toBe(404);
    expect(across.body.error.code).toBe("not_found");

    // Contact search by the customer's overall sentiment.
    const byNegative = await api("GET", "/contacts?sentiment=NEGATIVE", { token: listener });
    expect(byNegative.body.items.map((c: any) => c.id)).toEqual([angry]);
    const byPositive = await api("GET", "/contacts?sentiment=POSITIVE", { token: listener });
    expect(byPositive.body.items.map((c: any) => c.id)).toEqual([happy]);
    const bad = await api("GET", "/contacts?sentiment=FURIOUS", { token: listener });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("validation_failed");
  });

  it("goes with the contact's personal data on erasure, and with its transcript at the end of transcript retention", async () => {
    const fx = await makeChatInstance({ agents: [] });
    const admin = await userWith(fx.instanceId, "admin", ["instance.configure", "contacts.search", "recordings.listen"]);
    const erased = await chatSaying(fx, ["My order never arrived and I want a refund."]);
    const expiring = await chatSaying(fx, ["The app keeps crashing when I log in."]);
    expect(await rowOf(fx.instanceId, erased)).not.toBeNull();

    expect((await api("DELETE", `/contacts/${erased}/personal-data`, { token: admin })).status).toBe(200);
    expect(await rowOf(fx.instanceId, erased)).toBeNull();
    expect((await api("GET", `/contacts/${erased}/analysis`, { token: admin })).status).toBe(404);
    expect(await rowOf(fx.instanceId, expiring)).not.toBeNull();

    await db().update(instances).set({ transcriptRetentionDays: 7 }).where(eq(instances.id, fx.instanceId));
    await runRetention(env, fx.instanceId, { now: Date.now() + 6 * DAY_MS });
    expect(await rowOf(fx.instanceId, expiring)).not.toBeNull();
    expect((await runRetention(env, fx.instanceId, { now: Date.now() + 8 * DAY_MS })).transcripts).toHaveLength(1);
    expect(await rowOf(fx.instanceId, expiring)).toBeNull();
  });
});
